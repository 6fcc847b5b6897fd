"""Loading and strict validation of rule-set files (SYS-2)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from certgov.errors import ConfigurationError
from certgov.rules import (
    Duration,
    IntRange,
    Money,
    MoneyRange,
    ParameterKind,
    Regime,
    RuleSetStatus,
    load_rule_set,
    load_rule_sets,
    loads_rule_set,
    shipped_rule_set_files,
)

DATA = Path(__file__).parent / "data"
INVALID = sorted((DATA / "invalid").glob("*.toml"))
SHIPPED_IDS = {"measures-2015", "measures-2024-draft", "ccrc-app-2019"}


def _expectation(path: Path) -> tuple[str, str]:
    """The ``# expect: KEY | FRAGMENT`` line heading each invalid test file."""
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    key, fragment = first_line.removeprefix("# expect:").split("|")
    return key.strip(), fragment.strip()


def test_valid_file_loads_every_kind() -> None:
    rule_set = load_rule_set(DATA / "valid-minimal.toml")
    assert rule_set.id == "valid-minimal"
    assert rule_set.regime is Regime.ECS
    assert rule_set.status is RuleSetStatus.IN_FORCE
    assert rule_set.effective_from == date(2020, 1, 1)
    assert rule_set.effective_until == date(2020, 12, 31)
    assert rule_set.path == DATA / "valid-minimal.toml"
    assert rule_set.money("capital") == Money(1000)
    assert rule_set.money_range("fine") == MoneyRange(Money(10), Money(20))
    assert rule_set.count("staff") == 0
    assert rule_set.int_range("multiplier") == IntRange(1, 1)
    assert rule_set.duration("period") == Duration.parse("180 calendar days")
    assert rule_set.flag("enabled") is False
    assert rule_set.text("body") == "CCRC"
    assert rule_set.items("bars") == ()
    period = rule_set.parameter("period")
    assert period.kind is ParameterKind.DURATION
    assert period.assumed
    assert period.note == "assumed for the test"
    assert period.requirements == ("APP-10", "SYS-1")
    assert [p.key for p in rule_set.assumed_parameters()] == ["period"]


def test_every_invalid_file_has_an_expectation() -> None:
    assert len(INVALID) >= 40
    for path in INVALID:
        assert _expectation(path)[1], path


@pytest.mark.parametrize("path", INVALID, ids=[path.stem for path in INVALID])
def test_invalid_file_is_refused_naming_file_and_key(path: Path) -> None:
    """SYS-2: a wrong rule set is refused, never half-loaded; the error names file and key."""
    key, fragment = _expectation(path)
    with pytest.raises(ConfigurationError) as caught:
        load_rule_set(path)
    error = caught.value
    assert error.details == {"file": str(path), "key": key}
    assert str(path) in error.message
    assert f": {key}: " in error.message
    assert fragment in error.message


def test_unreadable_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read rule set"):
        load_rule_set(tmp_path / "absent.toml")
    (tmp_path / "latin1.toml").write_bytes('title = "caf\xe9"'.encode("latin-1"))
    with pytest.raises(ConfigurationError, match="cannot read rule set"):
        load_rule_set(tmp_path / "latin1.toml")


def test_text_origin_names_the_source_in_errors() -> None:
    with pytest.raises(ConfigurationError, match=r"rule set upload\.toml: id: missing"):
        loads_rule_set('title = "t"', origin="upload.toml")


def test_shipped_rule_sets_are_found() -> None:
    """SYS-2: the three shipped rule sets are package data."""
    names = [entry.name for entry in shipped_rule_set_files()]
    assert names == ["ccrc-app-2019.toml", "measures-2015.toml", "measures-2024-draft.toml"]
    assert set(load_rule_sets()) == SHIPPED_IDS


def test_extra_directory_adds_rule_sets(tmp_path: Path) -> None:
    shutil.copy(DATA / "valid-minimal.toml", tmp_path / "operator.toml")
    (tmp_path / "notes.txt").write_text("not a rule set", encoding="utf-8")
    rule_sets = load_rule_sets(tmp_path)
    assert set(rule_sets) == {*SHIPPED_IDS, "valid-minimal"}
    assert rule_sets["valid-minimal"].path == tmp_path / "operator.toml"


def test_duplicate_id_is_refused(tmp_path: Path) -> None:
    """An operator's file never silently replaces a shipped rule set (SYS-2)."""
    shipped = next(e for e in shipped_rule_set_files() if e.name == "measures-2015.toml")
    (tmp_path / "my-2015.toml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="'measures-2015' is defined twice") as caught:
        load_rule_sets(tmp_path)
    assert str(tmp_path / "my-2015.toml") in caught.value.details["files"]


def test_duplicate_id_within_the_extra_directory_is_refused(tmp_path: Path) -> None:
    shutil.copy(DATA / "valid-minimal.toml", tmp_path / "a.toml")
    shutil.copy(DATA / "valid-minimal.toml", tmp_path / "b.toml")
    with pytest.raises(ConfigurationError, match="'valid-minimal' is defined twice"):
        load_rule_sets(tmp_path)


def test_missing_extra_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_rule_sets(tmp_path / "absent")


def test_invalid_file_in_extra_directory_stops_loading(tmp_path: Path) -> None:
    shutil.copy(DATA / "invalid" / "money-negative.toml", tmp_path / "bad.toml")
    with pytest.raises(ConfigurationError, match="non-negative"):
        load_rule_sets(tmp_path)
