"""The credit and exit domain's guards (ECS-7.1, ECS-7.3), registered by
:func:`certgov.credit.register`."""

from __future__ import annotations

from certgov.cases.guards import GuardContext
from certgov.clock import china_date
from certgov.credit.handover import handover_blockers
from certgov.credit.services import active_restriction
from certgov.text import Text


def no_credit_restriction(ctx: GuardContext) -> Text | None:
    """The case's subject is not barred from this kind of application by its credit record
    (ECS-7.1): the argument names the restriction (``licence_application``)."""
    assert ctx.argument is not None
    if ctx.session is None or ctx.subject_party_id is None:
        return None
    return active_restriction(
        ctx.session, ctx.rule_set, ctx.subject_party_id, ctx.argument, china_date(ctx.now)
    )


def handover_complete(ctx: GuardContext) -> str | None:
    """A withdrawal's handover is done (ECS-7.3): a receiving CA, every subscriber certificate
    migrated or revoked, the records transferred, and the cessation date reached."""
    return "; ".join(handover_blockers(ctx.data, china_date(ctx.now))) or None


def voluntary_exit(ctx: GuardContext) -> Text | None:
    """Only a voluntary withdrawal can be cancelled; a forced exit follows a revocation."""
    if ctx.data.get("kind") != "voluntary":
        return Text("a forced exit (after a licence revocation) cannot be cancelled")
    return None
