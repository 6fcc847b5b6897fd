"""Deadline clock arithmetic (SYS-1, ECS-2.2, APP-6): start, stop, restart, extend."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.calendar import BusinessCalendar
from certgov.errors import Conflict, InvalidInput
from certgov.rules.model import Duration
from certgov.workflow import clocks
from certgov.workflow.clocks import ClockStatus, end_of_day

CAL = BusinessCalendar()
# 10:00 in Beijing on Thursday 2025-09-25.
T0 = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def test_calendar_days_roll_to_the_next_business_day() -> None:
    """45 calendar days from 2025-09-25 is Sunday 2025-11-09: the period ends Monday."""
    clock = clocks.start(CAL, Duration.parse("45 calendar days"), T0)
    assert clock.nominal_due == dt.date(2025, 11, 9)
    assert clock.due_on == dt.date(2025, 11, 10)
    assert clock.due_at == end_of_day(dt.date(2025, 11, 10))
    assert clock.due_at == dt.datetime(2025, 11, 10, 16, 0, tzinfo=dt.UTC)  # midnight CST


def test_business_days_across_national_day() -> None:
    """APP-6: 10 business days from 2025-09-25 is 2025-10-15."""
    clock = clocks.start(CAL, Duration.parse("10 business days"), T0)
    assert clock.due_on == dt.date(2025, 10, 15)


def test_a_stopped_clock_keeps_its_remaining_days() -> None:
    """ECS-2.2: the time documents are awaited does not count."""
    clock = clocks.start(CAL, Duration.parse("45 calendar days"), T0)
    paused = clocks.pause(CAL, clock, at(10))
    assert paused.status is ClockStatus.PAUSED
    assert paused.remaining == 35
    resumed = clocks.resume(CAL, paused, at(40))
    assert resumed.nominal_due == dt.date(2025, 11, 4) + dt.timedelta(days=35)


def test_a_stopped_business_day_clock_counts_business_days() -> None:
    clock = clocks.start(CAL, Duration.parse("10 business days"), T0)  # due 2025-10-15
    paused = clocks.pause(CAL, clock, at(4))  # 2025-09-29: 26, 28 (make-up), 29 used
    assert paused.remaining == 7
    resumed = clocks.resume(CAL, paused, dt.datetime(2025, 10, 20, 2, tzinfo=dt.UTC))
    assert resumed.due_on == dt.date(2025, 10, 29)


def test_hours_count_exactly_and_pause_to_the_second() -> None:
    """ECS-4.4: a 72-hour report deadline."""
    clock = clocks.start(CAL, Duration.parse("72 hours"), T0)
    assert clock.due_at == T0 + dt.timedelta(hours=72)
    paused = clocks.pause(CAL, clock, T0 + dt.timedelta(hours=2))
    assert paused.remaining == 70 * 3600
    resumed = clocks.resume(CAL, paused, T0 + dt.timedelta(hours=10))
    assert resumed.due_at == T0 + dt.timedelta(hours=80)
    extended = clocks.extend(CAL, resumed, 24)
    assert extended.due_at == T0 + dt.timedelta(hours=104)


def test_years_and_months() -> None:
    """ECS-2.3: a five-year validity ends on the same calendar day (rolled if a holiday)."""
    clock = clocks.start(CAL, Duration.parse("5 years"), dt.datetime(2020, 2, 29, 2, tzinfo=dt.UTC))
    assert clock.nominal_due == dt.date(2025, 2, 28)
    clock = clocks.start(CAL, Duration.parse("12 months"), T0)
    assert clock.nominal_due == dt.date(2026, 9, 25)


def test_extension_while_running_and_while_stopped() -> None:
    clock = clocks.start(CAL, Duration.parse("45 calendar days"), T0)
    extended = clocks.extend(CAL, clock, 10)
    assert extended.nominal_due == dt.date(2025, 11, 19)
    assert extended.extension == 10
    paused = clocks.extend(CAL, clocks.pause(CAL, clock, at(10)), 5)
    assert paused.remaining == 40


def test_business_day_extension_counts_business_days() -> None:
    clock = clocks.start(CAL, Duration.parse("5 business days"), T0)  # 09-26, 28, 29, 30, 10-09
    assert clock.due_on == dt.date(2025, 10, 9)
    assert clocks.extend(CAL, clock, 2).due_on == dt.date(2025, 10, 11)  # make-up Saturday


def test_state_errors() -> None:
    clock = clocks.start(CAL, Duration.parse("5 calendar days"), T0)
    with pytest.raises(Conflict):
        clocks.resume(CAL, clock, T0)
    met = clocks.meet(clock)
    assert met.status is ClockStatus.MET
    with pytest.raises(Conflict):
        clocks.pause(CAL, met, T0)
    with pytest.raises(Conflict):
        clocks.extend(CAL, met, 1)
    with pytest.raises(InvalidInput):
        clocks.extend(CAL, clock, 0)


def test_has_passed_only_after_the_end_of_the_due_day() -> None:
    clock = clocks.start(CAL, Duration.parse("1 calendar days"), T0)  # due Friday 09-26
    assert not clocks.has_passed(clock, dt.datetime(2025, 9, 26, 15, 59, tzinfo=dt.UTC))
    assert clocks.has_passed(clock, dt.datetime(2025, 9, 26, 16, 0, tzinfo=dt.UTC))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=90),
    st.sampled_from(["calendar days", "business days"]),
)
def test_stopping_never_shortens_a_period(amount: int, used: int, stopped: int, unit: str) -> None:
    """Property: a clock stopped for some days ends no earlier than one never stopped."""
    period = Duration.parse(f"{amount} {unit}")
    straight = clocks.start(CAL, period, T0)
    assert straight.due_on is not None
    pause_at = at(min(used, amount))
    paused = clocks.pause(CAL, straight, pause_at)
    resumed = clocks.resume(CAL, paused, pause_at + dt.timedelta(days=stopped))
    assert resumed.due_on is not None
    assert resumed.due_on >= straight.due_on
    if stopped == 0:
        assert resumed.due_on == straight.due_on
