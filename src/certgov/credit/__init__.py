"""Credit records and exit (ECS-7): bans that refuse applications, forced exit after a
revocation and voluntary withdrawal with the handover of subscribers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certgov.cases.hooks import Hooks


def register(hooks: Hooks) -> None:
    """Register this domain's guards and effects with the case engine (at start-up)."""
    from certgov.credit import guards, withdrawal

    hooks.guard("no_credit_restriction", guards.no_credit_restriction)
    hooks.guard("handover_complete", guards.handover_complete)
    hooks.guard("voluntary_exit", guards.voluntary_exit)
    hooks.case_effect("end_withdrawn_licence", withdrawal.end_withdrawn_licence)
    hooks.case_effect("open_forced_exit", withdrawal.open_forced_exit_effect)
