"""Uploaded files: one row per stored file, its content here (SQLite, the default) or in a
directory or S3-compatible bucket named by ``backend`` and ``location``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from certgov.store.base import Base


class StoredUpload(Base):
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    #: What the content is, sniffed from its bytes (see certgov.uploads.sniff).
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    #: What the upload is for, e.g. ``filing``, ``app-document``, ``remedy-evidence``.
    purpose: Mapped[str] = mapped_column(String(64))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    #: ``database``, ``directory`` or ``s3``.
    backend: Mapped[str] = mapped_column(String(16))
    location: Mapped[str | None] = mapped_column(String(500))
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
