"""The licensing domain's guards (ECS-2.1, ECS-2.2), registered by :func:`certgov.licensing.register`."""

from __future__ import annotations

from collections.abc import Mapping

from certgov.cases.guards import GuardContext
from certgov.ecs.review import approval_blockers
from certgov.text import Text


def application_conditions_met(ctx: GuardContext) -> Text | None:
    """Every item of the licence application's evaluation is finally met (ECS-2.1, ECS-2.2):
    automatically, or by a reviewer's judgement recorded on the case."""
    evaluation = ctx.data.get("evaluation")
    reviews = ctx.data.get("reviews")
    reasons = approval_blockers(
        evaluation if isinstance(evaluation, Mapping) else None,
        reviews if isinstance(reviews, Mapping) else {},
    )
    if not reasons:
        return None
    said = reasons[-1]
    for reason in reversed(reasons[:-1]):
        said = Text("{first}; {rest}", first=reason, rest=said)
    return said
