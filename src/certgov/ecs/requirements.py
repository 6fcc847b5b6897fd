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
from certgov.ecs.citation import ParameterCitation, cite, cited, require_ecs, rmb
from certgov.ecs.uscc import check_uscc
from certgov.errors import ConfigurationError
from certgov.i18n import N_
from certgov.rules.model import RuleSet
from certgov.text import Term, Text

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
    """One requirement's result; ``reason`` is a sentence with the numbers and the citation
    (English), ``reason_text`` the same as a text said in the reader's language (stored as
    ``reason_text``: its template and parameters)."""

    item: str
    title: str
    status: ItemStatus
    reason: str
    parameters: tuple[ParameterCitation, ...] = ()
    reason_text: Text | None = None

    @classmethod
    def of(
        cls,
        item: str,
        title: str,
        status: ItemStatus,
        reason: Text,
        parameters: tuple[ParameterCitation, ...] = (),
    ) -> ItemResult:
        """The result with ``reason`` as a text (``reason`` its English)."""
        return cls(item, title, status, str(reason), parameters, reason)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "item": self.item,
            "title": self.title,
            "status": self.status.value,
            "reason": self.reason,
            "parameters": [citation.as_dict() for citation in self.parameters],
        }
        if self.reason_text is not None:
            body["reason_text"] = self.reason_text.stored()
        return body


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


def _condition(condition: str, citation: ParameterCitation) -> Text:
    """``condition '<condition>' (<citation>)``: the condition in the rule set's words."""
    return Text(
        "condition '{condition}' ({citation})",
        condition=Term("message", condition),
        citation=cited(citation),
    )


def _registered_capital(application: Application, rule_set: RuleSet) -> ItemResult:
    minimum = rule_set.money("registered_capital_min")
    citation = cite(rule_set, "registered_capital_min")
    capital = application.registered_capital_yuan
    met = capital >= minimum.amount
    if minimum.currency == "CNY":
        reason = (
            Text(
                "registered capital RMB {capital:,} meets the minimum of RMB {minimum:,} "
                "({citation})",
                capital=capital,
                minimum=minimum.amount,
                citation=cited(citation),
            )
            if met
            else Text(
                "registered capital RMB {capital:,} is below the minimum of RMB {minimum:,} "
                "({citation})",
                capital=capital,
                minimum=minimum.amount,
                citation=cited(citation),
            )
        )
    else:
        reason = (
            Text(
                "registered capital {capital} meets the minimum of {minimum} ({citation})",
                capital=rmb(capital),
                minimum=rmb(minimum),
                citation=cited(citation),
            )
            if met
            else Text(
                "registered capital {capital} is below the minimum of {minimum} ({citation})",
                capital=rmb(capital),
                minimum=rmb(minimum),
                citation=cited(citation),
            )
        )
    status = ItemStatus.MET if met else ItemStatus.NOT_MET
    return ItemResult.of("registered_capital", "Registered capital", status, reason, (citation,))


def _staff_reason(basis: str, count: int, minimum: int, citation: ParameterCitation) -> Text:
    """The count against the minimum: ``technical_staff`` (the team against a minimum of
    the team), ``service_staff`` (everyone against a minimum of everyone) or ``lower_bound``
    (the team against a minimum of everyone, the team being part of it)."""
    params: dict[str, Any] = {"count": count, "minimum": minimum, "citation": cited(citation)}
    met = count >= minimum
    if basis == "technical_staff":
        if met:
            return Text(
                "{count:,} dedicated technical staff meet the minimum of {minimum:,} dedicated "
                "technical staff ({citation})",
                **params,
            )
        return Text(
            "{count:,} dedicated technical staff fall short of the minimum of {minimum:,} "
            "dedicated technical staff ({citation})",
            **params,
        )
    if basis == "service_staff":
        if met:
            return Text(
                "{count:,} staff engaged in the service meet the minimum of {minimum:,} staff "
                "engaged in the service ({citation})",
                **params,
            )
        return Text(
            "{count:,} staff engaged in the service fall short of the minimum of {minimum:,} "
            "staff engaged in the service ({citation})",
            **params,
        )
    if met:
        return Text(
            "{count:,} dedicated technical staff meet the minimum of {minimum:,} staff engaged "
            "in the service ({citation}); the technical team is part of the service staff, so "
            "no further count is needed",
            **params,
        )
    return Text(
        "{count:,} dedicated technical staff fall short of the minimum of {minimum:,} staff "
        "engaged in the service ({citation}); the technical team is only part of the service "
        "staff: declare service_staff (technical, operations management, security management "
        "and customer service staff together)",
        **params,
    )


def _staff(application: Application, rule_set: RuleSet) -> ItemResult:
    """The minimum applies to the count ``staff_count_basis`` names: the dedicated technical
    team (2024 draft) or everyone engaged in the service (M2015 Art. 5(2))."""
    minimum = rule_set.count("technical_staff_min")
    basis = rule_set.text("staff_count_basis")
    citation = cite(rule_set, "technical_staff_min")
    technical, service = application.technical_staff, application.service_staff
    if basis == "technical_staff":
        met = technical >= minimum
        reason = _staff_reason("technical_staff", technical, minimum, citation)
    elif basis == "service_staff" and service is not None:
        met = service >= minimum
        reason = _staff_reason("service_staff", service, minimum, citation)
    elif basis == "service_staff":
        # The technical team is part of the service staff, so its size is a lower bound.
        met = technical >= minimum
        reason = _staff_reason("lower_bound", technical, minimum, citation)
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
    return ItemResult.of("technical_staff", "Staff", status, reason, citations)


def _legal_person(
    application: Application, condition: str, citation: ParameterCitation
) -> ItemResult:
    person = application.legal_person
    cited_condition = _condition(condition, citation)
    if person.independent_legal_person:
        status = ItemStatus.MET
        reason = Text(
            "{name} declares it is an independent legal person; {condition}",
            name=person.name,
            condition=cited_condition,
        )
    else:
        status = ItemStatus.NOT_MET
        reason = Text(
            "{name} does not declare that it is an independent legal person; {condition}",
            name=person.name,
            condition=cited_condition,
        )
    return ItemResult.of("legal_person", "Independent legal person", status, reason, (citation,))


def _uscc(application: Application, condition: str, citation: ParameterCitation) -> ItemResult:
    result = check_uscc(application.legal_person.uscc)
    cited_condition = _condition(condition, citation)
    if result.valid:
        status = ItemStatus.MET
        reason = Text(
            "unified social credit code {code} is valid (GB 32100-2015); the code identifies "
            "the legal person of {condition}",
            code=result.code,
            condition=cited_condition,
        )
    else:
        status = ItemStatus.NOT_MET
        reason = Text(
            "unified social credit code {code!r} is not valid: {reasons}; the code identifies "
            "the legal person of {condition}",
            code=application.legal_person.uscc,
            reasons=_semicolons(result.texts),
            condition=cited_condition,
        )
    return ItemResult.of("uscc", "Unified social credit code", status, reason, (citation,))


def _semicolons(items: tuple[Text, ...]) -> Text | str:
    """Texts one after the other, ``; `` between them (one is itself)."""
    if not items:
        return ""
    first, *rest = items
    if not rest:
        return first
    return Text("{first}; {rest}", first=first, rest=_semicolons(tuple(rest)))


@dataclass(frozen=True, slots=True)
class _Claim:
    """A fact a person must confirm: not claimed, or claimed without the proof, is ``not_met``;
    claimed with it is ``needs_review``. ``facts`` gives (claimed, the evidence); the three
    templates say it not claimed, claimed without the proof, and claimed with it (``evidence``),
    each ending in the ``condition``."""

    item: str
    title: str
    not_claimed: str
    without_proof: str
    with_proof: str
    facts: Callable[[Application], tuple[bool, tuple[str, ...]]]

    def __call__(
        self, application: Application, condition: str, citation: ParameterCitation
    ) -> ItemResult:
        claimed, evidence = self.facts(application)
        cited_condition = _condition(condition, citation)
        if not claimed:
            status = ItemStatus.NOT_MET
            reason = Text(self.not_claimed, condition=cited_condition)
        elif not evidence:
            status = ItemStatus.NOT_MET
            reason = Text(self.without_proof, condition=cited_condition)
        else:
            status = ItemStatus.NEEDS_REVIEW
            reason = Text(self.with_proof, evidence="; ".join(evidence), condition=cited_condition)
        return ItemResult.of(self.item, self.title, status, reason, (citation,))


def _given(text: str | None) -> tuple[str, ...]:
    return (text,) if text else ()


_PREMISES = _Claim(
    "premises",
    "Fixed premises",
    N_("fixed premises: not claimed; {condition}"),
    N_("fixed premises: claimed without a description; {condition}"),
    N_(
        "fixed premises: claimed with a description ({evidence}), for a reviewer to confirm; "
        "{condition}"
    ),
    lambda a: (a.premises.fixed_premises, _given(a.premises.description)),
)
_ENVIRONMENT = _Claim(
    "physical_environment",
    "Physical environment fit for secure operation",
    N_("a physical environment fit for secure operation: not claimed; {condition}"),
    N_("a physical environment fit for secure operation: claimed without evidence; {condition}"),
    N_(
        "a physical environment fit for secure operation: claimed with evidence ({evidence}), "
        "for a reviewer to confirm; {condition}"
    ),
    lambda a: (a.physical_environment.fit_for_secure_operation, a.physical_environment.evidence),
)
_EQUIPMENT = _Claim(
    "equipment",
    "Equipment meeting national security standards",
    N_("equipment meeting national security standards: not claimed; {condition}"),
    N_(
        "equipment meeting national security standards: claimed without certificate "
        "references; {condition}"
    ),
    N_(
        "equipment meeting national security standards: claimed with certificate references "
        "({evidence}), for a reviewer to confirm; {condition}"
    ),
    lambda a: (a.equipment.meets_national_security_standards, a.equipment.certificates),
)
_CRYPTOGRAPHY = _Claim(
    "cryptography",
    "Approval to use commercial cryptography",
    N_("approval to use commercial cryptography: not claimed; {condition}"),
    N_("approval to use commercial cryptography: claimed without an approval number; {condition}"),
    N_(
        "approval to use commercial cryptography: claimed with an approval number ({evidence}), "
        "for a reviewer to confirm; {condition}"
    ),
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
                ItemResult.of(
                    f"condition_{index}",
                    condition,
                    ItemStatus.NEEDS_REVIEW,
                    Text(
                        "no automatic check exists for this condition; a reviewer must judge "
                        "{condition}",
                        condition=_condition(condition, citation),
                    ),
                    (citation,),
                )
            )
            continue
        results.extend(check(application, condition, citation) for check in checks)
    return Evaluation(rule_set.id, rule_set.status.value, tuple(results))
