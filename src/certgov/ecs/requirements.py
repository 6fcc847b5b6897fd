"""The application requirements for an electronic certification service licence (ECS-2.1).

:func:`evaluate` checks an :class:`~certgov.ecs.application.Application` against a rule set and
gives one :class:`ItemResult` per requirement: registered capital and staff against the rule
set's minimums, then each condition the rule set lists in ``application_conditions`` (ESL
Art. 17; M2015 Art. 5): independent legal person with a valid unified social credit code
(GB 32100-2015), fixed premises, a physical environment fit for secure operation, equipment
meeting national security standards, approval to use commercial cryptography. A condition the
rule set lists but this module has no check for is reported as ``needs_review``, not dropped.

What needs a person (premises, environment, equipment, the cryptography approval) is
``needs_review`` when claimed with evidence and ``not_met`` when not claimed or claimed without
it. A readiness check is :func:`evaluate` under another rule set, such as the 2024 draft while
the 2015 Measures are in force.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from certgov.ecs.application import (
    Application,
    CryptographyApproval,
    Document,
    Equipment,
    LegalPerson,
    PhysicalEnvironment,
    Premises,
    parse_application,
)
from certgov.ecs.citation import ParameterCitation, cite, require_ecs, rmb
from certgov.ecs.uscc import check_uscc
from certgov.errors import ConfigurationError
from certgov.rules.model import RuleSet

# The application types are re-exported: evaluate() and parse_application() are used together.
__all__ = [
    "REQUIREMENT",
    "Application",
    "CryptographyApproval",
    "Document",
    "Equipment",
    "Evaluation",
    "ItemResult",
    "ItemStatus",
    "LegalPerson",
    "PhysicalEnvironment",
    "Premises",
    "evaluate",
    "parse_application",
]

#: The requirement this module implements.
REQUIREMENT = "ECS-2.1"


class ItemStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    #: Claimed with evidence; a person must confirm it (document review or on-site evaluation).
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One requirement's result; ``reason`` is a sentence with the numbers and the citation."""

    item: str
    title: str
    status: ItemStatus
    reason: str
    parameters: tuple[ParameterCitation, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "title": self.title,
            "status": self.status.value,
            "reason": self.reason,
            "parameters": [citation.as_dict() for citation in self.parameters],
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every item's result under one rule set; ``ready`` when no item is ``not_met``."""

    rule_set: str
    rule_set_status: str
    items: tuple[ItemResult, ...]
    requirement: str = REQUIREMENT

    @property
    def ready(self) -> bool:
        return all(item.status is not ItemStatus.NOT_MET for item in self.items)

    def item(self, item: str) -> ItemResult:
        """The result of item ``item`` (KeyError if there is none)."""
        for result in self.items:
            if result.item == item:
                return result
        raise KeyError(item)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with a count per status."""
        return {
            "requirement": self.requirement,
            "rule_set": self.rule_set,
            "rule_set_status": self.rule_set_status,
            "ready": self.ready,
            "summary": {
                status.value: sum(item.status is status for item in self.items)
                for status in ItemStatus
            },
            "items": [item.as_dict() for item in self.items],
        }


# --- Evaluation ---------------------------------------------------------------------------------

_Check = Callable[[Application, str, ParameterCitation], ItemResult]


def _condition(condition: str, citation: ParameterCitation) -> str:
    return f"condition '{condition}' ({citation})"


def _registered_capital(application: Application, rule_set: RuleSet) -> ItemResult:
    minimum = rule_set.money("registered_capital_min")
    citation = cite(rule_set, "registered_capital_min")
    capital = application.registered_capital_yuan
    met = capital >= minimum.amount
    comparison = "meets" if met else "is below"
    reason = f"registered capital {rmb(capital)} {comparison} the minimum of {rmb(minimum)}"
    status = ItemStatus.MET if met else ItemStatus.NOT_MET
    return ItemResult(
        "registered_capital", "Registered capital", status, f"{reason} ({citation})", (citation,)
    )


def _compare(
    count: int, counted: str, minimum: int, against: str, citation: ParameterCitation
) -> str:
    verb = "meet" if count >= minimum else "fall short of"
    return f"{count:,} {counted} {verb} the minimum of {minimum:,} {against} ({citation})"


def _staff(application: Application, rule_set: RuleSet) -> ItemResult:
    """The minimum applies to the count ``staff_count_basis`` names: the dedicated technical
    team (2024 draft) or everyone engaged in the service (M2015 Art. 5(2))."""
    minimum = rule_set.count("technical_staff_min")
    basis = rule_set.text("staff_count_basis")
    citation = cite(rule_set, "technical_staff_min")
    technical, service = application.technical_staff, application.service_staff
    team, everyone = "dedicated technical staff", "staff engaged in the service"
    if basis == "technical_staff":
        met = technical >= minimum
        reason = _compare(technical, team, minimum, team, citation)
    elif basis == "service_staff" and service is not None:
        met = service >= minimum
        reason = _compare(service, everyone, minimum, everyone, citation)
    elif basis == "service_staff":
        # The technical team is part of the service staff, so its size is a lower bound.
        met = technical >= minimum
        reason = _compare(technical, team, minimum, everyone, citation) + (
            "; the technical team is part of the service staff, so no further count is needed"
            if met
            else "; the technical team is only part of the service staff: declare service_staff "
            "(technical, operations management, security management and customer service "
            "staff together)"
        )
    else:
        raise ConfigurationError(
            "rule set {rule_set!r} parameter 'staff_count_basis' is {basis!r}, "
            "expected 'technical_staff' or 'service_staff'",
            rule_set=rule_set.id,
            basis=basis,
            details={"rule_set": rule_set.id, "key": "staff_count_basis", "value": basis},
        )
    status = ItemStatus.MET if met else ItemStatus.NOT_MET
    citations = (citation, cite(rule_set, "staff_count_basis"))
    return ItemResult("technical_staff", "Staff", status, reason, citations)


def _legal_person(
    application: Application, condition: str, citation: ParameterCitation
) -> ItemResult:
    person = application.legal_person
    if person.independent_legal_person:
        status, reason = ItemStatus.MET, f"{person.name} declares it is an independent legal person"
    else:
        status = ItemStatus.NOT_MET
        reason = f"{person.name} does not declare that it is an independent legal person"
    return ItemResult(
        "legal_person",
        "Independent legal person",
        status,
        f"{reason}; {_condition(condition, citation)}",
        (citation,),
    )


def _uscc(application: Application, condition: str, citation: ParameterCitation) -> ItemResult:
    result = check_uscc(application.legal_person.uscc)
    if result.valid:
        status = ItemStatus.MET
        reason = f"unified social credit code {result.code} is valid (GB 32100-2015)"
    else:
        status = ItemStatus.NOT_MET
        reason = (
            f"unified social credit code {application.legal_person.uscc!r} is not valid: "
            f"{'; '.join(result.reasons)}"
        )
    return ItemResult(
        "uscc",
        "Unified social credit code",
        status,
        f"{reason}; the code identifies the legal person of {_condition(condition, citation)}",
        (citation,),
    )


@dataclass(frozen=True, slots=True)
class _Claim:
    """A fact a person must confirm: not claimed, or claimed without ``proof``, is ``not_met``;
    claimed with it is ``needs_review``. ``facts`` gives (claimed, the evidence)."""

    item: str
    title: str
    what: str
    proof: str
    facts: Callable[[Application], tuple[bool, tuple[str, ...]]]

    def __call__(
        self, application: Application, condition: str, citation: ParameterCitation
    ) -> ItemResult:
        claimed, evidence = self.facts(application)
        cited = _condition(condition, citation)
        if not claimed:
            status, reason = ItemStatus.NOT_MET, f"{self.what}: not claimed; {cited}"
        elif not evidence:
            status = ItemStatus.NOT_MET
            reason = f"{self.what}: claimed without {self.proof}; {cited}"
        else:
            status = ItemStatus.NEEDS_REVIEW
            reason = (
                f"{self.what}: claimed with {self.proof} ({'; '.join(evidence)}), "
                f"for a reviewer to confirm; {cited}"
            )
        return ItemResult(self.item, self.title, status, reason, (citation,))


def _given(text: str | None) -> tuple[str, ...]:
    return (text,) if text else ()


_PREMISES = _Claim(
    "premises",
    "Fixed premises",
    "fixed premises",
    "a description",
    lambda a: (a.premises.fixed_premises, _given(a.premises.description)),
)
_ENVIRONMENT = _Claim(
    "physical_environment",
    "Physical environment fit for secure operation",
    "a physical environment fit for secure operation",
    "evidence",
    lambda a: (a.physical_environment.fit_for_secure_operation, a.physical_environment.evidence),
)
_EQUIPMENT = _Claim(
    "equipment",
    "Equipment meeting national security standards",
    "equipment meeting national security standards",
    "certificate references",
    lambda a: (a.equipment.meets_national_security_standards, a.equipment.certificates),
)
_CRYPTOGRAPHY = _Claim(
    "cryptography",
    "Approval to use commercial cryptography",
    "approval to use commercial cryptography",
    "an approval number",
    lambda a: (a.cryptography.approved, _given(a.cryptography.approval_number)),
)


#: The checks of each condition wording of ``application_conditions`` in the shipped rule sets.
_CONDITION_CHECKS: dict[str, tuple[_Check, ...]] = {
    "independent legal person": (_legal_person, _uscc),
    "fixed premises and a physical environment fit for secure operation": (_PREMISES, _ENVIRONMENT),
    "equipment meeting national security standards": (_EQUIPMENT,),
    "approval to use commercial cryptography": (_CRYPTOGRAPHY,),
}


def evaluate(application: Application, rule_set: RuleSet) -> Evaluation:
    """Check ``application`` against ``rule_set`` (ECS-2.1): one result per item, in order.

    Requires an ECS rule set (InvalidInput otherwise) with ``registered_capital_min``,
    ``technical_staff_min``, ``staff_count_basis`` and ``application_conditions``
    (ConfigurationError otherwise). Never raises for a parsed application.
    """
    require_ecs(rule_set)
    results = [_registered_capital(application, rule_set), _staff(application, rule_set)]
    citation = cite(rule_set, "application_conditions")
    for index, condition in enumerate(rule_set.items("application_conditions"), start=1):
        checks = _CONDITION_CHECKS.get(condition)
        if checks is None:
            results.append(
                ItemResult(
                    f"condition_{index}",
                    condition,
                    ItemStatus.NEEDS_REVIEW,
                    f"no automatic check exists for this condition; a reviewer must judge "
                    f"{_condition(condition, citation)}",
                    (citation,),
                )
            )
            continue
        results.extend(check(application, condition, citation) for check in checks)
    return Evaluation(rule_set.id, rule_set.status.value, tuple(results))
