"""Foreign trusted lists (ECS-8.2): the national regulator pins each foreign scheme's signer
certificates, imports the scheme's signed ETSI TS 119 612 list (its signature verified against
a pinned certificate), and the review of a recognition application reads the foreign CA's home
supervision status and its history from the latest imported list.

Every function is one use case inside the caller's unit of work; none commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.context import Context
from certgov.errors import Conflict, InvalidInput, NotFound
from certgov.i18n import N_
from certgov.parties.services import require_national
from certgov.recognition.models import (
    ImportedServiceCertificate,
    ImportedTrustList,
    ImportedTrustService,
    PinnedSignerCertificate,
    TrustListScheme,
)
from certgov.recognition.schemas import service_out
from certgov.trustlist import (
    TrustListError,
    TrustListSignatureError,
    VerifiedTrustedList,
    fingerprint,
    load_certificate,
    short_status,
    verify_trusted_list,
)

#: A scheme code: a TS 119 612 territory (ISO 3166-1 alpha-2, ``EU``, or a test suffix).
_CODE_RE = re.compile(r"[A-Z]{2}(_[A-Z0-9]{1,8})?")
#: Statuses of a foreign service that mean "supervised" when no rule set says otherwise (the
#: rule sets' ``recognition_foreign_statuses``).
DEFAULT_GOOD_STATUSES = frozenset(
    {"granted", "recognisedatnationallevel", "undersupervision", "accredited", "setbynationallaw"}
)


def scheme_code(code: str) -> str:
    normalised = (code or "").strip().upper()
    if not _CODE_RE.fullmatch(normalised):
        raise InvalidInput(
            "scheme code {code!r} is not a trusted-list territory",
            hint="use the list's SchemeTerritory, e.g. EE or DE (ISO 3166-1 alpha-2)",
            details={"field": "code"},
            code=code[:20],
        )
    return normalised


def get_scheme(session: Session, code: str) -> TrustListScheme:
    scheme = session.scalar(
        select(TrustListScheme).where(TrustListScheme.code == scheme_code(code))
    )
    if scheme is None:
        raise NotFound(
            "no trusted-list scheme {code!r} is configured",
            hint="the national regulator pins the scheme's signer certificate first",
            code=code,
        )
    return scheme


def pinned_certificates(session: Session, scheme: TrustListScheme) -> list[PinnedSignerCertificate]:
    return list(
        session.scalars(
            select(PinnedSignerCertificate)
            .where(PinnedSignerCertificate.scheme_id == scheme.id)
            .order_by(PinnedSignerCertificate.id)
        )
    )


def pin_certificate(
    session: Session,
    ctx: Context,
    actor: Actor,
    code: str,
    certificate: bytes,
    *,
    name: str | None = None,
) -> PinnedSignerCertificate:
    """Pin a signer certificate for scheme ``code`` (created on first pin), obtained out of
    band (the EU's list of lists, the foreign supervisor's publication)."""
    require_national(actor, N_("pin a foreign trusted-list signer"))
    code = scheme_code(code)
    loaded = load_certificate(certificate)
    der = loaded.public_bytes(Encoding.DER)
    sha = fingerprint(loaded)
    now = ctx.clock.now()
    scheme = session.scalar(select(TrustListScheme).where(TrustListScheme.code == code))
    if scheme is None:
        scheme = TrustListScheme(
            code=code,
            name=(name or "").strip()[:300] or code,
            created_at=now,
            created_by=actor.name,
        )
        session.add(scheme)
        session.flush()
    elif name and name.strip():
        scheme.name = name.strip()[:300]
    existing = session.scalar(
        select(PinnedSignerCertificate).where(
            PinnedSignerCertificate.scheme_id == scheme.id, PinnedSignerCertificate.sha256 == sha
        )
    )
    if existing is not None:
        return existing
    pinned = PinnedSignerCertificate(
        scheme_id=scheme.id,
        sha256=sha,
        subject=loaded.subject.rfc4514_string()[:1000],
        not_after=loaded.not_valid_after_utc,
        der=der,
        pinned_at=now,
        pinned_by=actor.name,
    )
    session.add(pinned)
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "trust_list.signer_pinned",
        subject={"scheme": code, "sha256": sha},
        after={"subject": pinned.subject, "not_after": pinned.not_after.isoformat()},
    )
    return pinned


def _verify_with_pins(
    data: bytes, pins: list[PinnedSignerCertificate], at: dt.datetime, max_bytes: int
) -> VerifiedTrustedList:
    failures: list[TrustListSignatureError] = []
    for pin in pins:
        try:
            return verify_trusted_list(
                data, x509.load_der_x509_certificate(pin.der), at=at, max_bytes=max_bytes
            )
        except TrustListSignatureError as exc:
            failures.append(exc)
    details = {"pinned": [p.sha256 for p in pins]}
    if len(failures) == 1:
        raise TrustListSignatureError(
            failures[0].text,
            hint="the list was changed after signing, or is signed by a key that is not pinned",
            details=details,
        )
    raise TrustListSignatureError(
        "{reasons}",
        hint="the list was changed after signing, or is signed by a key that is not pinned",
        details=details,
        reasons="; ".join(failure.message for failure in failures),
    )


@dataclass(frozen=True)
class Imported:
    trusted_list: ImportedTrustList
    created: bool


def import_list(
    session: Session,
    ctx: Context,
    actor: Actor,
    code: str,
    data: bytes,
    *,
    signer_sha256: str | None = None,
) -> Imported:
    """Import scheme ``code``'s signed list: its signature must verify against a pinned
    certificate (``signer_sha256`` selects one), its territory must be the scheme's, and its
    sequence number must not go back. The same document again is answered with the stored
    import (nothing changes)."""
    require_national(actor, N_("import a foreign trusted list"))
    scheme = get_scheme(session, code)
    pins = pinned_certificates(session, scheme)
    if signer_sha256 is not None:
        pins = [p for p in pins if p.sha256 == signer_sha256.strip().lower()]
        if not pins:
            raise NotFound(
                "no certificate with SHA-256 {sha256} is pinned for {scheme}",
                sha256=signer_sha256,
                scheme=scheme.code,
            )
    if not pins:
        raise Conflict("no signer certificate is pinned for scheme {scheme}", scheme=scheme.code)
    now = ctx.clock.now()
    verified = _verify_with_pins(data, pins, now, ctx.settings.max_upload_bytes)
    content = verified.content
    if content.territory.upper() != scheme.code:
        raise TrustListError(
            "the list is of territory {territory!r}, not of scheme {scheme}",
            details={"field": "SchemeTerritory"},
            territory=content.territory,
            scheme=scheme.code,
        )
    existing = session.scalar(
        select(ImportedTrustList).where(ImportedTrustList.sha256 == verified.document_sha256)
    )
    if existing is not None:
        return Imported(existing, False)
    latest = latest_list(session, scheme)
    if latest is not None and content.sequence_number <= latest.sequence_number:
        raise Conflict(
            "the list has sequence number {number}; list {latest} of {scheme} was already "
            "imported (a list never goes back, TS 119 612 clause 5.3.2)",
            details={"latest_sequence_number": latest.sequence_number},
            number=content.sequence_number,
            latest=latest.sequence_number,
            scheme=scheme.code,
        )
    row = ImportedTrustList(
        scheme_id=scheme.id,
        sha256=verified.document_sha256,
        territory=content.territory[:16],
        scheme_operator=content.scheme_operator,
        sequence_number=content.sequence_number,
        issued_at=content.issued_at,
        next_update=content.next_update,
        signer_sha256=verified.signer_sha256,
        signed_at=verified.signed_at,
        xades=verified.xades,
        service_count=len(content.services),
        imported_at=now,
        imported_by=actor.name,
        document=bytes(data),
    )
    session.add(row)
    session.flush()
    for provider, service in content.services:
        stored = ImportedTrustService(
            list_id=row.id,
            provider=provider.name,
            service_type=service.service_type,
            name=service.name,
            status=service.status,
            status_starting_time=service.status_starting_time,
            history=[entry.as_dict() for entry in service.history],
            certificates=list(service.certificate_fingerprints),
        )
        session.add(stored)
        session.flush()
        for sha in sorted(set(service.certificate_fingerprints)):
            session.add(
                ImportedServiceCertificate(service_id=stored.id, list_id=row.id, sha256=sha)
            )
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "trust_list.imported",
        subject={"scheme": scheme.code, "sha256": row.sha256},
        after={
            "sequence_number": row.sequence_number,
            "issued_at": row.issued_at.isoformat(),
            "services": row.service_count,
            "signer_sha256": row.signer_sha256,
        },
    )
    return Imported(row, True)


def latest_list(session: Session, scheme: TrustListScheme) -> ImportedTrustList | None:
    return session.scalar(
        select(ImportedTrustList)
        .where(ImportedTrustList.scheme_id == scheme.id)
        .order_by(ImportedTrustList.sequence_number.desc())
        .limit(1)
    )


def list_imports(session: Session, code: str | None = None) -> list[ImportedTrustList]:
    query = select(ImportedTrustList).order_by(ImportedTrustList.id)
    if code is not None:
        query = query.where(ImportedTrustList.scheme_id == get_scheme(session, code).id)
    return list(session.scalars(query))


def get_import(session: Session, sha256: str) -> ImportedTrustList:
    row = session.scalar(
        select(ImportedTrustList).where(ImportedTrustList.sha256 == sha256.strip().lower())
    )
    if row is None:
        raise NotFound("no imported trusted list with SHA-256 {sha256}", sha256=sha256[:64])
    return row


def services_of(session: Session, row: ImportedTrustList) -> list[ImportedTrustService]:
    return list(
        session.scalars(
            select(ImportedTrustService)
            .where(ImportedTrustService.list_id == row.id)
            .order_by(ImportedTrustService.id)
        )
    )


def service_status_at(service: ImportedTrustService, at: dt.datetime) -> str | None:
    """The service's status at instant ``at`` (SYS-8, TS 119 612 clause 5.5.10): its current
    status from its starting time, else the history entry in force then; None before the
    service's first status began."""
    entries = [(service.status_starting_time, service.status)]
    for entry in service.history or ():
        try:
            started = dt.datetime.fromisoformat(str(entry["status_starting_time"]))
        except (KeyError, ValueError):
            continue
        if started.tzinfo is None:
            started = started.replace(tzinfo=dt.UTC)
        entries.append((started, str(entry.get("status", ""))))
    in_force = [(started, status) for started, status in entries if started <= at]
    return max(in_force)[1] if in_force else None


def supervision_status(
    session: Session,
    certificate_sha256s: list[str],
    at: dt.datetime,
    good_statuses: Collection[str] = DEFAULT_GOOD_STATUSES,
) -> dict[str, Any]:
    """The home supervision status of the services whose digital identities include any of
    the given certificates, from the latest imported list of each scheme that lists them
    (ECS-8.2). ``good`` is true when some listed service's status at ``at`` (from its status
    history, SYS-8) is a supervised one and the list was not past its next update then."""
    if not certificate_sha256s:
        return {"found": False, "good": False, "services": [], "reason": "no certificates"}
    rows = session.execute(
        select(ImportedServiceCertificate.list_id, ImportedServiceCertificate.service_id).where(
            ImportedServiceCertificate.sha256.in_(sorted(set(certificate_sha256s)))
        )
    ).all()
    if not rows:
        return {
            "found": False,
            "good": False,
            "services": [],
            "reason": "no imported trusted list lists these certificates",
        }
    lists = {
        row.id: row
        for row in session.scalars(
            select(ImportedTrustList).where(ImportedTrustList.id.in_({r[0] for r in rows}))
        )
    }
    newest: dict[int, int] = {}
    for list_row in lists.values():
        top = session.scalar(
            select(func.max(ImportedTrustList.sequence_number)).where(
                ImportedTrustList.scheme_id == list_row.scheme_id
            )
        )
        if top == list_row.sequence_number:
            newest[list_row.id] = list_row.scheme_id
    services = []
    good = False
    for list_id, service_id in rows:
        if list_id not in newest:
            continue
        service = session.get(ImportedTrustService, service_id)
        assert service is not None
        list_row = lists[list_id]
        stale = list_row.next_update is not None and list_row.next_update < at
        status_then = service_status_at(service, at)
        ok = status_then is not None and short_status(status_then) in good_statuses and not stale
        good = good or ok
        services.append(
            {
                **service_out(service),
                "list": {
                    "sha256": list_row.sha256,
                    "territory": list_row.territory,
                    "sequence_number": list_row.sequence_number,
                    "issued_at": list_row.issued_at.isoformat(),
                    "next_update": list_row.next_update.isoformat()
                    if list_row.next_update
                    else None,
                    "stale": stale,
                },
                "status_at": status_then,
                "supervised": ok,
            }
        )
    return {
        "found": bool(services),
        "good": good,
        "services": services,
        "reason": None
        if good
        else "no service listing these certificates has a supervised status in a current list",
    }
