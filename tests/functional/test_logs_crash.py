"""SYS-3: a log survives a writer killed with SIGKILL in the middle of appending.

A `certgov tlog append` process prints each batch's indices only after the batch committed.
It is killed (SIGKILL, no clean-up of any kind) while appending, twice; after each kill every
printed index holds its entry, the stored tree matches the entries, and after a restart the new
checkpoint is consistent with every checkpoint published before the kill.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from certgov.context import Context
from certgov.logs.models import TLogCheckpoint, TLogEntry
from certgov.logs.store import LogStore
from certgov.store.engine import unit_of_work
from certgov.tlog import merkle
from certgov.tlog.checkpoint import open_checkpoint
from certgov.tlog.note import Verifier

CERTGOV = [sys.executable, "-m", "certgov.cli"]


def _entry(i: int) -> bytes:
    return f"crash-test entry {i}".encode()


def _append_until_killed(env: dict[str, str], source: Path, batches_before_kill: int) -> int:
    """Run an append, kill it after some durable batches; the highest index it printed."""
    process = subprocess.Popen(
        [*CERTGOV, "tlog", "append", "filings", "--lines", "--batch", "1000", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    last = -1
    seen = 0
    try:
        for line in process.stdout:
            # "<first>..<last> durable, size <n>"
            last = int(line.split("..")[1].split()[0])
            seen += 1
            if seen >= batches_before_kill:
                time.sleep(random.uniform(0.0, 0.02))  # land anywhere inside the next batch
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""
    return last


def _check_log(ctx: Context, logs: LogStore, promised: int) -> list[str]:
    """Every promised entry is there, in order, and the stored tree is the entries' tree.

    Returns every checkpoint the log has published.
    """
    with unit_of_work(ctx.sessions, readonly=True) as session:
        log = logs.get(session, "filings")
        assert log.size > promised, f"index {promised} was printed as durable but is lost"
        stored = list(
            session.scalars(
                select(TLogEntry.data).where(TLogEntry.log_id == log.id).order_by(TLogEntry.idx)
            )
        )
        assert [bytes(data) for data in stored] == [_entry(i) for i in range(log.size)]
        # The root recomputed from the stored entries, independently of the stored tiles.
        assert merkle.MemoryHashReader.from_entries(stored).root() == log.root_hash
        verifier = Verifier.from_vkey(log.verifier_key)
        latest, _ = open_checkpoint(logs.latest_checkpoint(session, log), [verifier])
        assert latest.size == log.size and latest.root_hash == log.root_hash
        return list(
            session.scalars(select(TLogCheckpoint.note).where(TLogCheckpoint.log_id == log.id))
        )


def test_sigkill_while_appending_loses_no_promised_entry(
    ctx: Context, database_url: str, tmp_path: Path
) -> None:
    random.seed(3)
    env = dict(os.environ)
    env["CERTGOV_DATABASE_URL"] = database_url
    env["CERTGOV_DATA_DIR"] = str(ctx.settings.data_dir)
    logs = ctx.logs

    published: list[str] = []
    for round_number, batches in enumerate((3, 5)):
        # Each round continues the same sequence of entries where the log stands.
        with unit_of_work(ctx.sessions, readonly=True) as session:
            rows = logs.list(session)
            offset = rows[0].size if rows else 0
        rest = tmp_path / f"round-{round_number}.txt"
        rest.write_bytes(b"".join(_entry(i) + b"\n" for i in range(offset, offset + 50_000)))
        printed = _append_until_killed(env, rest, batches)
        assert printed >= offset
        published = _check_log(ctx, logs, printed)

    # Restart: append again, to completion, and prove the new tree extends every checkpoint
    # the log published before the kills.
    with unit_of_work(ctx.sessions) as session:
        log = logs.get(session, "filings")
        tail = [_entry(i) for i in range(log.size, log.size + 10)]
        logs.sequence(session, "filings", ctx.clock.now(), tail)
    with unit_of_work(ctx.sessions, readonly=True) as session:
        log = logs.get(session, "filings")
        verifier = Verifier.from_vkey(log.verifier_key)
        new, _ = open_checkpoint(logs.latest_checkpoint(session, log), [verifier])
        assert len(published) >= 8
        for note in published:
            old, _ = open_checkpoint(note, [verifier])
            if old.size == 0:
                continue
            proof = logs.consistency(session, log, old.size, new.size)
            merkle.verify_consistency(
                old.size, new.size, old.root_hash, new.root_hash, proof.hashes
            )
