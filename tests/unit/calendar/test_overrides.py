"""Override files: official State Council schedules the holidays package lacks (APP-6, SYS-1)."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from certgov.calendar import YearSchedule, dump_overrides, load_overrides, parse_overrides
from certgov.calendar.overrides import load_shipped_overrides
from certgov.errors import ConfigurationError

DATA = Path(__file__).parent / "data"
D = dt.date.fromisoformat


def test_loads_a_valid_file() -> None:
    schedules = load_overrides(DATA / "fictional-2027.toml")
    assert list(schedules) == [2027]
    schedule = schedules[2027]
    assert schedule.year == 2027
    assert schedule.source.startswith("FICTIONAL test notice for 2027")
    assert D("2027-02-12") in schedule.holidays
    assert len(schedule.holidays) == 11
    assert schedule.makeup_workdays == frozenset({D("2027-01-31"), D("2027-02-20")})


def test_accepts_toml_date_literals() -> None:
    schedules = load_overrides(DATA / "fictional-2028.toml")
    assert schedules[2028].holidays == frozenset(
        {D("2028-01-01"), D("2028-01-02"), D("2028-01-03")}
    )


def test_shipped_file_has_no_years_only_documentation() -> None:
    """No fabricated data: the shipped file documents the format and holds no schedule."""
    assert load_shipped_overrides() == {}
    text = (
        resources.files("certgov.calendar")
        .joinpath("data/cn-overrides.toml")
        .read_text(encoding="utf-8")
    )
    assert tomllib.loads(text) == {}
    assert "# [[year]]" in text
    assert "makeup_workdays" in text


def test_an_empty_file_is_valid() -> None:
    assert parse_overrides("", "empty.toml") == {}


def test_dump_reads_back() -> None:
    schedules = {
        **load_overrides(DATA / "fictional-2027.toml"),
        **load_overrides(DATA / "fictional-2028.toml"),
    }
    tricky = YearSchedule(2029, frozenset({D("2029-01-01")}), frozenset(), 'quote " \\ \x7f 国办')
    schedules[2029] = tricky
    assert parse_overrides(dump_overrides(schedules), "dumped.toml") == schedules


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("bogus-not-toml.toml", "not valid TOML"),
        ("bogus-missing-source.toml", "year 2027: missing key(s) 'source'"),
        ("bogus-blank-source.toml", "year 2027: source is blank"),
        ("bogus-unknown-key.toml", "year 2027: unknown key(s) 'notes'"),
        ("bogus-unknown-top-level-key.toml", "unknown top-level key(s) 'version'"),
        ("bogus-year-not-array-of-tables.toml", "'year' must be an array of tables"),
        ("bogus-year-out-of-range.toml", "year 2101: year must be between 1950 and 2100"),
        ("bogus-holiday-not-in-year.toml", "year 2027: holiday 2026-12-31 is not in 2027"),
        (
            "bogus-makeup-workday-not-in-year.toml",
            "year 2027: make-up workday 2028-01-02 is not in 2027",
        ),
        (
            "bogus-makeup-workday-on-weekday.toml",
            "year 2027: make-up workday 2027-02-08 is a Monday, not a Saturday or Sunday",
        ),
        (
            "bogus-date-both-holiday-and-workday.toml",
            "year 2027: 2027-02-06 is listed both as a holiday and as a make-up workday",
        ),
        ("bogus-duplicate-year.toml", "year 2027: given twice ([[year]] entries 1 and 2)"),
        (
            "bogus-date-not-iso.toml",
            "year 2027: holidays[0] = '2027/01/01' is not a date written YYYY-MM-DD",
        ),
        ("bogus-date-listed-twice.toml", "year 2027: holidays lists 2027-01-01 twice"),
        ("bogus-holidays-not-a-list.toml", "year 2027: holidays must be a list of dates"),
    ],
)
def test_invalid_file_names_the_file_the_year_and_the_problem(
    file_name: str, expected: str
) -> None:
    path = DATA / file_name
    with pytest.raises(ConfigurationError) as raised:
        load_overrides(path)
    error = raised.value
    assert error.message.startswith(f"invalid calendar override file {path}")
    assert expected in error.message
    assert error.details["file"] == str(path)
    assert error.hint and "cn-overrides.toml" in error.hint


def test_every_problem_is_reported_at_once() -> None:
    text = """
[[year]]
year = 2027
source = "FICTIONAL"
holidays = ["2026-12-31"]
makeup_workdays = ["2027-02-08"]

[[year]]
year = 2028
source = "FICTIONAL"
holidays = ["2028-01-01"]
"""
    with pytest.raises(ConfigurationError) as raised:
        parse_overrides(text, "several.toml")
    problems = raised.value.details["problems"]
    assert problems == [
        "year 2027: holiday 2026-12-31 is not in 2027",
        "year 2027: make-up workday 2027-02-08 is a Monday, not a Saturday or Sunday "
        "(only weekend days can become working days)",
        "year 2028: missing key(s) 'makeup_workdays'",
    ]
    assert raised.value.message.count("\n") == 3


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"absent\.toml does not exist"):
        load_overrides(tmp_path / "absent.toml")


def test_year_schedule_checks_its_own_invariants() -> None:
    with pytest.raises(ConfigurationError, match="2027-02-08 is a Monday"):
        YearSchedule(2027, frozenset(), frozenset({D("2027-02-08")}), "FICTIONAL")
    with pytest.raises(ConfigurationError, match="source is blank"):
        YearSchedule(2027, frozenset({D("2027-01-01")}), frozenset(), " ")
