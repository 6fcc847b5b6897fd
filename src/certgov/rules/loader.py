"""Loading and strict validation of rule-set TOML files (SYS-2).

The file format is documented at the top of each shipped file in ``certgov/rules/data/``.
Validation is strict because a typo in a rule set silently changes how cases are judged: every
unknown key, wrong kind or inconsistent date is a :class:`~certgov.errors.ConfigurationError`
naming the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, NoReturn

from certgov.errors import ConfigurationError, InvalidInput
from certgov.rules.model import (
    ClauseRow,
    ClauseTable,
    Duration,
    IntRange,
    Money,
    MoneyRange,
    Parameter,
    ParameterKind,
    ParameterValue,
    Regime,
    RuleSet,
    RuleSetStatus,
    Violation,
)

__all__ = [
    "REQUIREMENT_ID_RE",
    "load_rule_set",
    "load_rule_sets",
    "loads_rule_set",
    "shipped_rule_set_files",
]

#: A requirement ID of REGULATIONS.md: a group (``ECS-<n>``) or an item (``ECS-<n>.<m>``,
#: ``APP-<n>``, ``SYS-<n>``). Examples are written this way so they do not count in the trace.
REQUIREMENT_ID_RE = re.compile(r"(ECS|APP|SYS)-[0-9]+(\.[0-9]+)?")

_RULE_SET_ID_RE = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
_PARAMETER_KEY_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")

_TOP_LEVEL_REQUIRED = ("id", "title", "regime", "status", "source", "parameters")
_TOP_LEVEL_OPTIONAL = ("effective_from", "effective_until")
_PARAMETER_REQUIRED = ("kind", "value", "source", "requirements", "assumed")
_PARAMETER_OPTIONAL = ("note",)
_RANGE_KEYS = ("low", "high")


class _Checker:
    """Validation helpers that name the file (``origin``) in every error."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, message: str, hint: str | None = None) -> NoReturn:
        raise ConfigurationError(
            f"rule set {self.origin}: {key}: {message}",
            hint=hint,
            details={"file": self.origin, "key": key},
        )

    def keys(
        self,
        table: Mapping[str, Any],
        where: str,
        required: tuple[str, ...],
        optional: tuple[str, ...],
    ) -> None:
        allowed = (*required, *optional)
        for key in table:
            if key not in allowed:
                self.fail(
                    f"{where}{key}",
                    "unknown key",
                    hint=f"allowed keys here: {', '.join(allowed)}",
                )
        for key in required:
            if key not in table:
                self.fail(f"{where}{key}", "missing required key")

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"expected a non-empty string, found {value!r}")
        return value

    def date(self, value: Any, key: str) -> date:
        # TOML offset/local date-times load as datetime, a subclass of date: reject those too.
        if not isinstance(value, date) or isinstance(value, datetime):
            self.fail(key, f"expected a TOML date such as 2015-04-29, found {value!r}")
        return value

    def whole(self, value: Any, key: str, *, non_negative: bool) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected a whole number, found {value!r}")
        if non_negative and value < 0:
            self.fail(key, f"expected a non-negative whole number, found {value}")
        return value

    def range_bounds(self, value: Any, key: str, *, non_negative: bool) -> tuple[int, int]:
        if not isinstance(value, dict):
            self.fail(key, f"expected a table {{ low = ..., high = ... }}, found {value!r}")
        self.keys(value, f"{key}.", _RANGE_KEYS, ())
        low = self.whole(value["low"], f"{key}.low", non_negative=non_negative)
        high = self.whole(value["high"], f"{key}.high", non_negative=non_negative)
        if low > high:
            self.fail(key, f"expected low <= high, found low {low} > high {high}")
        return low, high


def _money(check: _Checker, value: Any, key: str) -> ParameterValue:
    return Money(check.whole(value, key, non_negative=True))


def _money_range(check: _Checker, value: Any, key: str) -> ParameterValue:
    low, high = check.range_bounds(value, key, non_negative=True)
    return MoneyRange(Money(low), Money(high))


def _count(check: _Checker, value: Any, key: str) -> ParameterValue:
    return check.whole(value, key, non_negative=True)


def _int_range(check: _Checker, value: Any, key: str) -> ParameterValue:
    low, high = check.range_bounds(value, key, non_negative=False)
    return IntRange(low, high)


def _duration(check: _Checker, value: Any, key: str) -> ParameterValue:
    if not isinstance(value, str):
        check.fail(key, f"expected a duration string such as '45 calendar days', found {value!r}")
    try:
        return Duration.parse(value)
    except InvalidInput as error:
        check.fail(key, error.message)


def _bool(check: _Checker, value: Any, key: str) -> ParameterValue:
    if not isinstance(value, bool):
        check.fail(key, f"expected true or false, found {value!r}")
    return value


def _text(check: _Checker, value: Any, key: str) -> ParameterValue:
    return check.text(value, key)


def _list(check: _Checker, value: Any, key: str) -> ParameterValue:
    if not isinstance(value, list):
        check.fail(key, f"expected an array of strings, found {value!r}")
    items = tuple(check.text(item, f"{key}[{index}]") for index, item in enumerate(value))
    duplicates = sorted({item for item in items if items.count(item) > 1})
    if duplicates:
        check.fail(key, f"duplicate items {duplicates}")
    return items


_VIOLATION_REQUIRED = ("id", "title", "basis", "outcomes")
_VIOLATION_OPTIONAL = ("fine", "gains_threshold", "gains_multiplier")
#: For each parameter reference of a violation, the kind the named parameter must have.
_VIOLATION_REFERENCES = {
    "fine": ParameterKind.MONEY_RANGE,
    "gains_threshold": ParameterKind.MONEY,
    "gains_multiplier": ParameterKind.INT_RANGE,
}


def _violations(check: _Checker, value: Any, key: str) -> ParameterValue:
    """ECS-6.1: ``[[parameters.KEY.value]]`` tables ``{id, title, basis, outcomes[, fine,
    gains_threshold, gains_multiplier]}``; the references are checked once every parameter of
    the set is known (:func:`_check_violation_references`)."""
    if not isinstance(value, list) or not value:
        check.fail(key, f"expected a non-empty array of tables [[{key}]], found {value!r}")
    entries = []
    for index, table in enumerate(value):
        where = f"{key}[{index}]"
        if not isinstance(table, dict):
            check.fail(where, f"expected a table, found {table!r}")
        check.keys(table, f"{where}.", _VIOLATION_REQUIRED, _VIOLATION_OPTIONAL)
        violation_id = check.text(table["id"], f"{where}.id")
        if not _PARAMETER_KEY_RE.fullmatch(violation_id):
            check.fail(f"{where}.id", "violation ids are snake_case")
        listed = _list(check, table["outcomes"], f"{where}.outcomes")
        outcomes = tuple(str(item) for item in listed) if isinstance(listed, tuple) else ()
        if not outcomes:
            check.fail(f"{where}.outcomes", "a violation needs at least one allowed outcome")
        references = {
            name: check.text(table[name], f"{where}.{name}")
            for name in _VIOLATION_REFERENCES
            if name in table
        }
        if ("gains_threshold" in references) != ("gains_multiplier" in references):
            check.fail(where, "gains_threshold and gains_multiplier go together")
        entries.append(
            Violation(
                id=violation_id,
                title=check.text(table["title"], f"{where}.title"),
                basis=check.text(table["basis"], f"{where}.basis"),
                outcomes=outcomes,
                **references,
            )
        )
    ids = [entry.id for entry in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        check.fail(key, f"duplicate violation ids {duplicates}")
    return tuple(entries)


def _check_violation_references(check: _Checker, parameters: Mapping[str, Parameter]) -> None:
    """Every parameter a violation names exists with the right kind; every outcome is one of
    the set's ``penalty_types`` when it has them."""
    for key, parameter in parameters.items():
        if parameter.kind is not ParameterKind.VIOLATIONS or not isinstance(parameter.value, tuple):
            continue
        penalty_types = parameters.get("penalty_types")
        allowed = (
            {str(item) for item in penalty_types.value}
            if penalty_types is not None and isinstance(penalty_types.value, tuple)
            else None
        )
        for index, violation in enumerate(parameter.value):
            assert isinstance(violation, Violation)
            where = f"parameters.{key}.value[{index}]"
            for name, kind in _VIOLATION_REFERENCES.items():
                target = getattr(violation, name)
                if target is None:
                    continue
                named = parameters.get(target)
                if named is None or named.kind is not kind:
                    check.fail(
                        f"{where}.{name}",
                        f"names {target!r}, which is not a {kind} parameter of this rule set",
                    )
            if allowed is not None:
                unknown = sorted(set(violation.outcomes) - allowed)
                if unknown:
                    check.fail(
                        f"{where}.outcomes",
                        f"unknown outcome(s) {unknown}",
                        hint=f"penalty_types: {', '.join(sorted(allowed))}",
                    )


_CLAUSE_TABLE_KEYS = ("version", "gbt35273", "methods", "finding")
_CLAUSE_ROW_TEXTS = (
    "title",
    "gbt35273_clause",
    "gbt35273_2017_clause",
    "gbt35273_title",
    "methods_item",
    "methods_text",
    "source",
)


def _clause_table(check: _Checker, value: Any, key: str) -> ClauseTable:
    """APP-11: ``[KEY]`` with ``version``, ``gbt35273``, ``methods`` (the texts cited) and one
    ``[KEY.finding.<kind>]`` table per kind of finding ``{title, gbt35273_clause,
    gbt35273_2017_clause, gbt35273_title, methods_item, methods_text, source, assumed[,
    note]}``; an assumed row needs its note, like an assumed parameter."""
    if not isinstance(value, dict):
        check.fail(key, f"expected a table [{key}] with finding rows, found {value!r}")
    check.keys(value, f"{key}.", _CLAUSE_TABLE_KEYS, ())
    findings = value["finding"]
    if not isinstance(findings, dict) or not findings:
        check.fail(f"{key}.finding", "expected one or more tables [finding.<kind>]")
    rows = []
    for kind, row in findings.items():
        where = f"{key}.finding.{kind}"
        if not _PARAMETER_KEY_RE.fullmatch(kind):
            check.fail(where, "finding kinds are snake_case")
        if not isinstance(row, dict):
            check.fail(where, f"expected a table, found {row!r}")
        check.keys(row, f"{where}.", (*_CLAUSE_ROW_TEXTS, "assumed"), ("note",))
        texts = {name: check.text(row[name], f"{where}.{name}") for name in _CLAUSE_ROW_TEXTS}
        assumed = row["assumed"]
        if not isinstance(assumed, bool):
            check.fail(f"{where}.assumed", f"expected true or false, found {assumed!r}")
        note = check.text(row["note"], f"{where}.note") if "note" in row else ""
        if assumed and not note:
            check.fail(
                f"{where}.note",
                "an assumed row needs a note",
                hint="say why this kind of finding is pointed at that clause",
            )
        rows.append(ClauseRow(kind=kind, assumed=assumed, note=note, **texts))
    return ClauseTable(
        version=check.text(value["version"], f"{key}.version"),
        gbt35273=check.text(value["gbt35273"], f"{key}.gbt35273"),
        methods=check.text(value["methods"], f"{key}.methods"),
        rows=tuple(rows),
    )


def parse_clause_table(value: Any, origin: str = "clause table") -> ClauseTable:
    """A :class:`ClauseTable` from its parsed form (``ClauseTable.as_dict()``, or the value of a
    ``clause_table`` parameter), checked as the loader checks the parameter (an empty ``note``,
    as ``as_dict()`` writes for a row without one, is no note); :class:`ConfigurationError`
    naming the first wrong key."""
    if isinstance(value, Mapping):
        value = dict(value)
        findings = value.get("finding")
        if isinstance(findings, Mapping):
            value["finding"] = {
                kind: (
                    {k: v for k, v in row.items() if (k, v) != ("note", "")}
                    if isinstance(row, Mapping)
                    else row
                )
                for kind, row in findings.items()
            }
    return _clause_table(_Checker(origin), value, "clause_table")


_VALUE_PARSERS: dict[ParameterKind, Callable[[_Checker, Any, str], ParameterValue]] = {
    ParameterKind.MONEY: _money,
    ParameterKind.MONEY_RANGE: _money_range,
    ParameterKind.COUNT: _count,
    ParameterKind.INT_RANGE: _int_range,
    ParameterKind.DURATION: _duration,
    ParameterKind.BOOL: _bool,
    ParameterKind.TEXT: _text,
    ParameterKind.LIST: _list,
    ParameterKind.VIOLATIONS: _violations,
    ParameterKind.CLAUSE_TABLE: _clause_table,
}


def _parameter(check: _Checker, key: str, table: Any) -> Parameter:
    where = f"parameters.{key}"
    if not _PARAMETER_KEY_RE.fullmatch(key):
        check.fail(where, "parameter keys are snake_case (lower-case letters, digits, '_')")
    if not isinstance(table, dict):
        check.fail(where, f"expected a table [{where}], found {table!r}")
    check.keys(table, f"{where}.", _PARAMETER_REQUIRED, _PARAMETER_OPTIONAL)

    kind_text = table["kind"]
    if not isinstance(kind_text, str) or kind_text not in {kind.value for kind in ParameterKind}:
        check.fail(
            f"{where}.kind",
            f"unknown kind {kind_text!r}",
            hint=f"kinds: {', '.join(kind.value for kind in ParameterKind)}",
        )
    kind = ParameterKind(kind_text)
    value = _VALUE_PARSERS[kind](check, table["value"], f"{where}.value")
    source = check.text(table["source"], f"{where}.source")

    assumed = table["assumed"]
    if not isinstance(assumed, bool):
        check.fail(f"{where}.assumed", f"expected true or false, found {assumed!r}")
    note = table.get("note")
    if note is not None:
        note = check.text(note, f"{where}.note")
    if assumed and note is None:
        check.fail(
            f"{where}.note",
            "an assumed parameter needs a note",
            hint="say what was assumed and why (the source gives no number)",
        )

    if isinstance(value, ClauseTable) and not assumed and any(r.assumed for r in value.rows):
        check.fail(
            f"{where}.assumed",
            "a clause table with an assumed row is itself assumed",
            hint="set assumed = true with a note, or mark no row assumed",
        )

    requirements = table["requirements"]
    if not isinstance(requirements, list) or not requirements:
        check.fail(
            f"{where}.requirements",
            f"expected a non-empty array of requirement IDs, found {requirements!r}",
        )
    for requirement in requirements:
        if not isinstance(requirement, str) or not REQUIREMENT_ID_RE.fullmatch(requirement):
            check.fail(
                f"{where}.requirements",
                "expected requirement IDs of REGULATIONS.md "
                f"(ECS-<n>, ECS-<n>.<m>, APP-<n>, SYS-<n>), found {requirement!r}",
            )
    if len(set(requirements)) != len(requirements):
        check.fail(f"{where}.requirements", f"duplicate requirement IDs in {requirements}")

    return Parameter(
        key=key,
        kind=kind,
        value=value,
        source=source,
        assumed=assumed,
        note=note,
        requirements=tuple(requirements),
    )


def _enum(check: _Checker, value: Any, key: str, enum: type[Regime] | type[RuleSetStatus]) -> str:
    if not isinstance(value, str) or value not in {member.value for member in enum}:
        check.fail(
            key,
            f"expected one of {', '.join(member.value for member in enum)}, found {value!r}",
        )
    return value


def _rule_set(check: _Checker, document: dict[str, Any], path: Path | None) -> RuleSet:
    check.keys(document, "", _TOP_LEVEL_REQUIRED, _TOP_LEVEL_OPTIONAL)
    rule_set_id = check.text(document["id"], "id")
    if not _RULE_SET_ID_RE.fullmatch(rule_set_id):
        check.fail("id", f"expected lower-case letters, digits, '-' and '.', found {rule_set_id!r}")
    title = check.text(document["title"], "title")
    source = check.text(document["source"], "source")
    regime = Regime(_enum(check, document["regime"], "regime", Regime))
    status = RuleSetStatus(_enum(check, document["status"], "status", RuleSetStatus))

    effective_from = None
    if "effective_from" in document:
        effective_from = check.date(document["effective_from"], "effective_from")
    effective_until = None
    if "effective_until" in document:
        effective_until = check.date(document["effective_until"], "effective_until")

    if status is RuleSetStatus.DRAFT and effective_from is not None:
        check.fail(
            "effective_from",
            "a draft has no effective_from of its own",
            hint=f"activate it instead: certgov rules activate {rule_set_id} --from DATE",
        )
    if status is not RuleSetStatus.DRAFT and effective_from is None:
        check.fail(
            "effective_from",
            f"a rule set with status {status} needs effective_from",
            hint='set effective_from = YYYY-MM-DD, or status = "draft"',
        )
    if effective_from and effective_until and effective_until < effective_from:
        check.fail(
            "effective_until",
            f"effective_until {effective_until} is before effective_from {effective_from}",
        )

    parameters_table = document["parameters"]
    if not isinstance(parameters_table, dict):
        check.fail(
            "parameters", f"expected a table of [parameters.KEY], found {parameters_table!r}"
        )
    parameters = {key: _parameter(check, key, table) for key, table in parameters_table.items()}
    _check_violation_references(check, parameters)

    return RuleSet(
        id=rule_set_id,
        title=title,
        regime=regime,
        status=status,
        source=source,
        effective_from=effective_from,
        effective_until=effective_until,
        parameters=parameters,
        path=path,
    )


def loads_rule_set(text: str, origin: str = "<string>", path: Path | None = None) -> RuleSet:
    """Parse and validate one rule set from TOML ``text``; ``origin`` names it in errors."""
    check = _Checker(origin)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        check.fail("(syntax)", f"not valid TOML: {error}")
    return _rule_set(check, document, path)


def load_rule_set(path: Path) -> RuleSet:
    """Load and validate the rule-set file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(
            f"cannot read rule set {path}: {error}", details={"file": str(path)}
        ) from error
    return loads_rule_set(text, origin=str(path), path=path)


def shipped_rule_set_files() -> list[Traversable]:
    """The rule-set files shipped in the package's ``data/`` directory, by name."""
    data = resources.files("certgov.rules") / "data"
    files = [entry for entry in data.iterdir() if entry.is_file() and entry.name.endswith(".toml")]
    return sorted(files, key=lambda entry: entry.name)


def _load_traversable(entry: Traversable) -> RuleSet:
    path = entry if isinstance(entry, Path) else None
    if path is not None:
        return load_rule_set(path)
    return loads_rule_set(entry.read_text(encoding="utf-8"), origin=entry.name)


def load_rule_sets(extra_dir: Path | None = None) -> dict[str, RuleSet]:
    """All rule sets by id: the shipped ones plus every ``*.toml`` in ``extra_dir``.

    Two files with one id are an error (an operator's file never silently replaces a shipped
    one: give the new version its own id and activate it).
    """
    loaded: dict[str, RuleSet] = {}
    origins: dict[str, str] = {}

    def add(rule_set: RuleSet, origin: str) -> None:
        if rule_set.id in loaded:
            raise ConfigurationError(
                f"rule set id {rule_set.id!r} is defined twice: "
                f"{origins[rule_set.id]} and {origin}",
                hint="give each version of a rule set its own id",
                details={"id": rule_set.id, "files": [origins[rule_set.id], origin]},
            )
        loaded[rule_set.id] = rule_set
        origins[rule_set.id] = origin

    for entry in shipped_rule_set_files():
        add(_load_traversable(entry), str(entry))

    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise ConfigurationError(
                f"rule-set directory {extra_dir} does not exist or is not a directory",
                hint="create it or unset CERTGOV_RULES_DIR",
                details={"directory": str(extra_dir)},
            )
        for path in sorted(extra_dir.glob("*.toml")):
            add(load_rule_set(path), str(path))
    return loaded
