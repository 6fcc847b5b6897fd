"""Complaints and reports from anyone (ECS-5): filed anonymously or not with evidence, given a
tracking code, routed to the regulator of the CA's province, accepted and handled within the
rule set's deadlines, referred between regulators, and closed with an outcome (no action, an
inspection, or an enforcement case, ECS-6).

Every function is one use case inside the caller's unit of work; none commits.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import Actor, ActorKind, Role
from certgov.cases import access
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.complaints.models import Complaint, ComplaintEvidence
from certgov.context import Context
from certgov.errors import Forbidden, InvalidInput, NotFound
from certgov.identity import secrets
from certgov.jurisdictions import BY_CODE, NATIONAL
from certgov.parties.models import Party, PartyKind
from certgov.text import Term, Text

PROCESS = "ecs-complaint"
#: Who opens complaint cases: the system, on behalf of the (possibly anonymous) complainant.
DESK = Actor(ActorKind.SYSTEM, Role.NATIONAL_REGULATOR, "complaints desk (public submission)")
_MAX_DESCRIPTION = 10_000
_FILENAME_LIMIT = 200

#: What the public sees of each state (no notes, no names).
PUBLIC_STATUS = {
    "received": "received: the regulator is deciding whether to accept it",
    "accepted": "accepted: being handled",
    "not_accepted": "not accepted",
    "closed_no_action": "closed: no action taken",
    "inspection": "closed: an inspection of the provider was ordered",
    "enforcement": "closed: an enforcement case was opened",
}


def tracking_digest(code: str) -> str:
    return secrets.digest(code)


@dataclass(frozen=True)
class Filed:
    case: Case
    complaint: Complaint
    tracking_code: str


def _evidence(value: object, max_files: int, max_bytes: int) -> list[tuple[str, str, bytes]]:
    items = strict_json.array(value, "evidence")
    if len(items) > max_files:
        raise InvalidInput(
            "evidence: at most {most} files, found {found}",
            details={"field": "evidence"},
            most=max_files,
            found=len(items),
        )
    out = []
    for index, item in enumerate(items):
        where = f"evidence[{index}]"
        obj = strict_json.json_object(item, where, ("filename", "content_base64"), ("media_type",))
        filename = strict_json.text(obj.get("filename"), f"{where}.filename", limit=_FILENAME_LIMIT)
        media_type = (
            strict_json.optional_text(obj.get("media_type"), f"{where}.media_type", limit=100)
            or "application/octet-stream"
        )
        encoded = obj.get("content_base64")
        if not isinstance(encoded, str):
            strict_json.refuse(f"{where}.content_base64", "the file in base64", encoded)
        if len(encoded) > (max_bytes * 4) // 3 + 4:
            raise InvalidInput(
                "{where}: the file is larger than the limit of {most} bytes",
                details={"field": where},
                where=where,
                most=f"{max_bytes:,}",
            )
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            strict_json.refuse(f"{where}.content_base64", "the file in base64", encoded)
        if len(content) > max_bytes:
            raise InvalidInput(
                "{where}: the file is larger than the limit of {most} bytes",
                details={"field": where},
                where=where,
                most=f"{max_bytes:,}",
            )
        out.append((filename.strip(), media_type.strip(), content))
    return out


def file_complaint(session: Session, ctx: Context, body: Mapping[str, Any]) -> Filed:
    """File a complaint or report (ECS-5.1): ``{"subject", "description", "ca_party_id"? |
    "ca_name"?, "complainant": {"name", "contact"?}?, "evidence": [{"filename",
    "content_base64", "media_type"?}]?}``. Without ``complainant`` it is anonymous.

    The case opens in the jurisdiction of the CA's home province, national when the CA is not
    registered or has none (ECS-5.2); the tracking code is returned once and only its hash
    kept."""
    strict_json.json_object(
        body,
        "",
        ("subject", "description"),
        ("ca_party_id", "ca_name", "complainant", "evidence"),
    )
    subject = strict_json.text(body.get("subject"), "subject", limit=300).strip()
    description = strict_json.text(
        body.get("description"), "description", limit=_MAX_DESCRIPTION
    ).strip()
    target: Party | None = None
    if body.get("ca_party_id") is not None:
        party_id = strict_json.whole_number(body.get("ca_party_id"), "ca_party_id", minimum=1)
        target = session.get(Party, party_id)
        if target is None or target.kind is not PartyKind.CA:
            raise InvalidInput(
                "ca_party_id: no CA with party id {party}",
                hint="give ca_name instead when the provider is not in the registry",
                details={"field": "ca_party_id"},
                party=party_id,
            )
    ca_name = strict_json.optional_text(body.get("ca_name"), "ca_name", limit=200)
    if target is None and ca_name is None:
        raise InvalidInput(
            "name the provider complained about: ca_party_id (from the registry) or ca_name",
            details={"field": "ca_party_id"},
        )
    complainant = body.get("complainant")
    name = contact = None
    if complainant is not None:
        who = strict_json.json_object(complainant, "complainant", ("name",), ("contact",))
        name = strict_json.text(who.get("name"), "complainant.name", limit=200).strip()
        contact = strict_json.optional_text(who.get("contact"), "complainant.contact", limit=300)
    settings = ctx.settings
    evidence = (
        _evidence(
            body.get("evidence"),
            settings.complaint_evidence_max_files,
            settings.complaint_evidence_max_bytes,
        )
        if body.get("evidence") is not None
        else []
    )
    jurisdiction = (target.home_province if target else None) or NATIONAL
    if jurisdiction not in BY_CODE:
        jurisdiction = NATIONAL
    code = secrets.new_secret("cmp")
    now = ctx.clock.now()
    case = cases.open_case(
        session,
        ctx,
        DESK,
        cases.OpenCase(
            process_id=PROCESS,
            title=Text("Complaint: {subject}", subject=subject),
            jurisdiction=jurisdiction,
            data={
                "ca_party_id": target.id if target else None,
                "ca_name": target.name if target else ca_name,
                "subject": subject,
                "anonymous": complainant is None,
                "evidence_count": len(evidence),
                "referrals": [],
            },
        ),
    )
    complaint = Complaint(
        case_id=case.id,
        tracking_hash=tracking_digest(code),
        target_party_id=target.id if target else None,
        target_name=ca_name,
        subject=subject,
        description=description,
        anonymous=complainant is None,
        complainant_name=name,
        complainant_contact=contact,
        received_at=now,
    )
    session.add(complaint)
    session.flush()
    for filename, media_type, content in evidence:
        session.add(
            ComplaintEvidence(
                complaint_id=complaint.id,
                filename=filename,
                media_type=media_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                received_at=now,
            )
        )
    session.flush()
    return Filed(case, complaint, code)


def _by_code(session: Session, code: str) -> tuple[Complaint, Case]:
    complaint = None
    if 0 < len(code) <= 100:
        complaint = session.scalar(
            select(Complaint).where(Complaint.tracking_hash == tracking_digest(code))
        )
    if complaint is None:
        raise NotFound("no complaint with this tracking code")
    case = session.get(Case, complaint.case_id)
    assert case is not None
    return complaint, case


def public_status(session: Session, code: str) -> dict[str, Any]:
    """What the complainant (or anyone holding the code) sees (ECS-5.1): the status, dates,
    who handles it and the deadlines; never internal notes nor the complainant's identity."""
    complaint, case = _by_code(session, code)
    where = BY_CODE.get(case.jurisdiction)
    deadlines = {
        d.name: d.due_on.isoformat() if d.due_on else None
        for d in cases.deadlines(session, case)
        if d.status in ("running", "paused")
    }
    return {
        "subject": complaint.subject,
        "received_on": complaint.received_at.date().isoformat(),
        "status": case.state,
        "status_text": PUBLIC_STATUS.get(case.state, case.state),
        "closed": case.closed,
        "handled_by": {
            "jurisdiction": case.jurisdiction,
            "name": where.name_en if where else case.jurisdiction,
            "name_zh": where.name_zh if where else None,
        },
        "due": deadlines,
        "updated_at": case.updated_at.date().isoformat(),
    }


def _complaint_of(session: Session, case: Case) -> Complaint:
    complaint = session.scalar(select(Complaint).where(Complaint.case_id == case.id))
    if complaint is None:
        raise NotFound("case {case} is not a complaint", case=case.id)
    return complaint


def complaint_case(session: Session, ctx: Context, actor: Actor, case_id: int) -> Case:
    """A complaint case, for the regulators handling it (a provincial regulator its
    province's; 403 with the reason outside it)."""
    if actor.role not in (Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR):
        raise Forbidden("a {role} may not see complaints", role=Term("role", actor.role))
    case = cases.get_case(session, ctx, actor, case_id)
    if case.process_id != PROCESS:
        raise NotFound("case {case} is not a complaint", case=case_id)
    return case


def complaint_view(session: Session, ctx: Context, actor: Actor, case_id: int) -> dict[str, Any]:
    """The whole complaint for its regulators: text, complainant, evidence digests, case."""
    case = complaint_case(session, ctx, actor, case_id)
    complaint = _complaint_of(session, case)
    evidence = session.scalars(
        select(ComplaintEvidence)
        .where(ComplaintEvidence.complaint_id == complaint.id)
        .order_by(ComplaintEvidence.id)
    )
    return {
        "case_id": case.id,
        "state": case.state,
        "version": case.version,
        "jurisdiction": case.jurisdiction,
        "subject": complaint.subject,
        "description": complaint.description,
        "ca_party_id": complaint.target_party_id,
        "ca_name": case.data.get("ca_name"),
        "anonymous": complaint.anonymous,
        "complainant": None
        if complaint.anonymous
        else {"name": complaint.complainant_name, "contact": complaint.complainant_contact},
        "received_at": complaint.received_at.isoformat(),
        "evidence": [
            {
                "id": e.id,
                "filename": e.filename,
                "media_type": e.media_type,
                "size": e.size,
                "sha256": e.sha256,
            }
            for e in evidence
        ],
        "referrals": case.data.get("referrals", []),
        "enforcement_case_id": case.data.get("enforcement_case_id"),
    }


def list_complaints(session: Session, ctx: Context, actor: Actor) -> list[Case]:
    if actor.role not in (Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR):
        raise Forbidden("a {role} may not see complaints", role=Term("role", actor.role))
    return list(
        session.scalars(
            select(Case)
            .where(Case.process_id == PROCESS, access.visible_cases(actor, set()))
            .order_by(Case.id.desc())
            .limit(500)
        )
    )


def refer(
    session: Session, ctx: Context, actor: Actor, case_id: int, body: Mapping[str, Any]
) -> Case:
    """Refer an open complaint to another regulator (ECS-4.3, ECS-5.2): a provincial regulator
    to the national one; the national regulator to any province. ``{"to", "reason",
    "expected_version"?}``; the referral is recorded in the case history and its data. The
    deadlines keep running."""
    strict_json.json_object(body, "", ("to", "reason"), ("expected_version",))
    case = complaint_case(session, ctx, actor, case_id)
    target = strict_json.text(body.get("to"), "to", limit=16).strip()
    if target not in BY_CODE:
        raise InvalidInput(
            "to: unknown jurisdiction {target!r}",
            hint="'national' or a GB/T 2260 province code such as 310000",
            details={"field": "to"},
            target=target,
        )
    if actor.role is Role.PROVINCIAL_REGULATOR and target != NATIONAL:
        raise Forbidden(
            "a provincial regulator refers complaints to the national regulator; the national "
            "regulator assigns them to provinces"
        )
    if target == case.jurisdiction:
        raise InvalidInput(
            "to: the complaint is already with {target}", target=Term("jurisdiction", target)
        )
    reason = strict_json.text(body.get("reason"), "reason", limit=2000).strip()
    version = body.get("expected_version")
    expected = (
        None
        if version is None
        else strict_json.whole_number(version, "expected_version", minimum=1)
    )
    before = case.jurisdiction
    referral = {
        "from": before,
        "to": target,
        "by": actor.name,
        "role": actor.role.value,
        "at": ctx.clock.now().isoformat(),
        "reason": reason,
    }
    case.jurisdiction = target
    return cases.annotate(
        session,
        ctx,
        actor,
        case,
        "referred",
        changes={"referrals": [*case.data.get("referrals", []), referral]},
        expected_version=expected,
        reason=reason,
        details={"from": before, "to": target},
    )


def open_enforcement_from_complaint(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of ``open_enforcement``: the complaint becomes an enforcement case against the
    CA for the violation given in the payload (``{"violation"}``), ECS-5.2 → ECS-6.2."""
    from certgov.enforcement import services as enforcement

    party_id = case.data.get("ca_party_id")
    if not isinstance(party_id, int):
        raise InvalidInput(
            "the complaint names no registered CA; open an enforcement case against the "
            "provider once it is registered (POST /api/v1/enforcement)"
        )
    violation = case.data.get("violation")
    if not isinstance(violation, str):
        strict_json.refuse("payload.violation", "the violation of the catalogue", violation)
    opened = enforcement.open_enforcement(
        session,
        ctx,
        actor,
        enforcement.OpenEnforcement(
            party_id=party_id,
            violation=violation,
            summary=reason or "",
            complaint_case_id=case.id,
        ),
    )
    case.data = {**case.data, "enforcement_case_id": opened.id}


def evidence_file(
    session: Session, ctx: Context, actor: Actor, case_id: int, evidence_id: int
) -> ComplaintEvidence:
    """One evidence file of a complaint, for its regulators only (ECS-5.2, SYS-6): the same
    scope as :func:`complaint_view`; a file of another complaint does not exist here."""
    case = complaint_case(session, ctx, actor, case_id)
    complaint = _complaint_of(session, case)
    evidence = session.scalar(
        select(ComplaintEvidence).where(
            ComplaintEvidence.id == evidence_id, ComplaintEvidence.complaint_id == complaint.id
        )
    )
    if evidence is None:
        raise NotFound(
            "complaint case {case} has no evidence file {evidence}",
            case=case_id,
            evidence=evidence_id,
        )
    return evidence
