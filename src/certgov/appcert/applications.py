"""Applications (APP-1, APP-2), assignment to a testing agency (APP-3), the decision's receipt
and complaints against it (APP-5, APP-6).

Each application unit is a case of the ``app-certification`` process plus an
:class:`~certgov.appcert.models.AppApplication` row with its documents. Every function is one
use case inside the caller's unit of work; the ``*_effect`` functions are the process's domain
effects, run by the case engine inside a transition's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import SYSTEM_ACTOR, Actor, Role
from certgov.appcert.agencies import appointed
from certgov.appcert.base import (
    APPLICATION_PROCESS,
    COMPLAINT_PROCESS,
    app_operator,
    require,
    rules_on,
    state_of,
    state_title,
    today,
)
from certgov.appcert.models import (
    AppApplication,
    AppCertification,
    AppDocument,
    CertificationStatus,
)
from certgov.appcert.parsing import TEXT_LIMIT, ApplicationIn, expected_version, parse_application
from certgov.appcert.records import judge
from certgov.cases import services as cases
from certgov.cases.models import Case, CaseEvent
from certgov.context import Context
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.i18n import N_
from certgov.text import Text

#: Decisions a complaint may be filed against (seed 001: "if its application is denied").
ADVERSE = frozenset({"denied", "not_accepted", "refused_ineligible"})
#: The case state each decision leaves the application in.
DECISIONS = {
    "granted": "granted",
    "denied": "denied",
    "not_accepted": "not_accepted",
    "refused_ineligible": "refused_ineligible",
}
#: States in which the certification body may assign (or reassign) a testing agency.
ASSIGNABLE = frozenset({"accepted", "technical_verification", "suspended_verification"})
_PROCESS_ROLES = frozenset({Role.CERTIFICATION_BODY})


@dataclass(frozen=True)
class Unit:
    """One application unit: its case and its application record."""

    case: Case
    application: AppApplication


def _live_duplicate(
    session: Session, party_id: int, app: ApplicationIn, system: str
) -> Text | None:
    same = (
        AppApplication.party_id == party_id,
        AppApplication.app_name == app.app_name,
        AppApplication.operating_system == system,
        AppApplication.version_line == app.version_line,
    )
    open_case = session.scalar(
        select(AppApplication.case_id)
        .join(Case, Case.id == AppApplication.case_id)
        .where(*same, Case.closed.is_(False))
    )
    if open_case is not None:
        return Text(
            "{app} {version_line} on {system}: application case {case} is still open",
            app=app.app_name,
            version_line=app.version_line,
            system=system,
            case=open_case,
        )
    live = session.scalar(
        select(AppCertification.number).where(
            AppCertification.party_id == party_id,
            AppCertification.app_name == app.app_name,
            AppCertification.operating_system == system,
            AppCertification.version_line == app.version_line,
            AppCertification.status.in_(
                [CertificationStatus.VALID.value, CertificationStatus.SUSPENDED.value]
            ),
        )
    )
    if live is not None:
        return Text(
            "{app} {version_line} on {system}: certification {number} is in force",
            app=app.app_name,
            version_line=app.version_line,
            system=system,
            number=live,
        )
    return None


def submit(session: Session, ctx: Context, actor: Actor, body: Mapping[str, Any]) -> list[Unit]:
    """Apply for one app on one or more operating systems (APP-1): one application unit per
    system, each with the documents (digest and size kept). The bars of APP-2 are judged on
    submission under the rule set in force; a barred unit is refused at once with every
    reason, and the refusal counts as received on the day (it is in the response)."""
    if actor.role is not Role.APP_OPERATOR or actor.party_id is None:
        raise Forbidden("an app operator applies for its own apps")
    party = app_operator(session, actor.party_id)
    day = today(ctx)
    rule_set = rules_on(session, ctx, day)
    application = parse_application(body, rule_set)
    for system in application.operating_systems:
        duplicate = _live_duplicate(session, party.id, application, system)
        if duplicate:
            raise Conflict(
                duplicate,
                hint="one application unit per app, operating system and version line",
            )
    eligibility = judge(session, rule_set, party.id, day)
    documents = [
        {"kind": d.kind, "filename": d.filename, "sha256": d.sha256, "size": d.size}
        for d in application.documents
    ]
    units = []
    for system in application.operating_systems:
        case = cases.open_case(
            session,
            ctx,
            actor,
            cases.OpenCase(
                process_id=APPLICATION_PROCESS,
                title=Text(
                    "{app} ({system}, {version_line})",
                    app=application.app_name,
                    system=system,
                    version_line=application.version_line,
                ),
                subject_party_id=party.id,
                relevant_date=day,
                data={
                    "app_name": application.app_name,
                    "operating_system": system,
                    "version_line": application.version_line,
                    "documents": documents,
                    "eligibility": eligibility.as_dict(),
                },
            ),
        )
        row = AppApplication(
            case_id=case.id,
            party_id=party.id,
            app_name=application.app_name,
            operating_system=system,
            version_line=application.version_line,
            applied_on=day,
            eligible=eligibility.eligible,
            eligibility=eligibility.as_dict(),
            declaration=application.declaration,
            submitted_by=actor.name,
            submitted_at=ctx.clock.now(),
        )
        session.add(row)
        session.flush()
        for document in application.documents:
            session.add(
                AppDocument(
                    application_id=row.id,
                    kind=document.kind,
                    filename=document.filename,
                    sha256=document.sha256,
                    size=document.size,
                    content=document.content,
                )
            )
        ctx.audit.record(
            session,
            actor,
            "app.application_submitted",
            case_id=case.id,
            subject={"party": party.id, "app": row.app_name, "operating_system": system},
            after={"documents": documents, "eligible": eligibility.eligible},
        )
        if not eligibility.eligible:
            case = cases.transition(
                session,
                ctx,
                SYSTEM_ACTOR,
                case.id,
                "refuse_ineligible",
                expected_version=None,
                reason="; ".join(eligibility.reasons),
            )
        units.append(Unit(case, row))
    session.flush()
    return units


def application_case(
    session: Session, ctx: Context, actor: Actor, case_id: int
) -> tuple[Case, AppApplication]:
    """The application case ``case_id`` as ``actor`` may see it (a testing agency: assigned to
    it; an operator: its own; others are told it does not exist)."""
    case = cases.get_case(session, ctx, actor, case_id)
    application = session.scalar(select(AppApplication).where(AppApplication.case_id == case.id))
    if case.process_id != APPLICATION_PROCESS or application is None:
        raise NotFound("case {case} is not an app security certification application", case=case_id)
    return case, application


def list_units(
    session: Session, ctx: Context, actor: Actor, *, state: str | None = None, limit: int = 100
) -> list[Unit]:
    found = cases.list_cases(
        session, ctx, actor, process_id=APPLICATION_PROCESS, state=state, limit=limit
    )
    rows = {
        a.case_id: a
        for a in session.scalars(
            select(AppApplication).where(AppApplication.case_id.in_([c.id for c in found]))
        )
    }
    return [Unit(c, rows[c.id]) for c in found if c.id in rows]


def document(
    session: Session, ctx: Context, actor: Actor, case_id: int, sha256: str
) -> AppDocument:
    _case, application = application_case(session, ctx, actor, case_id)
    row = session.scalar(
        select(AppDocument).where(
            AppDocument.application_id == application.id, AppDocument.sha256 == sha256.lower()
        )
    )
    if row is None:
        raise NotFound(
            "application case {case} has no document with SHA-256 {sha256}",
            case=case_id,
            sha256=sha256[:64],
        )
    return row


def documents_of(session: Session, application: AppApplication) -> list[AppDocument]:
    return list(
        session.scalars(
            select(AppDocument)
            .where(AppDocument.application_id == application.id)
            .order_by(AppDocument.id)
        )
    )


def assign(
    session: Session, ctx: Context, actor: Actor, case_id: int, body: Mapping[str, Any]
) -> Case:
    """Assign the application to an appointed testing agency (APP-3, certification body):
    ``{"agency_party_id"[, "expected_version"]}``. Only that agency then sees the case."""
    require(actor, _PROCESS_ROLES, N_("assign testing agencies"))
    case, _application = application_case(session, ctx, actor, case_id)
    data = strict_json.json_object(body, "", ("agency_party_id",), ("expected_version",))
    agency = appointed(
        session, strict_json.whole_number(data["agency_party_id"], "agency_party_id", minimum=1)
    )
    if case.state not in ASSIGNABLE:
        raise Conflict(
            "case {case} is {state}; a testing agency is assigned once the application is "
            "accepted, until the technical verification ends",
            case=case.id,
            state=state_of(ctx, case),
        )
    before = case.assignee_party_id
    case.assignee_party_id = agency.id
    return cases.annotate(
        session,
        ctx,
        actor,
        case,
        "agency_assigned",
        changes={"testing_agency": {"party_id": agency.id, "name": agency.name}},
        expected_version=expected_version(data),
        details={"agency": agency.id, "previous_agency": before},
    )


def _history_line(
    session: Session, ctx: Context, actor: Actor, case: Case, kind: str, details: dict[str, Any]
) -> None:
    """A line in a decided (closed) case's history and the audit log, without changing it."""
    now = ctx.clock.now()
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            kind=kind,
            actor_kind=actor.kind.value,
            actor_name=actor.name,
            actor_role=actor.recorded_role,
            details=details,
        )
    )
    ctx.audit.record(session, actor, f"case.{kind}", at=now, case_id=case.id, details=details)


def record_receipt(
    session: Session, ctx: Context, actor: Actor, case_id: int, body: Mapping[str, Any]
) -> AppApplication:
    """Record the day the applicant received the decision (APP-5): ``{"received_on"}``, by the
    applicant or the certification body (from the delivery record). Recorded once; the
    complaint window of APP-6 runs from it."""
    require(actor, frozenset({Role.APP_OPERATOR, Role.CERTIFICATION_BODY}), N_("record receipts"))
    case, application = application_case(session, ctx, actor, case_id)
    data = strict_json.json_object(body, "", ("received_on",))
    received = strict_json.iso_date(data["received_on"], "received_on")
    if application.decision is None or application.decided_on is None:
        raise Conflict(
            "application case {case} is not decided yet ({state})",
            case=case.id,
            state=state_of(ctx, case),
        )
    if application.decision_received_on is not None:
        raise Conflict(
            "the decision on case {case} was recorded as received on {day}",
            case=case.id,
            day=application.decision_received_on,
        )
    if received < application.decided_on or received > today(ctx):
        strict_json.refuse(
            "received_on",
            f"a date from the decision ({application.decided_on.isoformat()}) to today "
            f"({today(ctx).isoformat()})",
            data["received_on"],
        )
    application.decision_received_on = received
    session.flush()
    _history_line(
        session,
        ctx,
        actor,
        case,
        "decision_received",
        {"decision": application.decision, "received_on": received.isoformat()},
    )
    return application


def file_complaint(session: Session, ctx: Context, actor: Actor, body: Mapping[str, Any]) -> Case:
    """A complaint against a denial (APP-6): ``{"application_case_id", "grounds"}``. Opens an
    ``app-decision-complaint`` case with the receipt date on record; one filed after
    ``complaint_filing_window`` (10 business days on the official calendar) is refused with
    the last day it could be filed."""
    if actor.role is not Role.APP_OPERATOR:
        raise Forbidden("the applicant files a complaint against its own decision")
    data = strict_json.json_object(body, "", ("application_case_id", "grounds"))
    case_id = strict_json.whole_number(
        data["application_case_id"], "application_case_id", minimum=1
    )
    grounds = strict_json.text(data["grounds"], "grounds", limit=TEXT_LIMIT).strip()
    case, application = application_case(session, ctx, actor, case_id)
    if application.decision not in ADVERSE:
        raise Conflict(
            "application case {case} is {state}: a complaint is filed against a decision to "
            "deny, refuse or not accept an application",
            case=case.id,
            state=state_of(ctx, case),
        )
    if application.decision_received_on is None:
        raise InvalidInput(
            "the date the decision on case {case} was received is not on record",
            hint="record it first: POST /api/v1/app-applications/{case}/decision-receipt",
            case=case.id,
        )
    for other in session.scalars(
        select(Case).where(
            Case.process_id == COMPLAINT_PROCESS,
            Case.subject_party_id == application.party_id,
            Case.closed.is_(False),
        )
    ):
        if other.data.get("application_case_id") == case.id:
            raise Conflict(
                "complaint case {case} against this decision is still open", case=other.id
            )
    return cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=COMPLAINT_PROCESS,
            title=Text(
                "Complaint against the decision on {case}",
                case=Text.of_record(case.title_text) or case.title,
            ),
            subject_party_id=application.party_id,
            data={
                "application_case_id": case.id,
                "decision": application.decision,
                "decided_on": application.decided_on.isoformat()
                if application.decided_on
                else None,
                "received_on": application.decision_received_on.isoformat(),
                "grounds": grounds,
            },
        ),
    )


# --- Domain effects of the processes ---------------------------------------------------------


def _application_of(session: Session, case: Case) -> AppApplication | None:
    return session.scalar(select(AppApplication).where(AppApplication.case_id == case.id))


def check_application_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``accept``: only an application submitted with its documents can be accepted."""
    if _application_of(session, case) is None:
        raise InvalidInput(
            "case {case} has no application on record: applications are submitted through "
            "POST /api/v1/app-applications",
            hint="decline it (not_accept) with the reason",
            case=case.id,
        )


def record_sample_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``submit_sample``: the sample ``{"filename", "sha256", "size", "version"}`` (payload
    ``sample``) is kept with the application."""
    application = _application_of(session, case)
    if application is None:
        raise InvalidInput("case {case} has no application on record", case=case.id)
    sample = strict_json.json_object(
        case.data.get("sample"), "sample", ("filename", "sha256", "size", "version")
    )
    application.sample = {
        "filename": strict_json.text(sample["filename"], "sample.filename", limit=255).strip(),
        "sha256": strict_json.sha256_hex(sample["sha256"], "sample.sha256"),
        "size": strict_json.whole_number(sample["size"], "sample.size", minimum=1),
        "version": strict_json.text(sample["version"], "sample.version", limit=64).strip(),
    }
    case.data = {**case.data, "sample": application.sample}
    session.flush()


def record_decision_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``grant``, ``deny``, ``not_accept``, ``refuse_ineligible``: the decision, its day and
    reasons on the application; a refusal on eligibility is received with the response."""
    application = _application_of(session, case)
    if application is None:
        return  # a case opened without an application: nothing to record beyond the case
    application.decision = DECISIONS[case.state]
    application.decided_on = today(ctx)
    application.decision_reason = reason
    if case.state == "refused_ineligible":
        application.decision_received_on = application.decided_on
    session.flush()


def verify_complaint_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``accept`` of a complaint: it names a decision on record against the complainant and the
    receipt date recorded for it (a complaint opened with a date of its own is not accepted)."""
    reference = case.data.get("application_case_id")
    received = case.data.get("received_on")
    application = (
        session.scalar(select(AppApplication).where(AppApplication.case_id == reference))
        if isinstance(reference, int) and not isinstance(reference, bool)
        else None
    )
    problem = None
    if application is None or application.party_id != case.subject_party_id:
        problem = Text(
            "complaint case {case} names no application decision of the complainant",
            case=case.id,
        )
    elif application.decision not in ADVERSE:
        problem = Text(
            "complaint case {case} is against application case {reference}, which was {decision}",
            case=case.id,
            reference=reference,
            decision=state_title(
                ctx,
                APPLICATION_PROCESS,
                DECISIONS.get(str(application.decision), str(application.decision)),
            ),
        )
    elif application.decision_received_on is None:
        problem = Text(
            "complaint case {case} gives received_on {received!r}, but the receipt on record "
            "is missing",
            case=case.id,
            received=received,
        )
    elif application.decision_received_on.isoformat() != received:
        problem = Text(
            "complaint case {case} gives received_on {received!r}, but the receipt on record "
            "is {day}",
            case=case.id,
            received=received,
            day=application.decision_received_on,
        )
    if problem:
        raise InvalidInput(
            problem,
            hint="complaints are filed through POST /api/v1/app-complaints; decline this one "
            "(reject) with the reason",
        )
