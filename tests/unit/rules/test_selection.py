"""Which rule set is in force on a date (SYS-2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certgov.errors import ConfigurationError, NotFound
from certgov.rules import (
    Regime,
    RuleSet,
    RuleSetStatus,
    effective_window,
    load_rule_sets,
    rule_set_in_force,
    start_date,
)

SHIPPED = load_rule_sets()
M2015_START = date(2015, 4, 29)


def _rule_set(
    rule_set_id: str,
    start: date | None,
    until: date | None = None,
    status: RuleSetStatus = RuleSetStatus.IN_FORCE,
    regime: Regime = Regime.ECS,
) -> RuleSet:
    return RuleSet(
        id=rule_set_id,
        title=rule_set_id,
        regime=regime,
        status=status,
        source="test",
        effective_from=start,
        effective_until=until,
        parameters={},
    )


def test_2019_case_is_judged_under_measures_2015() -> None:
    """SYS-2: a case is judged under the rule set in force on its relevant date."""
    assert rule_set_in_force(SHIPPED, Regime.ECS, date(2019, 6, 1)).id == "measures-2015"
    assert rule_set_in_force(SHIPPED, Regime.ECS, M2015_START).id == "measures-2015"


def test_draft_is_never_in_force_until_activated() -> None:
    """SYS-2: the 2024 draft does not apply, however late the date, without an activation."""
    assert rule_set_in_force(SHIPPED, Regime.ECS, date(2040, 1, 1)).id == "measures-2015"
    assert start_date(SHIPPED["measures-2024-draft"]) is None


def test_activated_draft_supersedes_2015_from_its_date() -> None:
    """SYS-2: an activation starts the draft; the 2015 set still governs earlier dates."""
    activations = {"measures-2024-draft": date(2025, 7, 1)}
    on_the_day = rule_set_in_force(SHIPPED, Regime.ECS, date(2025, 7, 1), activations)
    day_before = rule_set_in_force(SHIPPED, Regime.ECS, date(2025, 6, 30), activations)
    assert on_the_day.id == "measures-2024-draft"
    assert day_before.id == "measures-2015"
    assert rule_set_in_force(SHIPPED, Regime.ECS, date(2019, 1, 1), activations).id == (
        "measures-2015"
    )


@given(st.dates(min_value=date(2015, 4, 30), max_value=date(2100, 1, 1)))
def test_activation_splits_time_at_its_date(activated: date) -> None:
    activations = {"measures-2024-draft": activated}
    before = rule_set_in_force(SHIPPED, Regime.ECS, activated - timedelta(days=1), activations)
    assert before.id == "measures-2015"
    assert rule_set_in_force(SHIPPED, Regime.ECS, activated, activations).id == (
        "measures-2024-draft"
    )


def test_app_regime_uses_ccrc_app_2019() -> None:
    """APP regime cases are judged under ccrc-app-2019 (SYS-2)."""
    assert rule_set_in_force(SHIPPED, Regime.APP, date(2019, 3, 15)).id == "ccrc-app-2019"
    assert rule_set_in_force(SHIPPED, Regime.APP, date(2026, 1, 1)).id == "ccrc-app-2019"


def test_before_2015_nothing_is_in_force() -> None:
    with pytest.raises(NotFound) as caught:
        rule_set_in_force(SHIPPED, Regime.ECS, date(2015, 4, 28))
    message = caught.value.message
    assert "ecs" in message
    assert "2015-04-28" in message
    assert "'measures-2015', starts on 2015-04-29" in message
    assert caught.value.details == {"regime": "ecs", "date": "2015-04-28"}


def test_before_the_app_scheme_nothing_is_in_force() -> None:
    with pytest.raises(NotFound, match="no app rule set is in force on 2019-03-14"):
        rule_set_in_force(SHIPPED, Regime.APP, date(2019, 3, 14))


def test_only_a_draft_loaded_hints_at_activation() -> None:
    rule_sets = {"d": _rule_set("d", None, status=RuleSetStatus.DRAFT)}
    with pytest.raises(NotFound) as caught:
        rule_set_in_force(rule_sets, Regime.ECS, date(2025, 1, 1))
    assert caught.value.hint is not None
    assert "certgov rules activate" in caught.value.hint


def test_activation_overrides_effective_from_of_an_in_force_set() -> None:
    activations = {"measures-2015": date(2016, 1, 1)}
    with pytest.raises(NotFound):
        rule_set_in_force(SHIPPED, Regime.ECS, date(2015, 12, 31), activations)
    assert rule_set_in_force(SHIPPED, Regime.ECS, date(2016, 1, 1), activations).id == (
        "measures-2015"
    )


def test_effective_until_ends_a_set_and_the_older_one_resumes() -> None:
    rule_sets = {
        "old": _rule_set("old", date(2015, 1, 1)),
        "interim": _rule_set("interim", date(2020, 1, 1), until=date(2020, 12, 31)),
    }
    assert rule_set_in_force(rule_sets, Regime.ECS, date(2020, 12, 31)).id == "interim"
    assert rule_set_in_force(rule_sets, Regime.ECS, date(2021, 1, 1)).id == "old"


def test_after_every_set_has_ended_nothing_is_in_force() -> None:
    rule_sets = {"only": _rule_set("only", date(2015, 1, 1), until=date(2016, 1, 1))}
    with pytest.raises(NotFound, match="every one of them had ended"):
        rule_set_in_force(rule_sets, Regime.ECS, date(2016, 1, 2))


def test_other_regimes_are_ignored() -> None:
    rule_sets = {
        "ecs": _rule_set("ecs", date(2015, 1, 1)),
        "app": _rule_set("app", date(2020, 1, 1), regime=Regime.APP),
    }
    assert rule_set_in_force(rule_sets, Regime.ECS, date(2021, 1, 1)).id == "ecs"


def test_activation_of_an_unloaded_set_is_an_error() -> None:
    """Falling back silently would judge cases under the wrong rules (SYS-2)."""
    with pytest.raises(ConfigurationError, match="'measures-2030' is activated but not loaded"):
        rule_set_in_force(
            SHIPPED, Regime.ECS, date(2031, 1, 1), {"measures-2030": date(2030, 1, 1)}
        )


def test_two_sets_starting_on_one_day_are_ambiguous() -> None:
    activations = {"measures-2024-draft": M2015_START}
    with pytest.raises(ConfigurationError, match="both start on 2015-04-29"):
        rule_set_in_force(SHIPPED, Regime.ECS, date(2020, 1, 1), activations)


def test_effective_windows_after_supersession() -> None:
    """`certgov rules list` shows each set's interval after supersession (SYS-2)."""
    assert effective_window(SHIPPED, None, "measures-2015") == (M2015_START, None)
    assert effective_window(SHIPPED, None, "measures-2024-draft") == (None, None)
    assert effective_window(SHIPPED, {}, "ccrc-app-2019") == (date(2019, 3, 15), None)
    activations = {"measures-2024-draft": date(2025, 7, 1)}
    assert effective_window(SHIPPED, activations, "measures-2015") == (
        M2015_START,
        date(2025, 6, 30),
    )
    assert effective_window(SHIPPED, activations, "measures-2024-draft") == (date(2025, 7, 1), None)
    assert effective_window(SHIPPED, activations, "ccrc-app-2019") == (date(2019, 3, 15), None)


def test_effective_window_keeps_an_earlier_end_date() -> None:
    rule_sets = {
        "a": _rule_set("a", date(2015, 1, 1), until=date(2017, 12, 31)),
        "b": _rule_set("b", date(2020, 1, 1)),
    }
    assert effective_window(rule_sets, None, "a") == (date(2015, 1, 1), date(2017, 12, 31))


def test_effective_window_skips_a_later_set_that_never_starts() -> None:
    rule_sets = {
        "a": _rule_set("a", date(2015, 1, 1)),
        "void": _rule_set("void", date(2015, 1, 1), until=date(2016, 1, 1)),
        "b": _rule_set("b", date(2020, 1, 1)),
    }
    activations = {"void": date(2018, 1, 1)}
    assert effective_window(rule_sets, activations, "void") == (None, None)
    assert effective_window(rule_sets, activations, "a") == (date(2015, 1, 1), date(2019, 12, 31))


def test_effective_window_of_an_unknown_set() -> None:
    with pytest.raises(NotFound, match="no rule set 'nothing' is loaded"):
        effective_window(SHIPPED, None, "nothing")
