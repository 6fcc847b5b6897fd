"""The violation catalogue and the check of a penalty decision (ECS-6.1, ECS-6.2, ECS-6.3)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certgov.enforcement.catalogue import (
    Decision,
    catalogue,
    decision_problems,
    fine_range,
    parse_decision,
    violation,
)
from certgov.errors import InvalidInput
from certgov.rules import load_rule_sets
from certgov.rules.model import Money, MoneyRange

RULE_SETS = load_rule_sets()
M2015 = RULE_SETS["measures-2015"]


@pytest.mark.parametrize("rule_set_id", ["measures-2015", "measures-2024-draft"])
def test_ecs_6_1_every_catalogue_entry_has_a_basis_outcomes_and_a_fine_range(
    rule_set_id: str,
) -> None:
    rule_set = RULE_SETS[rule_set_id]
    entries = catalogue(rule_set)
    assert set(rule_set.items("violation_catalogue")) | {"unlicensed_service"} == set(entries)
    for entry in entries.values():
        assert entry.basis and entry.title and entry.outcomes
        assert set(entry.outcomes) <= set(rule_set.items("penalty_types"))
        assert isinstance(fine_range(rule_set, entry, None), MoneyRange)


def test_ecs_6_2_cessation_fine_range_is_esl_article_30() -> None:
    entry = violation(M2015, "cessation_not_reported")
    assert fine_range(M2015, entry, None) == MoneyRange(Money(10_000), Money(50_000))
    ok = Decision(("fine",), 50_000, None)
    assert decision_problems(M2015, "cessation_not_reported", ok) == []
    [problem] = decision_problems(M2015, "cessation_not_reported", Decision(("fine",), 9_999, None))
    assert "10,000–50,000 CNY" in problem and "ESL Arts. 23, 30" in problem


@pytest.mark.parametrize(
    ("gains", "low", "high"),
    [
        (None, 100_000, 300_000),
        (0, 100_000, 300_000),
        (299_999, 100_000, 300_000),
        (300_000, 300_000, 900_000),
        (1_000_000, 1_000_000, 3_000_000),
    ],
)
def test_ecs_6_3_unlicensed_service_range_follows_the_gains(
    gains: int | None, low: int, high: int
) -> None:
    """ESL Art. 29: 1–3 × gains of 300,000 or more, otherwise 100,000–300,000."""
    entry = violation(M2015, "unlicensed_service")
    assert fine_range(M2015, entry, gains) == MoneyRange(Money(low), Money(high))


def test_ecs_6_2_outcomes_not_allowed_are_named() -> None:
    [problem] = decision_problems(
        M2015, "outlet_missing", Decision(("licence revocation",), None, None)
    )
    assert "licence revocation is not an outcome for outlet_missing" in problem
    with pytest.raises(InvalidInput, match="violation"):
        violation(M2015, "no_such_violation")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    st.dictionaries(
        st.sampled_from(["outcomes", "fine_yuan", "illegal_gains_yuan", "other"]), _json
    )
)
def test_ecs_6_2_parse_decision_accepts_or_names_the_field(payload: dict[str, Any]) -> None:
    """Any JSON payload is a decision or an InvalidInput naming a field; never another error."""
    try:
        decision = parse_decision(payload)
    except InvalidInput as error:
        assert error.message.split(":")[0] in ("outcomes", "fine_yuan", "illegal_gains_yuan") or (
            error.message.startswith("outcomes")
        )
        return
    assert decision.outcomes and all(isinstance(o, str) for o in decision.outcomes)
    decision_problems(M2015, "unlicensed_service", decision)
