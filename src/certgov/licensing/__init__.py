"""CA licensing use cases (ECS-2): applications judged on submission, on the case engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certgov.cases.hooks import Hooks


def register(hooks: Hooks) -> None:
    """Register this domain's guards and effects with the case engine (at start-up)."""
    from certgov.licensing import services
    from certgov.licensing.guards import application_conditions_met

    hooks.guard("application_conditions_met", application_conditions_met)
    hooks.case_effect("issue_licence", services.issue_licence)
    hooks.case_effect("renew_licence", services.renew_licence)
    hooks.case_effect("record_modification", services.record_modification)
