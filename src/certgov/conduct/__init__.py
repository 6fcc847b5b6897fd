"""CA conduct (ECS-3.1–3.3, ECS-3.6): practice statements, outsourcing, outlets, retention."""
