"""`certgov calendar` through the Typer app, with a real data directory (APP-6, SYS-1)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certgov.cli.calendar_cmd import app
from certgov.settings import get_settings

DATA = Path(__file__).parents[1] / "unit" / "calendar" / "data"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CERTGOV_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CERTGOV_CALENDAR_OVERRIDES", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_add_business_days_prints_only_the_due_day(runner: CliRunner, data_dir: Path) -> None:
    """APP-6: 10 business days from 2025-09-25 across National Day end on 2025-10-15."""
    result = runner.invoke(app, ["add", "--from", "2025-09-25", "--business-days", "10"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "2025-10-15\n"
    assert result.stderr == ""


def test_add_calendar_days_rolls_unless_told_not_to(runner: CliRunner, data_dir: Path) -> None:
    """SYS-1: a period ending on a holiday ends on the next business day."""
    rolled = runner.invoke(app, ["add", "--from", "2025-09-01", "--days", "30"])
    assert (rolled.exit_code, rolled.stdout) == (0, "2025-10-09\n")
    unrolled = runner.invoke(app, ["add", "--from", "2025-09-01", "--days", "30", "--no-roll"])
    assert (unrolled.exit_code, unrolled.stdout) == (0, "2025-10-01\n")


def test_add_json(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(app, ["add", "--from", "2025-09-25", "--business-days", "10", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "from": "2025-09-25",
        "due": "2025-10-15",
        "unit": "business days",
        "days": 10,
        "warnings": [],
    }
    result = runner.invoke(app, ["add", "--from", "2025-09-01", "--days", "30", "--json"])
    assert json.loads(result.stdout)["unit"] == "calendar days"


def test_add_into_2027_warns_on_stderr(runner: CliRunner, data_dir: Path) -> None:
    """APP-6: never a silent guess: the estimate for 2027 is announced on stderr and in JSON."""
    result = runner.invoke(app, ["add", "--from", "2026-12-24", "--business-days", "10"])
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1
    assert result.stderr.startswith("warning: 2027 has no official holiday schedule")
    result = runner.invoke(app, ["add", "--from", "2026-12-24", "--business-days", "10", "--json"])
    assert json.loads(result.stdout)["warnings"][0].startswith("2027 has no official")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2025-09-25"], "exactly one of --business-days N and --days N"),
        (
            ["--from", "2025-09-25", "--days", "1", "--business-days", "1"],
            "exactly one of --business-days N and --days N",
        ),
        (["--from", "2025-09-31", "--days", "1"], "--from must be a date written YYYY-MM-DD"),
        (["--from", "25/09/2025", "--days", "1"], "--from must be a date written YYYY-MM-DD"),
        (["--from", "2025-09-25", "--days", "-1"], "days must be zero or more"),
        (["--from", "2025-09-25", "--business-days", "36601"], "at most 36,600"),
        (["--from", "1949-09-25", "--days", "1"], "outside the supported calendar"),
        (["--from", "2025-09-25", "--business-days", "3", "--no-roll"], "--no-roll applies"),
    ],
)
def test_add_bad_input_exits_2_without_traceback(
    runner: CliRunner, data_dir: Path, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["add", *arguments])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_show_an_official_year(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(app, ["show", "2025", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["year"] == 2025
    assert body["official"] is True
    assert "State Council" in body["source"]
    assert {"date": "2025-10-01", "name": "国庆节"} in body["holidays"]
    assert body["makeup_workdays"] == [
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
    ]
    text = runner.invoke(app, ["show", "2025"]).stdout
    assert text.startswith("2025: official schedule (")
    assert "  2025-09-28 Sun" in text


def test_show_an_unofficial_year(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(app, ["show", "2027"])
    assert result.exit_code == 0
    assert result.stdout.startswith("2027: NO official schedule loaded")
    assert "(none)" in result.stdout
    body = json.loads(runner.invoke(app, ["show", "2027", "--json"]).stdout)
    assert (body["official"], body["source"], body["makeup_workdays"]) == (False, None, [])


def test_show_out_of_range_exits_2(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(app, ["show", "2101"])
    assert result.exit_code == 2
    assert "year must be an integer from 1950 to 2100" in result.stderr


def test_load_installs_merges_and_replaces(runner: CliRunner, data_dir: Path) -> None:
    """APP-6: a loaded notice makes its year official and changes the deadline it governs."""
    before = runner.invoke(app, ["add", "--from", "2027-01-28", "--business-days", "10"])
    assert (before.stdout, bool(before.stderr)) == ("2027-02-17\n", True)

    result = runner.invoke(app, ["load", str(DATA / "fictional-2027.toml")])
    assert result.exit_code == 0, result.output
    installed = data_dir / "calendar-overrides.toml"
    assert f"installed 2027 into {installed}" in result.stdout

    after = runner.invoke(app, ["add", "--from", "2027-01-28", "--business-days", "10"])
    assert (after.exit_code, after.stdout, after.stderr) == (0, "2027-02-18\n", "")
    show = json.loads(runner.invoke(app, ["show", "2027", "--json"]).stdout)
    assert show["official"] is True
    assert show["source"].startswith("FICTIONAL test notice for 2027")

    result = runner.invoke(app, ["load", str(DATA / "fictional-2028.toml")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["load", str(DATA / "fictional-2027-revised.toml")])
    assert result.exit_code == 0, result.output
    assert "replacing 2027: was 'FICTIONAL test notice for 2027" in result.stdout
    show = json.loads(runner.invoke(app, ["show", "2027", "--json"]).stdout)
    assert show["source"] == "FICTIONAL revised test notice for 2027"
    assert json.loads(runner.invoke(app, ["show", "2028", "--json"]).stdout)["official"] is True


def test_load_rejects_an_invalid_file(runner: CliRunner, data_dir: Path) -> None:
    bogus = DATA / "bogus-makeup-workday-on-weekday.toml"
    result = runner.invoke(app, ["load", str(bogus)])
    assert result.exit_code == 1
    assert f"error: invalid calendar override file {bogus}" in result.stderr
    assert "2027-02-08 is a Monday" in result.stderr
    assert not (data_dir / "calendar-overrides.toml").exists()


def test_load_a_file_without_years_installs_nothing(runner: CliRunner, data_dir: Path) -> None:
    empty = data_dir / "empty.toml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    result = runner.invoke(app, ["load", str(empty)])
    assert result.exit_code == 0
    assert "nothing installed" in result.stdout
    assert not (data_dir / "calendar-overrides.toml").exists()


def test_configured_override_file_is_used(
    runner: CliRunner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = data_dir / "elsewhere.toml"
    shutil.copy(DATA / "fictional-2027.toml", configured)
    monkeypatch.setenv("CERTGOV_CALENDAR_OVERRIDES", str(configured))
    get_settings.cache_clear()
    result = runner.invoke(app, ["add", "--from", "2027-01-28", "--business-days", "10"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "2027-02-18\n", "")
    result = runner.invoke(app, ["load", str(DATA / "fictional-2028.toml")])
    assert result.exit_code == 0
    assert "warning: CERTGOV_CALENDAR_OVERRIDES points to" in result.stderr


def test_invalid_configured_override_file_exits_1(
    runner: CliRunner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTGOV_CALENDAR_OVERRIDES", str(DATA / "bogus-duplicate-year.toml"))
    get_settings.cache_clear()
    result = runner.invoke(app, ["add", "--from", "2025-09-25", "--business-days", "10"])
    assert result.exit_code == 1
    assert "year 2027: given twice" in result.stderr
    assert "Traceback" not in result.output
