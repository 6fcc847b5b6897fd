"""Licensing of CAs (ECS-2): applications judged item by item and reviewed (ECS-2.1, 2.2),
licences issued on approval with their status history, renewal, and the ban on transfer
(ECS-2.3), modification cases and business-registration change filings (ECS-2.4).

Every function is one use case inside the caller's unit of work; none commits.
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
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs import Evaluation, evaluate, parse_application
from certgov.ecs.citation import cite
from certgov.ecs.review import check_judgement, with_reviews
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Prohibited
from certgov.findings.services import Problem, raise_finding
from certgov.history.services import record_status_change
from certgov.licensing.models import (
    Licence,
    LicenceEvent,
    LicenceStatus,
    RegistrationChange,
)
from certgov.parties.models import Party
from certgov.parties.services import check_party_scope, get_ca, require_national
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime, RuleSet
from certgov.store.engine import stale_write_is_conflict
from certgov.workflow.clocks import date_after, date_before

PROCESS = "ca-licence-application"
RENEWAL_PROCESS = "ca-licence-renewal"
MODIFICATION_PROCESS = "ca-licence-modification"
_MAX_TEXT = 2000


def _today(ctx: Context) -> dt.date:
    return china_date(ctx.clock.now())


def _ecs_rules(session: Session, ctx: Context, day: dt.date) -> RuleSet:
    return in_force(session, ctx.rule_sets, Regime.ECS, day)


# --- Applications (ECS-2.1, ECS-2.2) -------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    case: Case
    evaluation: Evaluation


def submit_application(
    session: Session,
    ctx: Context,
    actor: Actor,
    application_json: Mapping[str, Any],
    *,
    party_id: int | None = None,
    title: str | None = None,
) -> Submitted:
    """Open a licence application case for the applicant with its evaluation (ECS-2.1).

    A CA operator applies for its own organisation; the application's USCC must be the
    organisation's. The evaluation is stored with the case and shown item by item; an
    application with unmet items is still received (the review decides), as the law requires
    a decision on every application.
    """
    if actor.role is not Role.CA_OPERATOR:
        raise Forbidden("a CA operator submits its own licence application")
    party_id = party_id if party_id is not None else actor.party_id
    if party_id != actor.party_id:
        raise Forbidden("you may apply only for your own organisation")
    if party_id is None:
        raise Forbidden("your credentials name no organisation")
    party = get_ca(session, party_id)
    application = parse_application(dict(application_json))
    if party.uscc is not None and application.legal_person.uscc != party.uscc:
        raise InvalidInput(
            f"the application names USCC {application.legal_person.uscc}, but the applicant "
            f"{party.name} is registered with {party.uscc}",
            details={"field": "legal_person.uscc"},
        )
    live = live_licence(session, party.id)
    if live is not None:
        raise Conflict(
            f"{party.name} already holds licence {live.number} ({live.status}, valid until "
            f"{live.valid_until.isoformat()})",
            hint="apply for its renewal or modification instead",
        )
    day = _today(ctx)
    rule_set = _ecs_rules(session, ctx, day)
    evaluation = evaluate(application, rule_set)
    case = cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=PROCESS,
            title=(title or "").strip()
            or f"Licence application of {application.legal_person.name}",
            subject_party_id=party.id,
            relevant_date=day,
            data={"application": application.as_dict(), "evaluation": evaluation.as_dict()},
        ),
    )
    return Submitted(case, evaluation)


def _application_case(session: Session, ctx: Context, actor: Actor, case_id: int) -> Case:
    case = cases.get_case(session, ctx, actor, case_id)
    if case.process_id != PROCESS:
        raise NotFound(f"case {case_id} is not a licence application")
    return case


def application_view(session: Session, ctx: Context, actor: Actor, case_id: int) -> dict[str, Any]:
    """The application, its automatic evaluation with the reviewers' judgements, and what
    still stands between it and a grant (ECS-2.2)."""
    case = _application_case(session, ctx, actor, case_id)
    evaluation = case.data.get("evaluation")
    reviews = case.data.get("reviews") or {}
    licence = session.scalar(select(Licence).where(Licence.application_case_id == case.id))
    return {
        "case": {
            "id": case.id,
            "state": case.state,
            "version": case.version,
            "title": case.title,
            "closed": case.closed,
            "rule_sets": case.rule_set_ids,
        },
        "application": case.data.get("application"),
        "evaluation": with_reviews(evaluation, reviews) if isinstance(evaluation, dict) else None,
        "licence": licence.number if licence else None,
    }


#: Case states in which reviewers judge items.
REVIEW_STATES = frozenset({"document_review", "expert_evaluation", "onsite_evaluation"})


def review_item(
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    *,
    item: str,
    status: str,
    note: str,
    expected_version: int | None,
) -> Case:
    """A reviewer's judgement on one item of the evaluation, with a note (ECS-2.2)."""
    if actor.role not in (Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR):
        raise Forbidden(f"a {actor.role} may not judge an application's items")
    case = _application_case(session, ctx, actor, case_id)
    if case.state not in REVIEW_STATES:
        raise Conflict(
            f"items are judged during review ({', '.join(sorted(REVIEW_STATES))}); "
            f"case {case.id} is {case.state}"
        )
    note = (note or "").strip()
    if not note:
        raise InvalidInput("a judgement needs a note saying what the reviewer saw")
    if len(note) > _MAX_TEXT:
        raise InvalidInput(f"the note is longer than {_MAX_TEXT} characters")
    evaluation = case.data.get("evaluation")
    if not isinstance(evaluation, dict):
        raise Conflict(f"case {case.id} holds no evaluated application")
    automatic = check_judgement(evaluation, item, status)
    review = {
        "status": status,
        "note": note,
        "by": actor.name,
        "role": actor.role.value,
        "at": ctx.clock.now().isoformat(),
        "stage": case.state,
        "automatic_status": automatic.get("status"),
    }
    reviews = {**(case.data.get("reviews") or {}), item: review}
    return cases.annotate(
        session,
        ctx,
        actor,
        case,
        "item_reviewed",
        changes={"reviews": reviews},
        expected_version=expected_version,
        reason=note,
        details={"item": item, "status": status, "automatic_status": automatic.get("status")},
    )


# --- Licences (ECS-2.3) --------------------------------------------------------------------------


def live_licence(session: Session, party_id: int) -> Licence | None:
    """The party's licence that is valid or suspended, if any."""
    return session.scalar(
        select(Licence).where(
            Licence.holder_party_id == party_id,
            Licence.status.in_([LicenceStatus.VALID, LicenceStatus.SUSPENDED]),
        )
    )


def _licence_event(
    session: Session,
    ctx: Context,
    licence: Licence,
    actor: Actor,
    kind: str,
    *,
    from_status: str | None,
    reason: str | None = None,
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    record_status_change(
        session,
        ctx,
        actor,
        LicenceEvent(
            licence_id=licence.id,
            kind=kind,
            from_status=from_status,
            to_status=licence.status,
            valid_until=licence.valid_until,
            case_id=case_id,
            reason=reason,
            details=details or {},
        ),
        action=f"licence.{kind}",
        subject={"licence": licence.number, "holder": licence.holder_party_id},
        after={"valid_until": licence.valid_until.isoformat()},
    )


def _next_number(session: Session, jurisdiction: str, year: int) -> str:
    prefix = f"ECP{jurisdiction}{year}"
    taken = session.scalar(
        select(func.count()).select_from(Licence).where(Licence.number.startswith(prefix))
    )
    return f"{prefix}{(taken or 0) + 1:03d}"


def issue_licence(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of approving an application: the licence, valid from the decision date for the
    rule set's ``licence_validity`` (the rule set the application was judged under)."""
    if case.subject_party_id is None:
        raise InvalidInput(f"case {case.id} names no applicant to license")
    party = get_ca(session, case.subject_party_id)
    live = live_licence(session, party.id)
    if live is not None:
        raise Conflict(f"{party.name} already holds licence {live.number} ({live.status})")
    rule_set = ctx.rule_sets[case.rule_set_ids[0]]
    today = _today(ctx)
    validity = rule_set.duration("licence_validity")
    jurisdiction = party.home_province or case.jurisdiction
    now = ctx.clock.now()
    licence = Licence(
        number=_next_number(session, jurisdiction, today.year),
        holder_party_id=party.id,
        jurisdiction=jurisdiction,
        scope=list(rule_set.items("licence_scope")),
        status=LicenceStatus.VALID,
        valid_from=today,
        valid_until=date_after(today, validity) - dt.timedelta(days=1),
        issued_at=now,
        application_case_id=case.id,
        rule_set_id=rule_set.id,
        updated_at=now,
    )
    session.add(licence)
    session.flush()
    _licence_event(
        session,
        ctx,
        licence,
        actor,
        "issued",
        from_status=None,
        reason=reason,
        case_id=case.id,
        details={"validity": str(validity), "rule_set": rule_set.id, "scope": licence.scope},
    )
    case.data = {**case.data, "licence": licence.number}


def get_licence(session: Session, number: str) -> Licence:
    licence = session.scalar(select(Licence).where(Licence.number == number))
    if licence is None:
        raise NotFound(f"no licence numbered {number!r}")
    return licence


def licence_history(session: Session, licence: Licence) -> list[LicenceEvent]:
    return list(
        session.scalars(
            select(LicenceEvent)
            .where(LicenceEvent.licence_id == licence.id)
            .order_by(LicenceEvent.id)
        )
    )


@dataclass(frozen=True)
class LicenceAt:
    """A licence as it stood at an instant: its status then and the event that set it."""

    licence: Licence
    status: str
    since: dt.datetime


def licence_at(session: Session, party_id: int, at: dt.datetime) -> LicenceAt | None:
    """The party's licence in force (or most recently issued) at instant ``at``, with its
    status then (SYS-5): replays the status history up to ``at``; past the last day of validity
    it was expired whatever came later. None when no licence had been issued by then."""
    # One query (this is on the path of every relying-party verification): the licences
    # issued by then, latest first, each with its events up to ``at`` in order.
    rows = session.execute(
        select(Licence, LicenceEvent)
        .join(LicenceEvent, LicenceEvent.licence_id == Licence.id)
        .where(Licence.holder_party_id == party_id, Licence.issued_at <= at, LicenceEvent.at <= at)
        .order_by(Licence.issued_at.desc(), Licence.id.desc(), LicenceEvent.id)
    ).all()
    if not rows:
        return None
    licence = rows[0][0]
    events = [event for holder, event in rows if holder is licence]
    last = events[-1]
    if china_date(at) > max(e.valid_until for e in events):
        return LicenceAt(licence, LicenceStatus.EXPIRED.value, last.at)
    return LicenceAt(licence, last.to_status, last.at)


def list_licences(
    session: Session,
    *,
    holder_party_id: int | None = None,
    status: str | None = None,
    jurisdiction: str | None = None,
) -> list[Licence]:
    query = select(Licence).order_by(Licence.id)
    if holder_party_id is not None:
        query = query.where(Licence.holder_party_id == holder_party_id)
    if status is not None:
        if status not in {s.value for s in LicenceStatus}:
            raise InvalidInput(
                f"unknown licence status {status!r}",
                hint=f"one of {', '.join(s.value for s in LicenceStatus)}",
            )
        query = query.where(Licence.status == status)
    if jurisdiction is not None:
        query = query.where(Licence.jurisdiction == jurisdiction)
    return list(session.scalars(query))


#: A regulator's action on a licence: the statuses it starts from and the one it leads to.
STATUS_ACTIONS: dict[str, tuple[frozenset[LicenceStatus], LicenceStatus, str]] = {
    "suspend": (frozenset({LicenceStatus.VALID}), LicenceStatus.SUSPENDED, "suspended"),
    "reinstate": (frozenset({LicenceStatus.SUSPENDED}), LicenceStatus.VALID, "reinstated"),
    "revoke": (
        frozenset({LicenceStatus.VALID, LicenceStatus.SUSPENDED}),
        LicenceStatus.REVOKED,
        "revoked",
    ),
    "withdraw": (
        frozenset({LicenceStatus.VALID, LicenceStatus.SUSPENDED}),
        LicenceStatus.WITHDRAWN,
        "withdrawn",
    ),
}


def _check_version(licence: Licence, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != licence.version:
        raise Conflict(
            f"licence {licence.number} changed since you loaded it (you acted on version "
            f"{expected_version}, it is now at version {licence.version}, {licence.status})",
            hint="reload the licence and decide again",
            details={"current_version": licence.version, "current_status": licence.status},
        )


def change_status(
    session: Session,
    ctx: Context,
    actor: Actor,
    number: str,
    action: str,
    *,
    reason: str,
    expected_version: int | None,
) -> Licence:
    """Suspend, reinstate, revoke or withdraw a licence, with a reason (ECS-2.3)."""
    spec = STATUS_ACTIONS.get(action)
    if spec is None:
        raise InvalidInput(
            f"unknown licence action {action!r}", hint=f"one of {', '.join(STATUS_ACTIONS)}"
        )
    require_national(actor, f"{action} a licence")
    licence = get_licence(session, number)
    sources, target, kind = spec
    _check_version(licence, expected_version)
    if licence.status not in sources:
        raise Conflict(
            f"licence {licence.number} is {licence.status}; {action} applies to a "
            f"{' or '.join(sorted(sources))} licence"
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(f"to {action} a licence needs a reason, recorded in its history")
    before = licence.status
    with stale_write_is_conflict(f"licence {licence.number}"):
        licence.status = target
        licence.updated_at = ctx.clock.now()
        session.flush()
    _licence_event(session, ctx, licence, actor, kind, from_status=before, reason=reason)
    return licence


def refuse_transfer(
    session: Session, ctx: Context, actor: Actor, number: str, kind: str, to_party_id: int | None
) -> None:
    """A licence cannot be transferred, rented or lent (ECS-2.3, M2015 Art. 11): the request is
    refused as :class:`Prohibited`, naming the rule. Nothing is stored."""
    if kind not in ("transfer", "rent", "lend"):
        raise InvalidInput(f"unknown request {kind!r}", hint="one of transfer, rent, lend")
    licence = get_licence(session, number)
    rule_set = _ecs_rules(session, ctx, _today(ctx))
    if not rule_set.flag("licence_transfer_allowed"):
        citation = cite(rule_set, "licence_transfer_allowed")
        target = f" to party {to_party_id}" if to_party_id is not None else ""
        raise Prohibited(
            f"licence {licence.number} may not be {_PARTICIPLES[kind]}{target}: a licence "
            f"cannot be transferred, rented or lent ({citation})",
            details={"rule": citation.as_dict()},
        )
    raise Conflict(  # pragma: no cover - no shipped rule set allows it
        f"rule set {rule_set.id} allows transfers, but certgov has no transfer procedure"
    )


_PARTICIPLES = {"transfer": "transferred", "rent": "rented", "lend": "lent"}


def _live_for(session: Session, actor: Actor, number: str, what: str) -> Licence:
    licence = get_licence(session, number)
    holder = get_ca(session, licence.holder_party_id)
    check_party_scope(actor, holder, what)
    if licence.status not in (LicenceStatus.VALID, LicenceStatus.SUSPENDED):
        raise Conflict(f"licence {licence.number} is {licence.status}; you cannot {what}")
    return licence


def _open_case_for(session: Session, process_id: str, licence: Licence) -> Case | None:
    return session.scalar(
        select(Case).where(
            Case.process_id == process_id,
            Case.closed.is_(False),
            Case.subject_party_id == licence.holder_party_id,
        )
    )


def open_renewal(session: Session, ctx: Context, actor: Actor, number: str) -> Case:
    """Open the renewal case of a licence (ECS-2.3); one at a time."""
    licence = _live_for(session, actor, number, "renew a licence")
    existing = _open_case_for(session, RENEWAL_PROCESS, licence)
    if existing is not None:
        raise Conflict(f"renewal case {existing.id} of licence {licence.number} is already open")
    return _open_renewal(session, ctx, actor, licence)


def _open_renewal(session: Session, ctx: Context, actor: Actor, licence: Licence) -> Case:
    return cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=RENEWAL_PROCESS,
            title=f"Renewal of licence {licence.number}",
            subject_party_id=licence.holder_party_id,
            jurisdiction=licence.jurisdiction,
            data={"licence": licence.number, "valid_until": licence.valid_until.isoformat()},
        ),
    )


def _case_licence(session: Session, case: Case) -> Licence:
    number = case.data.get("licence")
    if not isinstance(number, str):
        raise InvalidInput(f"case {case.id} names no licence")
    return get_licence(session, number)


def renew_licence(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of approving a renewal: the licence runs ``licence_validity`` longer, counted
    from the end of its current validity."""
    licence = _case_licence(session, case)
    if licence.status not in (LicenceStatus.VALID, LicenceStatus.SUSPENDED):
        raise Conflict(f"licence {licence.number} is {licence.status}; it cannot be renewed")
    rule_set = ctx.rule_sets[case.rule_set_ids[0]]
    validity = rule_set.duration("licence_validity")
    before = licence.valid_until
    licence.valid_until = date_after(before + dt.timedelta(days=1), validity) - dt.timedelta(days=1)
    licence.updated_at = ctx.clock.now()
    session.flush()
    _licence_event(
        session,
        ctx,
        licence,
        actor,
        "renewed",
        from_status=licence.status,
        reason=reason,
        case_id=case.id,
        details={"valid_until_before": before.isoformat(), "validity": str(validity)},
    )


def open_modification(
    session: Session, ctx: Context, actor: Actor, number: str, body: Mapping[str, Any]
) -> Case:
    """Open a modification case (ECS-2.4) for changes of the kinds the rule set lists
    (``modification_triggers``: organisational structure, technical systems, service capacity)."""
    licence = _live_for(session, actor, number, "request a licence modification")
    rule_set = _ecs_rules(session, ctx, _today(ctx))
    triggers = rule_set.items("modification_triggers")
    kinds = body.get("kinds")
    if (
        not isinstance(kinds, list)
        or not kinds
        or not all(isinstance(k, str) and k.strip() for k in kinds)
    ):
        raise InvalidInput(
            "kinds: give a non-empty list of what changes",
            hint=f"each one of: {', '.join(triggers)}",
            details={"field": "kinds"},
        )
    normalised = [k.strip().replace("_", " ").lower() for k in kinds]
    unknown = [k for k in normalised if k not in triggers]
    if unknown:
        raise InvalidInput(
            f"kinds: {', '.join(unknown)} is not a change needing a modification case under "
            f"{rule_set.id}",
            hint=f"each one of: {', '.join(triggers)} ({cite(rule_set, 'modification_triggers')});"
            " business-registration changes are filed at /registration-changes",
            details={"field": "kinds"},
        )
    description = body.get("description")
    if not isinstance(description, str) or not description.strip():
        raise InvalidInput("description: say what changes", details={"field": "description"})
    if len(description) > _MAX_TEXT:
        raise InvalidInput(f"description: longer than {_MAX_TEXT} characters")
    return cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=MODIFICATION_PROCESS,
            title=f"Modification of licence {licence.number}: {', '.join(sorted(set(normalised)))}",
            subject_party_id=licence.holder_party_id,
            jurisdiction=licence.jurisdiction,
            data={
                "licence": licence.number,
                "kinds": sorted(set(normalised)),
                "description": description.strip(),
            },
        ),
    )


def record_modification(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of approving a modification: the licence's history records it."""
    licence = _case_licence(session, case)
    _licence_event(
        session,
        ctx,
        licence,
        actor,
        "modified",
        from_status=licence.status,
        reason=reason,
        case_id=case.id,
        details={"kinds": case.data.get("kinds"), "description": case.data.get("description")},
    )


@dataclass
class LicenceSweep:
    expired: list[str] = field(default_factory=list)
    renewals_opened: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"expired": self.expired, "renewals_opened": self.renewals_opened}


def sweep_licences(session: Session, ctx: Context) -> LicenceSweep:
    """Worker job (ECS-2.3): licences past their last day expire (and their open renewal case
    lapses); licences within the renewal lead of expiry get a renewal case if none is open."""
    report = LicenceSweep()
    today = _today(ctx)
    live = [LicenceStatus.VALID.value, LicenceStatus.SUSPENDED.value]
    for licence in session.scalars(
        select(Licence).where(Licence.status.in_(live), Licence.valid_until < today)
    ):
        before = licence.status
        licence.status = LicenceStatus.EXPIRED
        licence.updated_at = ctx.clock.now()
        session.flush()
        _licence_event(
            session,
            ctx,
            licence,
            SYSTEM_ACTOR,
            "expired",
            from_status=before,
            reason=f"validity ended on {licence.valid_until.isoformat()}",
        )
        renewal = _open_case_for(session, RENEWAL_PROCESS, licence)
        if renewal is not None:
            cases.transition(
                session,
                ctx,
                SYSTEM_ACTOR,
                renewal.id,
                "lapse",
                expected_version=None,
                reason=f"licence {licence.number} expired on {licence.valid_until.isoformat()}",
            )
        report.expired.append(licence.number)
    for licence in session.scalars(
        select(Licence).where(
            Licence.status == LicenceStatus.VALID.value, Licence.valid_until >= today
        )
    ):
        rule_set = ctx.rule_sets.get(licence.rule_set_id) or _ecs_rules(session, ctx, today)
        opens_on = date_before(licence.valid_until, rule_set.duration("licence_renewal_lead"))
        if today < opens_on or _open_case_for(session, RENEWAL_PROCESS, licence) is not None:
            continue
        _open_renewal(session, ctx, SYSTEM_ACTOR, licence)
        report.renewals_opened.append(licence.number)
    return report


# --- Business-registration changes (ECS-2.4) -----------------------------------------------------


def _registration_item(rule_set: RuleSet, item: object) -> str:
    items = rule_set.items("registration_change_items")
    name = item.strip().replace("_", " ").lower() if isinstance(item, str) else None
    if name not in items:
        raise InvalidInput(
            f"item: {item!r} is not a business-registration change to file",
            hint=f"one of: {', '.join(items)} ({cite(rule_set, 'registration_change_items')})",
            details={"field": "item"},
        )
    return name


def _late_problem(change: RegistrationChange, party: Party, rule_set_id: str) -> Problem:
    filed = change.filed_on
    late_by = ((filed or dt.date.max) - change.due_on).days if filed else None
    what = (
        f"filed on {filed.isoformat()}, {late_by} day(s) after the last day"
        if filed
        else "not filed"
    )
    return Problem(
        code="registration-change-filed-late" if filed else "registration-change-not-filed",
        key=f"registration-change:{change.id}",
        severity="medium",
        title=f"Late business-registration change filing: {party.name} ({change.item})",
        message=(
            f"The change of {change.item} registered on {change.changed_on.isoformat()} was "
            f"due for filing by {change.due_on.isoformat()} ({rule_set_id}: "
            f"registration_change_filing_period); {what}."
        ),
        requirement="ECS-2.4",
        party_id=party.id,
        jurisdiction=party.home_province,
        details={
            "change": change.id,
            "item": change.item,
            "changed_on": change.changed_on.isoformat(),
            "due_on": change.due_on.isoformat(),
            "filed_on": filed.isoformat() if filed else None,
        },
    )


@dataclass(frozen=True)
class ChangeRecorded:
    change: RegistrationChange
    finding_key: str | None


def record_registration_change(
    session: Session, ctx: Context, actor: Actor, party_id: int, body: Mapping[str, Any]
) -> ChangeRecorded:
    """File a business-registration change (the CA) or record one learnt of (a regulator),
    ECS-2.4. The filing is due ``registration_change_filing_period`` after the change (rolled
    to a business day, Civil Code Art. 203); a filing after that day is a finding."""
    party = get_ca(session, party_id)
    check_party_scope(actor, party, "file a business-registration change")
    rule_set = _ecs_rules(session, ctx, _today(ctx))
    item = _registration_item(rule_set, body.get("item"))
    changed_on = strict_json.iso_date(body.get("changed_on"), "changed_on")
    today = _today(ctx)
    if changed_on > today:
        raise InvalidInput(
            f"changed_on {changed_on.isoformat()} is in the future; file a change once it is "
            "registered",
            details={"field": "changed_on"},
        )
    new_value = strict_json.text(body.get("new_value"), "new_value", limit=_MAX_TEXT).strip()
    old_value = strict_json.optional_text(body.get("old_value"), "old_value", limit=_MAX_TEXT)
    digest = body.get("document_sha256")
    if digest is not None:
        digest = strict_json.sha256_hex(digest, "document_sha256")
    period = rule_set.duration("registration_change_filing_period")
    due = ctx.calendar.add_calendar_days(changed_on, period.amount).due
    by_ca = actor.role is Role.CA_OPERATOR
    now = ctx.clock.now()
    change = session.scalar(
        select(RegistrationChange).where(
            RegistrationChange.party_id == party.id,
            RegistrationChange.item == item,
            RegistrationChange.changed_on == changed_on,
        )
    )
    if change is not None and (change.filed_at is not None or not by_ca):
        raise Conflict(
            f"the change of {item} of {changed_on.isoformat()} is already recorded "
            f"(#{change.id}{', filed' if change.filed_at else ''})"
        )
    if change is None:
        change = RegistrationChange(
            party_id=party.id,
            item=item,
            old_value=old_value if old_value is not None else _current_value(party, item),
            new_value=new_value,
            changed_on=changed_on,
            due_on=due,
            rule_set_id=rule_set.id,
            recorded_at=now,
            recorded_by=actor.name,
        )
        session.add(change)
    if by_ca:
        change.new_value = new_value
        change.filed_at = now
        change.filed_on = today
        change.late = today > change.due_on
        change.document_sha256 = digest
        if item == "name":
            party.name = new_value
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "registration_change.filed" if by_ca else "registration_change.recorded",
        subject={"party": party.id, "change": change.id, "item": item},
        after={"value": new_value, "changed_on": changed_on.isoformat()},
        details={"due_on": change.due_on.isoformat(), "late": change.late},
    )
    key = None
    if change.late:
        key = raise_finding(
            session, ctx, actor, _late_problem(change, party, rule_set.id)
        ).dedup_key
    return ChangeRecorded(change, key)


def _current_value(party: Party, item: str) -> str | None:
    return party.name if item == "name" else None


def registration_changes(session: Session, party_id: int) -> list[RegistrationChange]:
    return list(
        session.scalars(
            select(RegistrationChange)
            .where(RegistrationChange.party_id == party_id)
            .order_by(RegistrationChange.changed_on, RegistrationChange.id)
        )
    )


def sweep_registration_changes(session: Session, ctx: Context) -> list[str]:
    """Worker job (ECS-2.4, ECS-4.2): a recorded change still unfiled after its last day is a
    finding. Returns the finding keys raised."""
    today = _today(ctx)
    keys = []
    for change in session.scalars(
        select(RegistrationChange).where(
            RegistrationChange.filed_at.is_(None), RegistrationChange.due_on < today
        )
    ):
        party = get_ca(session, change.party_id)
        problem = _late_problem(change, party, change.rule_set_id)
        keys.append(raise_finding(session, ctx, SYSTEM_ACTOR, problem).dedup_key)
    return keys


__all__ = [
    "ChangeRecorded",
    "LicenceSweep",
    "Submitted",
    "application_view",
    "change_status",
    "get_licence",
    "issue_licence",
    "licence_at",
    "licence_history",
    "list_licences",
    "open_modification",
    "open_renewal",
    "record_modification",
    "record_registration_change",
    "refuse_transfer",
    "registration_changes",
    "renew_licence",
    "review_item",
    "submit_application",
    "sweep_licences",
    "sweep_registration_changes",
]
