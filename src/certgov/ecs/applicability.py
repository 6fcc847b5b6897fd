"""Is an activity an electronic certification service the Measures regulate? (ECS-1.1)

The Measures regulate third-party verification of electronic signatures, in particular issuing
electronic-signature certificates; activities solely for identity verification are outside them
(seed 000 section 1; M2015 Art. 2). Substance decides, not labels: a service that issues
electronic-signature certificates is regulated even if it calls itself identity verification,
and the answer then says the description contradicts itself (``needs_review``).

The wording of the regulated and excluded activities, and where it comes from, is read from the
rule set (``regulated_activities``, ``out_of_scope_activities``); the answer cites both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certgov import strict_json as _json
from certgov.ecs.citation import ParameterCitation, cite, require_ecs
from certgov.rules.model import RuleSet

__all__ = ["REQUIREMENT", "Activity", "Applicability", "assess", "parse_activity"]

#: The requirement this module implements.
REQUIREMENT = "ECS-1.1"

_REQUIRED = (
    "issues_signature_certificates",
    "third_party_verification",
    "identity_verification_only",
)
_OPTIONAL = ("description", "certificate_types")


@dataclass(frozen=True, slots=True)
class Activity:
    """What a provider does, as it describes it.

    ``issues_signature_certificates``: it issues certificates binding signature-creation data to
    a signer. ``third_party_verification``: it verifies, for relying parties, that electronic
    signatures are authentic and reliable. ``identity_verification_only``: it claims to do no
    more than verify identities. ``certificate_types`` lists the certificates it issues, if any.
    """

    issues_signature_certificates: bool
    third_party_verification: bool
    identity_verification_only: bool
    description: str = ""
    certificate_types: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON :func:`parse_activity` reads."""
        return {
            "issues_signature_certificates": self.issues_signature_certificates,
            "third_party_verification": self.third_party_verification,
            "identity_verification_only": self.identity_verification_only,
            "description": self.description,
            "certificate_types": list(self.certificate_types),
        }


@dataclass(frozen=True, slots=True)
class Applicability:
    """The answer: ``regulated`` and the reasons, the first of which is the verdict.

    ``needs_review`` is True when the description contradicts itself; ``conflicts`` says how
    (and ``reasons`` ends with the same sentences, so reading the reasons alone is enough).
    ``regulated`` then follows the facts that bring the activity within the Measures.
    ``parameters`` cites the rule parameters the reasons quote.
    """

    regulated: bool
    reasons: tuple[str, ...]
    conflicts: tuple[str, ...]
    rule_set: str
    parameters: tuple[ParameterCitation, ...]
    requirement: str = REQUIREMENT

    @property
    def needs_review(self) -> bool:
        return bool(self.conflicts)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "requirement": self.requirement,
            "rule_set": self.rule_set,
            "regulated": self.regulated,
            "needs_review": self.needs_review,
            "reasons": list(self.reasons),
            "conflicts": list(self.conflicts),
            "parameters": [citation.as_dict() for citation in self.parameters],
        }


def parse_activity(data: object) -> Activity:
    """Read an :class:`Activity` from parsed JSON; InvalidInput naming the field otherwise.

    The three booleans are required; ``description`` (string) and ``certificate_types`` (array
    of strings) are optional. Unknown fields are refused.
    """
    fields = _json.json_object(data, "", _REQUIRED, _OPTIONAL)
    description = fields.get("description", "")
    if not isinstance(description, str):
        _json.refuse("description", "a string", description)
    certificate_types: tuple[str, ...] = ()
    if "certificate_types" in fields:
        certificate_types = _json.text_list(fields["certificate_types"], "certificate_types")
    return Activity(
        issues_signature_certificates=_json.boolean(
            fields["issues_signature_certificates"], "issues_signature_certificates"
        ),
        third_party_verification=_json.boolean(
            fields["third_party_verification"], "third_party_verification"
        ),
        identity_verification_only=_json.boolean(
            fields["identity_verification_only"], "identity_verification_only"
        ),
        description=description,
        certificate_types=certificate_types,
    )


def _quoted(items: tuple[str, ...]) -> str:
    return "; ".join(f"'{item}'" for item in items)


def _what_it_does(activity: Activity) -> str:
    facts = []
    if activity.issues_signature_certificates:
        facts.append("issues electronic-signature certificates")
    if activity.third_party_verification:
        facts.append("verifies electronic signatures for other parties as a third party")
    return " and ".join(facts)


def assess(activity: Activity, rule_set: RuleSet) -> Applicability:
    """Whether ``activity`` is regulated under ``rule_set`` (ECS-1.1), with the reasons.

    Requires an ECS rule set (InvalidInput otherwise) having ``regulated_activities`` and
    ``out_of_scope_activities`` (ConfigurationError otherwise).
    """
    require_ecs(rule_set)
    regulated_by = cite(rule_set, "regulated_activities")
    excluded_by = cite(rule_set, "out_of_scope_activities")
    regulated_text = _quoted(rule_set.items("regulated_activities"))
    excluded_text = _quoted(rule_set.items("out_of_scope_activities"))

    regulated = activity.issues_signature_certificates or activity.third_party_verification
    reasons: list[str] = []
    conflicts: list[str] = []
    cited = [regulated_by]

    if regulated:
        reasons.append(
            f"Regulated: the activity {_what_it_does(activity)}, which the rules regulate as "
            f"{regulated_text} ({regulated_by})."
        )
    elif activity.identity_verification_only:
        reasons.append(
            "Not regulated: the activity verifies identities only and neither issues "
            "electronic-signature certificates nor verifies electronic signatures for others; "
            f"the rules leave out {excluded_text} ({excluded_by})."
        )
        cited.append(excluded_by)
    else:
        reasons.append(
            "Not regulated: the activity neither issues electronic-signature certificates nor "
            "verifies electronic signatures for others, and only that is regulated: "
            f"{regulated_text} ({regulated_by})."
        )

    if regulated and activity.identity_verification_only:
        conflicts.append(
            "The activity is described as identity verification only, yet it "
            f"{_what_it_does(activity)}. The exclusion of {excluded_text} does not apply to an "
            f"activity that does this, so it is regulated ({excluded_by})."
        )
        cited.append(excluded_by)
    if activity.certificate_types and not activity.issues_signature_certificates:
        conflicts.append(
            f"The activity lists certificate types ({', '.join(activity.certificate_types)}) "
            "but says it issues no electronic-signature certificates; "
            + (
                "the activity is regulated in any case."
                if regulated
                else "if any of these certificates serves electronic signatures, "
                "the activity is regulated."
            )
        )
    if activity.issues_signature_certificates and not activity.third_party_verification:
        reasons.append(
            "Issuing an electronic-signature certificate is itself third-party verification of "
            "electronic signatures: the certificate vouches for the signer to relying parties."
        )
    reasons.extend(conflicts)
    return Applicability(
        regulated=regulated,
        reasons=tuple(reasons),
        conflicts=tuple(conflicts),
        rule_set=rule_set.id,
        parameters=tuple(cited),
    )
