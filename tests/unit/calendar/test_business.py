"""The business-day calendar of mainland China (APP-6 business-day deadlines, SYS-1 deadlines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from holidays import country_holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.calendar import (
    BusinessCalendar,
    Deadline,
    YearSchedule,
    china_calendar,
    load_overrides,
    package_official_years,
)
from certgov.errors import ConfigurationError, InvalidInput

DATA = Path(__file__).parent / "data"
D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def calendar() -> BusinessCalendar:
    return BusinessCalendar()


@pytest.fixture(scope="module")
def calendar_2027() -> BusinessCalendar:
    return BusinessCalendar(load_overrides(DATA / "fictional-2027.toml"))


def days_between(first: str, last: str) -> list[dt.date]:
    start, end = D(first), D(last)
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def naive_add_business_days(calendar: BusinessCalendar, start: dt.date, days: int) -> dt.date:
    """Reference for the fast walk: step one day at a time."""
    day = start
    while days:
        day += dt.timedelta(days=1)
        if calendar.is_business_day(day):
            days -= 1
    return day


# --- official years ---------------------------------------------------------------------------


def test_official_years_come_from_the_package_not_a_list() -> None:
    """APP-6: 2025 and 2026 have State Council schedules in holidays 0.108; 2027 has none."""
    years = package_official_years()
    assert {2025, 2026} <= years
    assert 2027 not in years
    calendar = BusinessCalendar()
    assert calendar.is_official_year(2025)
    assert calendar.is_official_year(2026)
    assert not calendar.is_official_year(2027)
    assert calendar.official_years() == tuple(sorted(years))


def test_override_years_are_official(calendar_2027: BusinessCalendar) -> None:
    """APP-6: a loaded notice makes its year official, with its source."""
    assert calendar_2027.is_official_year(2027)
    assert 2027 in calendar_2027.official_years()
    assert calendar_2027.source_of(2027) == (
        "FICTIONAL test notice for 2027 (not the real State Council notice)"
    )
    assert "2025" in (calendar_2027.source_of(2025) or "")
    assert BusinessCalendar().source_of(2027) is None


def test_overrides_keyed_by_the_wrong_year_are_refused() -> None:
    schedule = YearSchedule(2027, frozenset({D("2027-01-01")}), frozenset(), "FICTIONAL")
    with pytest.raises(ConfigurationError, match="override for year 2028"):
        BusinessCalendar({2028: schedule})


# --- known days -------------------------------------------------------------------------------


def test_national_day_2025_with_make_up_weekends(calendar: BusinessCalendar) -> None:
    """APP-6: make-up working weekends count; the National Day block 2025-10-01..08 does not."""
    assert calendar.is_business_day(D("2025-09-28"))  # Sunday, make-up working day
    assert calendar.is_business_day(D("2025-10-11"))  # Saturday, make-up working day
    for day in days_between("2025-10-01", "2025-10-08"):
        assert not calendar.is_business_day(day), day
    assert calendar.is_business_day(D("2025-10-09"))
    assert not calendar.is_business_day(D("2025-10-12"))  # ordinary Sunday


def test_spring_festival_2025(calendar: BusinessCalendar) -> None:
    """APP-6: 2025-01-28..02-04 off; Sunday 01-26 and Saturday 02-08 are working days."""
    for day in days_between("2025-01-28", "2025-02-04"):
        assert not calendar.is_business_day(day), day
    assert calendar.is_business_day(D("2025-01-26"))
    assert calendar.is_business_day(D("2025-02-08"))
    assert calendar.is_business_day(D("2025-01-27"))
    assert calendar.is_business_day(D("2025-02-05"))


def test_spring_festival_2026(calendar: BusinessCalendar) -> None:
    """APP-6: 2026-02-15..02-23 off; Saturdays 02-14 and 02-28 are working days."""
    for day in days_between("2026-02-15", "2026-02-23"):
        assert not calendar.is_business_day(day), day
    assert calendar.is_business_day(D("2026-02-14"))
    assert calendar.is_business_day(D("2026-02-28"))
    assert calendar.is_business_day(D("2026-02-24"))


def test_agrees_with_the_package_for_every_official_year(calendar: BusinessCalendar) -> None:
    """Oracle: for package years the answer is the package's ``is_working_day``."""
    years = range(2001, 2027)
    package = country_holidays("CN", years=years)
    for day in days_between("2001-01-01", "2026-12-31"):
        assert calendar.is_business_day(day) == package.is_working_day(day), day


def test_holidays_and_make_up_days_of_2025(calendar: BusinessCalendar) -> None:
    """The listing behind `certgov calendar show`: days off with names, make-up weekends."""
    holidays = calendar.holidays_in(2025)
    assert holidays == sorted(holidays)
    assert (D("2025-10-01"), "国庆节") in holidays
    assert {day for day, _ in holidays} >= set(days_between("2025-10-01", "2025-10-03"))
    assert all(not calendar.is_business_day(day) for day, _ in holidays)
    assert calendar.makeup_workdays_in(2025) == [
        D("2025-01-26"),
        D("2025-02-08"),
        D("2025-04-27"),
        D("2025-09-28"),
        D("2025-10-11"),
    ]
    assert calendar.makeup_workdays_in(2027) == []


def test_override_year_replaces_the_package(calendar_2027: BusinessCalendar) -> None:
    """An override year's dates come from the notice alone, named by the package if it can."""
    assert calendar_2027.makeup_workdays_in(2027) == [D("2027-01-31"), D("2027-02-20")]
    holidays = dict(calendar_2027.holidays_in(2027))
    assert set(holidays) == set(days_between("2027-01-01", "2027-01-03")) | set(
        days_between("2027-02-05", "2027-02-12")
    )
    assert holidays[D("2027-01-01")] == "元旦"
    assert holidays[D("2027-02-12")] == "休息日"
    assert calendar_2027.is_business_day(D("2027-01-31"))  # Sunday made a working day
    assert not calendar_2027.is_business_day(D("2027-02-11"))  # Thursday in the block
    assert calendar_2027.is_business_day(D("2027-05-03"))  # package's observed day ignored


# --- business-day deadlines -------------------------------------------------------------------


def test_ten_business_days_over_national_day_2025(calendar: BusinessCalendar) -> None:
    """APP-6: a complaint window of 10 business days from 2025-09-25 ends on 2025-10-15."""
    assert calendar.add_business_days(D("2025-09-25"), 10).due == D("2025-10-15")
    assert calendar.add_business_days(D("2025-09-25"), 10).warnings == ()


def test_start_day_is_not_counted(calendar: BusinessCalendar) -> None:
    """APP-6: the day of receipt does not count, even when it is a business day."""
    assert calendar.add_business_days(D("2025-09-26"), 1).due == D("2025-09-28")
    assert calendar.add_business_days(D("2025-10-04"), 1).due == D("2025-10-09")


def test_zero_business_days_returns_the_start(calendar: BusinessCalendar) -> None:
    assert calendar.add_business_days(D("2025-10-01"), 0).due == D("2025-10-01")
    assert calendar.add_business_days(D("2027-10-01"), 0).warnings == ()


def test_deadline_into_2027_warns(calendar: BusinessCalendar) -> None:
    """APP-6: a deadline counted through a year without a notice says so; never a silent guess."""
    deadline = calendar.add_business_days(D("2026-12-24"), 10)
    assert deadline.due.year == 2027
    assert len(deadline.warnings) == 1
    assert deadline.warnings[0].startswith("2027 has no official holiday schedule")
    assert "`certgov calendar load FILE`" in deadline.warnings[0]


def test_deadline_ending_on_the_last_day_of_2026_does_not_warn(
    calendar: BusinessCalendar,
) -> None:
    assert calendar.add_business_days(D("2026-12-30"), 1) == Deadline(D("2026-12-31"), ())


def test_override_for_2027_removes_the_warning_and_changes_the_result(
    calendar: BusinessCalendar, calendar_2027: BusinessCalendar
) -> None:
    """APP-6: loading the notice replaces the estimate (make-up Sunday, longer block)."""
    estimated = calendar.add_business_days(D("2027-01-28"), 10)
    assert estimated.due == D("2027-02-17")
    assert estimated.warnings
    official = calendar_2027.add_business_days(D("2027-01-28"), 10)
    assert official.due == D("2027-02-18")
    assert official.warnings == ()


def test_warns_once_per_unofficial_year(calendar: BusinessCalendar) -> None:
    deadline = calendar.add_business_days(D("2026-06-01"), 600)
    assert deadline.due.year == 2028
    assert [w[:4] for w in deadline.warnings] == ["2027", "2028"]


def test_business_days_between(calendar: BusinessCalendar) -> None:
    """Counts (start, end]: the inverse of add_business_days."""
    assert calendar.business_days_between(D("2025-09-25"), D("2025-10-15")) == 10
    assert calendar.business_days_between(D("2025-10-15"), D("2025-09-25")) == 0
    assert calendar.business_days_between(D("2025-10-15"), D("2025-10-15")) == 0
    assert calendar.business_days_between(D("2025-10-01"), D("2025-10-08")) == 0


# --- calendar-day deadlines -------------------------------------------------------------------


def test_calendar_days_roll_over_a_holiday(calendar: BusinessCalendar) -> None:
    """SYS-1: a period whose last day falls in the National Day block ends on 2025-10-09."""
    deadline = calendar.add_calendar_days(D("2025-09-01"), 30)  # 2025-10-01
    assert deadline == Deadline(D("2025-10-09"), ())
    unrolled = calendar.add_calendar_days(D("2025-09-01"), 30, roll_to_business_day=False)
    assert unrolled.due == D("2025-10-01")


def test_calendar_days_on_a_make_up_weekend_do_not_roll(calendar: BusinessCalendar) -> None:
    assert calendar.add_calendar_days(D("2025-09-18"), 10).due == D("2025-09-28")


def test_calendar_days_warn_when_rolling_depends_on_2027(calendar: BusinessCalendar) -> None:
    """SYS-1: the roll decision for a 2027 due day rests on an estimate, so it warns."""
    deadline = calendar.add_calendar_days(D("2026-12-01"), 60)
    assert deadline.due.year == 2027
    assert len(deadline.warnings) == 1
    assert deadline.warnings[0].startswith("2027 has no official")
    unrolled = calendar.add_calendar_days(D("2026-12-01"), 60, roll_to_business_day=False)
    assert unrolled.warnings == ()


def test_calendar_days_in_2027_with_the_notice(calendar_2027: BusinessCalendar) -> None:
    deadline = calendar_2027.add_calendar_days(D("2027-01-06"), 30)  # Friday 2027-02-05
    assert deadline == Deadline(D("2027-02-15"), ())


# --- input errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.add_business_days(D("2025-01-01"), -1), "zero or more"),
        (lambda c: c.add_calendar_days(D("2025-01-01"), -1), "zero or more"),
        (lambda c: c.add_business_days(D("2025-01-01"), 36_601), "at most 36,600"),
        (lambda c: c.add_calendar_days(D("2025-01-01"), 36_601), "at most 36,600"),
        (lambda c: c.add_business_days(D("1949-12-31"), 1), "1949-12-31 is outside"),
        (lambda c: c.add_calendar_days(D("2101-01-01"), 1), "2101-01-01 is outside"),
        (lambda c: c.is_business_day(D("1949-10-01")), "outside the supported calendar"),
        (lambda c: c.business_days_between(D("2025-01-01"), D("2101-01-01")), "end 2101"),
        (lambda c: c.add_business_days(D("2100-12-01"), 30), "falls after 2100-12-31"),
        (lambda c: c.add_calendar_days(D("2100-12-01"), 31), "falls after 2100-12-31"),
        (lambda c: c.add_business_days(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), 1), "datetime"),
        (lambda c: c.holidays_in(1949), "year must be an integer from 1950 to 2100"),
        (lambda c: c.makeup_workdays_in(2101), "year must be an integer from 1950 to 2100"),
    ],
)
def test_invalid_input(
    calendar: BusinessCalendar, call: Callable[[BusinessCalendar], object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        call(calendar)


def test_limits_are_inclusive(calendar: BusinessCalendar) -> None:
    assert calendar.add_calendar_days(D("1950-01-01"), 36_600, roll_to_business_day=False).due
    assert calendar.is_business_day(D("2100-12-31")) in (True, False)
    assert calendar.add_business_days(D("1950-01-01"), 30_000).due.year < 2100
    assert calendar.holidays_in(1950)
    assert calendar.holidays_in(2100)


# --- properties -------------------------------------------------------------------------------

starts = st.dates(min_value=D("2020-01-01"), max_value=D("2030-12-31"))
counts = st.integers(min_value=0, max_value=400)


@settings(max_examples=150, deadline=None)
@given(start=starts, days=st.integers(min_value=1, max_value=400))
def test_due_day_is_a_business_day_after_start(start: dt.date, days: int) -> None:
    """APP-6: a business-day deadline always ends on a business day after the start."""
    calendar = china_calendar()
    due = calendar.add_business_days(start, days).due
    assert due > start
    assert calendar.is_business_day(due)


@settings(max_examples=150, deadline=None)
@given(start=starts, days=counts)
def test_business_days_between_inverts_add(start: dt.date, days: int) -> None:
    calendar = china_calendar()
    due = calendar.add_business_days(start, days).due
    assert calendar.business_days_between(start, due) == days


@settings(max_examples=100, deadline=None)
@given(start=starts, first=counts, second=counts)
def test_monotonic_in_days(start: dt.date, first: int, second: int) -> None:
    calendar = china_calendar()
    low, high = sorted((first, second))
    assert calendar.add_business_days(start, low).due <= calendar.add_business_days(start, high).due
    if low < high:
        assert (
            calendar.add_business_days(start, low).due < calendar.add_business_days(start, high).due
        )


@settings(max_examples=60, deadline=None)
@given(start=starts, days=st.integers(min_value=0, max_value=120))
def test_fast_walk_matches_day_by_day_walk(start: dt.date, days: int) -> None:
    """Oracle: the per-year bisect walk equals stepping one day at a time."""
    calendar = china_calendar()
    assert calendar.add_business_days(start, days).due == naive_add_business_days(
        calendar, start, days
    )


@settings(max_examples=100, deadline=None)
@given(start=starts, days=st.integers(min_value=0, max_value=400))
def test_warnings_name_exactly_the_unofficial_years_walked(start: dt.date, days: int) -> None:
    """APP-6: no silent guess: every unofficial year the walk touches is named, and only those."""
    calendar = china_calendar()
    deadline = calendar.add_business_days(start, days)
    walked = {start + dt.timedelta(days=n) for n in range(1, (deadline.due - start).days + 1)}
    expected = sorted({day.year for day in walked if not calendar.is_official_year(day.year)})
    assert [int(warning[:4]) for warning in deadline.warnings] == expected


@settings(max_examples=100, deadline=None)
@given(start=starts, days=counts)
def test_rolled_calendar_deadline_is_the_first_business_day_from_target(
    start: dt.date, days: int
) -> None:
    calendar = china_calendar()
    target = start + dt.timedelta(days=days)
    due = calendar.add_calendar_days(start, days).due
    assert calendar.is_business_day(due)
    assert target <= due
    assert calendar.business_days_between(target - dt.timedelta(days=1), due) == 1


# --- the cached factory -----------------------------------------------------------------------


def test_china_calendar_is_cached_per_path_and_file_version(tmp_path: Path) -> None:
    assert china_calendar() is china_calendar()
    path = tmp_path / "overrides.toml"
    path.write_text((DATA / "fictional-2027.toml").read_text(encoding="utf-8"), encoding="utf-8")
    first = china_calendar(path)
    assert first is china_calendar(path)
    assert first.is_official_year(2027)
    path.write_text((DATA / "fictional-2028.toml").read_text(encoding="utf-8"), encoding="utf-8")
    second = china_calendar(path)
    assert second is not first
    assert second.is_official_year(2028)
    assert not second.is_official_year(2027)


def test_china_calendar_with_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        china_calendar(tmp_path / "absent.toml")


def test_package_without_special_holidays_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fail loudly if a holidays upgrade drops the data that tells official years apart."""
    from holidays.countries.china import ChinaStaticHolidays

    monkeypatch.delattr(ChinaStaticHolidays, "special_public_holidays")
    with pytest.raises(ConfigurationError, match="special_public_holidays"):
        BusinessCalendar()
