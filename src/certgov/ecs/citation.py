"""Citing the rule parameters a result relies on (SYS-2).

Every answer of :mod:`certgov.ecs` names the rule set it was judged under and, for each number
or list it used, the parameter's name, value, source and whether the value is assumed, so the
reader can check the answer against the regulation text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certgov.errors import InvalidInput
from certgov.i18n import N_
from certgov.rules.model import Duration, DurationUnit, Money, Parameter, Regime, RuleSet
from certgov.text import Text

__all__ = ["ParameterCitation", "cite", "cited", "period_words", "require_ecs", "rmb"]


@dataclass(frozen=True, slots=True)
class ParameterCitation:
    """One parameter of one rule set, as a result cites it."""

    rule_set: str
    parameter: Parameter

    @property
    def name(self) -> str:
        return self.parameter.key

    @property
    def source(self) -> str:
        return self.parameter.source

    @property
    def assumed(self) -> bool:
        return self.parameter.assumed

    def __str__(self) -> str:
        """``<rule set> <name>[, assumed]; source: <source>``, for the end of a reason."""
        assumed = ", an assumed value" if self.assumed else ""
        return f"{self.rule_set} {self.name}{assumed}; source: {self.source}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``name``, ``value`` (as in the rule set's JSON), ``source``, ``assumed``,
        ``note``, and ``currency`` for money."""
        body = self.parameter.as_dict()
        cited: dict[str, Any] = {
            "name": self.name,
            "value": body["value"],
            "source": self.source,
            "assumed": self.assumed,
            "note": self.parameter.note,
        }
        if "currency" in body:
            cited["currency"] = body["currency"]
        return cited


def cite(rule_set: RuleSet, key: str) -> ParameterCitation:
    """The citation of parameter ``key``; ConfigurationError when the rule set lacks it."""
    return ParameterCitation(rule_set.id, rule_set.parameter(key))


#: A period in words, one and more (as :class:`Duration` writes it in English).
_PERIODS = {
    DurationUnit.CALENDAR_DAYS: (N_("{n} calendar day"), N_("{n} calendar days")),
    DurationUnit.BUSINESS_DAYS: (N_("{n} business day"), N_("{n} business days")),
    DurationUnit.HOURS: (N_("{n} hour"), N_("{n} hours")),
    DurationUnit.MONTHS: (N_("{n} month"), N_("{n} months")),
    DurationUnit.YEARS: (N_("{n} year"), N_("{n} years")),
}


def cited(citation: ParameterCitation) -> Text:
    """The citation as a text said in the reader's language (``str()`` is the same English as
    the citation's own; the parameter's source stays as the rule set's file gives it)."""
    if citation.assumed:
        return Text(
            "{rule_set} {name}, an assumed value; source: {source}",
            rule_set=citation.rule_set,
            name=citation.name,
            source=citation.source,
        )
    return Text(
        "{rule_set} {name}; source: {source}",
        rule_set=citation.rule_set,
        name=citation.name,
        source=citation.source,
    )


def period_words(duration: Duration) -> Text:
    """A period (``72 hours``, ``1 business day``) as a text in the reader's words; in English
    as :class:`Duration` writes it."""
    one, more = _PERIODS[duration.unit]
    return Text(one if duration.amount == 1 else more, n=duration.amount)


def require_ecs(rule_set: RuleSet) -> None:
    """Refuse a rule set of another regime: ECS questions are judged under ECS rule sets only."""
    if rule_set.regime is not Regime.ECS:
        raise InvalidInput(
            "rule set {rule_set!r} governs the {regime} regime, expected an {expected} rule set",
            rule_set=rule_set.id,
            regime=rule_set.regime.value,
            expected=Regime.ECS.value,
            hint="choose measures-2015, measures-2024-draft or another ECS rule set",
            details={"rule_set": rule_set.id, "regime": rule_set.regime.value},
        )


def rmb(amount: Money | int) -> str:
    """``RMB 70,000,000`` for whole yuan (an int or CNY money); other currencies ``1,000 USD``."""
    if isinstance(amount, Money) and amount.currency != "CNY":
        return str(amount)
    yuan = amount.amount if isinstance(amount, Money) else amount
    return f"RMB {yuan:,}"
