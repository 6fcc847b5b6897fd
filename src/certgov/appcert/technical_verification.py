"""Technical verification by the assigned testing agency (APP-3) and on-site review by the
certification body (APP-4): checklist results, deficiencies with remediation deadlines,
remedies and their review, suspension of the process when a deficiency is past its deadline
and its resumption once remedied.

Seed 001: "If the Applicant fails to remedy the deficiencies within the period specified by the
testing agency or by CCRC, the certification process may be suspended."
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import SYSTEM_ACTOR, Actor, Role
from certgov.appcert import evidence
from certgov.appcert.applications import application_case
from certgov.appcert.base import require, rules_of, state_of, today
from certgov.appcert.checklist import checklist
from certgov.appcert.evidence import EvidenceIn
from certgov.appcert.models import (
    CheckEvidence,
    CheckRecord,
    CheckResult,
    Deficiency,
    DeficiencyStatus,
    Stage,
)
from certgov.appcert.parsing import (
    expected_version,
    parse_remedy,
    parse_remedy_review,
    parse_results,
)
from certgov.calendar import BusinessCalendar
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.context import Context
from certgov.errors import CertgovError, Conflict, Forbidden, InvalidInput, NotFound
from certgov.i18n import N_
from certgov.rules.model import Duration, DurationUnit
from certgov.text import Term
from certgov.workflow.clocks import date_after

#: Who assesses each stage, and the case states of the stage (working, suspended).
ASSESSOR = {Stage.TECHNICAL: Role.TESTING_AGENCY, Stage.ONSITE: Role.CERTIFICATION_BODY}
WORKING = {Stage.TECHNICAL: "technical_verification", Stage.ONSITE: "onsite_review"}
SUSPENDED = {Stage.TECHNICAL: "suspended_verification", Stage.ONSITE: "suspended_onsite"}
SUSPEND = {Stage.TECHNICAL: "suspend_verification", Stage.ONSITE: "suspend_onsite"}
RESUME = {Stage.TECHNICAL: "resume_verification", Stage.ONSITE: "resume_onsite"}
#: The stage a case is in, by state.
STAGE_OF = {
    **{state: stage for stage, state in WORKING.items()},
    **{state: stage for stage, state in SUSPENDED.items()},
}
_ASSESSORS = frozenset(ASSESSOR.values())
#: Each stage, and who assesses it, in words (msgids) for messages.
STAGE_WORDS = {Stage.TECHNICAL: N_("technical verification"), Stage.ONSITE: N_("onsite review")}
ASSESSOR_WORDS = {Stage.TECHNICAL: N_("testing agency"), Stage.ONSITE: N_("certification body")}


def due_after(calendar: BusinessCalendar, day: dt.date, period: Duration) -> dt.date:
    """The last day of a remediation period starting after ``day``: calendar days roll to a
    business day (Civil Code Art. 203), business days count the official calendar."""
    if period.unit is DurationUnit.BUSINESS_DAYS:
        return calendar.add_business_days(day, period.amount).due
    if period.unit is DurationUnit.CALENDAR_DAYS:
        return calendar.add_calendar_days(day, period.amount).due
    return calendar.add_calendar_days(date_after(day, period), 0).due


def _stage_of_actor(actor: Actor) -> Stage:
    return Stage.TECHNICAL if actor.role is Role.TESTING_AGENCY else Stage.ONSITE


def deficiencies(session: Session, case_id: int) -> list[Deficiency]:
    return list(
        session.scalars(
            select(Deficiency).where(Deficiency.case_id == case_id).order_by(Deficiency.id)
        )
    )


def results(session: Session, case_id: int) -> list[CheckRecord]:
    return list(
        session.scalars(
            select(CheckRecord).where(CheckRecord.case_id == case_id).order_by(CheckRecord.id)
        )
    )


def overdue(session: Session, case_id: int, day: dt.date) -> list[Deficiency]:
    """Deficiencies of the case still open (no remedy submitted, or one refused) past their
    last day."""
    return list(
        session.scalars(
            select(Deficiency).where(
                Deficiency.case_id == case_id,
                Deficiency.status == DeficiencyStatus.OPEN.value,
                Deficiency.due_on < day,
            )
        )
    )


def _assessing(session: Session, ctx: Context, actor: Actor, case_id: int) -> tuple[Case, Stage]:
    """The case and the stage ``actor`` assesses in it now (APP-3: the assigned testing agency
    in the technical verification; APP-4: the certification body on site)."""
    require(actor, _ASSESSORS, N_("record verification results"))
    case, _application = application_case(session, ctx, actor, case_id)
    stage = _stage_of_actor(actor)
    if case.state != WORKING[stage]:
        raise Conflict(
            "a {role} records results during the {stage}; case {case} is {state}",
            role=Term("role", actor.role),
            stage=Term("message", STAGE_WORDS[stage]),
            case=case.id,
            state=state_of(ctx, case),
        )
    return case, stage


def record_results(
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    body: Mapping[str, Any],
    files: Sequence[EvidenceIn] = (),
) -> Case:
    """Record checklist results (APP-3 by the assigned testing agency during the technical
    verification; APP-4 by the certification body during the on-site review). A deficient item
    opens a deficiency due within ``deficiency_remediation_period`` (or the ``due_on`` the
    assessor sets). ``files`` are evidence files for items (:mod:`certgov.appcert.evidence`),
    kept in the same transaction; with files, ``results`` may be empty."""
    case, stage = _assessing(session, ctx, actor, case_id)
    rule_set = rules_of(ctx, case)
    day = today(ctx)
    only_files = bool(files) and isinstance(body, Mapping) and body.get("results") == []
    entries = () if only_files else parse_results(body, rule_set, day)
    period = rule_set.duration("deficiency_remediation_period")
    now = ctx.clock.now()
    existing = {
        r.item: r
        for r in session.scalars(
            select(CheckRecord).where(CheckRecord.case_id == case.id, CheckRecord.stage == stage)
        )
    }
    pending = {
        d.item: d
        for d in deficiencies(session, case.id)
        if d.stage == stage and d.status != DeficiencyStatus.REMEDIED
    }
    opened: list[int] = []
    for entry in entries:
        if entry.result is not CheckResult.DEFICIENT and entry.item in pending:
            raise Conflict(
                "{item} has deficiency #{deficiency} ({status}); it is closed by reviewing its "
                "remedy",
                hint="POST /api/v1/app-applications/{case}/remedy-reviews",
                item=entry.item,
                deficiency=pending[entry.item].id,
                status=Term("deficiency_status", pending[entry.item].status),
                case=case.id,
            )
        row = existing.get(entry.item)
        if row is None:
            row = CheckRecord(case_id=case.id, stage=stage, item=entry.item)
            session.add(row)
        row.result = entry.result.value
        row.note = entry.note
        row.recorded_by = actor.name
        row.recorded_by_party_id = actor.party_id
        row.recorded_at = now
        if entry.result is CheckResult.DEFICIENT and entry.item not in pending:
            deficiency = Deficiency(
                case_id=case.id,
                stage=stage,
                item=entry.item,
                description=entry.note,
                status=DeficiencyStatus.OPEN,
                found_by=actor.name,
                found_at=now,
                due_on=entry.due_on or due_after(ctx.calendar, day, period),
                period=(
                    f"set by {actor.name}"
                    if entry.due_on
                    else f"{period} ({rule_set.id} deficiency_remediation_period)"
                ),
            )
            session.add(deficiency)
            session.flush()
            opened.append(deficiency.id)
    attached = evidence.attach(session, ctx, actor, case, stage, rule_set, files)
    details: dict[str, Any] = {
        "stage": stage.value,
        "results": [{"item": e.item, "result": e.result.value, "note": e.note} for e in entries],
        "deficiencies_opened": opened,
    }
    if attached:
        details["evidence"] = evidence.summary(attached, session)
    return cases.annotate(
        session,
        ctx,
        actor,
        case,
        "results_recorded",
        changes={},
        expected_version=expected_version(body),
        details=details,
    )


def attach_evidence(
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    files: Sequence[EvidenceIn],
    *,
    expected: int | None = None,
) -> list[CheckEvidence]:
    """Attach evidence files to checklist items without recording results (APP-3, APP-4): by
    the stage's assessor while it assesses, recorded in the case history."""
    if not files:
        raise InvalidInput("No evidence file was given", details={"field": "file"})
    case, stage = _assessing(session, ctx, actor, case_id)
    attached = evidence.attach(session, ctx, actor, case, stage, rules_of(ctx, case), files)
    cases.annotate(
        session,
        ctx,
        actor,
        case,
        "results_recorded",
        changes={},
        expected_version=expected,
        details={
            "stage": stage.value,
            "results": [],
            "deficiencies_opened": [],
            "evidence": evidence.summary(attached, session),
        },
    )
    return attached


def _deficiency(session: Session, case: Case, deficiency_id: int) -> Deficiency:
    row = session.get(Deficiency, deficiency_id)
    if row is None or row.case_id != case.id:
        raise NotFound(
            "case {case} has no deficiency #{deficiency}", case=case.id, deficiency=deficiency_id
        )
    return row


def submit_remedy(
    session: Session, ctx: Context, actor: Actor, case_id: int, body: Mapping[str, Any]
) -> Deficiency:
    """The applicant's remedy of a deficiency: what was changed, and the evidence's digest."""
    require(actor, frozenset({Role.APP_OPERATOR}), N_("remedy deficiencies"))
    case, _application = application_case(session, ctx, actor, case_id)
    remedy = parse_remedy(body)
    deficiency = _deficiency(session, case, remedy.deficiency_id)
    if STAGE_OF.get(case.state) != deficiency.stage:
        raise Conflict(
            "case {case} is {state}; deficiency #{deficiency} is not open",
            case=case.id,
            state=state_of(ctx, case),
            deficiency=deficiency.id,
        )
    if deficiency.status != DeficiencyStatus.OPEN:
        raise Conflict(
            "deficiency #{deficiency} is {status}",
            deficiency=deficiency.id,
            status=Term("deficiency_status", deficiency.status),
        )
    deficiency.status = DeficiencyStatus.REMEDY_SUBMITTED
    deficiency.remedy_statement = remedy.statement
    deficiency.remedy_evidence_sha256 = remedy.evidence_sha256
    deficiency.remedy_submitted_at = ctx.clock.now()
    cases.annotate(
        session,
        ctx,
        actor,
        case,
        "remedy_submitted",
        changes={},
        expected_version=None,
        reason=remedy.statement,
        details={
            "deficiency": deficiency.id,
            "item": deficiency.item,
            "due_on": deficiency.due_on.isoformat(),
            "late": today(ctx) > deficiency.due_on,
            "evidence_sha256": remedy.evidence_sha256,
        },
    )
    return deficiency


def review_remedy(
    session: Session, ctx: Context, actor: Actor, case_id: int, body: Mapping[str, Any]
) -> Deficiency:
    """The assessor of the deficiency's stage accepts a remedy (the item then conforms) or
    refuses it (the deficiency is open again, its deadline unchanged). When the last overdue
    deficiency of a suspended process is remedied, the process resumes."""
    require(actor, _ASSESSORS, N_("review remedies"))
    case, _application = application_case(session, ctx, actor, case_id)
    review = parse_remedy_review(body)
    deficiency = _deficiency(session, case, review.deficiency_id)
    if actor.role is not ASSESSOR[Stage(deficiency.stage)]:
        raise Forbidden(
            "deficiency #{deficiency} was found in the {stage}; its remedy is reviewed by the "
            "{assessor}",
            deficiency=deficiency.id,
            stage=Term("message", STAGE_WORDS[Stage(deficiency.stage)]),
            assessor=Term("message", ASSESSOR_WORDS[Stage(deficiency.stage)]),
        )
    if deficiency.status != DeficiencyStatus.REMEDY_SUBMITTED:
        raise Conflict(
            "deficiency #{deficiency} is {status}, no remedy to review",
            deficiency=deficiency.id,
            status=Term("deficiency_status", deficiency.status),
        )
    now = ctx.clock.now()
    deficiency.reviewed_by = actor.name
    deficiency.review_note = review.note
    if review.accepted:
        deficiency.status = DeficiencyStatus.REMEDIED
        deficiency.remedied_at = now
        row = session.scalar(
            select(CheckRecord).where(
                CheckRecord.case_id == case.id,
                CheckRecord.stage == deficiency.stage,
                CheckRecord.item == deficiency.item,
            )
        )
        if row is not None:
            row.result = CheckResult.CONFORMS.value
            row.note = f"remedied (deficiency #{deficiency.id}): {review.note}"
            row.recorded_by = actor.name
            row.recorded_by_party_id = actor.party_id
            row.recorded_at = now
    else:
        deficiency.status = DeficiencyStatus.OPEN
    case = cases.annotate(
        session,
        ctx,
        actor,
        case,
        "remedy_reviewed",
        changes={},
        expected_version=None,
        reason=review.note,
        details={"deficiency": deficiency.id, "accepted": review.accepted},
    )
    stage = STAGE_OF.get(case.state)
    if (
        stage is not None
        and case.state == SUSPENDED[stage]
        and not overdue(session, case.id, today(ctx))
    ):
        cases.transition(
            session,
            ctx,
            SYSTEM_ACTOR,
            case.id,
            RESUME[stage],
            expected_version=None,
            reason=f"deficiency #{deficiency.id} remedied; none is past its deadline",
        )
    return deficiency


# --- Domain effects ----------------------------------------------------------------------------


def conclude_stage_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``complete_verification`` / ``complete_onsite``: every checklist item has a result, none
    deficient, every deficiency of the stage remedied; the stage's conclusion is recorded."""
    stage = Stage.TECHNICAL if case.state == "onsite_review" else Stage.ONSITE
    items = checklist(rules_of(ctx, case))
    recorded = {
        r.item: r
        for r in session.scalars(
            select(CheckRecord).where(CheckRecord.case_id == case.id, CheckRecord.stage == stage)
        )
    }
    missing = ", ".join(i.code for i in items if i.code not in recorded)
    unremedied = ", ".join(
        f"#{d.id} ({d.item}, {d.status})"
        for d in deficiencies(session, case.id)
        if d.stage == stage and d.status != DeficiencyStatus.REMEDIED
    )
    words = Term("message", STAGE_WORDS[stage])
    if missing and unremedied:
        raise InvalidInput(
            "the {stage} of case {case} cannot be completed: no result yet for {missing}; "
            "deficiencies not remedied: {unremedied}",
            missing=missing,
            unremedied=unremedied,
            case=case.id,
            stage=words,
        )
    if missing:
        raise InvalidInput(
            "the {stage} of case {case} cannot be completed: no result yet for {missing}",
            missing=missing,
            case=case.id,
            stage=words,
        )
    if unremedied:
        raise InvalidInput(
            "the {stage} of case {case} cannot be completed: deficiencies not remedied: "
            "{unremedied}",
            unremedied=unremedied,
            case=case.id,
            stage=words,
        )
    conclusions = dict(case.data.get("conclusions") or {})
    conclusions[stage.value] = {
        "conclusion": "conforms",
        "by": actor.name,
        "at": ctx.clock.now().isoformat(),
        "items": len(items),
        "not_applicable": sorted(
            code for code, r in recorded.items() if r.result == CheckResult.NOT_APPLICABLE
        ),
    }
    case.data = {**case.data, "conclusions": conclusions}
    session.flush()


def check_no_overdue_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``resume_*``: no deficiency may still be open past its deadline."""
    late = overdue(session, case.id, today(ctx))
    if len(late) == 1:
        raise Conflict(
            "case {case} cannot resume: deficiency #{deficiency} ({item}, due {day}) is still "
            "open past its deadline",
            hint="the applicant submits a remedy and the assessor accepts it",
            case=case.id,
            deficiency=late[0].id,
            item=late[0].item,
            day=late[0].due_on,
        )
    if late:
        raise Conflict(
            "case {case} cannot resume: deficiency {deficiencies} is still open past its deadline",
            hint="the applicant submits a remedy and the assessor accepts it",
            case=case.id,
            deficiencies=", ".join(f"#{d.id} ({d.item}, due {d.due_on.isoformat()})" for d in late),
        )


@dataclass
class DeficiencySweep:
    suspended: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def sweep_deficiencies(session: Session, ctx: Context) -> DeficiencySweep:
    """Worker job (APP-3, APP-4): a process with a deficiency still open past its last day is
    suspended, by the system, naming the deficiencies."""
    report = DeficiencySweep()
    day = today(ctx)
    late = session.execute(
        select(Deficiency, Case.state)
        .join(Case, Case.id == Deficiency.case_id)
        .where(
            Deficiency.status == DeficiencyStatus.OPEN.value,
            Deficiency.due_on < day,
            Case.state.in_(list(WORKING.values())),
        )
        .order_by(Deficiency.case_id, Deficiency.id)
    ).all()
    by_case: dict[int, list[Deficiency]] = {}
    states: dict[int, str] = {}
    for deficiency, state in late:
        by_case.setdefault(deficiency.case_id, []).append(deficiency)
        states[deficiency.case_id] = state
    for case_id, rows in by_case.items():
        stage = STAGE_OF[states[case_id]]
        reason = "not remedied by the deadline: " + "; ".join(
            f"deficiency #{d.id} ({d.item}) due {d.due_on.isoformat()}" for d in rows
        )
        try:
            with session.begin_nested():
                cases.transition(
                    session,
                    ctx,
                    SYSTEM_ACTOR,
                    case_id,
                    SUSPEND[stage],
                    expected_version=None,
                    reason=reason,
                )
            report.suspended.append(case_id)
        except CertgovError as exc:  # a concurrent change: the next sweep sees it again
            report.failures.append(f"case {case_id}: {exc.message}")
    return report
