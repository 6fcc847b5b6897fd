"""SYS-3: many writers, one log. Writers in several threads (each its own connection, as
several processes would be) take turns: no index is given twice, no entry is lost, and every
checkpoint the log signs extends the previous one."""

from __future__ import annotations

import itertools
import threading
import time

from sqlalchemy import select

from certgov.context import Context
from certgov.logs.models import TLogCheckpoint, TLogEntry
from certgov.store.engine import unit_of_work
from certgov.tlog import merkle
from certgov.tlog.checkpoint import open_checkpoint
from certgov.tlog.note import Verifier

WRITERS = 4
ROUNDS = 15
BATCH = 40


def test_concurrent_writers_take_turns(ctx: Context) -> None:
    """SYS-3: concurrent sequencers (advisory lock on PostgreSQL, write lock on SQLite)."""
    errors: list[BaseException] = []
    results: list[tuple[int, int]] = []

    def writer(number: int) -> None:
        try:
            for round_number in range(ROUNDS):
                entries = [f"w{number} r{round_number} e{i}".encode() for i in range(BATCH)]
                with unit_of_work(ctx.sessions) as session:
                    done = ctx.logs.sequence(session, "filings", ctx.clock.now(), entries)
                results.append((done.first_index, done.appended))
                # Audit-style entries through the queue too, sequenced after each commit.
                with unit_of_work(ctx.sessions) as session:
                    ctx.logs.enqueue(
                        session, "filings", f"q{number}-{round_number}".encode(), ctx.clock.now()
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors

    total = WRITERS * ROUNDS * (BATCH + 1)
    with unit_of_work(ctx.sessions, readonly=True) as session:
        log = ctx.logs.get(session, "filings")
        assert log.size == total
        assert ctx.logs.pending(session) == {}
        entries = [
            bytes(d)
            for d in session.scalars(
                select(TLogEntry.data).where(TLogEntry.log_id == log.id).order_by(TLogEntry.idx)
            )
        ]
        notes = list(
            session.scalars(
                select(TLogCheckpoint.note)
                .where(TLogCheckpoint.log_id == log.id)
                .order_by(TLogCheckpoint.size)
            )
        )
        verifier = Verifier.from_vkey(log.verifier_key)
        checkpoints = [open_checkpoint(note, [verifier])[0] for note in notes]
        for previous, current in itertools.pairwise(checkpoints[1:]):  # [0] is size 0
            proof = ctx.logs.consistency(session, log, previous.size, current.size)
            merkle.verify_consistency(
                previous.size, current.size, previous.root_hash, current.root_hash, proof.hashes
            )
    assert len(set(entries)) == total  # each entry exactly once
    # Each writer's batch got consecutive indices holding exactly its entries.
    for first, count in results:
        batch = entries[first : first + count]
        assert len({e.split(b" ")[0] + e.split(b" ")[1] for e in batch}) == 1
    assert merkle.MemoryHashReader.from_entries(entries).root() == log.root_hash


def test_a_second_writer_waits_for_the_first_to_commit(ctx: Context) -> None:
    """SYS-3: while one sequencing transaction is open, another waits (no fork of the tree)."""
    with unit_of_work(ctx.sessions) as session:
        ctx.logs.sequence(session, "filings", ctx.clock.now(), [b"first"])
    order: list[str] = []
    holding = threading.Event()

    def first_writer() -> None:
        with unit_of_work(ctx.sessions) as session:
            ctx.logs.sequence(session, "filings", ctx.clock.now(), [b"a"])
            holding.set()
            time.sleep(0.5)
            order.append("first commits")

    def second_writer() -> None:
        holding.wait(10)
        with unit_of_work(ctx.sessions) as session:
            done = ctx.logs.sequence(session, "filings", ctx.clock.now(), [b"b"])
            order.append(f"second got index {done.first_index}")

    threads = [threading.Thread(target=first_writer), threading.Thread(target=second_writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert order == ["first commits", "second got index 2"]
