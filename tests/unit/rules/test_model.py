"""Rule-set value types: durations, money, ranges and the typed accessors (SYS-2)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certgov.errors import ConfigurationError, InvalidInput
from certgov.rules import (
    Duration,
    DurationUnit,
    IntRange,
    Money,
    MoneyRange,
    Parameter,
    ParameterKind,
    Regime,
    RuleSet,
    RuleSetStatus,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45 calendar days", Duration(45, DurationUnit.CALENDAR_DAYS)),
        ("10 business days", Duration(10, DurationUnit.BUSINESS_DAYS)),
        ("180 days", Duration(180, DurationUnit.CALENDAR_DAYS)),
        ("72 hours", Duration(72, DurationUnit.HOURS)),
        ("5 years", Duration(5, DurationUnit.YEARS)),
        ("12 months", Duration(12, DurationUnit.MONTHS)),
        ("1 year", Duration(1, DurationUnit.YEARS)),
        ("1 business day", Duration(1, DurationUnit.BUSINESS_DAYS)),
        ("1 day", Duration(1, DurationUnit.CALENDAR_DAYS)),
        ("0 hours", Duration(0, DurationUnit.HOURS)),
        ("  30 calendar days ", Duration(30, DurationUnit.CALENDAR_DAYS)),
    ],
)
def test_duration_parses_the_documented_forms(text: str, expected: Duration) -> None:
    """Durations of ECS-2.2 (45 days), APP-6 (business days) and APP-10 (180 days) parse."""
    assert Duration.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "45",
        "days",
        "-5 days",
        "4.5 days",
        "45 calendar",
        "45 weeks",
        "45 working days",
        "45 Calendar Days",
        "45calendar days",
        "45 calendar days later",
        "forty-five days",
        "１０ business days",
    ],
)
def test_duration_rejects_anything_else(text: str) -> None:
    with pytest.raises(InvalidInput, match="expected a duration like"):
        Duration.parse(text)


def test_duration_text_is_canonical() -> None:
    """Plain "days" is calendar days; one of a unit is singular."""
    assert str(Duration.parse("180 days")) == "180 calendar days"
    assert str(Duration(1, DurationUnit.YEARS)) == "1 year"
    assert str(Duration(2, DurationUnit.BUSINESS_DAYS)) == "2 business days"
    assert Duration.parse("10 business days").is_business_days
    assert not Duration.parse("10 days").is_business_days


@given(
    st.builds(
        Duration,
        amount=st.integers(min_value=0, max_value=999_999_999),
        unit=st.sampled_from(DurationUnit),
    )
)
def test_duration_text_round_trips(duration: Duration) -> None:
    assert Duration.parse(str(duration)) == duration


@pytest.mark.parametrize("amount", [-1, True, 1.5])
def test_duration_needs_a_non_negative_whole_amount(amount: object) -> None:
    with pytest.raises(InvalidInput):
        Duration(amount, DurationUnit.HOURS)  # type: ignore[arg-type]


def test_money_and_ranges() -> None:
    """Fine ranges of ECS-6.2 / ECS-6.3 are inclusive and in one currency."""
    fine = MoneyRange(Money(10_000), Money(50_000))
    assert Money(10_000) in fine
    assert Money(50_000) in fine
    assert Money(50_001) not in fine
    assert Money(10_000, "USD") not in fine
    assert str(fine) == "10,000–50,000 CNY"
    assert str(Money(30_000_000)) == "30,000,000 CNY"
    multiplier = IntRange(1, 3)
    assert 2 in multiplier
    assert 4 not in multiplier
    assert str(multiplier) == "1–3"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Money(-1),
        lambda: Money(True),
        lambda: Money(100, "yuan"),
        lambda: MoneyRange(Money(2), Money(1)),
        lambda: MoneyRange(Money(1), Money(2, "USD")),
        lambda: IntRange(3, 1),
        lambda: IntRange(1, True),
    ],
    ids=[
        "negative",
        "bool-amount",
        "bad-currency",
        "low-above-high",
        "two-currencies",
        "int-range-low-above-high",
        "bool-bound",
    ],
)
def test_invalid_money_and_ranges_are_refused(make: object) -> None:
    with pytest.raises(InvalidInput):
        make()  # type: ignore[operator]


def test_parameter_value_must_match_its_kind() -> None:
    with pytest.raises(InvalidInput, match="kind count"):
        Parameter("x", ParameterKind.COUNT, True, "s", False, None, ("ECS-2.1",))
    with pytest.raises(InvalidInput, match="kind money"):
        Parameter("x", ParameterKind.MONEY, 5, "s", False, None, ("ECS-2.1",))


def _parameter(key: str, kind: ParameterKind, value: object) -> Parameter:
    return Parameter(key, kind, value, "test", False, None, ("SYS-2",))  # type: ignore[arg-type]


def _rule_set() -> RuleSet:
    parameters = [
        _parameter("capital", ParameterKind.MONEY, Money(30_000_000)),
        _parameter("fine", ParameterKind.MONEY_RANGE, MoneyRange(Money(1), Money(2))),
        _parameter("staff", ParameterKind.COUNT, 30),
        _parameter("multiplier", ParameterKind.INT_RANGE, IntRange(1, 3)),
        _parameter("period", ParameterKind.DURATION, Duration.parse("45 calendar days")),
        _parameter("enabled", ParameterKind.BOOL, True),
        _parameter("body", ParameterKind.TEXT, "CCRC"),
        _parameter("systems", ParameterKind.LIST, ("Android", "iOS")),
    ]
    return RuleSet(
        id="example",
        title="Example",
        regime=Regime.ECS,
        status=RuleSetStatus.IN_FORCE,
        source="test",
        effective_from=date(2015, 4, 29),
        effective_until=None,
        parameters={p.key: p for p in parameters},
    )


def test_typed_accessors_return_typed_values() -> None:
    """SYS-2: code reads rule parameters through typed accessors, never literals."""
    rule_set = _rule_set()
    assert rule_set.money("capital") == Money(30_000_000)
    assert rule_set.money_range("fine") == MoneyRange(Money(1), Money(2))
    assert rule_set.count("staff") == 30
    assert rule_set.int_range("multiplier") == IntRange(1, 3)
    assert rule_set.duration("period") == Duration(45, DurationUnit.CALENDAR_DAYS)
    assert rule_set.flag("enabled") is True
    assert rule_set.text("body") == "CCRC"
    assert rule_set.items("systems") == ("Android", "iOS")
    assert "staff" in rule_set
    assert "nothing" not in rule_set


def test_missing_parameter_names_rule_set_and_key() -> None:
    with pytest.raises(ConfigurationError) as caught:
        _rule_set().duration("licence_validity")
    assert "'example'" in caught.value.message
    assert "'licence_validity'" in caught.value.message
    assert caught.value.details == {"rule_set": "example", "key": "licence_validity"}


@pytest.mark.parametrize(
    ("accessor", "key"),
    [
        ("money", "staff"),
        ("count", "capital"),
        ("count", "enabled"),
        ("duration", "body"),
        ("flag", "staff"),
        ("text", "systems"),
        ("items", "body"),
        ("money_range", "multiplier"),
        ("int_range", "fine"),
    ],
)
def test_parameter_of_another_kind_is_a_configuration_error(accessor: str, key: str) -> None:
    with pytest.raises(ConfigurationError, match=f"'example' parameter '{key}' is of kind"):
        getattr(_rule_set(), accessor)(key)


def test_parameters_cannot_be_changed_after_loading() -> None:
    """SYS-2: a rule change never silently rewrites the set a case was judged under."""
    rule_set = _rule_set()
    with pytest.raises(TypeError):
        rule_set.parameters["staff"] = rule_set.parameters["capital"]  # type: ignore[index]


def test_as_dict_is_json_ready() -> None:
    body = _rule_set().as_dict()
    assert json.loads(json.dumps(body)) == body
    assert body["effective_from"] == "2015-04-29"
    assert body["effective_until"] is None
    parameters = body["parameters"]
    assert parameters["capital"]["value"] == 30_000_000
    assert parameters["capital"]["currency"] == "CNY"
    assert parameters["fine"]["value"] == {"low": 1, "high": 2}
    assert parameters["multiplier"]["value"] == {"low": 1, "high": 3}
    assert parameters["period"]["value"] == "45 calendar days"
    assert parameters["systems"]["value"] == ["Android", "iOS"]
    assert parameters["staff"]["requirements"] == ["SYS-2"]


def test_parameter_must_be_filed_under_its_own_key() -> None:
    staff = _parameter("staff", ParameterKind.COUNT, 30)
    with pytest.raises(InvalidInput, match="'staff' is filed under 'capital'"):
        RuleSet("x", "x", Regime.ECS, RuleSetStatus.DRAFT, "s", None, None, {"capital": staff})
