"""The enforcement domain's guards (ECS-6.2, ECS-6.3), registered by
:func:`certgov.enforcement.register`."""

from __future__ import annotations

from certgov.cases.guards import GuardContext
from certgov.enforcement.catalogue import decision_problems, parse_decision


def penalty_decision_valid(ctx: GuardContext) -> str | None:
    """The penalty decision in the payload is allowed for the case's violation and any fine
    lies within its range under the case's rule set, which the refusal names (ECS-6.2, 6.3)."""
    decision = parse_decision(ctx.payload)
    return "; ".join(decision_problems(ctx.rule_set, ctx.data.get("violation"), decision)) or None
