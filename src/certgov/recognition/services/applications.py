"""Recognition applications (ECS-8.1, ECS-8.2): parsing, submission, technical review against the foreign scheme's trusted list, the scope asked for."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import Actor, ActorKind, Role
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.context import Context
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.i18n import N_
from certgov.jurisdictions import NATIONAL
from certgov.parties.services import get_ca, require_national
from certgov.pki import Certificate, parse_bundle
from certgov.recognition.models import (
    Recognition,
)
from certgov.recognition.review import technical_review
from certgov.recognition.services.common import (
    MAX_CERTIFICATES,
    MAX_TEXT,
    PROCESS,
    REVIEW_STATES,
    china_today,
    text_items,
)
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime, RuleSet
from certgov.text import Text


@dataclass(frozen=True)
class Application:
    foreign_ca: dict[str, str | None]
    qualification: dict[str, str | None]
    basis: str
    certificate_types: list[str]
    technical_standards: list[str]
    scenarios: list[str]
    certificates: tuple[Certificate, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "foreign_ca": self.foreign_ca,
            "qualification": self.qualification,
            "basis": self.basis,
            "certificate_types": self.certificate_types,
            "technical_standards": self.technical_standards,
            "scenarios": self.scenarios,
            "certificates": [
                {
                    "sha256": c.fingerprint,
                    "subject": c.subject,
                    "pem": ssl.DER_cert_to_PEM_cert(c.der),
                }
                for c in self.certificates
            ],
        }


def parse_application(body: Mapping[str, Any], rule_set: RuleSet) -> Application:
    """The recognition application of ECS-8.1 (strict JSON): ``foreign_ca {name, name_en?,
    country}``, ``qualification {home_scheme, supervision_status, supervisor?, description?}``,
    ``basis`` (one of the rule set's ``recognition_bases``), ``certificate_types``,
    ``technical_standards``, ``scenarios`` and ``certificates_pem`` (the foreign root and
    subordinate CA certificates, PEM)."""
    doc = strict_json.json_object(
        body,
        "",
        [
            "foreign_ca",
            "qualification",
            "basis",
            "certificate_types",
            "technical_standards",
            "scenarios",
            "certificates_pem",
        ],
        ["title"],
    )
    ca = strict_json.json_object(doc["foreign_ca"], "foreign_ca", ["name", "country"], ["name_en"])
    country = strict_json.text(ca["country"], "foreign_ca.country", limit=2).strip().upper()
    if len(country) != 2 or not country.isalpha() or country == "CN":
        strict_json.refuse(
            "foreign_ca.country",
            "the ISO 3166-1 alpha-2 code of a country other than CN",
            ca["country"],
        )
    qualification = strict_json.json_object(
        doc["qualification"],
        "qualification",
        ["home_scheme", "supervision_status"],
        ["supervisor", "description"],
    )
    bases = rule_set.items("recognition_bases")
    basis = strict_json.text(doc["basis"], "basis", limit=32).strip()
    if basis not in bases:
        raise InvalidInput(
            "basis: {basis!r} is not a basis of recognition",
            hint="one of: {bases} (ESL Art. 26)",
            details={"field": "basis"},
            basis=basis,
            bases=", ".join(bases),
        )
    pem = strict_json.text(doc["certificates_pem"], "certificates_pem", limit=200_000)
    try:
        certificates = parse_bundle(pem.encode(), max_certificates=MAX_CERTIFICATES)
    except InvalidInput as exc:
        raise InvalidInput(
            "certificates_pem: {problem}",
            hint=exc.hint_template,
            details={"field": "certificates_pem"},
            **{**exc.params, "problem": exc.message},
        ) from None
    return Application(
        foreign_ca={
            "name": strict_json.text(ca["name"], "foreign_ca.name", limit=200).strip(),
            "name_en": (
                strict_json.optional_text(ca.get("name_en"), "foreign_ca.name_en", limit=200)
                or None
            ),
            "country": country,
        },
        qualification={
            "home_scheme": strict_json.text(
                qualification["home_scheme"], "qualification.home_scheme", limit=16
            )
            .strip()
            .upper(),
            "supervision_status": strict_json.text(
                qualification["supervision_status"], "qualification.supervision_status", limit=200
            ).strip(),
            "supervisor": strict_json.optional_text(
                qualification.get("supervisor"), "qualification.supervisor", limit=300
            ),
            "description": strict_json.optional_text(
                qualification.get("description"), "qualification.description", limit=MAX_TEXT
            ),
        },
        basis=basis,
        certificate_types=text_items(doc["certificate_types"], "certificate_types"),
        technical_standards=text_items(doc["technical_standards"], "technical_standards"),
        scenarios=text_items(doc["scenarios"], "scenarios"),
        certificates=tuple(certificates),
    )


def certificates_presented(case: Case) -> list[Certificate]:
    application = case.data.get("application") or {}
    pem = "".join(c["pem"] for c in application.get("certificates") or [])
    return list(parse_bundle(pem.encode())) if pem else []


def claimed_supervision_status(case_data: Mapping[str, Any]) -> str | None:
    qualification = (case_data.get("application") or {}).get("qualification") or {}
    value = qualification.get("supervision_status")
    return value if isinstance(value, str) else None


def submit_application(
    session: Session,
    ctx: Context,
    actor: Actor,
    body: Mapping[str, Any],
    *,
    applicant_party_id: int | None = None,
) -> Case:
    """Open a recognition application case (ECS-8.1) with its first technical review.

    The applicant is a domestic institution: a CA operator applies for its own organisation;
    the national regulator may open one for a named applicant. Recognition is national
    (ESL Art. 26): the case's jurisdiction is national whatever the applicant's province.
    """
    if actor.role is Role.CA_OPERATOR and actor.kind is not ActorKind.SYSTEM:
        if applicant_party_id not in (None, actor.party_id):
            raise Forbidden("you may apply only for your own organisation")
        applicant_party_id = actor.party_id
        if applicant_party_id is None:
            raise Forbidden("your credentials name no organisation")
    else:
        require_national(actor, N_("open a recognition application"))
        if applicant_party_id is None:
            raise InvalidInput(
                "applicant_party_id: name the institution that applies",
                details={"field": "applicant_party_id"},
            )
    applicant = get_ca(session, applicant_party_id)
    day = china_today(ctx)
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, day)
    application = parse_application(body, rule_set)
    review = technical_review(
        session,
        application.certificates,
        rule_set,
        ctx.clock.now(),
        claimed_status=application.qualification["supervision_status"],
    )
    title = body.get("title")
    return cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=PROCESS,
            title=(title.strip() if isinstance(title, str) and title.strip() else "")[:200]
            or Text(
                "Recognition of {name} ({country})",
                name=application.foreign_ca["name"],
                country=application.foreign_ca["country"],
            ),
            subject_party_id=applicant.id,
            jurisdiction=NATIONAL,
            relevant_date=day,
            data={"application": application.as_dict(), "technical_review": review},
        ),
    )


def application_case(session: Session, ctx: Context, actor: Actor, case_id: int) -> Case:
    case = cases.get_case(session, ctx, actor, case_id)
    if case.process_id != PROCESS:
        raise NotFound("case {case} is not a recognition application", case=case_id)
    return case


def application_view(session: Session, ctx: Context, actor: Actor, case_id: int) -> dict[str, Any]:
    case = application_case(session, ctx, actor, case_id)
    recognition = session.scalar(select(Recognition).where(Recognition.case_id == case.id))
    return {
        "case": {
            "id": case.id,
            "state": case.state,
            "version": case.version,
            "title": case.title,
            "closed": case.closed,
            "rule_sets": case.rule_set_ids,
        },
        "application": case.data.get("application"),
        "technical_review": case.data.get("technical_review"),
        "decision": case.data.get("decision"),
        "recognition": case.data.get("recognition")
        or (recognition.number if recognition else None),
    }


def review_again(
    session: Session, ctx: Context, actor: Actor, case_id: int, *, expected_version: int | None
) -> Case:
    """Run the technical review again (after a fresher foreign list was imported, say)."""
    require_national(actor, N_("review a recognition application"))
    case = application_case(session, ctx, actor, case_id)
    if case.state not in REVIEW_STATES:
        raise Conflict(
            "the review runs during technical review; case {case} is {state}",
            case=case.id,
            state=cases.state_title(cases.process_of(ctx, case.process_id), case.state),
        )
    rule_set = ctx.rule_sets[case.rule_set_ids[0]]
    review = technical_review(
        session,
        certificates_presented(case),
        rule_set,
        ctx.clock.now(),
        claimed_status=claimed_supervision_status(case.data),
    )
    return cases.annotate(
        session,
        ctx,
        actor,
        case,
        "technical_review",
        changes={"technical_review": review},
        expected_version=expected_version,
        details={"passed": review["passed"], "blockers": review["blockers"][:20]},
    )


def parse_scope(value: object, application: Mapping[str, Any]) -> dict[str, list[str]]:
    """The decided scope: certificate types and scenarios, each among those applied for
    (default: all of them)."""
    if value is None:
        return {
            "certificate_types": list(application.get("certificate_types") or []),
            "scenarios": list(application.get("scenarios") or []),
        }
    scope = strict_json.json_object(value, "scope", ["certificate_types", "scenarios"])
    decided = {}
    for key in ("certificate_types", "scenarios"):
        items = text_items(scope[key], f"scope.{key}")
        applied = list(application.get(key) or [])
        outside = [i for i in items if i not in applied]
        if outside:
            raise InvalidInput(
                "scope.{key}: {items} was not applied for",
                hint="applied for: {applied}",
                details={"field": f"scope.{key}"},
                key=key,
                items=", ".join(outside),
                applied=", ".join(applied),
            )
        decided[key] = items
    return decided
