"""Deadline clocks: start, stop (pause), restart, extend — pure arithmetic (SYS-1, APP-6, ECS-2.2).

A clock counts a period of the case's rule set: calendar days, business days (official
mainland China calendar), hours, months or years. The day a clock starts is not counted (the
Chinese legal convention); a calendar-day period whose last day is not a business day ends on
the next business day. While a case is in a state that pauses the clock (for example
"awaiting documents from the applicant", ESL Art. 18 practice), the remaining time is frozen:
it is recorded when the clock stops and counted again from the day it restarts.

Every clock has ``due_at``: the instant it passes (the end of the due day in China time, or
the exact instant for hour periods), which the sweep compares against now.
"""

from __future__ import annotations

import calendar as _gregorian
import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from certgov.clock import CHINA_TZ, china_date
from certgov.errors import Conflict, InvalidInput
from certgov.rules.model import Duration, DurationUnit
from certgov.text import Term


class CalendarResult(Protocol):
    @property
    def due(self) -> dt.date: ...

    @property
    def warnings(self) -> tuple[str, ...]: ...


class WorkingCalendar(Protocol):
    def add_business_days(self, start: dt.date, days: int) -> CalendarResult: ...

    def add_calendar_days(
        self, start: dt.date, days: int, *, roll_to_business_day: bool = True
    ) -> CalendarResult: ...

    def business_days_between(self, start: dt.date, end: dt.date) -> int: ...


class ClockStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ClockState:
    """The state of one deadline clock.

    ``remaining`` is set while paused, in the period's counting unit: business days for
    business-day periods, seconds for hour periods, calendar days otherwise.
    ``nominal_due`` is the due date before rolling to a business day.
    """

    period: Duration
    status: ClockStatus
    started_at: dt.datetime
    due_at: dt.datetime | None
    due_on: dt.date | None
    nominal_due: dt.date | None
    remaining: int | None = None
    extension: int = 0
    warnings: tuple[str, ...] = ()


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a period ending on ``day`` passes: midnight after it, China time, in UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), CHINA_TZ).astimezone(dt.UTC)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, _gregorian.monthrange(year, month)[1]))


def date_after(day: dt.date, period: Duration) -> dt.date:
    """The calendar date ``period`` after ``day``, not moved off holidays: for validity and
    retention periods, which are not procedural deadlines (a licence valid for 5 years from
    2025-03-01 runs to 2030-03-01 whatever day of the week that is). Months and years keep the
    day of the month (clamped to the month's last day); business days and hours are refused."""
    if period.unit in (DurationUnit.MONTHS, DurationUnit.YEARS):
        months = period.amount * (12 if period.unit is DurationUnit.YEARS else 1)
        return _add_months(day, months)
    if period.unit is DurationUnit.CALENDAR_DAYS:
        return day + dt.timedelta(days=period.amount)
    raise InvalidInput("{period} is not a period of calendar dates", period=str(period))


def date_before(day: dt.date, period: Duration) -> dt.date:
    """The calendar date ``period`` before ``day`` (a renewal lead before expiry)."""
    if period.unit in (DurationUnit.MONTHS, DurationUnit.YEARS):
        months = period.amount * (12 if period.unit is DurationUnit.YEARS else 1)
        return _add_months(day, -months)
    if period.unit is DurationUnit.CALENDAR_DAYS:
        return day - dt.timedelta(days=period.amount)
    raise InvalidInput("{period} is not a period of calendar dates", period=str(period))


def _days_after(
    cal: WorkingCalendar, unit: DurationUnit, start: dt.date, amount: int
) -> tuple[dt.date, dt.date, tuple[str, ...]]:
    """(nominal due, effective due, warnings) of ``amount`` counting units after ``start``."""
    if unit is DurationUnit.BUSINESS_DAYS:
        result = cal.add_business_days(start, amount)
        return result.due, result.due, result.warnings
    nominal = start + dt.timedelta(days=amount)
    rolled = cal.add_calendar_days(start, amount)
    return nominal, rolled.due, rolled.warnings


def _roll(cal: WorkingCalendar, nominal: dt.date) -> tuple[dt.date, tuple[str, ...]]:
    rolled = cal.add_calendar_days(nominal, 0)
    return rolled.due, rolled.warnings


def start(cal: WorkingCalendar, period: Duration, at: dt.datetime) -> ClockState:
    """Start a clock at instant ``at`` (timezone-aware). Requires ``period.amount >= 0``."""
    if period.amount < 0:
        raise InvalidInput("a deadline period cannot be negative ({period})", period=str(period))
    if period.unit is DurationUnit.HOURS:
        due_at = at + dt.timedelta(hours=period.amount)
        return ClockState(period, ClockStatus.RUNNING, at, due_at, china_date(due_at), None)
    day = china_date(at)
    if period.unit in (DurationUnit.MONTHS, DurationUnit.YEARS):
        months = period.amount * (12 if period.unit is DurationUnit.YEARS else 1)
        nominal = _add_months(day, months)
        due, warnings = _roll(cal, nominal)
    else:
        nominal, due, warnings = _days_after(cal, period.unit, day, period.amount)
    return ClockState(
        period, ClockStatus.RUNNING, at, end_of_day(due), due, nominal, warnings=warnings
    )


def _counting_unit(period: Duration) -> DurationUnit:
    if period.unit in (DurationUnit.BUSINESS_DAYS, DurationUnit.HOURS):
        return period.unit
    return DurationUnit.CALENDAR_DAYS


def pause(cal: WorkingCalendar, clock: ClockState, at: dt.datetime) -> ClockState:
    """Stop a running clock at ``at``; the time left is kept for :func:`resume`."""
    if clock.status is not ClockStatus.RUNNING:
        raise Conflict(
            "only a running clock can be stopped; this one is {status}",
            status=Term("clock_status", clock.status),
        )
    unit = _counting_unit(clock.period)
    if unit is DurationUnit.HOURS:
        assert clock.due_at is not None
        remaining = max(0, int((clock.due_at - at).total_seconds()))
    else:
        assert clock.nominal_due is not None
        today = china_date(at)
        if unit is DurationUnit.BUSINESS_DAYS:
            remaining = cal.business_days_between(today, clock.nominal_due)
        else:
            remaining = max(0, (clock.nominal_due - today).days)
    return replace(
        clock,
        status=ClockStatus.PAUSED,
        remaining=remaining,
        due_at=None,
        due_on=None,
        nominal_due=None,
    )


def resume(cal: WorkingCalendar, clock: ClockState, at: dt.datetime) -> ClockState:
    """Restart a stopped clock at ``at`` with the time it had left."""
    if clock.status is not ClockStatus.PAUSED or clock.remaining is None:
        raise Conflict(
            "only a stopped clock can be restarted; this one is {status}",
            status=Term("clock_status", clock.status),
        )
    unit = _counting_unit(clock.period)
    if unit is DurationUnit.HOURS:
        due_at = at + dt.timedelta(seconds=clock.remaining)
        return replace(
            clock,
            status=ClockStatus.RUNNING,
            remaining=None,
            due_at=due_at,
            due_on=china_date(due_at),
        )
    nominal, due, warnings = _days_after(cal, unit, china_date(at), clock.remaining)
    return replace(
        clock,
        status=ClockStatus.RUNNING,
        remaining=None,
        due_at=end_of_day(due),
        due_on=due,
        nominal_due=nominal,
        warnings=warnings,
    )


def extend(cal: WorkingCalendar, clock: ClockState, amount: int) -> ClockState:
    """Lengthen a running or stopped clock by ``amount`` counting units (days or hours).

    Requires ``amount > 0``.
    """
    if amount <= 0:
        raise InvalidInput("an extension must be a positive number of days (or hours)")
    if clock.status is ClockStatus.PAUSED:
        assert clock.remaining is not None
        scale = 3600 if clock.period.unit is DurationUnit.HOURS else 1
        return replace(
            clock, remaining=clock.remaining + amount * scale, extension=clock.extension + amount
        )
    if clock.status is not ClockStatus.RUNNING:
        raise Conflict(
            "a {status} deadline cannot be extended", status=Term("clock_status", clock.status)
        )
    unit = _counting_unit(clock.period)
    if unit is DurationUnit.HOURS:
        assert clock.due_at is not None
        due_at = clock.due_at + dt.timedelta(hours=amount)
        return replace(
            clock, due_at=due_at, due_on=china_date(due_at), extension=clock.extension + amount
        )
    assert clock.nominal_due is not None
    if unit is DurationUnit.BUSINESS_DAYS:
        nominal, due, warnings = _days_after(cal, unit, clock.nominal_due, amount)
    else:
        nominal = clock.nominal_due + dt.timedelta(days=amount)
        due, warnings = _roll(cal, nominal)
    return replace(
        clock,
        due_at=end_of_day(due),
        due_on=due,
        nominal_due=nominal,
        warnings=warnings,
        extension=clock.extension + amount,
    )


def meet(clock: ClockState) -> ClockState:
    """The clock's purpose was met (the case reached a state that ends it)."""
    if clock.status in (ClockStatus.MET, ClockStatus.EXPIRED):
        return clock
    return replace(clock, status=ClockStatus.MET, remaining=None)


def has_passed(clock: ClockState, now: dt.datetime) -> bool:
    return clock.status is ClockStatus.RUNNING and clock.due_at is not None and clock.due_at <= now
