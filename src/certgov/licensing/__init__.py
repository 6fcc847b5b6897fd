"""CA licensing use cases (ECS-2): applications judged on submission, on the case engine."""
