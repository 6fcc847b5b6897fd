"""Transparency-log storage: one row per log, its entries, queue, C2SP tiles and checkpoints.

A log stores exactly what C2SP tlog-tiles serves: the entries (for entry bundles), the tiles
(level-0 tiles are the leaf hashes) and signed checkpoints. A proof reads a handful of tiles and
never the leaves. Entries written inside a business transaction (audit records) wait in
``tlog_queue`` until the sequencer gives them an index; entries whose index a caller needs at
once (filings, bulk loads) are sequenced in the caller's own transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from certgov.store.base import Base

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid); PostgreSQL gets a bigint.
_QUEUE_ID = BigInteger().with_variant(Integer(), "sqlite")


class TLog(Base):
    __tablename__ = "tlogs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    #: The checkpoint origin line (and the signing key's name), e.g. ``certgov.local/audit``.
    origin: Mapped[str] = mapped_column(String(200))
    #: The signed-note verifier key (``name+keyid+base64``) its checkpoints are signed with.
    verifier_key: Mapped[str] = mapped_column(String(400))
    #: Whether anyone may read the entries (filings) or only regulators (audit).
    public_entries: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Sequenced entries; tiles, root and the latest checkpoint are of this size.
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class TLogEntry(Base):
    """A sequenced entry: its bytes at its index (the leaf is RFC 9162's hash of them)."""

    __tablename__ = "tlog_entries"

    log_id: Mapped[int] = mapped_column(ForeignKey("tlogs.id"), primary_key=True)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class TLogQueued(Base):
    """An entry written in the same transaction as the change it records, not yet sequenced."""

    __tablename__ = "tlog_queue"

    id: Mapped[int] = mapped_column(_QUEUE_ID, primary_key=True, autoincrement=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("tlogs.id"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    queued_at: Mapped[dt.datetime]


class TLogTile(Base):
    """A C2SP tile as the log has it now: full tiles never change, the partial ones grow."""

    __tablename__ = "tlog_tiles"

    log_id: Mapped[int] = mapped_column(ForeignKey("tlogs.id"), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    width: Mapped[int] = mapped_column(SmallInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class TLogCheckpoint(Base):
    """Every checkpoint the log published (the latest is served; older ones are evidence)."""

    __tablename__ = "tlog_checkpoints"

    log_id: Mapped[int] = mapped_column(ForeignKey("tlogs.id"), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
