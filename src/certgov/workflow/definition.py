"""Process definitions as data (SYS-1).

A process is loaded from TOML: states, transitions (allowed roles, guards, effects), and
deadlines (a rule-set period, the states that start, pause and end the clock, and what happens
when it passes). The engine (``certgov.cases``) interprets it; this module only parses and
validates, so a wrong definition fails at start-up with a message naming file and key.

Format::

    id = "app-decision-complaint"
    title = "..."
    regime = "app"                      # which rule sets apply (ecs | app)
    requirements = ["APP-6", "SYS-1"]
    initial = "submitted"
    openers = ["app_operator"]          # roles that may open a case
    open_guards = ["filed_within:complaint_filing_window"]

    [states.submitted]
    title = "Submitted"
    [states.decided]
    title = "Decided"
    final = true

    [[transitions]]
    name = "accept"
    from = ["submitted"]
    to = "accepted"
    roles = ["national_regulator", "certification_body"]   # "system" for automatic ones
    guards = []
    effects = []
    reason_required = false

    [[deadlines]]
    name = "acceptance"
    period = "complaint_acceptance_period"   # a duration parameter of the case's rule set
    starts_in = ["submitted"]
    paused_in = []
    ends_in = ["accepted", "rejected"]
    on_expiry = { finding = "complaint-acceptance-overdue", severity = "high" }
    # or: on_expiry = { transition = "lapse" }
    extendable_by = ["national_regulator"]
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from certgov.errors import ConfigurationError

SYSTEM_ROLE = "system"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_GUARD = re.compile(r"^[a-z][a-z0-9_]*(:[a-z0-9_.-]+)?$")


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class ExpiryAction:
    """What happens when a deadline passes: a finding, an automatic transition, or both."""

    finding: str | None = None
    severity: Severity = Severity.MEDIUM
    transition: str | None = None


@dataclass(frozen=True)
class StateDef:
    name: str
    title: str
    final: bool = False
    description: str = ""


@dataclass(frozen=True)
class TransitionDef:
    name: str
    title: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    reason_required: bool = False


@dataclass(frozen=True)
class DeadlineDef:
    name: str
    title: str
    period: str
    starts_in: frozenset[str]
    ends_in: frozenset[str]
    on_expiry: ExpiryAction
    paused_in: frozenset[str] = frozenset()
    extendable_by: frozenset[str] = frozenset()
    requirement: str | None = None


@dataclass(frozen=True)
class ProcessDef:
    id: str
    title: str
    regime: str
    initial: str
    states: Mapping[str, StateDef]
    transitions: Mapping[str, TransitionDef]
    deadlines: tuple[DeadlineDef, ...]
    openers: frozenset[str]
    open_guards: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    source: str = ""
    digest: str = field(default="", compare=False)

    def transitions_from(self, state: str) -> list[TransitionDef]:
        return [t for t in self.transitions.values() if state in t.sources]

    def deadline(self, name: str) -> DeadlineDef:
        for d in self.deadlines:
            if d.name == name:
                return d
        raise KeyError(name)

    def periods(self) -> set[str]:
        return {d.period for d in self.deadlines}


def _fail(origin: str, message: str) -> ConfigurationError:
    return ConfigurationError(
        "process definition {origin}: {problem}", origin=origin, problem=message
    )


def _str_list(origin: str, where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(origin, f"{where} must be a list of strings")
    return tuple(value)


def _keys(origin: str, where: str, table: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise _fail(origin, f"unknown key(s) in {where}: {', '.join(unknown)}")


def _text(
    origin: str, where: str, table: Mapping[str, Any], key: str, default: str | None = None
) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or (default is None and not value):
        raise _fail(origin, f"{where}.{key} must be a non-empty string")
    return value


def parse_process(
    data: Mapping[str, Any],
    *,
    origin: str,
    roles: Iterable[str],
    guards: Iterable[str] = (),
    effects: Iterable[str] = (),
) -> ProcessDef:
    """Validate a decoded TOML document and build the process.

    ``roles``, ``guards`` and ``effects`` are the names the engine knows; a definition naming
    anything else is rejected (guards may carry an argument after ``:``).
    """
    known_roles = set(roles) | {SYSTEM_ROLE}
    known_guards, known_effects = set(guards), set(effects)
    _keys(
        origin,
        "the process",
        data,
        {
            "id",
            "title",
            "regime",
            "requirements",
            "initial",
            "openers",
            "open_guards",
            "states",
            "transitions",
            "deadlines",
            "source",
        },
    )
    process_id = _text(origin, "process", data, "id")
    if not _ID.match(process_id):
        raise _fail(origin, f"id {process_id!r} must be lower-case words joined by '-'")
    regime = _text(origin, "process", data, "regime")

    def check_roles(where: str, names: tuple[str, ...]) -> frozenset[str]:
        bad = sorted(set(names) - known_roles)
        if bad:
            raise _fail(origin, f"{where} names unknown role(s): {', '.join(bad)}")
        return frozenset(names)

    def check_guards(where: str, names: tuple[str, ...]) -> tuple[str, ...]:
        for g in names:
            if not _GUARD.match(g) or g.split(":", 1)[0] not in known_guards:
                raise _fail(origin, f"{where} names unknown guard {g!r}")
        return names

    raw_states = data.get("states")
    if not isinstance(raw_states, dict) or not raw_states:
        raise _fail(origin, "needs a [states] table with at least one state")
    states: dict[str, StateDef] = {}
    for name, spec in raw_states.items():
        if not _NAME.match(name) or not isinstance(spec, dict):
            raise _fail(origin, f"state {name!r} must be a snake_case name with a table")
        _keys(origin, f"states.{name}", spec, {"title", "final", "description"})
        final = spec.get("final", False)
        if not isinstance(final, bool):
            raise _fail(origin, f"states.{name}.final must be true or false")
        states[name] = StateDef(
            name,
            _text(origin, f"states.{name}", spec, "title"),
            final,
            _text(origin, f"states.{name}", spec, "description", ""),
        )
    initial = _text(origin, "process", data, "initial")
    if initial not in states:
        raise _fail(origin, f"initial state {initial!r} is not among the states")

    transitions: dict[str, TransitionDef] = {}
    raw_transitions = data.get("transitions", [])
    if not isinstance(raw_transitions, list):
        raise _fail(origin, "transitions must be an array of tables ([[transitions]])")
    for i, spec in enumerate(raw_transitions):
        where = f"transitions[{i}]"
        if not isinstance(spec, dict):
            raise _fail(origin, f"{where} must be a table")
        _keys(
            origin,
            where,
            spec,
            {"name", "title", "from", "to", "roles", "guards", "effects", "reason_required"},
        )
        name = _text(origin, where, spec, "name")
        if not _NAME.match(name) or name in transitions:
            raise _fail(origin, f"{where}.name {name!r} must be a new snake_case name")
        sources = _str_list(origin, f"{where}.from", spec.get("from"))
        target = _text(origin, where, spec, "to")
        for s in (*sources, target):
            if s not in states:
                raise _fail(origin, f"transition {name!r} names unknown state {s!r}")
        if not sources:
            raise _fail(origin, f"transition {name!r} needs at least one 'from' state")
        for s in sources:
            if states[s].final:
                raise _fail(origin, f"transition {name!r} leaves final state {s!r}")
        transition_roles = check_roles(
            f"transition {name!r}", _str_list(origin, where, spec.get("roles"))
        )
        if not transition_roles:
            raise _fail(origin, f"transition {name!r} must say which roles may take it")
        effect_names = _str_list(origin, f"{where}.effects", spec.get("effects"))
        bad_effects = sorted(set(effect_names) - known_effects)
        if bad_effects:
            raise _fail(
                origin, f"transition {name!r} names unknown effect(s) {', '.join(bad_effects)}"
            )
        reason_required = spec.get("reason_required", False)
        if not isinstance(reason_required, bool):
            raise _fail(origin, f"{where}.reason_required must be true or false")
        transitions[name] = TransitionDef(
            name=name,
            title=_text(origin, where, spec, "title", name.replace("_", " ")),
            sources=frozenset(sources),
            target=target,
            roles=transition_roles,
            guards=check_guards(
                f"transition {name!r}", _str_list(origin, where, spec.get("guards"))
            ),
            effects=effect_names,
            reason_required=reason_required,
        )

    deadlines: list[DeadlineDef] = []
    raw_deadlines = data.get("deadlines", [])
    if not isinstance(raw_deadlines, list):
        raise _fail(origin, "deadlines must be an array of tables ([[deadlines]])")
    for i, spec in enumerate(raw_deadlines):
        where = f"deadlines[{i}]"
        if not isinstance(spec, dict):
            raise _fail(origin, f"{where} must be a table")
        _keys(
            origin,
            where,
            spec,
            {
                "name",
                "title",
                "period",
                "starts_in",
                "paused_in",
                "ends_in",
                "on_expiry",
                "extendable_by",
                "requirement",
            },
        )
        name = _text(origin, where, spec, "name")
        if not _NAME.match(name) or any(d.name == name for d in deadlines):
            raise _fail(origin, f"{where}.name {name!r} must be a new snake_case name")
        groups = {}
        for key in ("starts_in", "paused_in", "ends_in"):
            names = _str_list(origin, f"{where}.{key}", spec.get(key))
            for s in names:
                if s not in states:
                    raise _fail(origin, f"deadline {name!r} {key} names unknown state {s!r}")
            groups[key] = frozenset(names)
        if not groups["starts_in"]:
            raise _fail(origin, f"deadline {name!r} needs starts_in")
        overlap = (groups["starts_in"] | groups["paused_in"]) & groups["ends_in"]
        if overlap or groups["starts_in"] & groups["paused_in"]:
            raise _fail(
                origin, f"deadline {name!r}: a state cannot both run, pause and end the clock"
            )
        expiry = spec.get("on_expiry")
        if not isinstance(expiry, dict):
            raise _fail(
                origin,
                f"deadline {name!r} needs on_expiry = {{ finding = ... }} or {{ transition = ... }}",
            )
        _keys(origin, f"{where}.on_expiry", expiry, {"finding", "severity", "transition"})
        finding = expiry.get("finding")
        auto = expiry.get("transition")
        for key, value in (("finding", finding), ("transition", auto)):
            if value is not None and not isinstance(value, str):
                raise _fail(origin, f"deadline {name!r}: on_expiry.{key} must be a string")
        if finding is None and auto is None:
            raise _fail(origin, f"deadline {name!r}: on_expiry needs a finding or a transition")
        if auto is not None:
            if auto not in transitions:
                raise _fail(
                    origin, f"deadline {name!r}: on_expiry transition {auto!r} is not defined"
                )
            if SYSTEM_ROLE not in transitions[auto].roles:
                raise _fail(
                    origin, f"deadline {name!r}: transition {auto!r} must allow role 'system'"
                )
        try:
            severity = Severity(expiry.get("severity", "medium"))
        except ValueError as exc:
            raise _fail(origin, f"deadline {name!r}: severity must be low, medium or high") from exc
        requirement = spec.get("requirement")
        if requirement is not None and not isinstance(requirement, str):
            raise _fail(origin, f"{where}.requirement must be a string")
        deadlines.append(
            DeadlineDef(
                name=name,
                title=_text(origin, where, spec, "title", name.replace("_", " ")),
                period=_text(origin, where, spec, "period"),
                starts_in=groups["starts_in"],
                paused_in=groups["paused_in"],
                ends_in=groups["ends_in"],
                on_expiry=ExpiryAction(
                    finding=str(finding) if finding is not None else None,
                    severity=severity,
                    transition=str(auto) if auto is not None else None,
                ),
                extendable_by=check_roles(
                    f"deadline {name!r}", _str_list(origin, where, spec.get("extendable_by"))
                ),
                requirement=requirement,
            )
        )

    openers = check_roles("openers", _str_list(origin, "openers", data.get("openers")))
    if not openers:
        raise _fail(origin, "openers must name the roles that may open a case")
    process = ProcessDef(
        id=process_id,
        title=_text(origin, "process", data, "title"),
        regime=regime,
        initial=initial,
        states=states,
        transitions=transitions,
        deadlines=tuple(deadlines),
        openers=openers,
        open_guards=check_guards(
            "open_guards", _str_list(origin, "open_guards", data.get("open_guards"))
        ),
        requirements=_str_list(origin, "requirements", data.get("requirements")),
        source=_text(origin, "process", data, "source", ""),
    )
    unreachable = sorted(set(states) - reachable(process))
    if unreachable:
        raise _fail(origin, f"state(s) not reachable from {initial!r}: {', '.join(unreachable)}")
    return process


def reachable(process: ProcessDef) -> set[str]:
    seen = {process.initial}
    frontier = [process.initial]
    while frontier:
        state = frontier.pop()
        for t in process.transitions_from(state):
            if t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    return seen


def load_process(
    path: Path,
    *,
    roles: Iterable[str],
    guards: Iterable[str] = (),
    effects: Iterable[str] = (),
) -> ProcessDef:
    import hashlib

    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(path.name, f"is not valid TOML: {exc}") from exc
    process = parse_process(data, origin=path.name, roles=roles, guards=guards, effects=effects)
    return ProcessDef(
        **{f: getattr(process, f) for f in process.__dataclass_fields__ if f != "digest"},
        digest=hashlib.sha256(raw).hexdigest(),
    )
