"""Types of rule sets: effective-dated, versioned sets of rule parameters (SYS-2).

Every number of REGULATIONS.md lives in a rule set as a typed :class:`Parameter`; code reads it
through the typed accessors of :class:`RuleSet`, never as a literal. Values are immutable so a
rule set loaded once can be shared by every case judged under it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from certgov.errors import ConfigurationError, InvalidInput

__all__ = [
    "ClauseRow",
    "ClauseTable",
    "Duration",
    "DurationUnit",
    "IntRange",
    "Money",
    "MoneyRange",
    "Parameter",
    "ParameterKind",
    "ParameterValue",
    "Regime",
    "RuleSet",
    "RuleSetStatus",
    "Violation",
]


class Regime(StrEnum):
    """The two certification regimes a rule set can govern."""

    #: Electronic certification services: CA licensing and supervision (seed 000).
    ECS = "ecs"
    #: App security certification (seed 001).
    APP = "app"


class RuleSetStatus(StrEnum):
    """What a rule set file declares about itself (selection may still supersede it)."""

    IN_FORCE = "in_force"
    DRAFT = "draft"
    SUPERSEDED = "superseded"


class DurationUnit(StrEnum):
    CALENDAR_DAYS = "calendar days"
    BUSINESS_DAYS = "business days"
    HOURS = "hours"
    MONTHS = "months"
    YEARS = "years"


_SINGULAR: dict[DurationUnit, str] = {
    DurationUnit.CALENDAR_DAYS: "calendar day",
    DurationUnit.BUSINESS_DAYS: "business day",
    DurationUnit.HOURS: "hour",
    DurationUnit.MONTHS: "month",
    DurationUnit.YEARS: "year",
}

# Plain "days" means calendar days: the regulations say "日" and count business days only where
# they say so (APP-6 "working days").
_UNIT_WORDS: dict[str, DurationUnit] = {
    **{unit.value: unit for unit in DurationUnit},
    **{singular: unit for unit, singular in _SINGULAR.items()},
    "days": DurationUnit.CALENDAR_DAYS,
    "day": DurationUnit.CALENDAR_DAYS,
}

_DURATION_RE = re.compile(r"([0-9]{1,9}) +([a-z]+(?: [a-z]+)?)")


@dataclass(frozen=True, slots=True)
class Duration:
    """A period such as ``45 calendar days`` or ``10 business days``.

    Precondition: ``amount >= 0``. How a duration turns into a deadline (business-day calendar,
    stopped clocks) is the calendar's business, not this type's.
    """

    amount: int
    unit: DurationUnit

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise InvalidInput(
                f"a duration needs a non-negative whole amount, found {self.amount!r}"
            )
        if not isinstance(self.unit, DurationUnit):
            raise InvalidInput(f"unknown duration unit {self.unit!r}")

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``"<n> calendar days"``, ``"<n> business days"``, ``"<n> days"`` (= calendar
        days), ``"<n> hours"``, ``"<n> months"`` or ``"<n> years"`` (singular forms too)."""
        match = _DURATION_RE.fullmatch(text.strip()) if isinstance(text, str) else None
        unit = _UNIT_WORDS.get(match.group(2)) if match else None
        if match is None or unit is None:
            raise InvalidInput(
                f"expected a duration like '45 calendar days', '10 business days', '180 days', "
                f"'72 hours', '12 months' or '5 years', found {text!r}"
            )
        return cls(int(match.group(1)), unit)

    @property
    def is_business_days(self) -> bool:
        return self.unit is DurationUnit.BUSINESS_DAYS

    def __str__(self) -> str:
        word = _SINGULAR[self.unit] if self.amount == 1 else self.unit.value
        return f"{self.amount} {word}"


_CURRENCY_RE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in whole units of ``currency`` (yuan for CNY). Precondition: ``amount >= 0``."""

    amount: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise InvalidInput(f"money needs a non-negative whole amount, found {self.amount!r}")
        if not _CURRENCY_RE.fullmatch(self.currency):
            raise InvalidInput(
                f"expected an ISO 4217 currency code such as 'CNY', found {self.currency!r}"
            )

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency}"


@dataclass(frozen=True, slots=True)
class MoneyRange:
    """An inclusive range of amounts, such as a fine "10,000 to 50,000 yuan"."""

    low: Money
    high: Money

    def __post_init__(self) -> None:
        if self.low.currency != self.high.currency:
            raise InvalidInput(
                f"a money range needs one currency, found {self.low.currency} and "
                f"{self.high.currency}"
            )
        if self.low.amount > self.high.amount:
            raise InvalidInput(f"a money range needs low <= high, found {self.low} > {self.high}")

    def __contains__(self, amount: object) -> bool:
        if not isinstance(amount, Money) or amount.currency != self.low.currency:
            return False
        return self.low.amount <= amount.amount <= self.high.amount

    def __str__(self) -> str:
        return f"{self.low.amount:,}–{self.high.amount:,} {self.low.currency}"


@dataclass(frozen=True, slots=True)
class IntRange:
    """An inclusive range of whole numbers, such as a fine multiplier "1 to 3 times"."""

    low: int
    high: int

    def __post_init__(self) -> None:
        for bound in (self.low, self.high):
            if isinstance(bound, bool) or not isinstance(bound, int):
                raise InvalidInput(f"a range needs whole numbers, found {bound!r}")
        if self.low > self.high:
            raise InvalidInput(f"a range needs low <= high, found {self.low} > {self.high}")

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.low}–{self.high}"


@dataclass(frozen=True, slots=True)
class Violation:
    """One entry of a violation catalogue (ECS-6.1): what the breach is, its legal basis, the
    outcomes a decision may impose, and where its fine range lives.

    The amounts stay in their own typed parameters, named here by key (``fine`` a
    ``money_range``; for a fine counted from illegal gains, ESL Art. 29, ``gains_threshold`` a
    ``money`` and ``gains_multiplier`` an ``int_range``), so each number has one source.
    """

    id: str
    title: str
    basis: str
    outcomes: tuple[str, ...]
    fine: str | None = None
    gains_threshold: str | None = None
    gains_multiplier: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "basis": self.basis,
            "outcomes": list(self.outcomes),
            "fine": self.fine,
            "gains_threshold": self.gains_threshold,
            "gains_multiplier": self.gains_multiplier,
        }


@dataclass(frozen=True, slots=True)
class ClauseRow:
    """One row of a clause table (APP-11): for one kind of finding, the clause of the standard
    and the item of the identification methods it concerns, where that comes from, and whether
    pointing this kind of finding at them is ``assumed`` (then ``note`` says why)."""

    kind: str
    title: str
    gbt35273_clause: str
    gbt35273_2017_clause: str
    gbt35273_title: str
    methods_item: str
    methods_text: str
    source: str
    assumed: bool
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "gbt35273_clause": self.gbt35273_clause,
            "gbt35273_2017_clause": self.gbt35273_2017_clause,
            "gbt35273_title": self.gbt35273_title,
            "methods_item": self.methods_item,
            "methods_text": self.methods_text,
            "source": self.source,
            "assumed": self.assumed,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ClauseTable:
    """A clause table (APP-11): which GB/T 35273 clause and 2019 Methods item each kind of
    app-scan finding cites, one :class:`ClauseRow` per kind (``table[kind]``). ``as_dict()`` is
    the form :func:`certgov.rules.loader.parse_clause_table` reads back; which kinds must be
    present is the analysis library's business, checked when it reads the table
    (``certgov.appscan.clause_table_from``)."""

    version: str
    gbt35273: str
    methods: str
    rows: tuple[ClauseRow, ...]

    def __getitem__(self, kind: str) -> ClauseRow:
        """The row of finding kind ``kind``; :class:`KeyError` when the table has none."""
        for row in self.rows:
            if row.kind == kind:
                return row
        raise KeyError(kind)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "gbt35273": self.gbt35273,
            "methods": self.methods,
            "finding": {row.kind: row.as_dict() for row in self.rows},
        }


class ParameterKind(StrEnum):
    MONEY = "money"
    MONEY_RANGE = "money_range"
    COUNT = "count"
    INT_RANGE = "int_range"
    DURATION = "duration"
    BOOL = "bool"
    TEXT = "text"
    LIST = "list"
    #: A violation catalogue: a tuple of :class:`Violation` (ECS-6.1).
    VIOLATIONS = "violations"
    #: A clause table: a :class:`ClauseTable` (APP-11).
    CLAUSE_TABLE = "clause_table"


ParameterValue = (
    Money
    | MoneyRange
    | int
    | IntRange
    | Duration
    | bool
    | str
    | tuple[str, ...]
    | tuple[Violation, ...]
    | ClauseTable
)

# Which Python type each kind's value has; ``bool`` is a subclass of ``int`` so a count is
# checked not to be a bool separately.
_VALUE_TYPES: dict[ParameterKind, type] = {
    ParameterKind.MONEY: Money,
    ParameterKind.MONEY_RANGE: MoneyRange,
    ParameterKind.COUNT: int,
    ParameterKind.INT_RANGE: IntRange,
    ParameterKind.DURATION: Duration,
    ParameterKind.BOOL: bool,
    ParameterKind.TEXT: str,
    ParameterKind.LIST: tuple,
    ParameterKind.VIOLATIONS: tuple,
    ParameterKind.CLAUSE_TABLE: ClauseTable,
}


def _value_as_json(value: ParameterValue) -> Any:
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, MoneyRange):
        return {"low": value.low.amount, "high": value.high.amount}
    if isinstance(value, IntRange):
        return {"low": value.low, "high": value.high}
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, tuple):
        return [v.as_dict() if isinstance(v, Violation) else v for v in value]
    if isinstance(value, ClauseTable):
        return value.as_dict()
    return value


@dataclass(frozen=True, slots=True)
class Parameter:
    """One rule parameter: its typed value, where it comes from, and whether it is assumed.

    ``assumed`` parameters have no number in their source; ``note`` then says what was assumed
    and why, and the UI and reports show the value as an assumption.
    """

    key: str
    kind: ParameterKind
    value: ParameterValue
    source: str
    assumed: bool
    note: str | None
    requirements: tuple[str, ...]

    def __post_init__(self) -> None:
        expected = _VALUE_TYPES[self.kind]
        stray_bool = isinstance(self.value, bool) and self.kind is not ParameterKind.BOOL
        if not isinstance(self.value, expected) or stray_bool:
            raise InvalidInput(
                f"parameter {self.key!r} of kind {self.kind} needs a {expected.__name__} value, "
                f"found {type(self.value).__name__}"
            )
        item_type = {ParameterKind.LIST: str, ParameterKind.VIOLATIONS: Violation}.get(self.kind)
        items: tuple[object, ...] = self.value if isinstance(self.value, tuple) else ()
        if item_type is not None and not all(isinstance(item, item_type) for item in items):
            raise InvalidInput(
                f"parameter {self.key!r} of kind {self.kind} needs {item_type.__name__} items"
            )

    @property
    def currency(self) -> str | None:
        if isinstance(self.value, Money):
            return self.value.currency
        if isinstance(self.value, MoneyRange):
            return self.value.low.currency
        return None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind.value,
            "value": _value_as_json(self.value),
            "source": self.source,
            "assumed": self.assumed,
            "note": self.note,
            "requirements": list(self.requirements),
        }
        if self.currency is not None:
            body["currency"] = self.currency
        return body


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class RuleSet:
    """An effective-dated, versioned set of rule parameters (SYS-2).

    ``effective_from`` is what the file says; an operator's activation can override it (see
    :mod:`certgov.rules.selection`). ``path`` is the file it was loaded from, when there is one.
    """

    id: str
    title: str
    regime: Regime
    status: RuleSetStatus
    source: str
    effective_from: date | None
    effective_until: date | None
    parameters: Mapping[str, Parameter] = field(hash=False)
    path: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for key, parameter in self.parameters.items():
            if parameter.key != key:
                raise InvalidInput(
                    f"rule set {self.id!r}: parameter {parameter.key!r} is filed under {key!r}"
                )
        # A read-only view so a shared rule set cannot be changed behind the cases judged by it.
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))

    def __contains__(self, key: object) -> bool:
        return key in self.parameters

    def parameter(self, key: str) -> Parameter:
        """The parameter ``key``; ConfigurationError naming the rule set when it is missing."""
        try:
            return self.parameters[key]
        except KeyError:
            raise ConfigurationError(
                f"rule set {self.id!r} has no parameter {key!r}",
                hint=f"add [parameters.{key}] to {self.path or self.id + '.toml'}",
                details={"rule_set": self.id, "key": key},
            ) from None

    def _typed(self, key: str, kind: ParameterKind, kind_type: type[_T]) -> _T:
        parameter = self.parameter(key)
        if parameter.kind is not kind or not isinstance(parameter.value, kind_type):
            raise ConfigurationError(
                f"rule set {self.id!r} parameter {key!r} is of kind {parameter.kind}, "
                f"expected {kind}",
                details={"rule_set": self.id, "key": key, "expected": kind.value},
            )
        return parameter.value

    def money(self, key: str) -> Money:
        return self._typed(key, ParameterKind.MONEY, Money)

    def money_range(self, key: str) -> MoneyRange:
        return self._typed(key, ParameterKind.MONEY_RANGE, MoneyRange)

    def count(self, key: str) -> int:
        return self._typed(key, ParameterKind.COUNT, int)

    def int_range(self, key: str) -> IntRange:
        return self._typed(key, ParameterKind.INT_RANGE, IntRange)

    def duration(self, key: str) -> Duration:
        return self._typed(key, ParameterKind.DURATION, Duration)

    def flag(self, key: str) -> bool:
        return self._typed(key, ParameterKind.BOOL, bool)

    def text(self, key: str) -> str:
        return self._typed(key, ParameterKind.TEXT, str)

    def items(self, key: str) -> tuple[str, ...]:
        value: tuple[str, ...] = self._typed(key, ParameterKind.LIST, tuple)
        return value

    def violations(self, key: str) -> tuple[Violation, ...]:
        value: tuple[Violation, ...] = self._typed(key, ParameterKind.VIOLATIONS, tuple)
        return value

    def clause_table(self, key: str) -> ClauseTable:
        return self._typed(key, ParameterKind.CLAUSE_TABLE, ClauseTable)

    def assumed_parameters(self) -> tuple[Parameter, ...]:
        """The parameters whose values are assumptions, in key order."""
        return tuple(p for _, p in sorted(self.parameters.items()) if p.assumed)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates ISO, durations as text, money as integers (currency beside)."""
        return {
            "id": self.id,
            "title": self.title,
            "regime": self.regime.value,
            "status": self.status.value,
            "source": self.source,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
            "path": str(self.path) if self.path else None,
            "parameters": {key: p.as_dict() for key, p in sorted(self.parameters.items())},
        }
