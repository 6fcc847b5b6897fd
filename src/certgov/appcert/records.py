"""What is on record about app operators, and their eligibility to apply (APP-2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.appcert.base import app_operator, check_operator_scope, require, rules_on, today
from certgov.appcert.eligibility import Eligibility, RecordFact, Revocation, evaluate
from certgov.appcert.models import AppCertification, CertificationStatus, OperatorRecord
from certgov.appcert.parsing import parse_record
from certgov.context import Context
from certgov.i18n import N_
from certgov.rules.model import RuleSet

_RECORDERS = frozenset({Role.CERTIFICATION_BODY, Role.NATIONAL_REGULATOR})


def add_record(
    session: Session, ctx: Context, actor: Actor, party_id: int, body: Mapping[str, Any]
) -> OperatorRecord:
    """Record a violation, a serious security incident, a similar certification revoked
    elsewhere or a circumstance the certification body bars (certification body, national
    regulator)."""
    party = app_operator(session, party_id)
    require(actor, _RECORDERS, N_("record what bars an app operator's applications"))
    day = today(ctx)
    record = parse_record(body, rules_on(session, ctx, day), day)
    row = OperatorRecord(
        party_id=party.id,
        kind=record.kind,
        occurred_on=record.occurred_on,
        ends_on=record.ends_on,
        description=record.description,
        reference=record.reference,
        recorded_by=actor.name,
        recorded_at=ctx.clock.now(),
    )
    session.add(row)
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "app.operator_record_added",
        subject={"party": party.id, "record": row.id, "kind": row.kind},
        after={
            "occurred_on": row.occurred_on.isoformat(),
            "ends_on": row.ends_on.isoformat() if row.ends_on else None,
        },
        reason=row.description,
    )
    return row


def records_of(session: Session, ctx: Context, actor: Actor, party_id: int) -> list[OperatorRecord]:
    party = app_operator(session, party_id)
    check_operator_scope(actor, party, N_("see the records of an app operator"))
    return list(
        session.scalars(
            select(OperatorRecord)
            .where(OperatorRecord.party_id == party.id)
            .order_by(OperatorRecord.occurred_on, OperatorRecord.id)
        )
    )


def judge(session: Session, rule_set: RuleSet, party_id: int, on: dt.date) -> Eligibility:
    """The bars on ``party_id``'s applications on ``on`` (APP-2), from its records and the
    certifications of this scheme revoked from it."""
    facts = [
        RecordFact(r.id, r.kind, r.occurred_on, r.description, r.ends_on)
        for r in session.scalars(select(OperatorRecord).where(OperatorRecord.party_id == party_id))
    ]
    revocations = [
        Revocation(c.number, c.revoked_on, c.ban_until)
        for c in session.scalars(
            select(AppCertification).where(
                AppCertification.party_id == party_id,
                AppCertification.status == CertificationStatus.REVOKED.value,
            )
        )
        if c.revoked_on is not None and c.ban_until is not None
    ]
    return evaluate(rule_set, on, facts, revocations)


def eligibility_of(
    session: Session, ctx: Context, actor: Actor, party_id: int, on: dt.date | None = None
) -> Eligibility:
    """Would an application by ``party_id`` on ``on`` (default today) be barred, and why?"""
    party = app_operator(session, party_id)
    check_operator_scope(actor, party, N_("see the eligibility of an app operator"))
    day = on or today(ctx)
    return judge(session, rules_on(session, ctx, day), party.id, day)
