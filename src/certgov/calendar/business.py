"""The business-day calendar of mainland China, for deadlines of cases (APP-6, SYS-1).

Business days follow the official calendar: Monday to Friday, minus public holidays, plus the
weekend days the State Council declares working days (调休). The official schedule of each year
is published by the General Office of the State Council; the ``holidays`` package encodes the
schedules published before its release and *estimates* later years by rule (lunar dates, no
make-up working days). A year counts as official only when the package encodes its notice or an
operator loaded it (:mod:`certgov.calendar.overrides`); any deadline that depends on another
year carries a warning rather than a silent guess.

Everything here is pure apart from reading the override file; per-year results are cached on
the calendar object, so keep one calendar (see :func:`china_calendar`) and reuse it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from holidays import country_holidays
from holidays.countries.china import ChinaStaticHolidays

from certgov.calendar.overrides import (
    FIRST_YEAR,
    LAST_YEAR,
    YearSchedule,
    load_overrides,
    load_shipped_overrides,
)
from certgov.errors import ConfigurationError, InvalidInput

#: Largest number of days a deadline may count (about a century).
MAX_DAYS = 36_600
FIRST_DAY = dt.date(FIRST_YEAR, 1, 1)
LAST_DAY = dt.date(LAST_YEAR, 12, 31)

#: Holiday names in the language of the State Council notices.
HOLIDAY_LANGUAGE = "zh_CN"
#: Name of a day off from an override file that the package has no name for.
DAY_OFF_NAME = "休息日"

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """The last day of a period, with the reasons it may be uncertain.

    ``warnings`` is empty when every year the computation depended on has an official schedule.
    """

    due: dt.date
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class _Year:
    """One year, computed once: business days as sorted ordinals, holidays, make-up days."""

    business_ordinals: tuple[int, ...]
    business_set: frozenset[int]
    holidays: tuple[tuple[dt.date, str], ...]
    makeup_workdays: tuple[dt.date, ...]


def package_official_years() -> frozenset[int]:
    """Years whose State Council schedule the installed ``holidays`` package encodes.

    These are the years of ``ChinaStaticHolidays.special_public_holidays`` (the notices'
    substituted days off and make-up working days); later years are estimated by the package.
    Read from the package so that an upgrade brings in new years without a code change.
    """
    special = getattr(ChinaStaticHolidays, "special_public_holidays", None)
    if not isinstance(special, Mapping) or not all(isinstance(y, int) for y in special):
        raise ConfigurationError(
            "holidays {version} no longer exposes "
            "ChinaStaticHolidays.special_public_holidays by year, so certgov cannot tell which "
            "years have an official schedule",
            version=version("holidays"),
            hint="Pin the holidays package to a version certgov supports (>=0.108).",
        )
    return frozenset(special)


def unofficial_year_warning(year: int) -> str:
    """The warning attached to a deadline that depends on a year without an official schedule."""
    return (
        f"{year} has no official holiday schedule (State Council notice) loaded; this deadline "
        f"counts {year} by the package's estimated holidays without make-up working days. "
        "Load the notice with `certgov calendar load FILE` when it is published."
    )


class BusinessCalendar:
    """Business days of mainland China, 1950-01-01 to 2100-12-31 (APP-6, SYS-1).

    ``overrides`` gives officially announced years (usually from :func:`load_overrides`); each
    replaces the ``holidays`` package's data for its year. Provinces share this calendar.

    All methods taking dates require ``datetime.date`` values (not ``datetime``) between
    1950-01-01 and 2100-12-31, and day counts ``0 <= days <= 36_600``; otherwise they raise
    :class:`~certgov.errors.InvalidInput`. Results past 2100-12-31 raise it too.
    """

    def __init__(self, overrides: Mapping[int, YearSchedule] | None = None) -> None:
        self._overrides: dict[int, YearSchedule] = dict(overrides or {})
        for year, schedule in self._overrides.items():
            if year != schedule.year:
                raise ConfigurationError(
                    "override for year {year} holds the schedule of year {other}",
                    year=year,
                    other=schedule.year,
                )
        self._package_years = package_official_years()
        self._official = frozenset(self._package_years | self._overrides.keys())
        self._years: dict[int, _Year] = {}

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day of the official calendar (make-up weekends count)."""
        _check_date(day, "day")
        return day.toordinal() in self._year(day.year).business_set

    def is_official_year(self, year: int) -> bool:
        """Whether ``year`` follows an announced State Council schedule (package or override)."""
        return year in self._official

    def official_years(self) -> tuple[int, ...]:
        """The years with an official schedule, ascending."""
        return tuple(sorted(self._official))

    def source_of(self, year: int) -> str | None:
        """Where the official schedule of ``year`` comes from; ``None`` when it has none."""
        if year in self._overrides:
            return self._overrides[year].source
        if year in self._package_years:
            return (
                f"State Council General Office notice on the {year} holiday arrangements, as "
                f"encoded in the holidays package {version('holidays')}"
            )
        return None

    def add_business_days(self, start: dt.date, days: int) -> Deadline:
        """The ``days``-th business day after ``start`` (APP-6: "within 10 business days").

        The start day itself is not counted, as in Chinese law (Civil Code Art. 201: the day a
        period starts is not counted), whether or not it is a business day. ``days == 0`` returns
        ``start`` unchanged. Warns for every year of the walk (``start`` exclusive to the due
        day inclusive) that has no official schedule.

        Requires ``0 <= days <= 36_600`` and ``start`` within 1950..2100; the due day must fall
        on or before 2100-12-31.
        """
        _check_date(start, "start")
        _check_days(days)
        if days == 0:
            return Deadline(start, ())
        year = start.year
        ordinals = self._year(year).business_ordinals
        index = bisect_right(ordinals, start.toordinal())
        remaining = days
        while index + remaining > len(ordinals):
            remaining -= len(ordinals) - index
            year += 1
            if year > LAST_YEAR:
                raise InvalidInput(
                    "{days} business days after {start} falls after {last}, the end of the "
                    "supported calendar",
                    days=days,
                    start=start,
                    last=LAST_DAY,
                    details={"start": start.isoformat(), "days": days},
                )
            ordinals = self._year(year).business_ordinals
            index = 0
        due = dt.date.fromordinal(ordinals[index + remaining - 1])
        return Deadline(due, self._warnings(range((start + _ONE_DAY).year, due.year + 1)))

    def add_calendar_days(
        self, start: dt.date, days: int, *, roll_to_business_day: bool = True
    ) -> Deadline:
        """``start + days``, moved to the next business day when it is not one.

        With ``roll_to_business_day`` (the default), a period whose last day is a holiday or
        rest day ends on the first business day after it: the rule of Chinese law for periods
        (Civil Code Art. 203; the Civil Procedure Law says the same). Warns when
        that roll decision depended on a year without an official schedule; without rolling
        the result does not depend on the calendar and carries no warning.

        Requires ``0 <= days <= 36_600`` and ``start`` within 1950..2100; the due day must fall
        on or before 2100-12-31.
        """
        _check_date(start, "start")
        _check_days(days)
        target = start + dt.timedelta(days=days)
        if target > LAST_DAY:
            raise _beyond_calendar(start, days)
        if not roll_to_business_day:
            return Deadline(target, ())
        due = target
        while not self.is_business_day(due):
            if due == LAST_DAY:
                raise _beyond_calendar(start, days)
            due += _ONE_DAY
        return Deadline(due, self._warnings(range(target.year, due.year + 1)))

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many business days lie in ``(start, end]``; 0 when ``end <= start``.

        The inverse of :meth:`add_business_days`:
        ``business_days_between(s, add_business_days(s, n).due) == n``.
        """
        _check_date(start, "start")
        _check_date(end, "end")
        if end <= start:
            return 0
        low, high = start.toordinal(), end.toordinal()
        count = 0
        for year in range(start.year, end.year + 1):
            ordinals = self._year(year).business_ordinals
            count += bisect_right(ordinals, high) - bisect_right(ordinals, low)
        return count

    def holidays_in(self, year: int) -> list[tuple[dt.date, str]]:
        """The holidays of ``year`` that are days off, with their names (zh_CN), by date.

        Plain weekends are not listed. For an override year the dates come from the notice;
        names come from the package where it knows the day, else ``休息日``.
        """
        _check_year(year)
        return list(self._year(year).holidays)

    def makeup_workdays_in(self, year: int) -> list[dt.date]:
        """The Saturdays and Sundays of ``year`` that are working days (调休), by date."""
        _check_year(year)
        return list(self._year(year).makeup_workdays)

    def _warnings(self, years: Iterable[int]) -> tuple[str, ...]:
        return tuple(unofficial_year_warning(y) for y in years if y not in self._official)

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            # Computed outside any lock: two threads may both compute a year, with equal results.
            cached = self._years.setdefault(year, self._compute_year(year))
        return cached

    def _compute_year(self, year: int) -> _Year:
        # Neighbouring years too: a notice may move a working day across New Year.
        package = country_holidays(
            "CN",
            years=range(max(year - 1, FIRST_YEAR), min(year + 1, LAST_YEAR) + 1),
            language=HOLIDAY_LANGUAGE,
        )
        days = [dt.date(year, 1, 1) + dt.timedelta(days=n) for n in range(_days_in(year))]
        schedule = self._overrides.get(year)
        if schedule is None:
            business = [day for day in days if package.is_working_day(day)]
            makeup = sorted(day for day in package.weekend_workdays if day.year == year)
            named = [
                (day, str(name))
                for day, name in sorted(package.items())
                if day.year == year and not package.is_working_day(day)
            ]
        else:
            business = [
                day
                for day in days
                if (day in schedule.makeup_workdays)
                or (day.weekday() < 5 and day not in schedule.holidays)
            ]
            makeup = sorted(schedule.makeup_workdays)
            named = [
                (day, str(package.get(day, DAY_OFF_NAME))) for day in sorted(schedule.holidays)
            ]
        ordinals = tuple(day.toordinal() for day in business)
        return _Year(ordinals, frozenset(ordinals), tuple(named), tuple(makeup))


def china_calendar(override_file: Path | None = None) -> BusinessCalendar:
    """The calendar with the shipped overrides plus, when given, an operator's override file.

    The operator's years replace the shipped ones. Cached per path and file version (size and
    modification time), so a newly loaded notice is picked up without a restart. Raises
    :class:`~certgov.errors.ConfigurationError` when the file is missing or invalid.
    """
    if override_file is None:
        return _cached_calendar(None, None)
    path = override_file.resolve()
    try:
        status = path.stat()
    except OSError:
        version = None  # load_overrides reports the problem
    else:
        version = (status.st_mtime_ns, status.st_size)
    return _cached_calendar(path, version)


@lru_cache(maxsize=16)
def _cached_calendar(path: Path | None, version: tuple[int, int] | None) -> BusinessCalendar:
    schedules = load_shipped_overrides()
    if path is not None:
        schedules.update(load_overrides(path))
    return BusinessCalendar(schedules)


def _days_in(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


def _check_date(value: dt.date, name: str) -> None:
    if isinstance(value, dt.datetime):
        raise InvalidInput(
            "{name} must be a date, not a datetime ({value})",
            name=name,
            value=value.isoformat(),
            hint="Convert an instant with certgov.clock.china_date() first.",
        )
    if not isinstance(value, dt.date):
        raise InvalidInput("{name} must be a date, not {value}", name=name, value=repr(value))
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidInput(
            "{name} {day} is outside the supported calendar ({first} to {last})",
            name=name,
            day=value,
            first=FIRST_DAY,
            last=LAST_DAY,
        )


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            "year must be an integer from {first} to {last}, not {year}",
            first=FIRST_YEAR,
            last=LAST_YEAR,
            year=repr(year),
        )


def _check_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidInput("days must be an integer, not {days}", days=repr(days))
    if days < 0:
        raise InvalidInput("days must be zero or more, not {days}", days=days)
    if days > MAX_DAYS:
        raise InvalidInput(
            "days must be at most {limit} (about a century), not {days}",
            limit=f"{MAX_DAYS:,}",
            days=f"{days:,}",
        )


def _beyond_calendar(start: dt.date, days: int) -> InvalidInput:
    return InvalidInput(
        "{days} days after {start} falls after {last}, the end of the supported calendar",
        days=days,
        start=start,
        last=LAST_DAY,
        details={"start": start.isoformat(), "days": days},
    )
