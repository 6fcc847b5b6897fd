"""Process definitions as data: loading and validation (SYS-1)."""

from __future__ import annotations

import contextlib
import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.actors import ALL_ROLES
from certgov.bootstrap import load_processes
from certgov.cases.hooks import engine_hooks
from certgov.errors import ConfigurationError
from certgov.rules import load_rule_sets
from certgov.workflow.definition import load_process, parse_process

ROLES = [r.value for r in ALL_ROLES]

MINIMAL: dict[str, Any] = {
    "id": "tiny",
    "title": "Tiny",
    "regime": "ecs",
    "initial": "open",
    "openers": ["national_regulator"],
    "states": {"open": {"title": "Open"}, "done": {"title": "Done", "final": True}},
    "transitions": [
        {"name": "finish", "from": ["open"], "to": "done", "roles": ["national_regulator"]},
        {"name": "lapse", "from": ["open"], "to": "done", "roles": ["system"]},
    ],
    "deadlines": [
        {
            "name": "answer",
            "period": "licence_decision_period",
            "starts_in": ["open"],
            "ends_in": ["done"],
            "on_expiry": {"transition": "lapse"},
        }
    ],
}


HOOKS = engine_hooks()


def parse(data: dict[str, Any]) -> Any:
    return parse_process(
        data, origin="test.toml", roles=ROLES, guards=HOOKS.guards, effects=HOOKS.effect_names()
    )


def test_minimal_process_parses() -> None:
    process = parse(MINIMAL)
    assert process.initial == "open"
    assert process.transitions["lapse"].roles == {"system"}
    assert process.deadline("answer").on_expiry.transition == "lapse"


def test_shipped_processes_load_and_their_periods_exist_in_the_rule_sets() -> None:
    """SYS-1/SYS-2: every deadline period a process names is a duration of its regime's rule sets."""
    processes = load_processes()
    assert {"ca-licence-application", "app-decision-complaint"} <= set(processes)
    rule_sets = load_rule_sets()
    for process in processes.values():
        for rule_set in rule_sets.values():
            if rule_set.regime == process.regime:
                for period in process.periods():
                    rule_set.duration(period)  # raises when missing or not a duration
        assert process.digest


def mutate(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["initial"], "nowhere", "initial state 'nowhere'"),
        (["states"], {}, "at least one state"),
        (["transitions", 0, "to"], "elsewhere", "unknown state 'elsewhere'"),
        (["transitions", 0, "roles"], ["wizard"], "unknown role(s): wizard"),
        (["transitions", 0, "roles"], [], "which roles"),
        (["transitions", 0, "guards"], ["teleport"], "unknown guard 'teleport'"),
        (["transitions", 0, "effects"], ["explode"], "unknown effect(s) explode"),
        (["transitions", 1, "roles"], ["national_regulator"], "must allow role 'system'"),
        (["deadlines", 0, "on_expiry"], {}, "needs a finding or a transition"),
        (["deadlines", 0, "on_expiry"], {"transition": "nope"}, "is not defined"),
        (["deadlines", 0, "ends_in"], ["open"], "cannot both run"),
        (["deadlines", 0, "starts_in"], [], "needs starts_in"),
        (["openers"], [], "openers"),
        (["id"], "Bad Id", "lower-case words"),
        (["colour"], "blue", "unknown key(s) in the process: colour"),
        (["states", "done", "final"], "yes", "true or false"),
    ],
)
def test_invalid_definitions_are_refused_naming_the_problem(
    path: list[Any], value: Any, message: str
) -> None:
    with pytest.raises(ConfigurationError) as error:
        parse(mutate(path, value))
    assert message in error.value.message
    assert "test.toml" in error.value.message


def test_unreachable_states_are_refused() -> None:
    data = copy.deepcopy(MINIMAL)
    data["states"]["orphan"] = {"title": "Orphan"}
    with pytest.raises(ConfigurationError, match="not reachable"):
        parse(data)


def test_leaving_a_final_state_is_refused() -> None:
    data = copy.deepcopy(MINIMAL)
    data["transitions"].append(
        {"name": "reopen", "from": ["done"], "to": "open", "roles": ["system"]}
    )
    with pytest.raises(ConfigurationError, match="leaves final state"):
        parse(data)


def test_a_file_that_is_not_toml_is_a_configuration_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_bytes(b"id = \xff\xfe")
    with pytest.raises(ConfigurationError, match=r"broken\.toml"):
        load_process(bad, roles=ROLES)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from([*sorted(MINIMAL), "x"]), json_values, max_size=10))
def test_fuzz_arbitrary_documents_only_raise_configuration_errors(data: dict[str, Any]) -> None:
    """Fuzz: any decoded document either parses or is refused with ConfigurationError."""
    with contextlib.suppress(ConfigurationError):
        parse(data)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(list(range(10))), min_size=1, max_size=6), json_values)
def test_fuzz_mutations_of_a_valid_document(indices: list[int], value: Any) -> None:
    """Fuzz: replacing any part of a valid document never escapes as another exception."""
    data = copy.deepcopy(MINIMAL)
    target: Any = data
    for index in indices:
        keys = (
            list(target)
            if isinstance(target, dict)
            else list(range(len(target)))
            if isinstance(target, list)
            else []
        )
        if not keys:
            break
        key = keys[index % len(keys)]
        if not isinstance(target[key], (dict, list)):
            target[key] = value
            break
        target = target[key]
    with contextlib.suppress(ConfigurationError):
        parse(data)


def test_shipped_files_are_valid_toml() -> None:
    paths = list((Path(__file__).parents[3] / "src/certgov/cases/processes").glob("*.toml"))
    assert paths
    for path in paths:
        tomllib.loads(path.read_text(encoding="utf-8"))
