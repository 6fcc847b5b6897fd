"""Persistent logs: queueing, the batched single-writer sequencer, tiles, checkpoints, proofs.

Writing
    :meth:`LogStore.enqueue` puts an entry in the queue inside the caller's transaction (the
    audit record of a change commits or rolls back with the change). :meth:`LogStore.sequence`
    is the sequencer: in one transaction it takes the log's writer lock, gives every queued
    entry (and any entries the caller passes) the next indices, stores them, extends the tiles,
    and stores a newly signed checkpoint. Nobody learns an index before that transaction
    commits, so every index ever returned is durable.

    The writer lock is PostgreSQL's transaction-level advisory lock on the log (any number of
    processes, exactly one sequencer at a time), or SQLite's write lock, which every writing
    unit of work takes up front (``BEGIN IMMEDIATE``). The log row's size is also checked on
    update, so even a misconfigured second writer could not fork the tree.

Reading
    Proofs read tiles only (a few per proof); full tiles never change, so their hashes are kept
    in a bounded per-process cache. Entry bundles and tiles are served as C2SP tlog-tiles has
    them, for any tree size up to the log's.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certgov.errors import Conflict, InvalidInput, NotFound
from certgov.logs.keys import LogKeys
from certgov.logs.models import TLog, TLogCheckpoint, TLogEntry, TLogQueued, TLogTile
from certgov.lru import Lru
from certgov.store.engine import AFTER_COMMIT
from certgov.tlog import merkle
from certgov.tlog.checkpoint import Checkpoint, sign_checkpoint
from certgov.tlog.tiles import (
    MAX_ENTRY_SIZE,
    TILE_WIDTH,
    BundleCoord,
    TileCoord,
    TileHashReader,
    encode_entry_bundle,
    extend_tiles,
    tile_width_at,
    tiles_for_size,
)

#: The logs every installation has, and whether their entries are public.
BUILTIN_LOGS: dict[str, bool] = {"filings": True, "audit": False}
LOG_NAME_RE = re.compile(r"[a-z][a-z0-9-]{0,39}")
#: Most queued entries one sequencing transaction takes (the rest wait for the next one).
DEFAULT_BATCH = 10_000
# First key of PostgreSQL's two-key advisory lock for log writers ("tlog" in ASCII).
_ADVISORY_CLASS = 0x746C6F67
# Bulk statements are split so no statement exceeds SQLite's bound-parameter limit.
_CHUNK = 4_000


K = TypeVar("K")
V = TypeVar("V")
#: A full tile's node rows (see certgov.tlog.tiles.tile_levels), cached per log.
_NodeRows = list[list[bytes]]

_TILE_QUERY = select(TLogTile.width, TLogTile.data).where(
    TLogTile.log_id == bindparam("log_id"),
    TLogTile.level == bindparam("level"),
    TLogTile.idx == bindparam("idx"),
)


@dataclass(frozen=True)
class Sequenced:
    """What one sequencing transaction did."""

    log: str
    #: Index given to the first of the caller's own entries (when it passed any).
    first_index: int
    appended: int
    queued: int
    size: int
    root_hash: bytes
    checkpoint: str
    #: Inclusion proofs of the caller's own entries in the new tree, when asked for.
    proofs: tuple[InclusionProof, ...] = ()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class InclusionProof:
    log: str
    index: int
    size: int
    leaf_hash: bytes
    hashes: list[bytes]
    root_hash: bytes

    def as_dict(self, encode: Callable[[bytes], str] = b64) -> dict[str, Any]:
        """JSON-ready, the hashes in base64 (``encode`` may remember what it encoded: the
        proofs of a batch share most of their hashes)."""
        return {
            "log": self.log,
            "index": self.index,
            "size": self.size,
            "leaf_hash": encode(self.leaf_hash),
            "hashes": [encode(node) for node in self.hashes],
            "root_hash": encode(self.root_hash),
        }


@dataclass(frozen=True)
class ConsistencyProof:
    log: str
    first: int
    second: int
    hashes: list[bytes]
    first_root: bytes
    second_root: bytes


def check_log_name(name: str) -> None:
    if not LOG_NAME_RE.fullmatch(name):
        raise InvalidInput(
            f"{name[:60]!r} is not a log name",
            hint="a log name is 1-40 lowercase letters, digits or '-', starting with a letter",
        )


def _check_entry(data: bytes, position: int = 0) -> None:
    if len(data) > MAX_ENTRY_SIZE:
        raise InvalidInput(
            f"log entry {position} is {len(data)} bytes; an entry is at most {MAX_ENTRY_SIZE}",
            hint="log a digest of large documents, not the documents",
        )


class LogStore:
    """The logs of one database, with this process's signing keys and tile cache."""

    def __init__(
        self,
        keys: LogKeys,
        origin_prefix: str,
        *,
        cached_tiles: int = 512,
        cached_bodies: int = 4096,
    ) -> None:
        self.keys = keys
        self.origin_prefix = origin_prefix.rstrip("/")
        self._cached_tiles = cached_tiles
        self._caches: dict[int, Lru[tuple[int, int], _NodeRows]] = {}
        self._caches_lock = threading.Lock()
        #: Tile bodies by (log, level, index, width): a tile at a given width never changes.
        self._bodies: Lru[tuple[str, int, int, int], bytes] = Lru(cached_bodies)
        #: Per-log entry checks (e.g. the audit log takes only audit records); each raises
        #: :class:`InvalidInput` for an entry the log must not hold.
        self.validators: dict[str, Callable[[bytes], object]] = {}
        #: Called after a unit of work that queued entries commits (see :meth:`enqueue`).
        self.on_queued: Callable[[frozenset[str]], None] | None = None

    # -- logs -------------------------------------------------------------------------------

    def origin_for(self, name: str) -> str:
        return f"{self.origin_prefix}/{name}"

    def get(self, session: Session, name: str) -> TLog:
        log = session.scalar(select(TLog).where(TLog.name == name))
        if log is None:
            if name in BUILTIN_LOGS:  # created on first write; until then it is empty
                raise NotFound(f"log {name!r} has no entries yet")
            raise NotFound(f"no log named {name[:60]!r}", hint="see `certgov tlog list`")
        return log

    def create(
        self, session: Session, name: str, now: dt.datetime, *, public_entries: bool = True
    ) -> TLog:
        """A new empty log with its key and its first checkpoint (size 0)."""
        check_log_name(name)
        if session.scalar(select(TLog.id).where(TLog.name == name)) is not None:
            raise Conflict(f"log {name!r} exists already")
        origin = self.origin_for(name)
        signer = self.keys.signer(name, origin)
        log = TLog(
            name=name,
            origin=origin,
            verifier_key=signer.verifier_key(),
            public_entries=public_entries,
            size=0,
            root_hash=merkle.EMPTY_ROOT,
            created_at=now,
            updated_at=now,
        )
        session.add(log)
        session.flush()
        note = sign_checkpoint(Checkpoint(origin, 0, merkle.EMPTY_ROOT), [signer])
        session.add(TLogCheckpoint(log_id=log.id, size=0, note=note, created_at=now))
        session.flush()
        return log

    def ensure(self, session: Session, name: str, now: dt.datetime) -> TLog:
        """The log ``name``; a built-in log is created on first use."""
        log = session.scalar(select(TLog).where(TLog.name == name))
        if log is not None:
            return log
        if name not in BUILTIN_LOGS:
            raise NotFound(
                f"no log named {name[:60]!r}", hint="create it with `certgov tlog create`"
            )
        try:
            # A savepoint: when another process creates the log at the same moment, its row
            # wins and this transaction carries on with it.
            with session.begin_nested():
                return self.create(session, name, now, public_entries=BUILTIN_LOGS[name])
        except IntegrityError:
            log = session.scalar(select(TLog).where(TLog.name == name))
            if log is None:
                raise
            return log

    def list(self, session: Session) -> list[TLog]:
        return list(session.scalars(select(TLog).order_by(TLog.name)))

    def pending(self, session: Session) -> dict[str, int]:
        """Queued (not yet sequenced) entries per log that has any."""
        rows = session.execute(
            select(TLog.name, func.count(TLogQueued.id))
            .join(TLogQueued, TLogQueued.log_id == TLog.id)
            .group_by(TLog.name)
        )
        return {str(name): int(count) for name, count in rows}

    # -- writing ----------------------------------------------------------------------------

    def enqueue(self, session: Session, name: str, data: bytes, now: dt.datetime) -> None:
        """Queue ``data`` for log ``name`` in the caller's transaction.

        It is sequenced after the transaction commits (the unit of work runs the hook), or by
        the worker, whichever comes first.
        """
        self.enqueue_many(session, name, [data], now)

    def enqueue_many(
        self, session: Session, name: str, entries: Sequence[bytes], now: dt.datetime
    ) -> None:
        """Queue several entries, in order, in the caller's transaction (see :meth:`enqueue`)."""
        self._check_entries(name, entries)
        log = self.ensure(session, name, now)
        for start in range(0, len(entries), _CHUNK):
            session.execute(
                insert(TLogQueued),
                [
                    {"log_id": log.id, "data": data, "queued_at": now}
                    for data in entries[start : start + _CHUNK]
                ],
            )
        if self.on_queued is not None:
            hooks: dict[str, Callable[[], None]] = session.info.setdefault(AFTER_COMMIT, {})
            queued: set[str] = session.info.setdefault("certgov.tlog.queued", set())
            queued.add(name)
            on_queued = self.on_queued
            hooks["tlog.sequence"] = lambda: on_queued(frozenset(queued))

    def _check_entries(self, name: str, entries: Sequence[bytes]) -> None:
        validate = self.validators.get(name)
        for position, data in enumerate(entries):
            _check_entry(data, position)
            if validate is not None:
                try:
                    validate(data)
                except InvalidInput as exc:
                    raise InvalidInput(
                        f"entry {position} does not belong in the {name} log: {exc.message}"
                    ) from exc

    def _lock(self, session: Session, log: TLog) -> TLog:
        """Take the log's writer lock and re-read the log row under it."""
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text("SELECT pg_advisory_xact_lock(:cls, :obj)"),
                {"cls": _ADVISORY_CLASS, "obj": log.id},
            )
        locked = session.scalar(
            select(TLog).where(TLog.id == log.id).execution_options(populate_existing=True)
        )
        assert locked is not None
        return locked

    def sequence(
        self,
        session: Session,
        name: str,
        now: dt.datetime,
        entries: Sequence[bytes] = (),
        *,
        max_queued: int = DEFAULT_BATCH,
        prove: bool = False,
    ) -> Sequenced:
        """Sequence up to ``max_queued`` queued entries, then ``entries``, in this transaction.

        Must run in a writing unit of work; the indices are final when it commits. Returns the
        new size and signed checkpoint (unchanged when there was nothing to sequence), and with
        ``prove`` the inclusion proof of each of ``entries`` in the new tree: computed from
        this transaction's own tiles, never through the process's caches, which hold only
        what has committed.
        """
        self._check_entries(name, entries)
        log = self._lock(session, self.ensure(session, name, now))
        queued = session.execute(
            select(TLogQueued.id, TLogQueued.data)
            .where(TLogQueued.log_id == log.id)
            .order_by(TLogQueued.id)
            .limit(max_queued)
        ).all()
        batch = [row.data for row in queued]
        batch.extend(entries)
        old_size = log.size
        if not batch:
            note = self.latest_checkpoint(session, log)
            return Sequenced(name, old_size, 0, 0, old_size, log.root_hash, note)
        new_size = old_size + len(batch)
        leaf_hashes = [merkle.leaf_hash(data) for data in batch]
        bodies = extend_tiles(old_size, leaf_hashes, lambda c: self._tile_body(session, log, c))

        for start in range(0, len(batch), _CHUNK):
            session.execute(
                insert(TLogEntry),
                [
                    {"log_id": log.id, "idx": old_size + start + offset, "data": data}
                    for offset, data in enumerate(batch[start : start + _CHUNK])
                ],
            )
        queued_ids = [row.id for row in queued]
        for start in range(0, len(queued_ids), _CHUNK):
            session.execute(
                delete(TLogQueued).where(TLogQueued.id.in_(queued_ids[start : start + _CHUNK]))
            )
        grown: list[dict[str, Any]] = []
        added: list[dict[str, Any]] = []
        for coord, body in bodies.items():
            row: dict[str, Any] = {"log_id": log.id, "level": coord.level, "idx": coord.index}
            row.update(width=coord.width, data=body)
            existed = tile_width_at(coord.level, coord.index, old_size) > 0
            (grown if existed else added).append(row)
        if added:
            session.execute(insert(TLogTile), added)
        for row in grown:
            session.execute(
                update(TLogTile)
                .where(
                    TLogTile.log_id == row["log_id"],
                    TLogTile.level == row["level"],
                    TLogTile.idx == row["idx"],
                )
                .values(width=row["width"], data=row["data"])
            )

        def read_new(coord: TileCoord) -> bytes:
            body = bodies.get(TileCoord(coord.level, coord.index, coord.width))
            return body if body is not None else self._tile_body(session, log, coord)

        # A private cache: nothing this transaction computed is shared until it has committed.
        reader = TileHashReader(new_size, read_new)
        root = merkle.root_at(new_size, reader)
        result = session.execute(
            update(TLog)
            .where(TLog.id == log.id, TLog.size == old_size)
            .values(size=new_size, root_hash=root, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"log {name!r} was extended by another writer at the same time")
        signer = self.keys.signer(name, log.origin)
        if signer.verifier_key() != log.verifier_key:
            raise Conflict(
                f"the signing key of log {name!r} is not the key its checkpoints were signed with",
                hint=f"restore {self.keys.path_of(name)}; never replace a log's key",
            )
        note = sign_checkpoint(Checkpoint(log.origin, new_size, root), [signer])
        session.add(TLogCheckpoint(log_id=log.id, size=new_size, note=note, created_at=now))
        session.flush()
        session.expire(log)
        first = old_size + len(queued)
        proofs: tuple[InclusionProof, ...] = ()
        if prove:
            indices = range(first, new_size)
            paths = merkle.inclusion_proofs(indices, new_size, reader)
            proofs = tuple(
                InclusionProof(name, index, new_size, leaf_hashes[index - old_size], path, root)
                for index, path in zip(indices, paths, strict=True)
            )
        return Sequenced(name, first, len(entries), len(queued), new_size, root, note, proofs)

    # -- reading ----------------------------------------------------------------------------

    def _cache(self, log_id: int) -> Lru[tuple[int, int], _NodeRows]:
        with self._caches_lock:
            cache = self._caches.get(log_id)
            if cache is None:
                cache = self._caches[log_id] = Lru(self._cached_tiles)
            return cache

    def _tile_body(self, session: Session, log: TLog, coord: TileCoord) -> bytes:
        """A tile from the database, as this transaction sees it (the sequencer's read)."""
        # Core statement on the session's connection: this is the hot path of every proof.
        row = (
            session.connection()
            .execute(_TILE_QUERY, {"log_id": log.id, "level": coord.level, "idx": coord.index})
            .first()
        )
        if row is None or row.width < coord.width:
            raise NotFound(f"log {log.name!r} has no tile {coord.path()}")
        return bytes(row.data[: coord.byte_length])

    def _published_tile(self, session: Session, log: TLog, coord: TileCoord) -> bytes:
        """A committed tile, through the per-process cache of tile bodies.

        A tile at a given width never changes (full tiles never, a partial one only grows into
        a wider one), so its body is cached without invalidation. Only readers use this: the
        sequencer reads through :meth:`_tile_body` and caches nothing it has not committed.
        """
        key = (log.name, coord.level, coord.index, coord.width)
        body = self._bodies.get(key)
        if body is None:
            body = self._bodies[key] = self._tile_body(session, log, coord)
        return body

    def latest_checkpoint(self, session: Session, log: TLog) -> str:
        note = session.scalar(
            select(TLogCheckpoint.note)
            .where(TLogCheckpoint.log_id == log.id)
            .order_by(TLogCheckpoint.size.desc())
            .limit(1)
        )
        if note is None:
            raise NotFound(f"log {log.name!r} has no checkpoint")
        return note

    def checkpoint_at(self, session: Session, log: TLog, size: int) -> str:
        if not 0 <= size <= log.size:
            raise NotFound(f"log {log.name!r} has {log.size} entries; no checkpoint of size {size}")
        note = session.scalar(
            select(TLogCheckpoint.note).where(
                TLogCheckpoint.log_id == log.id, TLogCheckpoint.size == size
            )
        )
        if note is None:
            raise NotFound(f"log {log.name!r} published no checkpoint of size {size}")
        return note

    def tile(self, session: Session, log: TLog, coord: TileCoord) -> bytes:
        """A tile body as a tree of the log's size has it (404 beyond)."""
        if tile_width_at(coord.level, coord.index, log.size) < coord.width:
            raise NotFound(
                f"log {log.name!r} (size {log.size}) has no tile {coord.path()}",
                hint="read the checkpoint first; tiles exist only up to its size",
            )
        return self._published_tile(session, log, coord)

    def cached_full_tile(self, name: str, coord: TileCoord) -> bytes | None:
        """A full tile this process read before (full tiles never change), or None."""
        if coord.is_partial:
            return None
        return self._bodies.get((name, coord.level, coord.index, coord.width))

    def bundle(self, session: Session, log: TLog, coord: BundleCoord) -> bytes:
        """An entry bundle (C2SP) of the log, full or partial."""
        first = coord.index * TILE_WIDTH
        if tile_width_at(0, coord.index, log.size) < coord.width:
            raise NotFound(
                f"log {log.name!r} (size {log.size}) has no entry bundle {coord.path()}",
                hint="read the checkpoint first; bundles exist only up to its size",
            )
        rows = session.scalars(
            select(TLogEntry.data)
            .where(
                TLogEntry.log_id == log.id,
                TLogEntry.idx >= first,
                TLogEntry.idx < first + coord.width,
            )
            .order_by(TLogEntry.idx)
        ).all()
        return encode_entry_bundle([bytes(row) for row in rows])

    def entry(self, session: Session, log: TLog, index: int) -> bytes:
        if not 0 <= index < log.size:  # checked first: any integer, however large, is a 404
            raise NotFound(f"log {log.name!r} (size {log.size}) has no entry {index}")
        data = session.scalar(
            select(TLogEntry.data).where(TLogEntry.log_id == log.id, TLogEntry.idx == index)
        )
        if data is None:
            raise NotFound(f"log {log.name!r} (size {log.size}) has no entry {index}")
        return bytes(data)

    def _reader(self, session: Session, log: TLog, size: int) -> TileHashReader:
        if not 0 <= size <= log.size:
            raise NotFound(
                f"log {log.name!r} has {log.size} entries; no tree of size {size}",
                hint="use a size from a checkpoint of this log",
            )
        return TileHashReader(
            size,
            lambda c: self._published_tile(session, log, c),
            full_tile_cache=self._cache(log.id),
        )

    def inclusion(
        self, session: Session, log: TLog, index: int, size: int | None = None
    ) -> InclusionProof:
        """Proof that entry ``index`` is in the tree of ``size`` (default: the log's size)."""
        size = log.size if size is None else size
        reader = self._reader(session, log, size)
        if not 0 <= index < size:
            raise NotFound(f"log {log.name!r}: no entry {index} in a tree of size {size}")
        leaf = reader.hash_at(0, index)
        hashes = merkle.inclusion_proof(index, size, reader)
        root = log.root_hash if size == log.size else merkle.root_at(size, reader)
        return InclusionProof(log.name, index, size, leaf, hashes, root)

    def consistency(
        self, session: Session, log: TLog, first: int, second: int | None = None
    ) -> ConsistencyProof:
        """Proof that the tree of ``second`` leaves extends the tree of ``first``."""
        second = log.size if second is None else second
        reader = self._reader(session, log, second)
        if not (0 < first <= second or first == second == 0):
            raise InvalidInput(
                f"a consistency proof needs 0 < first <= second, got {first} and {second}"
            )
        hashes = merkle.consistency_proof(first, second, reader)
        first_root = merkle.root_at(first, reader)
        second_root = log.root_hash if second == log.size else merkle.root_at(second, reader)
        return ConsistencyProof(log.name, first, second, hashes, first_root, second_root)

    def archive(self, session: Session, log: TLog) -> Iterator[tuple[str, bytes]]:
        """Every file of the log as C2SP tlog-tiles serves it, at its latest checkpoint.

        Yields (path, bytes): ``checkpoint``, every tile, every entry bundle. Entries and full
        tiles never change, and partial tiles are cut to the checkpoint's size, so the files
        are consistent even while the log grows.
        """
        note = self.latest_checkpoint(session, log)
        size = Checkpoint.parse(note.split("\n\n", 1)[0] + "\n").size
        yield "checkpoint", note.encode("utf-8")
        for coord in tiles_for_size(size):
            yield coord.path(), self._tile_body(session, log, coord)
        bundle: list[bytes] = []
        rows = session.execute(
            select(TLogEntry.data)
            .where(TLogEntry.log_id == log.id, TLogEntry.idx < size)
            .order_by(TLogEntry.idx)
            .execution_options(yield_per=2048)
        ).scalars()
        number = 0
        for data in rows:
            bundle.append(bytes(data))
            if len(bundle) == TILE_WIDTH:
                yield BundleCoord(number).path(), encode_entry_bundle(bundle)
                number += 1
                bundle = []
        if bundle:
            yield BundleCoord(number, len(bundle)).path(), encode_entry_bundle(bundle)
