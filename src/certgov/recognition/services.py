"""Cross-border recognition (ECS-8): applications naming a foreign CA and its certificates
(ECS-8.1), technical review and the decision recording scope and validity, withdrawal
(ECS-8.2), and the evidence relying-party verification (SYS-5) cites for a chain that leads to a
recognised foreign CA certificate.

Every function is one use case inside the caller's unit of work; none commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import Actor, ActorKind, Role
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.history.services import record_status_change
from certgov.jurisdictions import NATIONAL
from certgov.parties.models import Party, PartyKind
from certgov.parties.services import NewParty, create_party, get_ca, require_national
from certgov.pki import Certificate, ChainVerifier, parse_bundle
from certgov.recognition.models import (
    RecognisedCertificate,
    Recognition,
    RecognitionEvent,
    RecognitionStatus,
)
from certgov.recognition.review import technical_review
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime, RuleSet
from certgov.store.engine import stale_write_is_conflict
from certgov.workflow.clocks import date_after

PROCESS = "ca-recognition"
#: Most foreign CA certificates one application may carry.
MAX_CERTIFICATES = 20
_MAX_TEXT = 2000
_MAX_ITEMS = 50
#: Case states in which the technical review may be run again.
REVIEW_STATES = frozenset({"technical_review"})


def _today(ctx: Context) -> dt.date:
    return china_date(ctx.clock.now())


def _items(value: object, path: str) -> list[str]:
    items = strict_json.text_list(value, path)
    if not items:
        strict_json.refuse(path, "a non-empty array of strings", value)
    if len(items) > _MAX_ITEMS:
        strict_json.refuse(path, f"at most {_MAX_ITEMS} items", value)
    cleaned = []
    for index, item in enumerate(items):
        if len(item) > 300:
            strict_json.refuse(
                strict_json.field_path(path, index), "a string of at most 300 characters", item
            )
        if item.strip() not in cleaned:
            cleaned.append(item.strip())
    return cleaned


# --- The application (ECS-8.1) --------------------------------------------------------------------


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
            f"basis: {basis!r} is not a basis of recognition",
            hint=f"one of: {', '.join(bases)} (ESL Art. 26)",
            details={"field": "basis"},
        )
    pem = strict_json.text(doc["certificates_pem"], "certificates_pem", limit=200_000)
    try:
        certificates = parse_bundle(pem.encode(), max_certificates=MAX_CERTIFICATES)
    except InvalidInput as exc:
        raise InvalidInput(
            f"certificates_pem: {exc.message}", hint=exc.hint, details={"field": "certificates_pem"}
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
                qualification.get("description"), "qualification.description", limit=_MAX_TEXT
            ),
        },
        basis=basis,
        certificate_types=_items(doc["certificate_types"], "certificate_types"),
        technical_standards=_items(doc["technical_standards"], "technical_standards"),
        scenarios=_items(doc["scenarios"], "scenarios"),
        certificates=tuple(certificates),
    )


def _certificates_of(case: Case) -> list[Certificate]:
    application = case.data.get("application") or {}
    pem = "".join(c["pem"] for c in application.get("certificates") or [])
    return list(parse_bundle(pem.encode())) if pem else []


def _claimed(case_data: Mapping[str, Any]) -> str | None:
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
        require_national(actor, "open a recognition application")
        if applicant_party_id is None:
            raise InvalidInput(
                "applicant_party_id: name the institution that applies",
                details={"field": "applicant_party_id"},
            )
    applicant = get_ca(session, applicant_party_id)
    day = _today(ctx)
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
            or f"Recognition of {application.foreign_ca['name']} ({application.foreign_ca['country']})",
            subject_party_id=applicant.id,
            jurisdiction=NATIONAL,
            relevant_date=day,
            data={"application": application.as_dict(), "technical_review": review},
        ),
    )


def application_case(session: Session, ctx: Context, actor: Actor, case_id: int) -> Case:
    case = cases.get_case(session, ctx, actor, case_id)
    if case.process_id != PROCESS:
        raise NotFound(f"case {case_id} is not a recognition application")
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
    require_national(actor, "review a recognition application")
    case = application_case(session, ctx, actor, case_id)
    if case.state not in REVIEW_STATES:
        raise Conflict(f"the review runs during technical review; case {case.id} is {case.state}")
    rule_set = ctx.rule_sets[case.rule_set_ids[0]]
    review = technical_review(
        session,
        _certificates_of(case),
        rule_set,
        ctx.clock.now(),
        claimed_status=_claimed(case.data),
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
        items = _items(scope[key], f"scope.{key}")
        applied = list(application.get(key) or [])
        outside = [i for i in items if i not in applied]
        if outside:
            raise InvalidInput(
                f"scope.{key}: {', '.join(outside)} was not applied for",
                hint=f"applied for: {', '.join(applied)}",
                details={"field": f"scope.{key}"},
            )
        decided[key] = items
    return decided


# --- Recognitions (ECS-8.2) ------------------------------------------------------------------------


def _number(session: Session, year: int) -> str:
    prefix = f"REC{year}"
    taken = session.scalar(
        select(func.count()).select_from(Recognition).where(Recognition.number.startswith(prefix))
    )
    return f"{prefix}{(taken or 0) + 1:03d}"


def _foreign_party(session: Session, ctx: Context, foreign: Mapping[str, Any]) -> Party:
    name, country = str(foreign["name"]), str(foreign["country"])
    party = session.scalar(
        select(Party).where(
            Party.kind == PartyKind.FOREIGN_CA, Party.name == name, Party.country == country
        )
    )
    if party is not None:
        return party
    return create_party(
        session,
        ctx.clock,
        NewParty(
            name=name,
            kind=PartyKind.FOREIGN_CA,
            name_en=foreign.get("name_en") or None,
            country=country,
        ),
    )


def _event(
    session: Session,
    ctx: Context,
    recognition: Recognition,
    actor: Actor,
    kind: str,
    *,
    from_status: str | None,
    reason: str | None,
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    record_status_change(
        session,
        ctx,
        actor,
        RecognitionEvent(
            recognition_id=recognition.id,
            kind=kind,
            from_status=from_status,
            to_status=recognition.status,
            case_id=case_id,
            reason=reason,
            details=details or {},
        ),
        action=f"recognition.{kind}",
        subject={"recognition": recognition.number, "foreign_ca": recognition.foreign_party_id},
        after={"valid_until": recognition.valid_until.isoformat()},
    )


def grant_recognition(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of approving an application (ECS-8.2): the technical review is run again at the
    decision (it must pass: every certificate sound, the home scheme's current list shows the CA
    supervised); the recognition is recorded with its scope (``scope`` in the decision, default
    all that was applied for) and valid from today for the rule set's ``recognition_validity``."""
    application = case.data.get("application")
    if not isinstance(application, dict):
        raise InvalidInput(f"case {case.id} holds no recognition application")
    scope = parse_scope(case.data.get("scope"), application)
    rule_set = ctx.rule_sets[case.rule_set_ids[0]]
    certificates = _certificates_of(case)
    review = technical_review(
        session, certificates, rule_set, ctx.clock.now(), claimed_status=_claimed(case.data)
    )
    if not review["passed"]:
        raise cases.GuardFailed(
            "the foreign CA cannot be recognised: " + "; ".join(review["blockers"][:10]),
            details={"reasons": review["blockers"]},
        )
    foreign = _foreign_party(session, ctx, application["foreign_ca"])
    today = _today(ctx)
    validity = rule_set.duration("recognition_validity")
    now = ctx.clock.now()
    recognition = Recognition(
        number=_number(session, today.year),
        foreign_party_id=foreign.id,
        applicant_party_id=case.subject_party_id,
        case_id=case.id,
        basis=str(application.get("basis")),
        certificate_types=scope["certificate_types"],
        scenarios=scope["scenarios"],
        technical_standards=list(application.get("technical_standards") or []),
        home_territory=(application.get("qualification") or {}).get("home_scheme"),
        status=RecognitionStatus.IN_FORCE,
        valid_from=today,
        valid_until=date_after(today, validity) - dt.timedelta(days=1),
        granted_at=now,
        rule_set_id=rule_set.id,
        updated_at=now,
    )
    session.add(recognition)
    session.flush()
    for certificate in certificates:
        session.add(
            RecognisedCertificate(
                recognition_id=recognition.id,
                sha256=certificate.fingerprint,
                subject_hash=name_hash(certificate.summary.subject_der),
                issuer_hash=name_hash(certificate.summary.issuer_der),
                subject=certificate.subject[:1000],
                role="root" if certificate.summary.is_self_issued else "subordinate",
                not_before=certificate.summary.not_before,
                not_after=certificate.summary.not_after,
                der=certificate.der,
            )
        )
    session.flush()
    _event(
        session,
        ctx,
        recognition,
        actor,
        "granted",
        from_status=None,
        reason=reason,
        case_id=case.id,
        details={
            "validity": str(validity),
            "rule_set": rule_set.id,
            "scope": scope,
            "certificates": [c.fingerprint for c in certificates],
        },
    )
    case.data = {
        **case.data,
        "recognition": recognition.number,
        "scope": scope,
        "technical_review": review,
    }


def name_hash(name_der: bytes) -> str:
    return hashlib.sha256(name_der).hexdigest()


def get_recognition(session: Session, number: str) -> Recognition:
    recognition = session.scalar(select(Recognition).where(Recognition.number == number))
    if recognition is None:
        raise NotFound(f"no recognition numbered {number!r}")
    return recognition


def withdraw_recognition(
    session: Session,
    ctx: Context,
    actor: Actor,
    number: str,
    *,
    reason: str,
    expected_version: int | None,
) -> Recognition:
    """Withdraw a recognition in force, with a reason (ECS-8.2); it stays on record."""
    require_national(actor, "withdraw a recognition")
    recognition = get_recognition(session, number)
    if expected_version is not None and expected_version != recognition.version:
        raise Conflict(
            f"recognition {number} changed since you loaded it (you acted on version "
            f"{expected_version}, it is now at version {recognition.version}, {recognition.status})",
            hint="reload the recognition and decide again",
        )
    if recognition.status != RecognitionStatus.IN_FORCE:
        raise Conflict(
            f"recognition {number} is {recognition.status}; only one in force is withdrawn"
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a withdrawal needs a reason, recorded in the recognition's history")
    if len(reason) > _MAX_TEXT:
        raise InvalidInput(f"the reason is longer than {_MAX_TEXT} characters")
    with stale_write_is_conflict(f"recognition {number}"):
        recognition.status = RecognitionStatus.WITHDRAWN
        recognition.updated_at = ctx.clock.now()
        session.flush()
    _event(
        session,
        ctx,
        recognition,
        actor,
        "withdrawn",
        from_status=RecognitionStatus.IN_FORCE,
        reason=reason,
    )
    return recognition


def sweep_recognitions(session: Session, ctx: Context, actor: Actor) -> list[str]:
    """Worker job (ECS-8.2): recognitions past their last day expire. Returns their numbers."""
    today = _today(ctx)
    expired = []
    for recognition in session.scalars(
        select(Recognition).where(
            Recognition.status == RecognitionStatus.IN_FORCE, Recognition.valid_until < today
        )
    ):
        recognition.status = RecognitionStatus.EXPIRED
        recognition.updated_at = ctx.clock.now()
        session.flush()
        _event(
            session,
            ctx,
            recognition,
            actor,
            "expired",
            from_status=RecognitionStatus.IN_FORCE,
            reason=f"validity ended on {recognition.valid_until.isoformat()}",
        )
        expired.append(recognition.number)
    return expired


def history(session: Session, recognition: Recognition) -> list[RecognitionEvent]:
    return list(
        session.scalars(
            select(RecognitionEvent)
            .where(RecognitionEvent.recognition_id == recognition.id)
            .order_by(RecognitionEvent.id)
        )
    )


def certificates_of(session: Session, recognition: Recognition) -> list[RecognisedCertificate]:
    return list(
        session.scalars(
            select(RecognisedCertificate)
            .where(RecognisedCertificate.recognition_id == recognition.id)
            .order_by(RecognisedCertificate.id)
        )
    )


def list_recognitions(session: Session, *, status: str | None = None) -> list[Recognition]:
    query = select(Recognition).order_by(Recognition.id)
    if status is not None:
        if status not in {s.value for s in RecognitionStatus}:
            raise InvalidInput(
                f"unknown recognition status {status!r}",
                hint=f"one of {', '.join(s.value for s in RecognitionStatus)}",
            )
        query = query.where(Recognition.status == status)
    return list(session.scalars(query))


@dataclass(frozen=True)
class StatusAt:
    status: str
    since: dt.datetime


def status_at(session: Session, recognition: Recognition, at: dt.datetime) -> StatusAt | None:
    """The recognition's status at instant ``at`` (SYS-5): its history replayed up to ``at``;
    past its last day it was expired whatever came later. None before it was granted."""
    events = [e for e in history(session, recognition) if e.at <= at]
    if not events:
        return None
    last = events[-1]
    if china_date(at) > recognition.valid_until and last.to_status == RecognitionStatus.IN_FORCE:
        return StatusAt(RecognitionStatus.EXPIRED.value, last.at)
    return StatusAt(last.to_status, last.at)


def recognition_out(session: Session, recognition: Recognition) -> dict[str, Any]:
    foreign = session.get(Party, recognition.foreign_party_id)
    assert foreign is not None
    return {
        "number": recognition.number,
        "status": recognition.status,
        "version": recognition.version,
        "foreign_ca": {
            "party_id": foreign.id,
            "name": foreign.name,
            "name_en": foreign.name_en,
            "country": foreign.country,
        },
        "applicant_party_id": recognition.applicant_party_id,
        "case_id": recognition.case_id,
        "basis": recognition.basis,
        "scope": {
            "certificate_types": recognition.certificate_types,
            "scenarios": recognition.scenarios,
        },
        "technical_standards": recognition.technical_standards,
        "home_territory": recognition.home_territory,
        "valid_from": recognition.valid_from.isoformat(),
        "valid_until": recognition.valid_until.isoformat(),
        "granted_at": recognition.granted_at.isoformat(),
        "rule_set": recognition.rule_set_id,
        "certificates": [
            {
                "sha256": c.sha256,
                "subject": c.subject,
                "role": c.role,
                "not_before": c.not_before.isoformat(),
                "not_after": c.not_after.isoformat(),
            }
            for c in certificates_of(session, recognition)
        ],
        "history": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "to_status": e.to_status,
                "reason": e.reason,
            }
            for e in history(session, recognition)
        ],
    }


# --- Relying-party verification (SYS-5) -----------------------------------------------------------

#: How far up the issuer hierarchy recognised certificates are looked for.
_MAX_DEPTH = 8


def _candidates(session: Session, presented: Sequence[Certificate]) -> list[RecognisedCertificate]:
    found: dict[int, RecognisedCertificate] = {}
    wanted = {name_hash(c.summary.issuer_der) for c in presented}
    wanted |= {name_hash(c.summary.subject_der) for c in presented}
    seen: set[str] = set()
    for _ in range(_MAX_DEPTH):
        wanted -= seen
        if not wanted:
            break
        seen |= wanted
        rows = session.scalars(
            select(RecognisedCertificate).where(
                RecognisedCertificate.subject_hash.in_(sorted(wanted))
            )
        ).all()
        wanted = set()
        for row in rows:
            if row.id not in found:
                found[row.id] = row
                wanted.add(row.issuer_hash)
    return list(found.values())


def recognition_evidence(
    session: Session,
    certificates: Sequence[Certificate],
    at: dt.datetime,
    *,
    certificate_type: str | None = None,
    scenario: str | None = None,
) -> dict[str, Any] | None:
    """Does the chain ``certificates`` (target first, then any intermediates) lead to a
    recognised foreign CA certificate, and was that recognition in force at ``at`` (SYS-5,
    ECS-8.2)? None when the chain leads to no recognised certificate at all. Otherwise the
    evidence: ``recognised`` (true only when the chain verifies at ``at``, the recognition was
    in force then, and ``certificate_type`` / ``scenario`` — when given — are within its
    scope), the recognition with its scope and validity, the chain, and the ``reasons``
    whenever ``recognised`` is false. Precondition: ``at`` is timezone-aware.
    """
    if not certificates:
        return None
    rows = _candidates(session, certificates)
    if not rows:
        return None
    anchors = {row.sha256: Certificate.from_der(row.der) for row in rows}
    target = certificates[0]
    result = ChainVerifier(anchors.values()).verify(target, at, intermediates=certificates[1:])
    if not result.anchored or result.path[-1].fingerprint not in anchors:
        return None
    anchor = result.path[-1].fingerprint
    choices = []
    for row in rows:
        if row.sha256 != anchor:
            continue
        recognition = session.get(Recognition, row.recognition_id)
        assert recognition is not None
        standing = status_at(session, recognition, at)
        reasons = [p.message for p in result.problems]
        if standing is None:
            reasons.append(
                f"recognition {recognition.number} was not yet granted at {at.isoformat()}"
            )
        elif standing.status != RecognitionStatus.IN_FORCE:
            reasons.append(
                f"recognition {recognition.number} was {standing.status} at {at.isoformat()} "
                f"(since {standing.since.isoformat()})"
            )
        if certificate_type is not None and certificate_type not in recognition.certificate_types:
            reasons.append(
                f"certificate type {certificate_type!r} is outside the scope of recognition "
                f"{recognition.number} ({', '.join(recognition.certificate_types)})"
            )
        if scenario is not None and scenario not in recognition.scenarios:
            reasons.append(
                f"scenario {scenario!r} is outside the scope of recognition "
                f"{recognition.number} ({', '.join(recognition.scenarios)})"
            )
        choices.append((len(reasons), -recognition.id, recognition, standing, row, reasons))
    choices.sort(key=lambda c: (c[0], c[1]))
    _count, _order, recognition, standing, row, reasons = choices[0]
    foreign = session.get(Party, recognition.foreign_party_id)
    assert foreign is not None
    return {
        "recognised": not reasons,
        "at": at.isoformat(),
        "certificate": {"subject": target.subject, "sha256": target.fingerprint},
        "chain": result.as_dict(),
        "recognised_certificate": {"sha256": row.sha256, "subject": row.subject, "role": row.role},
        "foreign_ca": {
            "party_id": foreign.id,
            "name": foreign.name,
            "name_en": foreign.name_en,
            "country": foreign.country,
        },
        "recognition": {
            "number": recognition.number,
            "status_at": standing.status if standing else None,
            "since": standing.since.isoformat() if standing else None,
            "status_now": recognition.status,
            "valid_from": recognition.valid_from.isoformat(),
            "valid_until": recognition.valid_until.isoformat(),
            "basis": recognition.basis,
            "scope": {
                "certificate_types": recognition.certificate_types,
                "scenarios": recognition.scenarios,
            },
        },
        "reasons": reasons,
    }
