"""When queued log entries get sequenced.

Right after the unit of work that queued them commits (so the audit log is current when a
request returns), and by every worker pass (which also picks up anything a crashed process
queued but did not sequence). Sequencing is idempotent and safe to run from any number of
processes at once: the writer lock makes them take turns, and a later one finds the queue empty.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session, sessionmaker

from certgov.clock import Clock
from certgov.logs.store import DEFAULT_BATCH, LogStore
from certgov.store.engine import unit_of_work

log = logging.getLogger("certgov.logs")


def sequence_pending(
    sessions: sessionmaker[Session],
    logs: LogStore,
    clock: Clock,
    names: Iterable[str] | None = None,
) -> dict[str, int]:
    """Sequence every queued entry of ``names`` (default: every log with queued entries).

    One transaction per batch; returns the number of entries sequenced per log.
    """
    if names is None:
        with unit_of_work(sessions, readonly=True) as session:
            names = sorted(logs.pending(session))
    done: dict[str, int] = {}
    for name in names:
        total = 0
        while True:
            with unit_of_work(sessions) as session:
                result = logs.sequence(session, name, clock.now(), max_queued=DEFAULT_BATCH)
            total += result.queued
            # A short batch took the whole queue: no second write transaction to find it empty.
            if result.queued < DEFAULT_BATCH:
                break
        if total:
            done[name] = total
    return done


def sequence_after_commit(
    sessions: sessionmaker[Session], logs: LogStore, clock: Clock, names: frozenset[str]
) -> None:
    """The after-commit hook: sequence now; on failure the worker's next pass does it."""
    try:
        sequence_pending(sessions, logs, clock, sorted(names))
    except Exception:  # the change itself is committed; its entries wait in the queue
        log.exception("sequencing %s after commit failed; the worker will retry", sorted(names))
