"""Citing the rule parameters a result relies on (SYS-2).

Every answer of :mod:`certgov.ecs` names the rule set it was judged under and, for each number
or list it used, the parameter's name, value, source and whether the value is assumed, so the
reader can check the answer against the regulation text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certgov.errors import InvalidInput
from certgov.rules.model import Money, Parameter, Regime, RuleSet

__all__ = ["ParameterCitation", "cite", "require_ecs", "rmb"]


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
