"""App security certifications (APP-5, APP-9, APP-10): issued on a grant with validity and a
surveillance schedule from the rule set; verified by anyone by number; suspended for
``suspension_period`` (the certificate may not be used meanwhile), reinstated after remedy or
revoked, by decision or automatically when the suspension ends unremedied; a revocation starts
the ban of APP-2 (``revocation_ban_period``); expired after the last day of validity.

A suspension is a case of the ``app-certification-suspension`` process, so its 180 days are a
deadline clock the worker's sweep acts on (its ``lapse`` transition revokes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import SYSTEM_ACTOR, Actor, Role
from certgov.appcert.base import (
    SUSPENSION_PROCESS,
    is_system,
    require,
    rules_of,
    rules_on,
    today,
)
from certgov.appcert.eligibility import ban_until
from certgov.appcert.models import (
    AppApplication,
    AppCertification,
    CertificationEvent,
    CertificationStatus,
)
from certgov.appcert.parsing import TEXT_LIMIT, choose
from certgov.cases import services as cases
from certgov.cases.models import Case, CaseDeadline
from certgov.clock import china_date
from certgov.context import Context
from certgov.errors import Conflict, InvalidInput, NotFound
from certgov.history.dates import StatedDate, state_date
from certgov.history.services import record_status_change
from certgov.i18n import N_
from certgov.rules.model import Duration
from certgov.store.engine import stale_write_is_conflict
from certgov.text import Term, Text
from certgov.workflow.clocks import date_after

NUMBER_PREFIX = "CCRC-AS"
_DECIDERS = frozenset({Role.CERTIFICATION_BODY})
#: Why a grant cannot rest on a case, by the stages whose results it lacks.
_LACKS = {
    ("technical_verification", "onsite_review"): Text(
        "a grant rests on the results of both stages; case {case} lacks technical "
        "verification and onsite review"
    ),
    ("technical_verification",): Text(
        "a grant rests on the results of both stages; case {case} lacks technical verification"
    ),
    ("onsite_review",): Text(
        "a grant rests on the results of both stages; case {case} lacks onsite review"
    ),
}
ACTIONS = ("suspend", "reinstate", "revoke")


def _event(
    session: Session,
    ctx: Context,
    cert: AppCertification,
    actor: Actor,
    kind: str,
    *,
    from_status: str | None,
    reason: str | None = None,
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
    stated: StatedDate | None = None,
) -> None:
    record_status_change(
        session,
        ctx,
        actor,
        CertificationEvent(
            certification_id=cert.id,
            kind=kind,
            from_status=from_status,
            to_status=cert.status,
            case_id=case_id,
            reason=reason,
            details=details or {},
        ),
        action=f"app_certification.{kind}",
        subject={"certification": cert.number, "holder": cert.party_id},
        stated=stated,
    )


def _next_number(session: Session, year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    taken = session.scalar(
        select(func.count())
        .select_from(AppCertification)
        .where(AppCertification.number.startswith(prefix))
    )
    return f"{prefix}{(taken or 0) + 1:06d}"


def surveillance_schedule(
    valid_from: dt.date, valid_until: dt.date, interval: Duration
) -> list[str]:
    """The surveillance dates every ``interval`` from ``valid_from`` within the validity."""
    dates: list[str] = []
    step = 1
    while True:
        due = date_after(valid_from, Duration(interval.amount * step, interval.unit))
        if due > valid_until:
            return dates
        dates.append(due.isoformat())
        step += 1


def issue_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``grant`` (APP-5): the decision rests on the application and both stages' results; the
    certification is valid from the decision for ``certificate_validity`` with surveillance
    every ``surveillance_interval`` (the rule set the application was judged under)."""
    application = session.scalar(select(AppApplication).where(AppApplication.case_id == case.id))
    if application is None:
        raise InvalidInput("case {case} has no application on record", case=case.id)
    conclusions = case.data.get("conclusions") or {}
    missing = [s for s in ("technical_verification", "onsite_review") if s not in conclusions]
    if missing:
        raise InvalidInput(_LACKS[tuple(missing)], case=case.id)
    rule_set = rules_of(ctx, case)
    day = today(ctx)
    validity = rule_set.duration("certificate_validity")
    interval = rule_set.duration("surveillance_interval")
    valid_until = date_after(day, validity) - dt.timedelta(days=1)
    now = ctx.clock.now()
    cert = AppCertification(
        number=_next_number(session, day.year),
        application_case_id=case.id,
        party_id=application.party_id,
        app_name=application.app_name,
        operating_system=application.operating_system,
        version_line=application.version_line,
        scope=rule_set.text("certification_scope"),
        status=CertificationStatus.VALID,
        valid_from=day,
        valid_until=valid_until,
        surveillance_due=surveillance_schedule(day, valid_until, interval),
        rule_set_id=rule_set.id,
        issued_at=now,
        updated_at=now,
    )
    session.add(cert)
    session.flush()
    _event(
        session,
        ctx,
        cert,
        actor,
        "issued",
        from_status=None,
        reason=reason,
        case_id=case.id,
        details={
            "validity": str(validity),
            "surveillance_interval": str(interval),
            "rule_set": rule_set.id,
            "results": conclusions,
        },
    )
    case.data = {**case.data, "certification": cert.number}
    session.flush()


def get(session: Session, number: str) -> AppCertification:
    cert = session.scalar(select(AppCertification).where(AppCertification.number == number))
    if cert is None:
        raise NotFound("no app security certification numbered {number!r}", number=number[:40])
    return cert


def history(session: Session, cert: AppCertification) -> list[CertificationEvent]:
    return list(
        session.scalars(
            select(CertificationEvent)
            .where(CertificationEvent.certification_id == cert.id)
            .order_by(CertificationEvent.id)
        )
    )


def _last_change_day(session: Session, cert: AppCertification) -> dt.date:
    """The day the certification's latest recorded status change took effect."""
    return max(
        (china_date(event.effective) for event in history(session, cert)),
        default=cert.valid_from,
    )


@dataclass(frozen=True)
class StatusAt:
    status: str
    since: dt.datetime


def status_at(session: Session, cert: AppCertification, at: dt.datetime) -> StatusAt | None:
    """The certification's status at instant ``at`` (SYS-8, APP-9): its history replayed up
    to ``at``, each change counted from when it took effect (a stated day, else when it was
    entered); past its last day of validity it was expired. None before it was issued."""
    events = sorted(
        (e for e in history(session, cert) if e.effective <= at),
        key=lambda e: (e.effective, e.id),
    )
    if not events:
        return None
    last = events[-1]
    live = (CertificationStatus.VALID.value, CertificationStatus.SUSPENDED.value)
    if last.to_status in live and china_date(at) > cert.valid_until:
        return StatusAt(CertificationStatus.EXPIRED.value, last.effective)
    return StatusAt(last.to_status, last.effective)


def effective_status(cert: AppCertification, day: dt.date) -> str:
    """The status on ``day``: a live certification past its last day is expired even before
    the worker records it."""
    live = (CertificationStatus.VALID.value, CertificationStatus.SUSPENDED.value)
    if cert.status in live and day > cert.valid_until:
        return CertificationStatus.EXPIRED.value
    return cert.status


def list_certifications(
    session: Session, *, status: str | None = None, party_id: int | None = None
) -> list[AppCertification]:
    query = select(AppCertification).order_by(AppCertification.id)
    if status is not None:
        if status not in {s.value for s in CertificationStatus}:
            raise InvalidInput(
                "unknown certification status {status!r}",
                hint="one of {statuses}",
                status=status[:20],
                statuses=", ".join(s.value for s in CertificationStatus),
            )
        query = query.where(AppCertification.status == status)
    if party_id is not None:
        query = query.where(AppCertification.party_id == party_id)
    return list(session.scalars(query))


def open_suspension(session: Session, cert: AppCertification) -> Case | None:
    for case in session.scalars(
        select(Case).where(
            Case.process_id == SUSPENSION_PROCESS,
            Case.subject_party_id == cert.party_id,
            Case.closed.is_(False),
        )
    ):
        if case.data.get("certification") == cert.number:
            return case
    return None


def suspend(
    session: Session,
    ctx: Context,
    actor: Actor,
    cert: AppCertification,
    reason: str,
    case_id: int | None,
    stated: StatedDate | None = None,
) -> Case:
    """Suspend a valid certification (APP-10) and open its suspension case, whose
    ``suspension_period`` clock ends in a revocation unless the certification is reinstated.
    A suspension decided earlier (``stated``, SYS-8) counts from its own day: the
    certification was suspended from then, and the period runs from then."""
    if cert.status != CertificationStatus.VALID:
        raise Conflict(
            "certification {number} is {status}; only a valid one is suspended",
            number=cert.number,
            status=Term("certification_status", cert.status),
        )
    suspension = cases.open_case(
        session,
        ctx,
        SYSTEM_ACTOR,
        cases.OpenCase(
            process_id=SUSPENSION_PROCESS,
            title=Text(
                "Suspension of {number} ({app}, {system})",
                number=cert.number,
                app=cert.app_name,
                system=cert.operating_system,
            ),
            subject_party_id=cert.party_id,
            data={
                "certification": cert.number,
                "decided_by": actor.name,
                "reason": reason,
                "origin_case_id": case_id,
            },
            stated=stated,
        ),
    )
    clock = session.scalar(
        select(CaseDeadline).where(
            CaseDeadline.case_id == suspension.id, CaseDeadline.name == "suspension"
        )
    )
    with stale_write_is_conflict(f"certification {cert.number}"):
        cert.status = CertificationStatus.SUSPENDED
        cert.suspended_on = stated.day if stated is not None else today(ctx)
        cert.suspension_ends_on = clock.due_on if clock is not None else None
        cert.updated_at = ctx.clock.now()
        session.flush()
    _event(
        session,
        ctx,
        cert,
        actor,
        "suspended",
        from_status=CertificationStatus.VALID.value,
        reason=reason,
        case_id=case_id or suspension.id,
        details={
            "suspension_case_id": suspension.id,
            "until": cert.suspension_ends_on.isoformat() if cert.suspension_ends_on else None,
            "period": clock.period if clock is not None else None,
        },
        stated=stated,
    )
    return suspension


def revoke(
    session: Session,
    ctx: Context,
    actor: Actor,
    cert: AppCertification,
    reason: str | None,
    case_id: int | None,
) -> None:
    """Revoke a certification (APP-10); the holder's ban on new applications (APP-2) runs for
    ``revocation_ban_period`` from today. An open suspension case is closed by its own
    ``revoke`` transition, whose effect comes back here."""
    suspension = open_suspension(session, cert)
    if suspension is not None and suspension.id != case_id:
        cases.transition(
            session, ctx, actor, suspension.id, "revoke", expected_version=None, reason=reason
        )
        return
    live = (CertificationStatus.VALID.value, CertificationStatus.SUSPENDED.value)
    if cert.status not in live:
        if is_system(actor):
            return  # expired meanwhile: nothing left to revoke
        raise Conflict(
            "certification {number} is {status}; it cannot be revoked",
            number=cert.number,
            status=Term("certification_status", cert.status),
        )
    day = today(ctx)
    rule_set = rules_on(session, ctx, day)
    before = cert.status
    with stale_write_is_conflict(f"certification {cert.number}"):
        cert.status = CertificationStatus.REVOKED
        cert.revoked_on = day
        cert.ban_until = ban_until(day, rule_set)
        cert.updated_at = ctx.clock.now()
        session.flush()
    _event(
        session,
        ctx,
        cert,
        actor,
        "revoked",
        from_status=before,
        reason=reason,
        case_id=case_id,
        details={
            "ban_until": cert.ban_until.isoformat(),
            "ban_period": str(rule_set.duration("revocation_ban_period")),
            "rule_set": rule_set.id,
        },
    )


def reinstate(
    session: Session,
    ctx: Context,
    actor: Actor,
    cert: AppCertification,
    reason: str | None,
    case_id: int,
) -> None:
    if cert.status != CertificationStatus.SUSPENDED:
        raise Conflict(
            "certification {number} is {status}; only a suspended one is reinstated",
            number=cert.number,
            status=Term("certification_status", cert.status),
        )
    with stale_write_is_conflict(f"certification {cert.number}"):
        cert.status = CertificationStatus.VALID
        cert.updated_at = ctx.clock.now()
        session.flush()
    _event(
        session,
        ctx,
        cert,
        actor,
        "reinstated",
        from_status=CertificationStatus.SUSPENDED.value,
        reason=reason,
        case_id=case_id,
        details={"suspended_on": cert.suspended_on.isoformat() if cert.suspended_on else None},
    )


def _check_version(cert: AppCertification, expected: int | None) -> None:
    if expected is not None and expected != cert.version:
        raise Conflict(
            "certification {number} changed since you loaded it (you acted on version "
            "{expected}, it is now at version {version}, {status})",
            hint="reload it and decide again",
            details={"current_version": cert.version, "current_status": cert.status},
            number=cert.number,
            expected=expected,
            version=cert.version,
            status=Term("certification_status", cert.status),
        )


def change_status(
    session: Session, ctx: Context, actor: Actor, number: str, body: Mapping[str, Any]
) -> AppCertification:
    """The certification body suspends, reinstates or revokes a certification with a reason
    (APP-10): ``{"action", "reason"[, "expected_version", "effective_on"]}``; ``effective_on``
    is the day a suspension decided on paper took effect (SYS-8)."""
    require(actor, _DECIDERS, N_("suspend, reinstate or revoke certifications"))
    cert = get(session, number)
    data = strict_json.json_object(
        body, "", ("action", "reason"), ("expected_version", "effective_on")
    )
    action = choose(data["action"], "action", ACTIONS, N_("an action on a certification"))
    reason = strict_json.text(data["reason"], "reason", limit=TEXT_LIMIT).strip()
    if data.get("expected_version") is not None:
        _check_version(
            cert, strict_json.whole_number(data["expected_version"], "expected_version", minimum=1)
        )
    if data.get("effective_on") is not None and action != "suspend":
        strict_json.refuse(
            "effective_on", "no date (only a suspension is dated back)", data["effective_on"]
        )
    if action == "suspend":
        stated = None
        if data.get("effective_on") is not None:
            stated = state_date(
                data["effective_on"],
                "effective_on",
                actor=actor,
                now=ctx.clock.now(),
                rule_set=ctx.rule_sets.get(cert.rule_set_id) or rules_on(session, ctx, today(ctx)),
                not_before=max(cert.valid_from, _last_change_day(session, cert)),
                what=N_("the certification's last status change"),
            )
        suspend(session, ctx, actor, cert, reason, None, stated)
    elif action == "reinstate":
        suspension = open_suspension(session, cert)
        if suspension is None:
            raise Conflict(
                "certification {number} is {status}, not suspended",
                number=cert.number,
                status=Term("certification_status", cert.status),
            )
        cases.transition(
            session, ctx, actor, suspension.id, "reinstate", expected_version=None, reason=reason
        )
    else:
        revoke(session, ctx, actor, cert, reason, None)
    session.flush()
    return cert


def _certification_of(session: Session, case: Case) -> AppCertification:
    number = case.data.get("certification")
    if not isinstance(number, str):
        raise InvalidInput("case {case} names no certification", case=case.id)
    return get(session, number)


def suspend_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``conclude_suspend`` of a special inspection."""
    suspend(session, ctx, actor, _certification_of(session, case), reason or case.title, case.id)


def revoke_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``revoke`` / ``lapse`` of a suspension, ``conclude_revoke`` of a special inspection."""
    revoke(session, ctx, actor, _certification_of(session, case), reason, case.id)


def reinstate_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``reinstate`` of a suspension, after remedy."""
    reinstate(session, ctx, actor, _certification_of(session, case), reason, case.id)


@dataclass
class CertificationSweep:
    expired: list[str] = field(default_factory=list)


def sweep_certifications(session: Session, ctx: Context) -> CertificationSweep:
    """Worker job (APP-5): certifications past their last day of validity expire."""
    report = CertificationSweep()
    day = today(ctx)
    live = [CertificationStatus.VALID.value, CertificationStatus.SUSPENDED.value]
    for cert in session.scalars(
        select(AppCertification).where(
            AppCertification.status.in_(live), AppCertification.valid_until < day
        )
    ):
        before = cert.status
        with stale_write_is_conflict(f"certification {cert.number}"):
            cert.status = CertificationStatus.EXPIRED
            cert.updated_at = ctx.clock.now()
            session.flush()
        _event(
            session,
            ctx,
            cert,
            SYSTEM_ACTOR,
            "expired",
            from_status=before,
            reason=f"validity ended on {cert.valid_until.isoformat()}",
        )
        report.expired.append(cert.number)
    return report
