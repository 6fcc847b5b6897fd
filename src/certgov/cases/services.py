"""Use cases of the case engine (SYS-1): open, transition, extend a deadline, history.

Each function is one use case inside the caller's unit of work; none commits. Concurrency is
optimistic: the caller states the version it acted on; a stale version (or a concurrent
writer caught by the version column at flush) is a :class:`~certgov.errors.Conflict`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import PARTY_ROLES, Actor, ActorKind, Role
from certgov.cases import access
from certgov.cases.deadlines import (
    clock_details,
    clock_of,
    store_clock,
    store_next_due,
    sync_deadlines,
)
from certgov.cases.errors import GuardFailed
from certgov.cases.events import record_event
from certgov.cases.guards import EffectContext, GuardContext
from certgov.cases.models import Case, CaseDeadline, CaseEvent
from certgov.clock import china_date
from certgov.context import Context
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.findings.models import Finding
from certgov.history.dates import StatedDate, state_date
from certgov.jurisdictions import BY_CODE, NATIONAL
from certgov.parties.models import Party, PartyKind
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime, RuleSet
from certgov.store.engine import stale_write_is_conflict
from certgov.text import Term, Text
from certgov.workflow import clocks
from certgov.workflow.definition import SYSTEM_ROLE, DeadlineDef, ProcessDef, TransitionDef


@dataclass(frozen=True)
class OpenCase:
    process_id: str
    #: A Text (template and parameters) when the system names the case, so that pages say the
    #: title in the reader's language; a person's own words as they are.
    title: str | Text
    subject_party_id: int | None = None
    jurisdiction: str | None = None
    relevant_date: dt.date | None = None
    data: Mapping[str, Any] | None = None
    #: SYS-8: the case began earlier in the real world (a decision taken on paper), as an
    #: official stated: its deadlines count from then.
    stated: StatedDate | None = None


def process_of(ctx: Context, process_id: str) -> ProcessDef:
    try:
        return ctx.processes[process_id]
    except KeyError:
        raise NotFound(
            "no process {process!r}",
            hint="known: {known}",
            process=process_id,
            known=", ".join(sorted(ctx.processes)),
        ) from None


def _role_allowed(actor: Actor, roles: frozenset[str]) -> bool:
    if actor.kind is ActorKind.SYSTEM:
        return SYSTEM_ROLE in roles
    return actor.role.value in roles


def _rule_set_of(ctx: Context, case: Case, process: ProcessDef) -> RuleSet:
    for rule_set_id in case.rule_set_ids:
        rule_set = ctx.rule_sets.get(rule_set_id)
        if rule_set is not None and rule_set.regime == process.regime:
            return rule_set
    raise NotFound(
        "case {case} was judged under {rule_sets}, which are not loaded",
        case=case.id,
        rule_sets=str(case.rule_set_ids),
    )


def _check_guards(
    ctx: Context,
    names: tuple[str, ...],
    actor: Actor,
    data: Mapping[str, Any],
    payload: Mapping[str, Any],
    rule_set: RuleSet,
    assignee: int | None,
    *,
    session: Session | None = None,
    subject_party_id: int | None = None,
) -> None:
    reasons: list[str | Text] = []
    for name in names:
        guard_name, _, argument = name.partition(":")
        outcome = ctx.hooks.guards[guard_name](
            GuardContext(
                actor=actor,
                data=data,
                payload=payload,
                rule_set=rule_set,
                calendar=ctx.calendar,
                now=ctx.clock.now(),
                assignee_party_id=assignee,
                argument=argument or None,
                session=session,
                subject_party_id=subject_party_id,
            )
        )
        if outcome is not None:
            reasons.append(outcome)
    if reasons:
        raise GuardFailed.of(reasons)


def open_case(session: Session, ctx: Context, actor: Actor, new: OpenCase) -> Case:
    process = process_of(ctx, new.process_id)
    if not _role_allowed(actor, process.openers):
        raise Forbidden(
            "a {role} may not open a {process} case",
            role=Term("role", actor.role),
            process=Term("message", process.title),
        )
    title = str(new.title).strip()[:300]
    if not title:
        raise InvalidInput("a case needs a title")
    subject_id = new.subject_party_id
    if actor.role in PARTY_ROLES and actor.kind is not ActorKind.SYSTEM:
        if subject_id is None:
            subject_id = actor.party_id
        if subject_id != actor.party_id:
            raise Forbidden("you may open cases only for your own organisation")
    jurisdiction = new.jurisdiction
    if subject_id is not None:
        party = session.get(Party, subject_id)
        if party is None:
            raise NotFound("no party with id {party}", party=subject_id)
        if jurisdiction is None:
            jurisdiction = party.home_province or NATIONAL
        if party.kind is PartyKind.FOREIGN_CA and jurisdiction != NATIONAL:
            raise InvalidInput("cases about a foreign CA are national")
    jurisdiction = jurisdiction or NATIONAL
    if jurisdiction not in BY_CODE:
        raise InvalidInput("unknown jurisdiction {jurisdiction!r}", jurisdiction=jurisdiction)
    if not actor.covers(jurisdiction) and actor.role not in PARTY_ROLES:
        raise Forbidden(
            "jurisdiction {jurisdiction} is outside your scope ({scope})",
            jurisdiction=Term("jurisdiction", jurisdiction),
            scope=Term("jurisdiction", actor.jurisdiction),
        )
    now = ctx.clock.now()
    relevant = new.relevant_date or china_date(now)
    rule_set = in_force(session, ctx.rule_sets, Regime(process.regime), relevant)
    missing = sorted(p for p in process.periods() if p not in rule_set)
    if missing:
        raise InvalidInput(
            "rule set {rule_set} lacks the period(s) {periods} that process {process} needs",
            rule_set=rule_set.id,
            periods=", ".join(missing),
            process=process.id,
        )
    data = dict(new.data or {})
    _check_guards(
        ctx,
        process.open_guards,
        actor,
        data,
        {},
        rule_set,
        None,
        session=session,
        subject_party_id=subject_id,
    )
    case = Case(
        process_id=process.id,
        process_digest=process.digest,
        title=title,
        title_text=new.title.stored() if isinstance(new.title, Text) else None,
        state=process.initial,
        closed=False,
        subject_party_id=subject_id,
        jurisdiction=jurisdiction,
        relevant_date=relevant,
        rule_set_ids=[rule_set.id],
        data=data,
        opened_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    record_event(
        session,
        ctx,
        case,
        actor,
        now,
        "opened",
        to_state=case.state,
        details={"rule_sets": case.rule_set_ids, "process_digest": process.digest},
        stated=new.stated,
    )
    sync_deadlines(
        session,
        ctx,
        case,
        process,
        rule_set,
        actor,
        now,
        new.stated.instant if new.stated is not None else None,
    )
    session.flush()
    return case


def get_case(session: Session, ctx: Context, actor: Actor, case_id: int) -> Case:
    """A case the actor may see. A provincial regulator is told that a case of another
    province is outside its jurisdiction (officials share one system, ECS-4.3); to anyone
    else an invisible case is reported as not found (no leak)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("no case with id {case}", case=case_id)
    if not access.can_view(actor, case, process_of(ctx, case.process_id).regime):
        if actor.role is Role.PROVINCIAL_REGULATOR:
            where = BY_CODE.get(case.jurisdiction)
            # English names the province by code and name; a page by its name alone.
            english = f"{case.jurisdiction} ({where.name_en})" if where is not None else None
            raise Forbidden(
                "case {case} belongs to jurisdiction {jurisdiction}, outside your "
                "jurisdiction ({scope})",
                case=case_id,
                jurisdiction=Term("jurisdiction", case.jurisdiction, english=english),
                scope=Term("jurisdiction", actor.jurisdiction),
            )
        raise NotFound("no case with id {case}", case=case_id)
    return case


def list_cases(
    session: Session,
    ctx: Context,
    actor: Actor,
    *,
    process_id: str | None = None,
    state: str | None = None,
    open_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[Case]:
    app_processes = {p.id for p in ctx.processes.values() if p.regime == Regime.APP}
    query = select(Case).where(access.visible_cases(actor, app_processes))
    if process_id is not None:
        query = query.where(Case.process_id == process_id)
    if state is not None:
        query = query.where(Case.state == state)
    if open_only:
        query = query.where(Case.closed.is_(False))
    query = query.order_by(Case.id.desc()).limit(min(max(limit, 1), 500)).offset(max(offset, 0))
    return list(session.scalars(query))


def state_title(process: ProcessDef, state: str) -> str:
    """A state of ``process`` for a reader: its title (a message of the catalogues), or the
    code of a state the definition no longer has."""
    found = process.states.get(state)
    return Term("message", found.title) if found is not None else state


def _check_version(ctx: Context, case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            "case {case} changed since you loaded it (you acted on version {expected}, it is "
            "now at version {version}, state {state!r})",
            hint="reload the case and decide again",
            details={"current_version": case.version, "current_state": case.state},
            case=case.id,
            expected=expected_version,
            version=case.version,
            state=state_title(process_of(ctx, case.process_id), case.state),
        )


def available_transitions(ctx: Context, actor: Actor, case: Case) -> list[TransitionDef]:
    process = process_of(ctx, case.process_id)
    return [t for t in process.transitions_from(case.state) if _role_allowed(actor, t.roles)]


def transition(
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    name: str,
    *,
    expected_version: int | None,
    reason: str | None = None,
    payload: Mapping[str, Any] | None = None,
    stated_on: object = None,
) -> Case:
    """Take transition ``name`` of the case. An official may give ``stated_on``, the day it
    took effect in the real world (SYS-8: a report that arrived by post, a decision taken on
    paper): the history keeps it beside the time it was entered, and the deadlines the
    transition starts count from it."""
    case = get_case(session, ctx, actor, case_id)
    process = process_of(ctx, case.process_id)
    spec = process.transitions.get(name)
    if spec is None:
        raise InvalidInput(
            "process {process} has no transition {transition!r}",
            hint="transitions: {transitions}",
            process=process.id,
            transition=name,
            transitions=", ".join(sorted(process.transitions)),
        )
    if not _role_allowed(actor, spec.roles):
        raise Forbidden(
            "a {role} may not {action} (allowed: {roles})",
            role=Term("role", actor.role),
            action=Term("message", spec.title),
            roles=", ".join(sorted(spec.roles)),
        )
    _check_version(ctx, case, expected_version)
    if case.state not in spec.sources:
        raise Conflict(
            "{action!r} is not possible in state {state!r} (it starts from {sources})",
            action=Term("message", spec.title),
            state=state_title(process, case.state),
            sources=", ".join(sorted(spec.sources)),
        )
    reason = (reason or "").strip() or None
    if spec.reason_required and reason is None:
        raise InvalidInput(
            "{action!r} needs a reason, recorded in the case history",
            action=Term("message", spec.title),
        )
    rule_set = _rule_set_of(ctx, case, process)
    payload = dict(payload or {})
    _check_guards(
        ctx,
        spec.guards,
        actor,
        case.data,
        payload,
        rule_set,
        case.assignee_party_id,
        session=session,
        subject_party_id=case.subject_party_id,
    )
    now = ctx.clock.now()
    stated = (
        state_date(
            stated_on,
            "stated_on",
            actor=actor,
            now=now,
            rule_set=rule_set,
            not_before=china_date(case.opened_at),
            what=f"case {case.id}",
        )
        if stated_on is not None
        else None
    )
    data = dict(case.data)
    data.update(payload)
    for effect in spec.effects:
        data_effect = ctx.hooks.data_effects.get(effect)
        if data_effect is not None:
            data_effect(EffectContext(actor, data, spec.name, reason, now))
    with stale_write_is_conflict(f"case {case.id}"):
        before = case.state
        case.state = spec.target
        case.data = data
        case.updated_at = now
        if process.states[spec.target].final:
            case.closed = True
            case.closed_at = now
        record_event(
            session,
            ctx,
            case,
            actor,
            now,
            "transition",
            transition=spec.name,
            from_state=before,
            to_state=spec.target,
            reason=reason,
            details={"payload": payload} if payload else None,
            stated=stated,
        )
        sync_deadlines(
            session,
            ctx,
            case,
            process,
            rule_set,
            actor,
            now,
            stated.instant if stated is not None else None,
        )
        session.flush()
        for effect in spec.effects:
            domain_effect = ctx.hooks.case_effects.get(effect)
            if domain_effect is not None:
                domain_effect(session, ctx, actor, case, reason)
        session.flush()
    return case


def annotate(
    session: Session,
    ctx: Context,
    actor: Actor,
    case: Case,
    kind: str,
    *,
    changes: Mapping[str, Any],
    expected_version: int | None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> Case:
    """Change a case's data without moving it (a reviewer's judgement on one item, say): the
    change bumps the version, and is recorded in the history and the audit log (SYS-1)."""
    _check_version(ctx, case, expected_version)
    if case.closed:
        raise Conflict(
            "case {case} is closed ({state}); it can no longer change",
            case=case.id,
            state=state_title(process_of(ctx, case.process_id), case.state),
        )
    with stale_write_is_conflict(f"case {case.id}"):
        now = ctx.clock.now()
        case.data = {**case.data, **changes}
        case.updated_at = now
        record_event(session, ctx, case, actor, now, kind, reason=reason, details=details)
        session.flush()
    return case


def extend_deadline(
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    deadline: str,
    *,
    amount: int,
    reason: str,
    expected_version: int | None,
) -> CaseDeadline:
    """Extend a running or stopped deadline, with a recorded reason (SYS-1)."""
    case = get_case(session, ctx, actor, case_id)
    process = process_of(ctx, case.process_id)
    try:
        spec: DeadlineDef = process.deadline(deadline)
    except KeyError:
        raise NotFound(
            "process {process} has no deadline {deadline!r}", process=process.id, deadline=deadline
        ) from None
    if not _role_allowed(actor, spec.extendable_by):
        raise Forbidden(
            "a {role} may not extend the {deadline} deadline",
            role=Term("role", actor.role),
            deadline=Term("message", spec.title),
        )
    _check_version(ctx, case, expected_version)
    if not reason.strip():
        raise InvalidInput("an extension needs a reason, recorded in the case history")
    row = session.scalar(
        select(CaseDeadline).where(CaseDeadline.case_id == case.id, CaseDeadline.name == deadline)
    )
    if row is None:
        raise Conflict(
            "the {deadline} deadline has not started", deadline=Term("message", spec.title)
        )
    with stale_write_is_conflict(f"case {case.id}"):
        before = row.due_on
        store_clock(row, clocks.extend(ctx.calendar, clock_of(row), amount))
        with session.no_autoflush:
            others = session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case.id))
            store_next_due(session, case, list(others))
        now = ctx.clock.now()
        case.updated_at = now  # bumps the version: the case changed
        record_event(
            session,
            ctx,
            case,
            actor,
            now,
            "deadline_extended",
            reason=reason.strip(),
            details={
                **clock_details(row),
                "by": amount,
                "due_before": before.isoformat() if before else None,
            },
        )
        session.flush()
    return row


def history(session: Session, case: Case) -> list[CaseEvent]:
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
    )


def deadlines(session: Session, case: Case) -> list[CaseDeadline]:
    return list(
        session.scalars(
            select(CaseDeadline).where(CaseDeadline.case_id == case.id).order_by(CaseDeadline.id)
        )
    )


def findings_of(session: Session, case: Case) -> list[Finding]:
    return list(
        session.scalars(select(Finding).where(Finding.case_id == case.id).order_by(Finding.id))
    )


def stated_transition(session: Session, case: Case) -> StatedDate | None:
    """The date of record of the case's latest transition, when an official stated one
    (SYS-8): a domain effect dates its own records from it."""
    event = session.scalar(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "transition")
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
    if event is None or event.effective_at is None or event.stated_by is None:
        return None
    return StatedDate(china_date(event.effective_at), event.stated_by, event.at)
