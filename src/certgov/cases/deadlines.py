"""A case's deadline clocks (SYS-1): started, stopped, restarted and ended with its state, counted from a stated date when there is one (SYS-8), and each case's nearest due day kept on the case for the work queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from certgov.actors import Actor
from certgov.cases.events import record_event
from certgov.cases.models import Case, CaseDeadline
from certgov.context import Context
from certgov.rules.model import Duration, RuleSet
from certgov.workflow import clocks
from certgov.workflow.clocks import ClockState, ClockStatus
from certgov.workflow.definition import ProcessDef


def clock_of(row: CaseDeadline) -> ClockState:
    return ClockState(
        period=Duration.parse(row.period),
        status=ClockStatus(row.status),
        started_at=row.started_at,
        due_at=row.due_at,
        due_on=row.due_on,
        nominal_due=row.nominal_due,
        remaining=row.remaining,
        extension=row.extension,
        warnings=tuple(row.warnings),
    )


def store_clock(row: CaseDeadline, clock: ClockState) -> None:
    row.status = clock.status.value
    row.due_at = clock.due_at
    row.due_on = clock.due_on
    row.nominal_due = clock.nominal_due
    row.remaining = clock.remaining
    row.extension = clock.extension
    row.warnings = list(clock.warnings)


def clock_details(row: CaseDeadline) -> dict[str, Any]:
    return {
        "deadline": row.name,
        "period": row.period,
        "rule_set": row.rule_set_id,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "remaining": row.remaining,
        "extension": row.extension,
        "warnings": list(row.warnings),
    }


def store_next_due(session: Session, case: Case, rows: Iterable[CaseDeadline]) -> None:
    """Keep ``case.next_due_on`` (the day its nearest running deadline falls due) in step with
    its deadline ``rows``: written straight to the row, so the case's version is not bumped a
    second time (what the case's clocks do is recorded by the caller's own change)."""
    due = min(
        (r.due_on for r in rows if r.status == ClockStatus.RUNNING and r.due_on is not None),
        default=None,
    )
    loaded = inspect(case).dict
    if "next_due_on" in loaded and loaded["next_due_on"] == due:
        return
    table = Case.metadata.tables[Case.__tablename__]
    with session.no_autoflush:
        session.execute(update(table).where(table.c.id == case.id).values(next_due_on=due))
    set_committed_value(case, "next_due_on", due)


def next_due_of_cases() -> Any:
    """``cases.next_due_on`` as read from the deadlines: the earliest running due day."""
    return (
        select(func.min(CaseDeadline.due_on))
        .where(
            CaseDeadline.case_id == Case.id,
            CaseDeadline.status == ClockStatus.RUNNING,
            CaseDeadline.due_on.is_not(None),
        )
        .correlate(Case)
        .scalar_subquery()
    )


def refresh_next_due(session: Session, case_ids: Sequence[int]) -> None:
    """Set again ``cases.next_due_on`` of ``case_ids`` from their deadlines: for work that
    changes deadlines in bulk (the sweep's expiries) instead of through :func:`sync_deadlines`."""
    table = Case.metadata.tables[Case.__tablename__]
    ids = sorted(set(case_ids))
    for first in range(0, len(ids), 5_000):
        session.execute(
            update(table)
            .where(table.c.id.in_(ids[first : first + 5_000]))
            .values(next_due_on=next_due_of_cases())
        )


def sync_deadlines(
    session: Session,
    ctx: Context,
    case: Case,
    process: ProcessDef,
    rule_set: RuleSet,
    actor: Actor,
    at: dt.datetime,
    effective: dt.datetime | None = None,
) -> None:
    """Start, stop, restart or end each deadline clock for the case's new state: at ``at``,
    or at ``effective`` when the change took effect earlier (SYS-8: deadlines count from a
    stated date); the history lines are entered at ``at``."""
    when = effective or at
    rows = {
        row.name: row
        for row in session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case.id))
    }
    state = case.state
    final = process.states[state].final
    for spec in process.deadlines:
        row = rows.get(spec.name)
        active = row is not None and row.status in (ClockStatus.RUNNING, ClockStatus.PAUSED)
        if row is not None and active and (final or state in spec.ends_in):
            store_clock(row, clocks.meet(clock_of(row)))
            row.ended_at = when
            record_event(session, ctx, case, actor, at, "deadline_met", details=clock_details(row))
        elif row is not None and row.status == ClockStatus.RUNNING and state in spec.paused_in:
            store_clock(row, clocks.pause(ctx.calendar, clock_of(row), when))
            record_event(
                session, ctx, case, actor, at, "deadline_stopped", details=clock_details(row)
            )
        elif row is not None and row.status == ClockStatus.PAUSED and state not in spec.paused_in:
            store_clock(row, clocks.resume(ctx.calendar, clock_of(row), when))
            record_event(
                session, ctx, case, actor, at, "deadline_restarted", details=clock_details(row)
            )
        elif row is None and state in spec.starts_in and not final:
            period = rule_set.duration(spec.period)
            clock = clocks.start(ctx.calendar, period, when)
            row = CaseDeadline(
                case_id=case.id,
                name=spec.name,
                period=str(period),
                rule_set_id=rule_set.id,
                started_at=when,
                extension=0,
            )
            store_clock(row, clock)
            session.add(row)
            record_event(
                session, ctx, case, actor, at, "deadline_started", details=clock_details(row)
            )
            rows[spec.name] = row
    store_next_due(session, case, rows.values())
