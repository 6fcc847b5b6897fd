"""The officials' work queue (SYS-1, SYS-6): the cases an official may see, filtered by process,
state, province, party, assigned official and deadline, sorted by the nearest running
deadline, with counts per filter value; and the assignment of a case to an official of the
competent authority ("my cases").

A fixed number of queries whatever the number of cases: the page of cases, and one grouped
count from which the total and the counts per filter value are worked out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from certgov.actors import Actor, ActorKind, Role
from certgov.cases import access
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.errors import Forbidden, InvalidInput, NotFound
from certgov.identity.models import User
from certgov.identity.services import user_actor
from certgov.rules.model import Regime
from certgov.text import Term

#: Roles that handle cases for an authority and so may be assigned one.
HANDLING_ROLES = frozenset(
    {Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CERTIFICATION_BODY}
)
MAX_PAGE_SIZE = 200
#: How far ahead "due within N business days" may look.
MAX_DUE_WITHIN = 250


@dataclass(frozen=True)
class QueueFilter:
    """What an official asks the queue for; every field is optional."""

    process_id: str | None = None
    state: str | None = None
    province: str | None = None
    party_id: int | None = None
    #: ``"me"``, ``"unassigned"`` or None (anyone).
    assigned: str | None = None
    overdue: bool = False
    #: Cases with a running deadline due within this many business days (today included).
    due_within: int | None = None
    include_closed: bool = False


@dataclass(frozen=True)
class QueueRow:
    case: Case
    #: The nearest running deadline of the case, if any.
    due_on: dt.date | None
    #: Business days from today to ``due_on`` (negative when overdue).
    days_left: int | None
    assigned_to: str | None


@dataclass
class Queue:
    rows: list[QueueRow]
    total: int
    page: int
    page_size: int
    #: Counts per filter value, under the other filters: ``counts["state"]["opened"] == 3``.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _app_processes(ctx: Context) -> set[str]:
    return {p.id for p in ctx.processes.values() if p.regime == Regime.APP}


def business_days_left(ctx: Context, today: dt.date, due: dt.date) -> int:
    """Business days from ``today`` to ``due``: positive ahead, 0 today, negative after."""
    if due >= today:
        return ctx.calendar.business_days_between(today, due)
    return -ctx.calendar.business_days_between(due, today)


def _nearest_due() -> ColumnElement[Any]:
    """Per case, the day its nearest running deadline falls due: stored on the case where its
    clocks change (cases.services, the sweep's expiries included)."""
    return Case.next_due_on.expression


def _conditions(
    ctx: Context,
    actor: Actor,
    flt: QueueFilter,
    due: ColumnElement[Any],
    today: dt.date,
    skip: str = "",
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [access.visible_cases(actor, _app_processes(ctx))]
    if not flt.include_closed:
        where.append(Case.closed.is_(False))
    if flt.process_id and skip != "process":
        where.append(Case.process_id == flt.process_id)
    if flt.state and skip != "state":
        where.append(Case.state == flt.state)
    if flt.province and skip != "province":
        where.append(Case.jurisdiction == flt.province)
    if flt.party_id is not None and skip != "party":
        where.append(Case.subject_party_id == flt.party_id)
    if flt.assigned == "me" and skip != "assigned":
        where.append(Case.assigned_user_id == (actor.user_id or -1))
    elif flt.assigned == "unassigned" and skip != "assigned":
        where.append(Case.assigned_user_id.is_(None))
    if flt.overdue and skip != "overdue":
        where.append(due < today)
    if flt.due_within is not None and skip != "due_within":
        limit = ctx.calendar.add_business_days(today, flt.due_within).due
        where.append(due <= limit)
    return where


def check_filter(ctx: Context, flt: QueueFilter) -> None:
    """Refuse filter values that name nothing (a process, an assignment, a range)."""
    if flt.process_id and flt.process_id not in ctx.processes:
        raise InvalidInput(
            "no process {process!r}", details={"field": "process"}, process=flt.process_id
        )
    if flt.assigned not in (None, "me", "unassigned"):
        raise InvalidInput("assigned: me or unassigned", details={"field": "assigned"})
    if flt.due_within is not None and not 0 <= flt.due_within <= MAX_DUE_WITHIN:
        raise InvalidInput(
            "due within: 0 to {most} business days",
            details={"field": "due_within"},
            most=MAX_DUE_WITHIN,
        )


def work_queue(
    session: Session,
    ctx: Context,
    actor: Actor,
    flt: QueueFilter,
    *,
    page: int = 1,
    page_size: int = 25,
) -> Queue:
    """The page ``page`` of the cases ``actor`` may see matching ``flt``, nearest deadline
    first (cases without a running deadline last, newest first), with the counts per filter
    value under the other filters (SYS-6: only visible cases are counted)."""
    check_filter(ctx, flt)
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    today = china_date(ctx.clock.now())
    due = _nearest_due()
    where = _conditions(ctx, actor, flt, due, today)
    query = (
        select(Case, due, User.display_name)
        .outerjoin(User, User.id == Case.assigned_user_id)
        .where(*where)
        .order_by(due.is_(None), due, Case.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = [
        QueueRow(
            case=case,
            due_on=due_on,
            days_left=business_days_left(ctx, today, due_on) if due_on is not None else None,
            assigned_to=assigned_to,
        )
        for case, due_on, assigned_to in session.execute(query)
    ]
    total, counts = _counts(session, ctx, actor, flt, due, today)
    return Queue(rows=rows, total=total, page=page, page_size=page_size, counts=counts)


def _counts(
    session: Session,
    ctx: Context,
    actor: Actor,
    flt: QueueFilter,
    due: ColumnElement[Any],
    today: dt.date,
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total under ``flt`` and the counts per filter value under the other filters, worked
    out in Python from the visible cases grouped by the filtered columns and the stored
    nearest due day: one read of the ``ix_cases_queue`` index, in its order."""
    soon = ctx.calendar.add_business_days(today, flt.due_within or 5).due
    within = (
        ctx.calendar.add_business_days(today, flt.due_within).due
        if flt.due_within is not None
        else None
    )
    me = actor.user_id or -1
    columns = (
        Case.process_id,
        Case.state,
        Case.jurisdiction,
        Case.subject_party_id,
        Case.assigned_user_id,
    )
    visible = _conditions(ctx, actor, QueueFilter(include_closed=flt.include_closed), due, today)
    stored = (
        (Case.closed, *columns, Case.next_due_on)
        if flt.include_closed
        else (*columns, Case.next_due_on)
    )
    groups = [
        tuple(row)[-7:]
        for row in session.execute(select(*stored, func.count()).where(*visible).group_by(*stored))
    ]
    names = ("process", "state", "province", "party")
    counts: dict[str, dict[str, int]] = {name: {} for name in names}
    flag_counts = {"overdue": 0, "due_soon": 0, "mine": 0, "unassigned": 0}
    total = 0
    for process_id, state, province, party, assigned, due_on, n in groups:
        values = (process_id, state, province, party)
        mine = assigned == me
        unassigned = assigned is None
        overdue = due_on is not None and due_on < today
        due_soon = due_on is not None and today <= due_on <= soon
        # Whether the group passes each filter: the four columns, then the others.
        passes = (
            not flt.process_id or process_id == flt.process_id,
            not flt.state or state == flt.state,
            not flt.province or province == flt.province,
            flt.party_id is None or party == flt.party_id,
        )
        rest = (
            (flt.assigned != "me" or mine)
            and (flt.assigned != "unassigned" or unassigned)
            and (not flt.overdue or overdue)
            and (within is None or (due_on is not None and due_on <= within))
        )
        n = int(n)
        if all(passes):
            flag_counts["overdue"] += n if overdue else 0
            flag_counts["due_soon"] += n if due_soon else 0
            flag_counts["mine"] += n if mine else 0
            flag_counts["unassigned"] += n if unassigned else 0
            if rest:
                total += n
        if not rest:
            continue
        for i, name in enumerate(names):
            if all(passes[j] for j in range(4) if j != i):
                key = str(values[i])
                counts[name][key] = counts[name].get(key, 0) + n
    counts["flags"] = flag_counts
    return total, counts


def _may_assign(actor: Actor) -> bool:
    return actor.kind is ActorKind.SYSTEM or actor.role in HANDLING_ROLES


def assignable_officials(session: Session, ctx: Context, actor: Actor, case: Case) -> list[User]:
    """The active officials of the competent authority who may handle ``case``: regulators
    who may see it for a CA case, the certification body's officers for an app case."""
    if not _may_assign(actor):
        return []
    regime = cases.process_of(ctx, case.process_id).regime
    roles = (
        [Role.CERTIFICATION_BODY]
        if regime == Regime.APP
        else [Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR]
    )
    users = session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_(roles))
        .where(
            or_(
                User.role != Role.PROVINCIAL_REGULATOR,
                User.jurisdiction == case.jurisdiction,
            )
        )
        .order_by(User.display_name, User.id)
        .limit(500)
    )
    return [u for u in users if access.can_view(user_actor(u), case, regime)]


def assign_case(
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    user_id: int | None,
    *,
    expected_version: int | None,
    reason: str | None = None,
) -> Case:
    """Assign the case to an official of the competent authority (None: unassign). Only the
    handling authorities assign (regulators, the certification body), within what they may
    see; the assignee must be able to see the case too. Recorded in the history (SYS-1)."""
    if not _may_assign(actor):
        raise Forbidden("a {role} may not assign cases", role=Term("role", actor.role))
    case = cases.get_case(session, ctx, actor, case_id)
    before = case.assigned_user_id
    assignee: User | None = None
    if user_id is not None:
        assignee = session.get(User, user_id)
        if assignee is None or not assignee.active:
            raise NotFound("no active official with id {user}", user=user_id)
        if assignee.id not in {u.id for u in assignable_officials(session, ctx, actor, case)}:
            raise InvalidInput(
                "{official} may not handle case {case}",
                hint="assign an official of the competent authority who can see the case",
                details={"field": "user_id"},
                official=assignee.display_name,
                case=case.id,
            )
    case.assigned_user_id = user_id
    cases.annotate(
        session,
        ctx,
        actor,
        case,
        "assigned",
        changes={},
        expected_version=expected_version,
        reason=reason,
        details={
            "assigned_user_id": user_id,
            "assigned_to": assignee.display_name if assignee else None,
            "before": before,
        },
    )
    return case
