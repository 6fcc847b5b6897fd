"""Official documents the platform issued: one row per document, its bytes kept as an upload
(:class:`certgov.uploads.models.StoredUpload`, in the configured storage)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certgov.store.base import Base


class OfficialDocument(Base):
    """A licence, penalty decision, app certificate or complaint decision as issued (PDF),
    with its SHA-256. ``facts_sha256`` is the digest of what the document says apart from its
    day of issue: asked again for an unchanged record, the platform gives this one back."""

    __tablename__ = "official_documents"
    #: One document per record, language and wording; its index also finds a record's
    #: documents by (kind, reference).
    __table_args__ = (UniqueConstraint("kind", "reference", "language", "facts_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``licence``, ``penalty``, ``app_certificate`` or ``complaint_decision``.
    kind: Mapped[str] = mapped_column(String(32))
    #: The record: a licence or certificate number, a penalty's or complaint case's id.
    reference: Mapped[str] = mapped_column(String(64))
    #: The party the document concerns (the holder, the penalised CA, the operator).
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The number printed on the document.
    number: Mapped[str] = mapped_column(String(64))
    #: ``zh`` or ``en``.
    language: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    facts_sha256: Mapped[str] = mapped_column(String(64))
    #: Where the bytes are kept.
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"))
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[str] = mapped_column(String(200))
