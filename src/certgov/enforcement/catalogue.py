"""The violation catalogue of a rule set and the check of a penalty decision against it
(ECS-6.1, ECS-6.2, ECS-6.3). Pure functions over a :class:`RuleSet`: no database.

A decision names outcomes (``warning``, ``fine``, ``order to correct``, ``licence
revocation``) allowed for the violation; a fine must lie within the violation's range, which
for unlicensed service (ESL Art. 29) depends on the illegal gains: 1–3 × the gains when they
reach 300,000 yuan, otherwise 100,000–300,000 yuan (all numbers from the rule set).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from certgov import strict_json
from certgov.errors import InvalidInput
from certgov.rules.model import Money, MoneyRange, RuleSet, Violation

CATALOGUE_KEY = "violations"
FINE = "fine"
REVOCATION = "licence revocation"


def catalogue(rule_set: RuleSet) -> dict[str, Violation]:
    """The rule set's violations by id (ECS-6.1)."""
    return {v.id: v for v in rule_set.violations(CATALOGUE_KEY)}


def violation(rule_set: RuleSet, violation_id: object, path: str = "violation") -> Violation:
    """The catalogue entry ``violation_id``; InvalidInput naming the known ids otherwise."""
    known = catalogue(rule_set)
    if not isinstance(violation_id, str) or violation_id not in known:
        strict_json.refuse(
            path,
            f"a violation of the catalogue of {rule_set.id}",
            violation_id,
            hint=f"one of: {', '.join(known)}",
        )
    return known[violation_id]


def fine_range(rule_set: RuleSet, entry: Violation, illegal_gains: int | None) -> MoneyRange | None:
    """The fine range for ``entry``; None when the violation carries no fine.

    ECS-6.3 (ESL Art. 29): with illegal gains at or above ``gains_threshold`` the range is
    ``gains_multiplier`` × the gains; otherwise (or with no gains) the fixed ``fine`` range.
    """
    if entry.gains_threshold and entry.gains_multiplier and illegal_gains is not None:
        threshold = rule_set.money(entry.gains_threshold)
        if illegal_gains >= threshold.amount:
            multiplier = rule_set.int_range(entry.gains_multiplier)
            return MoneyRange(
                Money(multiplier.low * illegal_gains), Money(multiplier.high * illegal_gains)
            )
    if entry.fine is None:
        return None
    return rule_set.money_range(entry.fine)


def _range_source(rule_set: RuleSet, entry: Violation, illegal_gains: int | None) -> str:
    keys = [k for k in (entry.fine, entry.gains_threshold, entry.gains_multiplier) if k]
    if illegal_gains is None and entry.gains_threshold:
        keys = [k for k in keys if k == entry.fine]
    return "; ".join(f"{rule_set.id}: {k}" for k in keys)


@dataclass(frozen=True)
class Decision:
    """A penalty decision as submitted: its outcomes, the fine and the illegal gains."""

    outcomes: tuple[str, ...]
    fine_yuan: int | None
    illegal_gains_yuan: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcomes": list(self.outcomes),
            "fine_yuan": self.fine_yuan,
            "illegal_gains_yuan": self.illegal_gains_yuan,
        }


def parse_decision(payload: Mapping[str, Any]) -> Decision:
    """``{"outcomes": [...], "fine_yuan"?, "illegal_gains_yuan"?}`` strictly (InvalidInput
    naming the field)."""
    outcomes = strict_json.text_list(payload.get("outcomes"), "outcomes")
    if not outcomes:
        strict_json.refuse("outcomes", "a non-empty array of outcomes", list(outcomes))
    if len(set(outcomes)) != len(outcomes):
        raise InvalidInput("outcomes: an outcome is named twice", details={"field": "outcomes"})
    fine = payload.get("fine_yuan")
    gains = payload.get("illegal_gains_yuan")
    return Decision(
        outcomes=outcomes,
        fine_yuan=None if fine is None else strict_json.whole_number(fine, "fine_yuan", minimum=0),
        illegal_gains_yuan=None
        if gains is None
        else strict_json.whole_number(gains, "illegal_gains_yuan", minimum=0),
    )


def decision_problems(rule_set: RuleSet, violation_id: object, decision: Decision) -> list[str]:
    """Why ``decision`` may not be taken for the violation under ``rule_set`` (ECS-6.2): an
    outcome the violation does not allow, a fine missing, given without the fine outcome, or
    outside the range — each problem names the rule (and the range)."""
    entry = violation(rule_set, violation_id)
    problems = []
    not_allowed = [o for o in decision.outcomes if o not in entry.outcomes]
    if not_allowed:
        problems.append(
            f"{', '.join(not_allowed)} is not an outcome for {entry.id} ({entry.basis}); "
            f"allowed: {', '.join(entry.outcomes)}"
        )
    if FINE in decision.outcomes:
        allowed = fine_range(rule_set, entry, decision.illegal_gains_yuan)
        if decision.fine_yuan is None:
            problems.append("a fine needs fine_yuan, the amount in yuan")
        elif allowed is not None and Money(decision.fine_yuan) not in allowed:
            gains = decision.illegal_gains_yuan
            basis = f" for illegal gains of {gains:,} yuan" if gains is not None else ""
            problems.append(
                f"a fine of {decision.fine_yuan:,} CNY is outside the range {allowed}{basis} "
                f"for {entry.id} ({entry.basis}; {_range_source(rule_set, entry, gains)})"
            )
    elif decision.fine_yuan is not None:
        problems.append("fine_yuan is given but the outcomes do not include a fine")
    return problems


def catalogue_out(rule_set: RuleSet) -> list[dict[str, Any]]:
    """The catalogue as JSON: each violation with its fine range and where it comes from."""
    out = []
    for entry in catalogue(rule_set).values():
        body = entry.as_dict()
        if entry.fine:
            fine = rule_set.parameter(entry.fine)
            body["fine_range"] = fine.as_dict()
        if entry.gains_threshold and entry.gains_multiplier:
            body["gains_rule"] = {
                "threshold": rule_set.parameter(entry.gains_threshold).as_dict(),
                "multiplier": rule_set.parameter(entry.gains_multiplier).as_dict(),
            }
        body["rule_set"] = rule_set.id
        out.append(body)
    return out
