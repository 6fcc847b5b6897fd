"""The officials' work queue (SYS-1, SYS-6): the cases an official may see, filtered by process,
state, province, party, assigned official and deadline, sorted by the nearest running
deadline, with counts per filter value; and the assignment of a case to an official of the
competent authority ("my cases").

A fixed number of queries whatever the number of cases: the page of cases, its total, and one
grouped count per filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from certgov.actors import Actor, ActorKind, Role
from certgov.cases import access
from certgov.cases import services as cases
from certgov.cases.models import Case, CaseDeadline
from certgov.clock import china_date
from certgov.context import Context
from certgov.errors import Forbidden, InvalidInput, NotFound
from certgov.identity.models import User
from certgov.identity.services import user_actor
from certgov.rules.model import Regime
from certgov.workflow.clocks import ClockStatus

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


def _nearest_due() -> Any:
    """Per open case, the day its nearest running deadline falls due."""
    return (
        select(CaseDeadline.case_id, func.min(CaseDeadline.due_on).label("due_on"))
        .where(CaseDeadline.status == ClockStatus.RUNNING, CaseDeadline.due_on.is_not(None))
        .group_by(CaseDeadline.case_id)
        .subquery()
    )


def _conditions(
    ctx: Context, actor: Actor, flt: QueueFilter, due: Any, today: dt.date, skip: str = ""
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
        where.append(due.c.due_on < today)
    if flt.due_within is not None and skip != "due_within":
        limit = ctx.calendar.add_business_days(today, flt.due_within).due
        where.append(due.c.due_on <= limit)
    return where


def _base(due: Any) -> Select[Any]:
    return select(Case).outerjoin(due, due.c.case_id == Case.id)


def check_filter(ctx: Context, flt: QueueFilter) -> None:
    """Refuse filter values that name nothing (a process, an assignment, a range)."""
    if flt.process_id and flt.process_id not in ctx.processes:
        raise InvalidInput(f"no process {flt.process_id!r}", details={"field": "process"})
    if flt.assigned not in (None, "me", "unassigned"):
        raise InvalidInput("assigned: me or unassigned", details={"field": "assigned"})
    if flt.due_within is not None and not 0 <= flt.due_within <= MAX_DUE_WITHIN:
        raise InvalidInput(
            f"due within: 0 to {MAX_DUE_WITHIN} business days", details={"field": "due_within"}
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
    total = session.scalar(
        select(func.count())
        .select_from(Case)
        .outerjoin(due, due.c.case_id == Case.id)
        .where(*where)
    )
    query = (
        select(Case, due.c.due_on, User.display_name)
        .outerjoin(due, due.c.case_id == Case.id)
        .outerjoin(User, User.id == Case.assigned_user_id)
        .where(*where)
        .order_by(due.c.due_on.is_(None), due.c.due_on, Case.id.desc())
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
    counts: dict[str, dict[str, int]] = {}
    for name, column in (
        ("process", Case.process_id),
        ("state", Case.state),
        ("province", Case.jurisdiction),
        ("party", Case.subject_party_id),
    ):
        grouped = (
            select(column, func.count())
            .select_from(Case)
            .outerjoin(due, due.c.case_id == Case.id)
            .where(*_conditions(ctx, actor, flt, due, today, skip=name))
            .group_by(column)
        )
        counts[name] = {str(key): int(n) for key, n in session.execute(grouped)}
    flags = _conditions(
        ctx, actor, replace(flt, overdue=False, due_within=None, assigned=None), due, today
    )
    soon = ctx.calendar.add_business_days(today, flt.due_within or 5).due
    mine = Case.assigned_user_id == (actor.user_id or -1)
    overdue_n, soon_n, mine_n, unassigned_n = session.execute(
        select(
            func.count().filter(due.c.due_on < today),
            func.count().filter(and_(due.c.due_on >= today, due.c.due_on <= soon)),
            func.count().filter(mine),
            func.count().filter(Case.assigned_user_id.is_(None)),
        )
        .select_from(Case)
        .outerjoin(due, due.c.case_id == Case.id)
        .where(*flags)
    ).one()
    counts["flags"] = {
        "overdue": int(overdue_n),
        "due_soon": int(soon_n),
        "mine": int(mine_n),
        "unassigned": int(unassigned_n),
    }
    return Queue(rows=rows, total=int(total or 0), page=page, page_size=page_size, counts=counts)


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
        raise Forbidden(f"a {actor.role} may not assign cases")
    case = cases.get_case(session, ctx, actor, case_id)
    before = case.assigned_user_id
    assignee: User | None = None
    if user_id is not None:
        assignee = session.get(User, user_id)
        if assignee is None or not assignee.active:
            raise NotFound(f"no active official with id {user_id}")
        if assignee.id not in {u.id for u in assignable_officials(session, ctx, actor, case)}:
            raise InvalidInput(
                f"{assignee.display_name} may not handle case {case.id}",
                hint="assign an official of the competent authority who can see the case",
                details={"field": "user_id"},
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
