"""Ongoing compliance of certified apps: events that require a self-assessment report (APP-7)
and special inspections (APP-8), each a case of its own process.

The report is due ``self_assessment_report_period`` after the operator reports the event (a
deadline of the ``app-self-assessment`` case: the sweep makes a late report a finding, and a
report submitted after its last day is a finding at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import Actor, Role
from certgov.appcert.base import (
    INSPECTION_PROCESS,
    SELF_ASSESSMENT_PROCESS,
    require,
    rules_on,
    today,
)
from certgov.appcert.certifications import get
from certgov.appcert.models import AppCertification, CertificationStatus
from certgov.appcert.parsing import TEXT_LIMIT, choose
from certgov.cases import services as cases
from certgov.cases.models import Case, CaseDeadline
from certgov.context import Context
from certgov.ecs.citation import period_words
from certgov.errors import Conflict, Forbidden
from certgov.findings.services import Problem, raise_finding
from certgov.i18n import N_
from certgov.rules.model import Duration
from certgov.text import Term, Text

_LIVE = (CertificationStatus.VALID.value, CertificationStatus.SUSPENDED.value)


def _live(cert: AppCertification, what: str) -> None:
    """Refuse ``what`` (a msgid) on a certification that is no longer live."""
    if cert.status not in _LIVE:
        raise Conflict(
            "certification {number} is {status}; {what} concerns a live one",
            number=cert.number,
            status=Term("certification_status", cert.status),
            what=Term("message", what),
        )


def report_event(
    session: Session, ctx: Context, actor: Actor, number: str, body: Mapping[str, Any]
) -> Case:
    """The holder reports an event of ``self_assessment_triggers`` (APP-7): ``{"trigger",
    "description"[, "occurred_on"]}``; a self-assessment case opens with the report's
    deadline."""
    require(actor, frozenset({Role.APP_OPERATOR}), N_("report events of certified apps"))
    cert = get(session, number)
    if actor.party_id != cert.party_id:
        raise Forbidden(
            "certification {number} is not held by your organisation", number=cert.number
        )
    _live(cert, N_("a self-assessment"))
    day = today(ctx)
    rule_set = rules_on(session, ctx, day)
    data = strict_json.json_object(body, "", ("trigger", "description"), ("occurred_on",))
    trigger = choose(
        data["trigger"],
        "trigger",
        rule_set.items("self_assessment_triggers"),
        N_("an event requiring a self-assessment report"),
    )
    description = strict_json.text(data["description"], "description", limit=TEXT_LIMIT).strip()
    occurred_on = day
    if data.get("occurred_on") is not None:
        occurred_on = strict_json.iso_date(data["occurred_on"], "occurred_on")
        if occurred_on > day:
            strict_json.refuse(
                "occurred_on", f"a date on or before today ({day.isoformat()})", data["occurred_on"]
            )
    return cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=SELF_ASSESSMENT_PROCESS,
            title=Text(
                "Self-assessment of {number}: {trigger}",
                number=cert.number,
                trigger=Term("message", trigger),
            ),
            subject_party_id=cert.party_id,
            relevant_date=day,
            data={
                "certification": cert.number,
                "trigger": trigger,
                "description": description,
                "occurred_on": occurred_on.isoformat(),
            },
        ),
    )


def record_self_assessment_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """``submit_report``: the report (payload ``report``: ``{"summary", "sha256"[, "size",
    "filename"]}``) is kept on the case; after its last day it is a finding at once."""
    report = strict_json.json_object(
        case.data.get("report"), "report", ("summary", "sha256"), ("size", "filename")
    )
    kept: dict[str, Any] = {
        "summary": strict_json.text(report["summary"], "report.summary", limit=TEXT_LIMIT).strip(),
        "sha256": strict_json.sha256_hex(report["sha256"], "report.sha256"),
        "submitted_on": today(ctx).isoformat(),
    }
    if report.get("size") is not None:
        kept["size"] = strict_json.whole_number(report["size"], "report.size", minimum=1)
    if report.get("filename") is not None:
        kept["filename"] = strict_json.text(
            report["filename"], "report.filename", limit=255
        ).strip()
    deadline = session.scalar(
        select(CaseDeadline).where(CaseDeadline.case_id == case.id, CaseDeadline.name == "report")
    )
    late = deadline is not None and deadline.due_on is not None and today(ctx) > deadline.due_on
    kept["late"] = late
    case.data = {**case.data, "report": kept}
    session.flush()
    if late and deadline is not None and deadline.due_on is not None:
        raise_finding(
            session,
            ctx,
            actor,
            Problem(
                code="self-assessment-report-overdue",
                # The key the deadline sweep uses, so a report late and swept is one finding.
                key=f"deadline:{case.id}:report",
                severity="medium",
                title=Text(
                    "Self-assessment report submitted late: {case}",
                    case=Text.of_record(case.title_text) or case.title,
                ),
                message=Text(
                    "The self-assessment report of case {case} was due by {due_on} ({period} "
                    "under {rule_set}: self_assessment_report_period) and was submitted on "
                    "{submitted_on}.",
                    case=case.id,
                    due_on=deadline.due_on,
                    period=period_words(Duration.parse(deadline.period)),
                    rule_set=deadline.rule_set_id,
                    submitted_on=today(ctx),
                ),
                requirement="APP-7",
                party_id=case.subject_party_id,
                jurisdiction=case.jurisdiction,
                case_id=case.id,
                details={
                    "due_on": deadline.due_on.isoformat(),
                    "submitted_on": kept["submitted_on"],
                },
            ),
        )


def open_inspection(
    session: Session, ctx: Context, actor: Actor, number: str, body: Mapping[str, Any]
) -> Case:
    """The certification body opens a special inspection (APP-8) on one of
    ``special_inspection_triggers``: ``{"trigger", "description"}``."""
    require(actor, frozenset({Role.CERTIFICATION_BODY}), N_("open special inspections"))
    cert = get(session, number)
    _live(cert, N_("a special inspection"))
    day = today(ctx)
    rule_set = rules_on(session, ctx, day)
    data = strict_json.json_object(body, "", ("trigger", "description"))
    trigger = choose(
        data["trigger"],
        "trigger",
        rule_set.items("special_inspection_triggers"),
        N_("a ground for a special inspection"),
    )
    description = strict_json.text(data["description"], "description", limit=TEXT_LIMIT).strip()
    return cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=INSPECTION_PROCESS,
            title=Text(
                "Special inspection of {number}: {trigger}",
                number=cert.number,
                trigger=Term("message", trigger),
            ),
            subject_party_id=cert.party_id,
            relevant_date=day,
            data={"certification": cert.number, "trigger": trigger, "description": description},
        ),
    )
