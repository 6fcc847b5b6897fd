"""The public portal's read side (SYS-4, SYS-7, APP-9, ECS-6.2, ECS-8.2): the registry of
licensed CAs searched and filtered, one CA's public record, certified apps searched, published
penalties, recognised foreign CAs and imported foreign trusted lists, and the entries of the
portal's Atom feeds. Pages and API routes both serve these dictionaries, so a page and its JSON
say the same thing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.appcert import certifications
from certgov.appcert.models import AppCertification
from certgov.appcert.schemas import certification_out
from certgov.clock import china_date
from certgov.conduct import services as conduct
from certgov.context import Context
from certgov.enforcement.models import Penalty
from certgov.enforcement.schemas import penalty_out
from certgov.enforcement.services import published_penalties
from certgov.errors import InvalidInput, NotFound
from certgov.filings.models import FiledCertificate
from certgov.parties.models import Party, PartyKind
from certgov.publication.certificates import key_family
from certgov.publication.registry import ca_registry
from certgov.recognition.models import ImportedTrustList, TrustListScheme
from certgov.recognition.schemas import import_out, recognition_out, service_out
from certgov.recognition.services import list_recognitions
from certgov.recognition.trusted_lists import services_of

#: Filed certificates shown in a CA's hierarchy; the rest through the certificate search.
HIERARCHY_LIMIT = 200
#: Entries of an Atom feed.
FEED_ENTRIES = 50
LICENCE_STATUSES = ("valid", "suspended", "revoked", "expired", "withdrawn")
CERTIFICATION_STATUSES = ("valid", "suspended", "revoked", "expired")


def _matches(text: str, *values: str | None) -> bool:
    wanted = text.strip().casefold()
    return not wanted or any(wanted in (v or "").casefold() for v in values)


def registry(
    session: Session,
    ctx: Context,
    *,
    q: str = "",
    province: str = "",
    status: str = "",
) -> list[dict[str, Any]]:
    """Licensed CAs (those that hold or held a licence) whose name contains ``q`` (Chinese or
    English), based in or operating in ``province``, whose current licence has ``status``."""
    if status and status not in LICENCE_STATUSES:
        raise InvalidInput(
            "unknown licence status {status!r}",
            status=status[:20],
            hint=", ".join(LICENCE_STATUSES),
        )
    entries = ca_registry(session, ctx, licence_status=status or None)
    return [
        e
        for e in entries
        if _matches(q, e["name"], e["name_en"], e["uscc"])
        and (not province or province == e["home_province"] or province in e["operating_provinces"])
    ]


def _hierarchy(session: Session, party_id: int) -> dict[str, Any]:
    """The CA's filed certificates as a tree: each root with the subordinates it issued,
    nested; at most :data:`HIERARCHY_LIMIT` certificates (``truncated`` says when more)."""
    rows = list(
        session.scalars(
            select(FiledCertificate)
            .where(FiledCertificate.party_id == party_id)
            .order_by(FiledCertificate.id)
            .limit(HIERARCHY_LIMIT + 1)
        )
    )
    truncated = len(rows) > HIERARCHY_LIMIT
    rows = rows[:HIERARCHY_LIMIT]
    nodes: dict[str, dict[str, Any]] = {
        row.sha256: {
            "sha256": row.sha256,
            "subject": row.subject,
            "role": row.role,
            "key": row.key,
            "key_family": key_family(row.key),
            "not_after": row.not_after.isoformat(),
            "children": [],
        }
        for row in rows
    }
    by_subject: dict[str, list[FiledCertificate]] = {}
    for row in rows:
        by_subject.setdefault(row.subject_hash, []).append(row)
    roots = []
    for row in rows:
        issuers = [i for i in by_subject.get(row.issuer_hash, []) if i.sha256 != row.sha256]
        if row.role == "root" or not issuers:
            roots.append(nodes[row.sha256])
        else:
            nodes[issuers[0].sha256]["children"].append(nodes[row.sha256])
    return {"roots": roots, "truncated": truncated}


def ca_record(session: Session, ctx: Context, party_id: int) -> dict[str, Any]:
    """One licensed CA's public record: its registry entry (licences with their status
    history, practice statement in effect, provinces, outlets, open conduct findings), every
    practice statement version, the filed CA certificates as a hierarchy and the published
    penalties."""
    party = session.get(Party, party_id)
    if party is None or party.kind != PartyKind.CA:
        raise NotFound("no certification service provider with id {id}", id=party_id)
    entry = next((e for e in ca_registry(session, ctx) if e["party_id"] == party_id), None)
    if entry is None:
        raise NotFound("{party} holds no licence and is not in the registry", party=party.name)
    statements = conduct.practice_statements(session, party_id)
    return {
        **entry,
        "practice_statements": [
            {
                "version": s.version,
                "label": s.label,
                "sha256": s.sha256,
                "effective_on": s.effective_on.isoformat(),
                "url": s.url,
            }
            for s in reversed(statements)
        ],
        "certificates": _hierarchy(session, party_id),
        "penalties": [penalty_out(p, public=True) for p in published_penalties(session, party_id)],
    }


def apps(
    session: Session,
    ctx: Context,
    *,
    q: str = "",
    operator: str = "",
    system: str = "",
    status: str = "",
) -> list[dict[str, Any]]:
    """Certified apps (APP-9) whose name contains ``q``, whose holder's name contains
    ``operator``, on operating system ``system``, with status ``status`` today."""
    if status and status not in CERTIFICATION_STATUSES:
        raise InvalidInput(
            "unknown certification status {status!r}",
            status=status[:20],
            hint=", ".join(CERTIFICATION_STATUSES),
        )
    today = china_date(ctx.clock.now())
    found = []
    rows = session.scalars(select(AppCertification).order_by(AppCertification.id.desc()))
    holders: dict[int, Party | None] = {}
    for cert in rows:
        if not _matches(q, cert.app_name, cert.number):
            continue
        if system and cert.operating_system.casefold() != system.casefold():
            continue
        if status and certifications.effective_status(cert, today) != status:
            continue
        if cert.party_id not in holders:
            holders[cert.party_id] = session.get(Party, cert.party_id)
        holder = holders[cert.party_id]
        if operator and not _matches(
            operator, holder.name if holder else "", holder.name_en if holder else ""
        ):
            continue
        found.append(certification_out(session, ctx, cert, history=False))
    return found


def operating_systems(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(AppCertification.operating_system).distinct())))


def penalties(session: Session) -> list[dict[str, Any]]:
    """Published penalty decisions (ECS-6.2), newest first, with the party's names."""
    rows = published_penalties(session)
    names = {
        p.id: p
        for p in session.scalars(select(Party).where(Party.id.in_({r.party_id for r in rows})))
    }
    return [
        {
            **penalty_out(row, public=True),
            "party": {
                "name": names[row.party_id].name,
                "name_en": names[row.party_id].name_en,
            },
        }
        for row in rows
    ]


def trust_lists(session: Session) -> dict[str, Any]:
    """Recognised foreign CAs with scope, validity and status history (ECS-8.2), and each
    imported foreign trusted list (ETSI TS 119 612) with every service's status history."""
    schemes = {s.id: s.code for s in session.scalars(select(TrustListScheme))}
    imports = session.scalars(
        select(ImportedTrustList).order_by(ImportedTrustList.imported_at.desc())
    )
    return {
        "recognitions": [recognition_out(session, r) for r in list_recognitions(session)],
        "imports": [
            {
                **import_out(row, schemes.get(row.scheme_id)),
                "services": [service_out(s) for s in services_of(session, row)],
            }
            for row in imports
        ],
    }


# --- Atom feeds --------------------------------------------------------------------------------


def filing_entries(session: Session) -> list[dict[str, Any]]:
    """The newest filed CA certificates, for ``/feeds/filings.atom``."""
    rows = list(
        session.scalars(
            select(FiledCertificate).order_by(FiledCertificate.id.desc()).limit(FEED_ENTRIES)
        )
    )
    names = {
        p.id: p
        for p in session.scalars(select(Party).where(Party.id.in_({r.party_id for r in rows})))
    }
    return [
        {
            "id": row.sha256,
            "updated": row.filed_at,
            "subject": row.subject,
            "issuer": row.issuer,
            "role": row.role,
            "ca": names[row.party_id].name,
        }
        for row in rows
    ]


def penalty_entries(session: Session) -> list[Penalty]:
    return published_penalties(session)[:FEED_ENTRIES]


def certification_entries(session: Session, ctx: Context) -> list[dict[str, Any]]:
    """App certifications by their latest status change, newest first."""
    rows = list(session.scalars(select(AppCertification)))
    out = []
    for cert in rows:
        body = certification_out(session, ctx, cert)
        history = body.get("history") or []
        updated = max((dt.datetime.fromisoformat(h["at"]) for h in history), default=None)
        out.append(
            {**body, "updated": updated or dt.datetime.combine(cert.valid_from, dt.time(), dt.UTC)}
        )
    out.sort(key=lambda e: e["updated"], reverse=True)
    return out[:FEED_ENTRIES]
