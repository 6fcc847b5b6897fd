"""A CA's exit (ECS-7.2, ECS-7.3): voluntary withdrawal declared by the CA, forced exit after
a revocation; the receiving CA, the handover, and the end of the licence.

Every function is one use case inside the caller's unit of work; none commits. The exit is an
``ecs-withdrawal`` case; its data (see :mod:`certgov.credit.handover`) holds the dates, the
receiving CA and the handover counts, each change recorded in the case history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import SYSTEM_ACTOR, Actor, Role
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.credit.handover import FORCED, VOLUNTARY, handover_blockers, remaining
from certgov.enforcement.models import Penalty
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.findings.services import Problem, raise_finding
from certgov.i18n import N_
from certgov.licensing import services as licensing
from certgov.parties.services import get_ca
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime
from certgov.text import Term, Text
from certgov.workflow.clocks import date_before

PROCESS = "ecs-withdrawal"
CESSATION_VIOLATION = "cessation_not_reported"


def _today(ctx: Context) -> dt.date:
    return china_date(ctx.clock.now())


def _open_exit(session: Session, party_id: int) -> Case | None:
    return session.scalar(
        select(Case).where(
            Case.process_id == PROCESS,
            Case.subject_party_id == party_id,
            Case.closed.is_(False),
        )
    )


def _late(
    session: Session,
    ctx: Context,
    actor: Actor,
    case: Case,
    code: str,
    what: str,
    due: dt.date,
    done: dt.date | None,
    parameter: str,
    rule_set_id: str,
) -> str:
    """Raise the finding that ``what`` (a msgid: the report or the notice) came late."""
    party = get_ca(session, case.subject_party_id or 0)
    cessation = dt.date.fromisoformat(case.data["cessation_date"])
    duty = Term("message", what)
    message = (
        Text(
            "The {what} was due by {due} ({rule_set}: {parameter}, ESL Art. 23) for cessation "
            "on {cessation}; done on {done}. A violation of the catalogue: {violation} (ESL "
            "Art. 30).",
            what=duty,
            due=due,
            rule_set=rule_set_id,
            parameter=parameter,
            cessation=cessation,
            done=done,
            violation=CESSATION_VIOLATION,
        )
        if done
        else Text(
            "The {what} was due by {due} ({rule_set}: {parameter}, ESL Art. 23) for cessation "
            "on {cessation}; not done. A violation of the catalogue: {violation} (ESL Art. 30).",
            what=duty,
            due=due,
            rule_set=rule_set_id,
            parameter=parameter,
            cessation=cessation,
            violation=CESSATION_VIOLATION,
        )
    )
    return raise_finding(
        session,
        ctx,
        actor,
        Problem(
            code=code,
            key=f"{code}:{case.id}",
            severity="high",
            title=Text(
                "Late {what}: {party} ceasing on {cessation}",
                what=duty,
                party=party.name,
                cessation=cessation,
            ),
            message=message,
            requirement="ECS-7.3",
            party_id=party.id,
            jurisdiction=party.home_province,
            case_id=case.id,
            details={"violation": CESSATION_VIOLATION, "due_by": due.isoformat()},
        ),
    ).dedup_key


def declare_withdrawal(
    session: Session, ctx: Context, actor: Actor, body: Mapping[str, Any]
) -> tuple[Case, list[str]]:
    """The CA declares it will cease its service (ECS-7.3): ``{"cessation_date",
    "subscriber_certificates", "parties_notified_on"?, "receiving_party_id"?}``. The report
    is today; a report later than ``cessation_report_to_regulator`` before the cessation, or a
    notice to parties later than ``cessation_notice_to_parties`` before it, is a finding (the
    violation ``cessation_not_reported``). Returns the case and the findings raised."""
    if actor.role is not Role.CA_OPERATOR or actor.party_id is None:
        raise Forbidden("a CA declares its own withdrawal")
    strict_json.json_object(
        body,
        "",
        ("cessation_date", "subscriber_certificates"),
        ("parties_notified_on", "receiving_party_id", "records"),
    )
    party = get_ca(session, actor.party_id)
    licence = licensing.live_licence(session, party.id)
    if licence is None:
        raise Conflict(
            "{party} holds no valid or suspended licence to withdraw from", party=party.name
        )
    existing = _open_exit(session, party.id)
    if existing is not None:
        raise Conflict(
            "exit case {case} of {party} is already open", case=existing.id, party=party.name
        )
    today = _today(ctx)
    cessation = strict_json.iso_date(body.get("cessation_date"), "cessation_date")
    if cessation <= today:
        raise InvalidInput(
            "cessation_date {day} must be after today ({today})",
            details={"field": "cessation_date"},
            day=cessation,
            today=today,
        )
    total = strict_json.whole_number(
        body.get("subscriber_certificates"), "subscriber_certificates", minimum=0
    )
    notified = body.get("parties_notified_on")
    notified_on = (
        None if notified is None else strict_json.iso_date(notified, "parties_notified_on")
    )
    if notified_on is not None and notified_on > today:
        raise InvalidInput(
            "parties_notified_on is in the future", details={"field": "parties_notified_on"}
        )
    receiving = body.get("receiving_party_id")
    offered = None
    if receiving is not None:
        offered = get_ca(
            session, strict_json.whole_number(receiving, "receiving_party_id", minimum=1)
        ).id
        if offered == party.id:
            raise InvalidInput("receiving_party_id: a CA cannot hand over to itself")
    records = strict_json.optional_text(body.get("records"), "records", limit=2000)
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, today)
    report_due = date_before(cessation, rule_set.duration("cessation_report_to_regulator"))
    notice_due = date_before(cessation, rule_set.duration("cessation_notice_to_parties"))
    data: dict[str, Any] = {
        "kind": VOLUNTARY,
        "licence": licence.number,
        "cessation_date": cessation.isoformat(),
        "reported_on": today.isoformat(),
        "report_due_by": report_due.isoformat(),
        "report_late": today > report_due,
        "parties_notified_on": notified_on.isoformat() if notified_on else None,
        "notice_due_by": notice_due.isoformat(),
        "notice_late": (notified_on > notice_due) if notified_on else today > notice_due,
        "offered_to": offered,
        "declined_by": [],
        "receiving": None,
        "records": records,
        "handover": {
            "subscriber_certificates": total,
            "migrated": 0,
            "revoked": 0,
            "records_transferred": False,
        },
    }
    case = cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=PROCESS,
            title=Text(
                "Withdrawal of {party} (licence {number}) on {cessation}",
                party=party.name,
                number=licence.number,
                cessation=cessation,
            ),
            subject_party_id=party.id,
            jurisdiction=licence.jurisdiction,
            relevant_date=today,
            data=data,
        ),
    )
    raised = []
    if data["report_late"]:
        raised.append(
            _late(
                session,
                ctx,
                actor,
                case,
                "cessation-report-late",
                N_("report of ceasing service to the regulator"),
                report_due,
                today,
                "cessation_report_to_regulator",
                rule_set.id,
            )
        )
    if data["notice_late"]:
        raised.append(
            _late(
                session,
                ctx,
                actor,
                case,
                "cessation-notice-late",
                N_("notice of ceasing service to the parties concerned"),
                notice_due,
                notified_on,
                "cessation_notice_to_parties",
                rule_set.id,
            )
        )
    return case, raised


def open_forced_exit_effect(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect after ``record_penalty`` (ECS-7.2): a penalty that revoked the CA's licence
    opens its forced exit."""
    penalty = session.scalar(select(Penalty).where(Penalty.case_id == case.id))
    if penalty is None or penalty.licence_number is None or case.subject_party_id is None:
        return
    open_forced_exit(session, ctx, penalty.licence_number, case.subject_party_id, case.id)


def open_forced_exit(
    session: Session, ctx: Context, licence_number: str, party_id: int, decision_case_id: int
) -> Case:
    """ECS-7.2: the revocation decided in case ``decision_case_id`` forces the CA out; the
    handover of its subscribers is tracked as for a withdrawal (the licence is already
    revoked, so completing the exit leaves it so)."""
    existing = _open_exit(session, party_id)
    if existing is not None:
        cases.annotate(
            session,
            ctx,
            SYSTEM_ACTOR,
            existing,
            "forced_exit",
            changes={"kind": FORCED, "revocation_case_id": decision_case_id},
            expected_version=None,
            reason=f"licence {licence_number} revoked by case {decision_case_id}",
        )
        return existing
    licence = licensing.get_licence(session, licence_number)
    today = _today(ctx)
    return cases.open_case(
        session,
        ctx,
        SYSTEM_ACTOR,
        cases.OpenCase(
            process_id=PROCESS,
            title=Text("Forced exit after revocation of licence {number}", number=licence_number),
            subject_party_id=party_id,
            jurisdiction=licence.jurisdiction,
            data={
                "kind": FORCED,
                "licence": licence_number,
                "cessation_date": today.isoformat(),
                "revocation_case_id": decision_case_id,
                "offered_to": None,
                "declined_by": [],
                "receiving": None,
                "handover": {
                    "subscriber_certificates": None,
                    "migrated": 0,
                    "revoked": 0,
                    "records_transferred": False,
                },
            },
        ),
    )


def exit_case(session: Session, ctx: Context, actor: Actor, case_id: int) -> Case:
    """An exit case the actor may see: its regulators, the leaving CA, and the CA it is
    offered to or handed over to (which sees this case only)."""
    case = session.get(Case, case_id)
    if case is None or case.process_id != PROCESS:
        raise NotFound("no exit case with id {case}", case=case_id)
    if actor.role is Role.CA_OPERATOR and actor.party_id in _receivers(case):
        return case
    case = cases.get_case(session, ctx, actor, case_id)
    return case


def exits_received(session: Session, party_id: int) -> list[Case]:
    """The open exit cases whose business is offered to, or handed over to, CA ``party_id``
    (ECS-7.3): the cases it must answer or report the handover of, oldest first."""
    open_exits = session.scalars(
        select(Case).where(Case.process_id == PROCESS, Case.closed.is_(False)).order_by(Case.id)
    )
    return [case for case in open_exits if party_id in _receivers(case)]


def _receivers(case: Case) -> set[int]:
    found = set()
    if isinstance(case.data.get("offered_to"), int):
        found.add(case.data["offered_to"])
    receiving = case.data.get("receiving")
    if isinstance(receiving, dict) and isinstance(receiving.get("party_id"), int):
        found.add(receiving["party_id"])
    return found


def respond(
    session: Session, ctx: Context, actor: Actor, case_id: int, body: Mapping[str, Any]
) -> Case:
    """The CA offered the business accepts or declines it (ECS-7.3): ``{"accept": bool}``."""
    strict_json.json_object(body, "", ("accept",), ("expected_version", "note"))
    accept = strict_json.boolean(body.get("accept"), "accept")
    case = exit_case(session, ctx, actor, case_id)
    if (
        actor.role is not Role.CA_OPERATOR
        or actor.party_id is None
        or case.data.get("offered_to") != actor.party_id
    ):
        raise Forbidden("only the CA the business is offered to may accept or decline it")
    if case.data.get("receiving"):
        raise Conflict("exit case {case} already has a receiving CA", case=case.id)
    receiver = get_ca(session, actor.party_id)
    note = strict_json.optional_text(body.get("note"), "note", limit=2000)
    now = ctx.clock.now()
    if accept:
        changes: dict[str, Any] = {
            "receiving": {
                "party_id": receiver.id,
                "name": receiver.name,
                "how": "accepted",
                "at": now.isoformat(),
                "by": actor.name,
            }
        }
    else:
        changes = {
            "offered_to": None,
            "declined_by": [*case.data.get("declined_by", []), receiver.id],
        }
    return cases.annotate(
        session,
        ctx,
        actor,
        case,
        "receiver_accepted" if accept else "receiver_declined",
        changes=changes,
        expected_version=_version(body),
        reason=note,
        details={"party": receiver.id},
    )


def _version(body: Mapping[str, Any]) -> int | None:
    value = body.get("expected_version")
    return None if value is None else strict_json.whole_number(value, "expected_version", minimum=1)


def offer(
    session: Session, ctx: Context, actor: Actor, case_id: int, body: Mapping[str, Any]
) -> Case:
    """The leaving CA offers its business to another CA (after a refusal, say)."""
    strict_json.json_object(body, "", ("receiving_party_id",), ("expected_version",))
    case = exit_case(session, ctx, actor, case_id)
    if actor.role is not Role.CA_OPERATOR or actor.party_id != case.subject_party_id:
        raise Forbidden("only the leaving CA offers its business")
    if case.data.get("receiving"):
        raise Conflict("exit case {case} already has a receiving CA", case=case.id)
    party = get_ca(
        session,
        strict_json.whole_number(body.get("receiving_party_id"), "receiving_party_id", minimum=1),
    )
    if party.id == case.subject_party_id:
        raise InvalidInput("receiving_party_id: a CA cannot hand over to itself")
    return cases.annotate(
        session,
        ctx,
        actor,
        case,
        "business_offered",
        changes={"offered_to": party.id},
        expected_version=_version(body),
        details={"party": party.id},
    )


def designate(
    session: Session, ctx: Context, actor: Actor, case_id: int, body: Mapping[str, Any]
) -> Case:
    """No CA agreed: the regulator designates the receiving CA (ECS-7.3), with a reason."""
    strict_json.json_object(body, "", ("receiving_party_id", "reason"), ("expected_version",))
    if actor.role not in (Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR):
        raise Forbidden("a {role} may not designate a receiving CA", role=Term("role", actor.role))
    case = exit_case(session, ctx, actor, case_id)
    if case.data.get("receiving"):
        raise Conflict("exit case {case} already has a receiving CA", case=case.id)
    reason = strict_json.text(body.get("reason"), "reason", limit=2000).strip()
    party = get_ca(
        session,
        strict_json.whole_number(body.get("receiving_party_id"), "receiving_party_id", minimum=1),
    )
    if party.id == case.subject_party_id:
        raise InvalidInput("receiving_party_id: the leaving CA cannot receive its own business")
    if licensing.live_licence(session, party.id) is None:
        raise InvalidInput(
            "receiving_party_id: {party} holds no valid licence to take the business over",
            party=party.name,
        )
    return cases.annotate(
        session,
        ctx,
        actor,
        case,
        "receiver_designated",
        changes={
            "offered_to": None,
            "receiving": {
                "party_id": party.id,
                "name": party.name,
                "how": "designated",
                "at": ctx.clock.now().isoformat(),
                "by": actor.name,
            },
        },
        expected_version=_version(body),
        reason=reason,
        details={"party": party.id},
    )


def report_handover(
    session: Session, ctx: Context, actor: Actor, case_id: int, body: Mapping[str, Any]
) -> Case:
    """The handover's progress, as running totals (ECS-7.2, ECS-7.3): ``{"migrated",
    "revoked", "records_transferred"?, "subscriber_certificates"?}``; reported by the leaving
    CA or the receiving CA. Totals never go down nor past the number of certificates."""
    strict_json.json_object(
        body,
        "",
        ("migrated", "revoked"),
        ("records_transferred", "subscriber_certificates", "expected_version"),
    )
    case = exit_case(session, ctx, actor, case_id)
    if actor.role is not Role.CA_OPERATOR or actor.party_id not in (
        {case.subject_party_id} | _receivers(case)
    ):
        raise Forbidden("the leaving CA or the receiving CA reports the handover")
    handover = dict(case.data.get("handover") or {})
    if body.get("subscriber_certificates") is not None:
        if handover.get("subscriber_certificates") is not None:
            raise Conflict("the number of subscriber certificates is already reported")
        handover["subscriber_certificates"] = strict_json.whole_number(
            body.get("subscriber_certificates"), "subscriber_certificates", minimum=0
        )
    for key in ("migrated", "revoked"):
        value = strict_json.whole_number(body.get(key), key, minimum=0)
        if value < handover.get(key, 0):
            raise InvalidInput(
                "{key}: totals never go down (reported {before} before, now {value})",
                details={"field": key},
                key=key,
                before=handover.get(key, 0),
                value=value,
            )
        handover[key] = value
    if body.get("records_transferred") is not None:
        handover["records_transferred"] = strict_json.boolean(
            body.get("records_transferred"), "records_transferred"
        ) or bool(handover.get("records_transferred"))
    left = remaining(handover)
    if left is not None and left < 0:
        raise InvalidInput(
            "migrated + revoked ({migrated} + {revoked}) exceed the {total} subscriber "
            "certificates",
            migrated=handover["migrated"],
            revoked=handover["revoked"],
            total=handover["subscriber_certificates"],
        )
    return cases.annotate(
        session,
        ctx,
        actor,
        case,
        "handover_reported",
        changes={"handover": handover},
        expected_version=_version(body),
        details={"handover": handover, "remaining": left},
    )


def end_withdrawn_licence(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of ``complete``: a voluntary withdrawal's licence ends as withdrawn (ECS-7.3);
    after a forced exit the licence is already revoked and stays so."""
    if case.data.get("kind") != VOLUNTARY:
        return
    number = case.data.get("licence")
    if not isinstance(number, str):
        raise InvalidInput("case {case} names no licence", case=case.id)
    licensing.change_status(
        session,
        ctx,
        actor,
        number,
        "withdraw",
        reason=f"withdrawal case {case.id} completed: handover done"
        + (f" ({reason})" if reason else ""),
        expected_version=None,
    )


def exit_view(session: Session, ctx: Context, actor: Actor, case: Case) -> dict[str, Any]:
    data = case.data
    handover = data.get("handover") or {}
    return {
        "case_id": case.id,
        "state": case.state,
        "version": case.version,
        "closed": case.closed,
        "party_id": case.subject_party_id,
        "jurisdiction": case.jurisdiction,
        **{k: v for k, v in data.items() if k != "handover"},
        "handover": {**handover, "remaining": remaining(handover)},
        "blockers": handover_blockers(data, _today(ctx)) if not case.closed else [],
    }
