"""Recognitions (ECS-8.2): granted with scope and validity, withdrawn, expired; their status history and the status at a time."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.cases.errors import GuardFailed
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.errors import Conflict, InvalidInput, NotFound
from certgov.history.services import record_status_change
from certgov.i18n import N_
from certgov.parties.models import Party, PartyKind
from certgov.parties.services import NewParty, create_party, require_national
from certgov.recognition.models import (
    RecognisedCertificate,
    Recognition,
    RecognitionEvent,
    RecognitionStatus,
)
from certgov.recognition.records import history
from certgov.recognition.review import technical_review
from certgov.recognition.services.applications import (
    certificates_presented,
    claimed_supervision_status,
    parse_scope,
)
from certgov.recognition.services.common import MAX_TEXT, china_today
from certgov.store.engine import stale_write_is_conflict
from certgov.text import Term
from certgov.workflow.clocks import date_after


def _number(session: Session, year: int) -> str:
    prefix = f"REC{year}"
    taken = session.scalar(
        select(func.count()).select_from(Recognition).where(Recognition.number.startswith(prefix))
    )
    return f"{prefix}{(taken or 0) + 1:03d}"


def _foreign_party(session: Session, ctx: Context, foreign: Mapping[str, Any]) -> Party:
    name, country = str(foreign["name"]), str(foreign["country"])
    party = session.scalar(
        select(Party).where(
            Party.kind == PartyKind.FOREIGN_CA, Party.name == name, Party.country == country
        )
    )
    if party is not None:
        return party
    return create_party(
        session,
        ctx.clock,
        NewParty(
            name=name,
            kind=PartyKind.FOREIGN_CA,
            name_en=foreign.get("name_en") or None,
            country=country,
        ),
    )


def _event(
    session: Session,
    ctx: Context,
    recognition: Recognition,
    actor: Actor,
    kind: str,
    *,
    from_status: str | None,
    reason: str | None,
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    record_status_change(
        session,
        ctx,
        actor,
        RecognitionEvent(
            recognition_id=recognition.id,
            kind=kind,
            from_status=from_status,
            to_status=recognition.status,
            case_id=case_id,
            reason=reason,
            details=details or {},
        ),
        action=f"recognition.{kind}",
        subject={"recognition": recognition.number, "foreign_ca": recognition.foreign_party_id},
        after={"valid_until": recognition.valid_until.isoformat()},
    )


def grant_recognition(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of approving an application (ECS-8.2): the technical review is run again at the
    decision (it must pass: every certificate sound, the home scheme's current list shows the CA
    supervised); the recognition is recorded with its scope (``scope`` in the decision, default
    all that was applied for) and valid from today for the rule set's ``recognition_validity``."""
    application = case.data.get("application")
    if not isinstance(application, dict):
        raise InvalidInput("case {case} holds no recognition application", case=case.id)
    scope = parse_scope(case.data.get("scope"), application)
    rule_set = ctx.rule_sets[case.rule_set_ids[0]]
    certificates = certificates_presented(case)
    review = technical_review(
        session,
        certificates,
        rule_set,
        ctx.clock.now(),
        claimed_status=claimed_supervision_status(case.data),
    )
    if not review["passed"]:
        raise GuardFailed(
            "the foreign CA cannot be recognised: {blockers}",
            details={"reasons": review["blockers"]},
            blockers="; ".join(review["blockers"][:10]),
        )
    foreign = _foreign_party(session, ctx, application["foreign_ca"])
    today = china_today(ctx)
    validity = rule_set.duration("recognition_validity")
    now = ctx.clock.now()
    recognition = Recognition(
        number=_number(session, today.year),
        foreign_party_id=foreign.id,
        applicant_party_id=case.subject_party_id,
        case_id=case.id,
        basis=str(application.get("basis")),
        certificate_types=scope["certificate_types"],
        scenarios=scope["scenarios"],
        technical_standards=list(application.get("technical_standards") or []),
        home_territory=(application.get("qualification") or {}).get("home_scheme"),
        status=RecognitionStatus.IN_FORCE,
        valid_from=today,
        valid_until=date_after(today, validity) - dt.timedelta(days=1),
        granted_at=now,
        rule_set_id=rule_set.id,
        updated_at=now,
    )
    session.add(recognition)
    session.flush()
    for certificate in certificates:
        session.add(
            RecognisedCertificate(
                recognition_id=recognition.id,
                sha256=certificate.fingerprint,
                subject_hash=name_hash(certificate.summary.subject_der),
                issuer_hash=name_hash(certificate.summary.issuer_der),
                subject=certificate.subject[:1000],
                role="root" if certificate.summary.is_self_issued else "subordinate",
                not_before=certificate.summary.not_before,
                not_after=certificate.summary.not_after,
                der=certificate.der,
            )
        )
    session.flush()
    _event(
        session,
        ctx,
        recognition,
        actor,
        "granted",
        from_status=None,
        reason=reason,
        case_id=case.id,
        details={
            "validity": str(validity),
            "rule_set": rule_set.id,
            "scope": scope,
            "certificates": [c.fingerprint for c in certificates],
        },
    )
    case.data = {
        **case.data,
        "recognition": recognition.number,
        "scope": scope,
        "technical_review": review,
    }


def name_hash(name_der: bytes) -> str:
    return hashlib.sha256(name_der).hexdigest()


def get_recognition(session: Session, number: str) -> Recognition:
    recognition = session.scalar(select(Recognition).where(Recognition.number == number))
    if recognition is None:
        raise NotFound("no recognition numbered {number!r}", number=number)
    return recognition


def withdraw_recognition(
    session: Session,
    ctx: Context,
    actor: Actor,
    number: str,
    *,
    reason: str,
    expected_version: int | None,
) -> Recognition:
    """Withdraw a recognition in force, with a reason (ECS-8.2); it stays on record."""
    require_national(actor, N_("withdraw a recognition"))
    recognition = get_recognition(session, number)
    if expected_version is not None and expected_version != recognition.version:
        raise Conflict(
            "recognition {number} changed since you loaded it (you acted on version "
            "{expected}, it is now at version {version}, {status})",
            hint="reload the recognition and decide again",
            number=number,
            expected=expected_version,
            version=recognition.version,
            status=Term("recognition_status", recognition.status),
        )
    if recognition.status != RecognitionStatus.IN_FORCE:
        raise Conflict(
            "recognition {number} is {status}; only one in force is withdrawn",
            number=number,
            status=Term("recognition_status", recognition.status),
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a withdrawal needs a reason, recorded in the recognition's history")
    if len(reason) > MAX_TEXT:
        raise InvalidInput("the reason is longer than {most} characters", most=MAX_TEXT)
    with stale_write_is_conflict(f"recognition {number}"):
        recognition.status = RecognitionStatus.WITHDRAWN
        recognition.updated_at = ctx.clock.now()
        session.flush()
    _event(
        session,
        ctx,
        recognition,
        actor,
        "withdrawn",
        from_status=RecognitionStatus.IN_FORCE,
        reason=reason,
    )
    return recognition


def sweep_recognitions(session: Session, ctx: Context, actor: Actor) -> list[str]:
    """Worker job (ECS-8.2): recognitions past their last day expire. Returns their numbers."""
    today = china_today(ctx)
    expired = []
    for recognition in session.scalars(
        select(Recognition).where(
            Recognition.status == RecognitionStatus.IN_FORCE, Recognition.valid_until < today
        )
    ):
        recognition.status = RecognitionStatus.EXPIRED
        recognition.updated_at = ctx.clock.now()
        session.flush()
        _event(
            session,
            ctx,
            recognition,
            actor,
            "expired",
            from_status=RecognitionStatus.IN_FORCE,
            reason=f"validity ended on {recognition.valid_until.isoformat()}",
        )
        expired.append(recognition.number)
    return expired


def list_recognitions(session: Session, *, status: str | None = None) -> list[Recognition]:
    query = select(Recognition).order_by(Recognition.id)
    if status is not None:
        if status not in {s.value for s in RecognitionStatus}:
            raise InvalidInput(
                "unknown recognition status {status!r}",
                hint="one of {statuses}",
                status=status,
                statuses=", ".join(s.value for s in RecognitionStatus),
            )
        query = query.where(Recognition.status == status)
    return list(session.scalars(query))


@dataclass(frozen=True)
class StatusAt:
    status: str
    since: dt.datetime


def status_at(session: Session, recognition: Recognition, at: dt.datetime) -> StatusAt | None:
    """The recognition's status at instant ``at`` (SYS-5): its history replayed up to ``at``;
    past its last day it was expired whatever came later. None before it was granted."""
    # A change counts from when it took effect (SYS-8: the day an official stated).
    events = sorted(
        (e for e in history(session, recognition) if e.effective <= at),
        key=lambda e: (e.effective, e.id),
    )
    if not events:
        return None
    last = events[-1]
    if china_date(at) > recognition.valid_until and last.to_status == RecognitionStatus.IN_FORCE:
        return StatusAt(RecognitionStatus.EXPIRED.value, last.effective)
    return StatusAt(last.to_status, last.effective)
