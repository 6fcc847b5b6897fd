"""Engine and session factory: SQLite (WAL) embedded, PostgreSQL in production."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from certgov.errors import Conflict, InvalidInput

READONLY_OPTION = "certgov_readonly"
#: ``session.info`` key of the hooks to run after a unit of work commits.
AFTER_COMMIT = "certgov.after_commit"
log = logging.getLogger("certgov.store")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while the single writer commits; NORMAL is durable in WAL mode
    # except for the last transactions on power loss, and we use FULL for the audit log batches.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    # Reads through a memory map of the file (shared by every connection and process through
    # the OS page cache) instead of a read() system call per page: the public searches read
    # index and table pages scattered over a database of 10^6 filed certificates.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


#: How much of an SQLite database file connections map into memory (address space, not
#: memory: pages are read in as used and shared with the OS page cache).
SQLITE_MMAP_BYTES = 1 << 30

#: Pooled connections per process and how many more it may open at once: the web server runs
#: handlers in up to 40 worker threads (AnyIO's default).
POOL_SIZE = 20
POOL_OVERFLOW = 20


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Enough pooled connections for the server's worker threads: a connection opened
        # beyond the pool is closed after use, and opening one (with its pragmas) costs more
        # than the queries of a verification.
        if database and database != ":memory:":
            kwargs.setdefault("pool_size", POOL_SIZE)
            kwargs.setdefault("max_overflow", POOL_OVERFLOW)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)

        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so that
        # SELECT ... then UPDATE inside one unit of work is one serialisable transaction.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # A writing unit of work takes SQLite's write lock up front (BEGIN IMMEDIATE), so two
            # writers serialise and the second sees the first one's commit instead of failing
            # with SQLITE_BUSY_SNAPSHOT half-way; read-only work uses a plain deferred BEGIN.
            readonly = connection.get_execution_options().get(READONLY_OPTION, False)
            connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        event.listen(engine, "before_cursor_execute", _refuse_bad_text)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # A PostgreSQL server has a connection limit shared by every process: fewer per process.
    kwargs.setdefault("pool_size", POOL_SIZE // 2)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW // 2)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "before_cursor_execute", _refuse_bad_text)
    return engine


_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_BIND_SUFFIX = re.compile(r"_\d+$")


def _refuse_bad_text(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool
) -> None:
    """No NUL character or unpaired surrogate reaches the database, whichever input it came
    from: PostgreSQL cannot store them (a 500 otherwise) and SQLite would store text that
    nothing else can read. The input is refused, naming the column it was meant for."""
    # One row (a mapping or a sequence), several (executemany), or the flat values of a
    # multi-row INSERT: every string is checked, named by its bind parameter when it has one.
    rows = parameters if executemany else [parameters]
    for row in rows if isinstance(rows, (list, tuple)) else [rows]:
        if isinstance(row, Mapping):
            items: Any = row.items()
        elif isinstance(row, (list, tuple)):
            items = enumerate(row)
        else:
            items = [(0, row)]
        for name, value in items:
            if isinstance(value, str) and _BAD_TEXT.search(value):
                field = _BIND_SUFFIX.sub("", str(name)) if isinstance(name, str) else "a text"
                raise InvalidInput(
                    f"{field}: text may not contain NUL characters or unpaired surrogates",
                    details={"field": field, "expected": "text without NUL or lone surrogates"},
                )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, readonly: bool = False) -> Iterator[Session]:
    """One use case, one transaction: commit when the block ends, roll back on any error.

    ``readonly`` work never takes SQLite's write lock. Callables the work put in
    ``session.info[AFTER_COMMIT]`` (a dict, keyed so each runs once) run after the commit,
    outside the transaction (e.g. sequencing the log entries the work queued); they must not
    raise, since the work is already committed.
    """
    session = factory()
    try:
        with session.begin():
            session.connection(execution_options={READONLY_OPTION: readonly})
            yield session
        hooks = session.info.pop(AFTER_COMMIT, None)
        if hooks:
            session.close()
            for hook in hooks.values():
                hook()
    except StaleDataError as exc:  # a concurrent writer won at commit time
        raise _stale_conflict("the record", exc) from exc
    finally:
        session.close()


def write_after_commit(session: Session, key: str, work: Callable[[Session], None]) -> None:
    """Run ``work`` after ``session``'s unit of work commits, in a short writing unit of work of
    its own: for bookkeeping a read-only request must not do in its own transaction (on
    SQLite a read transaction that starts writing fails while another writer is active).
    Best effort: a failure is logged and the request's answer stands."""
    factory = sessionmaker(session.get_bind(), expire_on_commit=False)

    def run() -> None:
        try:
            with unit_of_work(factory) as own:
                work(own)
        except Exception:  # bookkeeping only; the next occasion records it
            log.warning("deferred write %s failed", key, exc_info=True)

    hooks: dict[str, Callable[[], None]] = session.info.setdefault(AFTER_COMMIT, {})
    hooks.setdefault(key, run)


def _stale_conflict(what: str, exc: StaleDataError) -> Conflict:
    return Conflict(
        f"{what} was changed by someone else at the same moment",
        hint="reload it and act again",
        details={"database": str(exc)[:200]},
    )


@contextmanager
def stale_write_is_conflict(what: str) -> Iterator[None]:
    """A concurrent writer caught by a version column (at a flush, autoflush included, or at
    commit in :func:`unit_of_work`) is a :class:`~certgov.errors.Conflict` naming ``what``,
    not an error: the one place a stale write is translated."""
    try:
        yield
    except StaleDataError as exc:
        raise _stale_conflict(what, exc) from exc
