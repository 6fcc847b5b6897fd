"""The ``violations`` parameter kind: a structured violation catalogue (ECS-6.1)."""

from __future__ import annotations

import pytest

from certgov.errors import ConfigurationError
from certgov.rules.loader import loads_rule_set
from certgov.rules.model import ParameterKind, Violation

HEAD = """
id = "t"
title = "t"
regime = "ecs"
status = "in_force"
source = "s"
effective_from = 2020-01-01

[parameters.penalty_types]
kind = "list"
value = ["warning", "fine"]
source = "s"
requirements = ["ECS-6.2"]
assumed = false

[parameters.x_fine]
kind = "money_range"
value = { low = 1, high = 2 }
source = "s"
requirements = ["ECS-6.2"]
assumed = false

[parameters.violations]
kind = "violations"
source = "s"
requirements = ["ECS-6.1"]
assumed = false
"""


def _entry(**fields: str) -> str:
    body = {
        "id": '"x"',
        "title": '"X"',
        "basis": '"Art. 1"',
        "outcomes": '["fine"]',
        "fine": '"x_fine"',
        **fields,
    }
    return "\n[[parameters.violations.value]]\n" + "\n".join(
        f"{k} = {v}" for k, v in body.items() if v
    )


def test_ecs_6_1_a_catalogue_loads_with_its_references() -> None:
    rule_set = loads_rule_set(HEAD + _entry())
    assert rule_set.violations("violations") == (
        Violation("x", "X", "Art. 1", ("fine",), fine="x_fine"),
    )
    parameter = rule_set.parameter("violations")
    assert parameter.kind is ParameterKind.VIOLATIONS
    assert parameter.as_dict()["value"][0]["fine"] == "x_fine"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (_entry(fine='"nope"'), "value[0].fine"),
        (_entry(fine='"penalty_types"'), "value[0].fine"),
        (_entry(outcomes='["revocation"]'), "value[0].outcomes"),
        (_entry(outcomes="[]"), "value[0].outcomes"),
        (_entry(gains_threshold='"x_fine"'), "go together"),
        (_entry(id='"Bad Id"'), "value[0].id"),
        (_entry(colour='"red"'), "colour"),
        (_entry() + _entry(), "duplicate violation ids"),
        ("\nvalue = []", "non-empty array"),
    ],
)
def test_ecs_6_1_a_wrong_catalogue_is_refused_naming_the_key(text: str, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named.replace("[", r"\[").replace("]", r"\]")):
        loads_rule_set(HEAD + text)
