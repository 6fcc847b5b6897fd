"""App security certification (CCRC scheme, seed 001; APP-1 to APP-10).

``models`` holds the records; ``checklist``, ``eligibility`` and ``parsing`` are pure functions
over the rule set; ``applications``, ``verification``, ``agencies``, ``records``,
``certifications`` and ``compliance`` are the use cases; ``views`` turns records into
JSON-ready dictionaries for the API and the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certgov.cases.hooks import Hooks


def register(hooks: Hooks) -> None:
    """Register the scheme's effects with the case engine (at start-up)."""
    from certgov.appcert.effects import case_effects

    for name, effect in case_effects().items():
        hooks.case_effect(name, effect)
