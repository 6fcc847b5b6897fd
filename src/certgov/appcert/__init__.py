"""App security certification (CCRC scheme, seed 001; APP-1 to APP-10).

``models`` holds the records; ``checklist``, ``eligibility`` and ``parsing`` are pure functions
over the rule set; ``applications``, ``verification``, ``agencies``, ``records``,
``certifications`` and ``compliance`` are the use cases; ``views`` turns records into
JSON-ready dictionaries for the API and the CLI.
"""
