"""CA certificate filings (ECS-3.4) and relying-party verification against them (SYS-5)."""
