"""Official holiday schedules loaded from TOML, for years the ``holidays`` package lacks.

Each year of mainland China's working calendar is fixed by a notice of the General Office of
the State Council (国务院办公厅关于××年部分节假日安排的通知), usually published in November of
the year before. Until the ``holidays`` package ships a year, an operator transcribes the notice
into an override file (format documented in ``data/cn-overrides.toml``) so that business-day
deadlines (APP-6, SYS-1) follow the official calendar instead of an estimate.

An override year replaces the package's data for that year entirely.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from certgov.errors import ConfigurationError

#: The calendar covers dates from the founding of the People's Republic up to 2100 (the end of
#: the Chinese lunisolar tables the ``holidays`` package uses).
FIRST_YEAR = 1950
LAST_YEAR = 2100

#: Where the shipped override file lives inside the package.
SHIPPED_OVERRIDES = "data/cn-overrides.toml"

_YEAR_KEYS = ("year", "source", "holidays", "makeup_workdays")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class YearSchedule:
    """One year's official working calendar, as announced by a State Council notice.

    ``holidays`` holds every day off that is a holiday (weekend days inside a holiday block
    included); ``makeup_workdays`` the Saturdays and Sundays that are working days (调休).
    Every other Monday-to-Friday is a working day, every other weekend day is not.

    Preconditions (checked, :class:`~certgov.errors.ConfigurationError` otherwise):
    ``FIRST_YEAR <= year <= LAST_YEAR``; every date lies in ``year``; make-up workdays are
    Saturdays or Sundays; no date is both; ``source`` is not blank.
    """

    year: int
    holidays: frozenset[dt.date]
    makeup_workdays: frozenset[dt.date]
    source: str

    def __post_init__(self) -> None:
        problems = schedule_problems(self.year, self.holidays, self.makeup_workdays, self.source)
        if problems:
            raise ConfigurationError(
                "invalid schedule for year {year}: {problems}",
                year=self.year,
                problems="; ".join(problems),
                hint="The format is documented in the comments of "
                "certgov/calendar/data/cn-overrides.toml: one [[year]] table per notice with "
                "year, source, holidays and makeup_workdays.",
                details={"year": self.year, "problems": problems},
            )


def schedule_problems(
    year: int,
    holidays: Iterable[dt.date],
    makeup_workdays: Iterable[dt.date],
    source: str,
) -> list[str]:
    """What is wrong with a year's schedule, as readable sentences; empty when it is valid."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return [f"year must be between {FIRST_YEAR} and {LAST_YEAR}, not {year}"]
    problems: list[str] = []
    if not source.strip():
        problems.append("source is blank; name the State Council notice and its date")
    holiday_set = set(holidays)
    workday_set = set(makeup_workdays)
    for day in sorted(holiday_set):
        if day.year != year:
            problems.append(f"holiday {day} is not in {year}")
    for day in sorted(workday_set):
        if day.year != year:
            problems.append(f"make-up workday {day} is not in {year}")
        if day.weekday() < 5:
            problems.append(
                f"make-up workday {day} is a {day:%A}, not a Saturday or Sunday "
                "(only weekend days can become working days)"
            )
    for day in sorted(holiday_set & workday_set):
        problems.append(f"{day} is listed both as a holiday and as a make-up workday")
    return problems


def load_overrides(path: Path) -> dict[int, YearSchedule]:
    """Read and validate an override file; returns its schedules by year.

    Raises :class:`~certgov.errors.ConfigurationError` naming the file, the year and every
    problem found: unreadable file, invalid TOML, missing or unknown keys, dates that are not
    ISO ``YYYY-MM-DD`` or not in their year, make-up workdays on Monday-to-Friday, a date both
    a holiday and a workday, a year given twice.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(
            "calendar override file {file} does not exist",
            file=str(path),
            hint="Check CERTGOV_CALENDAR_OVERRIDES or load a notice with `certgov calendar load`.",
            details={"file": str(path)},
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            "cannot read calendar override file {file}: {error}",
            file=str(path),
            error=str(exc),
            details={"file": str(path)},
        ) from exc
    return parse_overrides(text, str(path))


def load_shipped_overrides() -> dict[int, YearSchedule]:
    """The schedules shipped with certgov (``data/cn-overrides.toml``)."""
    resource = resources.files("certgov.calendar").joinpath(SHIPPED_OVERRIDES)
    return parse_overrides(
        resource.read_text(encoding="utf-8"), f"certgov/calendar/{SHIPPED_OVERRIDES}"
    )


def parse_overrides(text: str, file_name: str) -> dict[int, YearSchedule]:
    """Parse and validate the text of an override file; ``file_name`` is used in messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        _fail(file_name, [f"not valid TOML: {exc}"])
    problems: list[str] = []
    unknown = sorted(set(document) - {"year"})
    if unknown:
        problems.append(
            f"unknown top-level key(s) {_quoted(unknown)}; the file holds only [[year]] tables"
        )
    tables = document.get("year", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        problems.append("'year' must be an array of tables, written [[year]]")
        tables = []
    schedules: dict[int, YearSchedule] = {}
    first_entry: dict[int, int] = {}
    for number, table in enumerate(tables, start=1):
        schedule = _parse_year_table(number, table, problems)
        if schedule is None:
            continue
        if schedule.year in first_entry:
            problems.append(
                f"year {schedule.year}: given twice ([[year]] entries {first_entry[schedule.year]} "
                f"and {number}); keep one table per year"
            )
            continue
        first_entry[schedule.year] = number
        schedules[schedule.year] = schedule
    if problems:
        _fail(file_name, problems)
    return dict(sorted(schedules.items()))


def dump_overrides(schedules: Mapping[int, YearSchedule]) -> str:
    """Serialize schedules in the override file format (``parse_overrides`` reads it back)."""
    lines = [
        "# Official mainland China holiday schedules (State Council notices) for years the",
        "# `holidays` package lacks. Written by `certgov calendar load`; format documented in",
        "# certgov/calendar/data/cn-overrides.toml.",
    ]
    for year in sorted(schedules):
        schedule = schedules[year]
        lines += [
            "",
            "[[year]]",
            f"year = {schedule.year}",
            f"source = {_toml_string(schedule.source)}",
            f"holidays = {_toml_dates(schedule.holidays)}",
            f"makeup_workdays = {_toml_dates(schedule.makeup_workdays)}",
        ]
    return "\n".join(lines) + "\n"


def _parse_year_table(
    number: int, table: dict[str, Any], problems: list[str]
) -> YearSchedule | None:
    year = table.get("year")
    valid_year = isinstance(year, int) and not isinstance(year, bool)
    where = f"year {year}" if valid_year else f"[[year]] entry {number}"
    found = len(problems)
    missing = [key for key in _YEAR_KEYS if key not in table]
    if missing:
        problems.append(f"{where}: missing key(s) {_quoted(missing)}")
    unknown = sorted(set(table) - set(_YEAR_KEYS))
    if unknown:
        problems.append(
            f"{where}: unknown key(s) {_quoted(unknown)} (expected {_quoted(list(_YEAR_KEYS))})"
        )
    if "year" in table and not valid_year:
        problems.append(f"{where}: year must be an integer, not {year!r}")
    source = table.get("source", "")
    if not isinstance(source, str):
        problems.append(f"{where}: source must be a string, not {source!r}")
        source = ""
    holidays = _parse_dates(where, "holidays", table.get("holidays", []), problems)
    workdays = _parse_dates(where, "makeup_workdays", table.get("makeup_workdays", []), problems)
    if len(problems) > found or not isinstance(year, int):
        return None
    year_problems = schedule_problems(year, holidays, workdays, source)
    if year_problems:
        problems.extend(f"{where}: {problem}" for problem in year_problems)
        return None
    return YearSchedule(year, frozenset(holidays), frozenset(workdays), source.strip())


def _parse_dates(where: str, key: str, value: Any, problems: list[str]) -> list[dt.date]:
    if not isinstance(value, list):
        problems.append(f'{where}: {key} must be a list of dates like "2027-01-01"')
        return []
    days: list[dt.date] = []
    for index, item in enumerate(value):
        day = _as_date(item)
        if day is None:
            problems.append(f"{where}: {key}[{index}] = {item!r} is not a date written YYYY-MM-DD")
        elif day in days:
            problems.append(f"{where}: {key} lists {day} twice")
        else:
            days.append(day)
    return days


def _as_date(item: Any) -> dt.date | None:
    if isinstance(item, dt.datetime):
        return None
    if isinstance(item, dt.date):
        return item
    if isinstance(item, str) and _ISO_DATE.fullmatch(item):
        try:
            return dt.date.fromisoformat(item)
        except ValueError:
            return None
    return None


def _fail(file_name: str, problems: list[str]) -> NoReturn:
    separator = "\n  " if len(problems) > 1 else " "
    raise ConfigurationError(
        "invalid calendar override file {file}:{problems}",
        file=file_name,
        problems=separator + separator.join(problems),
        hint="The format is documented in the comments of "
        "certgov/calendar/data/cn-overrides.toml: one [[year]] table per notice with "
        "year, source, holidays and makeup_workdays.",
        details={"file": file_name, "problems": problems},
    )


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string, except that TOML also forbids a raw DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_dates(days: Iterable[dt.date]) -> str:
    return "[" + ", ".join(f'"{day.isoformat()}"' for day in sorted(days)) + "]"
