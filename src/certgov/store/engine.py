"""Engine and session factory: SQLite (WAL) embedded, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from certgov.errors import Conflict

READONLY_OPTION = "certgov_readonly"
#: ``session.info`` key of the hooks to run after a unit of work commits.
AFTER_COMMIT = "certgov.after_commit"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while the single writer commits; NORMAL is durable in WAL mode
    # except for the last transactions on power loss, and we use FULL for the audit log batches.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


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

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # A PostgreSQL server has a connection limit shared by every process: fewer per process.
    kwargs.setdefault("pool_size", POOL_SIZE // 2)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW // 2)
    return create_engine(url, **kwargs)


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
