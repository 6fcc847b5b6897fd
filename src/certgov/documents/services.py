"""Issuing official documents: gather the record and check who asks (one read-only unit of
work), render the PDF outside any transaction (a fraction of a second; SQLite's write lock is
not held meanwhile), then keep it with its SHA-256 and record the issue in the audit log (one
short writing unit of work).

Asked again for an unchanged record (same kind, record, language and words), the stored
document is given back, byte for byte, with the day it was first issued; a record that
changed (a licence suspended, a certificate renewed) gets a new document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.context import Context
from certgov.documents import contents, render
from certgov.documents.contents import DocumentKind, Links, Made
from certgov.documents.models import OfficialDocument
from certgov.errors import InvalidInput, NotFound
from certgov.i18n import LANGUAGES
from certgov.logs.audit import canonical_json
from certgov.store.engine import unit_of_work
from certgov.uploads import Checked, Kind, content, store
from certgov.uploads.models import StoredUpload

#: The purpose of the uploads that hold official documents.
PURPOSE = "official-document"
#: Bumped when the layout changes, so that a record's next document uses the new one.
LAYOUT_VERSION = 1

Maker = Callable[[Session, Context, Actor, str, str, Links, dt.datetime], Made]


def _by_id(
    make: Callable[[Session, Context, Actor, int, str, Links, dt.datetime], Made],
) -> Maker:
    def by_text(
        session: Session,
        ctx: Context,
        actor: Actor,
        reference: str,
        lang: str,
        link: Links,
        at: dt.datetime,
    ) -> Made:
        if not reference.isdigit() or not 0 < int(reference) < 2**31:
            raise NotFound("no record with id {id}", id=reference[:40])
        return make(session, ctx, actor, int(reference), lang, link, at)

    return by_text


MAKERS: dict[DocumentKind, Maker] = {
    DocumentKind.LICENCE: contents.licence,
    DocumentKind.PENALTY: _by_id(contents.penalty),
    DocumentKind.APP_CERTIFICATE: contents.app_certificate,
    DocumentKind.COMPLAINT_DECISION: _by_id(contents.complaint_decision),
}


@dataclass(frozen=True)
class Issued:
    """An issued document: its row's facts and its bytes; ``new`` when this request made it."""

    kind: str
    reference: str
    number: str
    language: str
    sha256: str
    issued_at: dt.datetime
    data: bytes
    new: bool

    @property
    def filename(self) -> str:
        """``<kind>-<number>-<language>.pdf``, ASCII only."""
        name = contents.FILE_NAMES[DocumentKind(self.kind)]
        number = "".join(
            c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in self.number
        )
        return f"{name}-{number}-{self.language}.pdf"


def facts_digest(sheet: render.Sheet) -> str:
    """SHA-256 of what ``sheet`` says apart from its day of issue, and of the layout version."""
    return hashlib.sha256(canonical_json({"layout": LAYOUT_VERSION, **sheet.facts()})).hexdigest()


def _stored(session: Session, made: Made, lang: str, digest: str) -> OfficialDocument | None:
    return session.scalar(
        select(OfficialDocument).where(
            OfficialDocument.kind == made.source.kind.value,
            OfficialDocument.reference == made.source.reference,
            OfficialDocument.language == lang,
            OfficialDocument.facts_sha256 == digest,
        )
    )


def _issued(ctx: Context, session: Session, row: OfficialDocument, *, new: bool) -> Issued:
    upload = session.get(StoredUpload, row.upload_id)
    if upload is None:
        raise NotFound("official document {id} has no stored file", id=row.id)
    return Issued(
        kind=row.kind,
        reference=row.reference,
        number=row.number,
        language=row.language,
        sha256=row.sha256,
        issued_at=row.issued_at,
        data=content(ctx.settings, upload),
        new=new,
    )


def links(ctx: Context) -> Links:
    """Absolute addresses on the platform's public site (``CERTGOV_PUBLIC_URL``)."""
    base = ctx.settings.public_url.rstrip("/")
    return lambda path: base + path


def issue(ctx: Context, actor: Actor, kind: DocumentKind, reference: str, lang: str) -> Issued:
    """The official document of ``kind`` for the record ``reference`` in ``lang``, for
    ``actor`` (who may have it is the kind's to say: :mod:`certgov.documents.contents`):
    the stored one if the record has not changed since, else a new one, kept and audited.

    Raises NotFound (no such record, or one the actor may not see), Forbidden, Conflict (a
    complaint not yet decided), ConfigurationError (the CJK fonts are not installed)."""
    if lang not in LANGUAGES:
        raise InvalidInput("lang: one of {languages}", languages=", ".join(LANGUAGES))
    now = ctx.clock.now()
    with unit_of_work(ctx.sessions, readonly=True) as session:
        made = MAKERS[kind](session, ctx, actor, reference, lang, links(ctx), now)
        digest = facts_digest(made.sheet)
        found = _stored(session, made, lang, digest)
        if found is not None:
            return _issued(ctx, session, found, new=False)
    render.require_fonts()
    data = render.pdf(made.sheet)
    with unit_of_work(ctx.sessions) as session:
        return keep(session, ctx, actor, made, data, digest)


def keep(
    session: Session, ctx: Context, actor: Actor, made: Made, data: bytes, digest: str
) -> Issued:
    """Store the rendered document ``data`` of ``made`` and record its issue in the audit log
    (SYS-3); if another request kept the same document meanwhile, that one is returned."""
    lang = made.sheet.lang
    found = _stored(session, made, lang, digest)
    if found is not None:
        return _issued(ctx, session, found, new=False)
    sha256 = hashlib.sha256(data).hexdigest()
    source = made.source
    try:
        with session.begin_nested():
            upload = store(
                session,
                ctx.settings,
                ctx.clock,
                actor,
                Checked(
                    f"{source.kind.value}-{made.sheet.number}.pdf"[:255], Kind.PDF, sha256, data
                ),
                purpose=PURPOSE,
                party_id=source.party_id,
            )
            row = OfficialDocument(
                kind=source.kind.value,
                reference=source.reference,
                party_id=source.party_id,
                number=made.sheet.number,
                language=lang,
                sha256=sha256,
                size=len(data),
                facts_sha256=digest,
                upload_id=upload.id,
                issued_at=made.sheet.issued_at,
                issued_by=actor.name,
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        # A concurrent request kept the same document first (PostgreSQL): give back that one.
        found = _stored(session, made, lang, digest)
        if found is None:
            raise
        return _issued(ctx, session, found, new=False)
    ctx.audit.record(
        session,
        actor,
        "document.issued",
        at=made.sheet.issued_at,
        subject={
            "document": source.kind.value,
            "record": source.reference,
            "party": source.party_id,
        },
        details={
            "id": row.id,
            "number": row.number,
            "language": lang,
            "sha256": sha256,
            "size": len(data),
        },
    )
    return Issued(
        kind=row.kind,
        reference=row.reference,
        number=row.number,
        language=lang,
        sha256=sha256,
        issued_at=row.issued_at,
        data=data,
        new=True,
    )


def find(session: Session, sha256: str) -> OfficialDocument:
    """The document whose PDF has this SHA-256 (hex), for checking a copy; NotFound when the
    platform issued no such document."""
    value = sha256.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InvalidInput(
            "sha256: 64 hexadecimal characters, not {value}",
            value=sha256[:80],
            details={"field": "sha256"},
        )
    row = session.scalar(select(OfficialDocument).where(OfficialDocument.sha256 == value))
    if row is None:
        raise NotFound("the platform issued no document with SHA-256 {sha256}", sha256=value)
    return row


def document_out(row: OfficialDocument, link: Links) -> dict[str, Any]:
    """What anyone holding a copy learns by its SHA-256: what it is, its number and day of
    issue, and where the record's current state is shown (never who asked for it)."""
    return {
        "kind": row.kind,
        "number": row.number,
        "language": row.language,
        "sha256": row.sha256,
        "size": row.size,
        "issued_at": row.issued_at.isoformat(),
        "verification_url": link(
            contents.verification_path(
                contents.Source(DocumentKind(row.kind), row.reference, row.party_id)
            )
        ),
    }


def documents_of(session: Session, kind: DocumentKind, reference: str) -> list[OfficialDocument]:
    """Every document issued for one record, newest first."""
    return list(
        session.scalars(
            select(OfficialDocument)
            .where(OfficialDocument.kind == kind.value, OfficialDocument.reference == reference)
            .order_by(OfficialDocument.id.desc())
        )
    )
