"""Benchmark: transparency-log append throughput, proof latency and tile serving.

On a fresh database (SQLite file or a new PostgreSQL database):

1. durable append throughput: ``entries`` entries of ~200 bytes (an audit record's size) in
   sequencing transactions of ``batch`` entries, each committed (SQLite: WAL, synchronous=FULL)
   before the next starts — the indices of a batch are final when its commit returns;
2. single-entry appends (one transaction each): latency of a durable append;
3. the queue path of audit records: entries queued inside business transactions, then
   sequenced in batches;
4. inclusion and consistency proof latency at the full size (tiles read from the database,
   per-process cache of full tiles as in production);
5. tile serving over HTTP by a real ``certgov serve`` process: requests/s and latency.

DESIGN targets: >= 5,000 durable entries/s on SQLite with 2 cores; proofs p99 < 1 ms at 10^6.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from pathlib import Path
from typing import Any

import httpx
from common import fresh_database, percentiles, served

from certgov.actors import SYSTEM_ACTOR
from certgov.bootstrap import build_context
from certgov.clock import FixedClock
from certgov.logs.audit import audit_entry
from certgov.logs.sequencer import sequence_pending
from certgov.settings import Settings
from certgov.store.engine import unit_of_work
from certgov.tlog.tiles import TILE_WIDTH, TileCoord, tile_width_at

NOW = dt.datetime(2025, 12, 1, 2, 0, tzinfo=dt.UTC)
ENTRY_SIZE = 200


def _record(i: int) -> bytes:
    """A real audit record (the audit log takes nothing else) of about ENTRY_SIZE bytes."""
    return audit_entry(
        "bench.record", SYSTEM_ACTOR, NOW, case_id=i, details={"pad": "x" * (ENTRY_SIZE - 150)}
    )


def _entry(i: int) -> bytes:
    head = f'{{"action":"bench.append","index":{i},"pad":"'.encode()
    return head + b"x" * (ENTRY_SIZE - len(head) - 2) + b'"}'


def _serve_tiles(url: str, data_dir: Path, paths: list[str]) -> dict[str, Any]:
    """GET every path from a `certgov serve` process with 8 concurrent client connections."""
    with served(url, data_dir) as base:
        latencies: list[float] = []

        async def client(chunk: list[str]) -> None:
            async with httpx.AsyncClient(base_url=base) as http:
                for path in chunk:
                    started = time.perf_counter()
                    response = await http.get(path)
                    latencies.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.text

        async def main() -> float:
            started = time.perf_counter()
            await asyncio.gather(*(client(paths[i::8]) for i in range(8)))
            return time.perf_counter() - started

        seconds = asyncio.run(main())
    return {
        "requests": len(paths),
        "requests_per_second": round(len(paths) / seconds),
        **percentiles(latencies),
        "setup": "one `certgov serve` process (uvicorn), 8 concurrent keep-alive clients "
        "in one Python process on the same 2 cores",
    }


def run(backend: str, entries: int, batch: int, pg_url: str | None) -> dict[str, Any]:
    rng = random.Random(20261121)
    with fresh_database(backend, pg_url) as (url, tmp):
        ctx = build_context(Settings(data_dir=tmp, database_url=url), clock=FixedClock(NOW))
        # 1. bulk durable appends
        started = time.perf_counter()
        for first in range(0, entries, batch):
            chunk = [_entry(i) for i in range(first, min(first + batch, entries))]
            with unit_of_work(ctx.sessions) as session:
                ctx.logs.sequence(session, "filings", ctx.clock.now(), chunk)
        append_seconds = time.perf_counter() - started

        # 2. one entry per transaction
        singles: list[float] = []
        for i in range(300):
            started = time.perf_counter()
            with unit_of_work(ctx.sessions) as session:
                ctx.logs.sequence(session, "filings", ctx.clock.now(), [_entry(entries + i)])
            singles.append(time.perf_counter() - started)
        size = entries + len(singles)

        # 3. the audit queue: 200 business transactions of 50 records each, every one
        # sequenced right after its commit (as in a request); then 10,000 records queued by one
        # transaction with the after-commit hook off, sequenced by the worker's pass.
        queued = 10_000
        started = time.perf_counter()
        for first in range(0, queued, 50):
            with unit_of_work(ctx.sessions) as session:
                ctx.logs.enqueue_many(
                    session, "audit", [_record(i) for i in range(first, first + 50)], NOW
                )
        inline_seconds = time.perf_counter() - started
        hook, ctx.logs.on_queued = ctx.logs.on_queued, None
        with unit_of_work(ctx.sessions) as session:
            ctx.logs.enqueue_many(session, "audit", [_record(i) for i in range(queued)], NOW)
        ctx.logs.on_queued = hook
        started = time.perf_counter()
        sequence_pending(ctx.sessions, ctx.logs, ctx.clock, ["audit"])
        sequence_seconds = time.perf_counter() - started

        # 4. proofs at the full size
        inclusion: list[float] = []
        consistency: list[float] = []
        with unit_of_work(ctx.sessions, readonly=True) as session:
            log = ctx.logs.get(session, "filings")
            for _ in range(20_000):
                index = rng.randrange(size)
                started = time.perf_counter()
                ctx.logs.inclusion(session, log, index)
                inclusion.append(time.perf_counter() - started)
            for _ in range(5_000):
                first = rng.randrange(1, size)
                started = time.perf_counter()
                ctx.logs.consistency(session, log, first)
                consistency.append(time.perf_counter() - started)

        # 5. tiles over HTTP: a real `certgov serve` process and a concurrent client
        coords = []
        for _ in range(6_000):
            level = rng.choice([0, 0, 0, 1])
            count = size >> (8 * level)
            index = rng.randrange(max(1, (count + TILE_WIDTH - 1) // TILE_WIDTH))
            coords.append(TileCoord(level, index, tile_width_at(level, index, size)))
        tile_http = _serve_tiles(url, tmp, [f"/logs/filings/{c.path()}" for c in coords])
        ctx.sessions.kw["bind"].dispose()

    throughput = entries / append_seconds
    proof = percentiles(inclusion)
    return {
        "benchmark": "transparency_log",
        "backend": backend,
        "entries": size,
        "entry_bytes": ENTRY_SIZE,
        "append": {
            "batch": batch,
            "seconds": round(append_seconds, 2),
            "entries_per_second": round(throughput),
            "durable": "each batch committed before the next; indices final at commit",
        },
        "single_append_latency": percentiles(singles),
        "audit_queue": {
            "records": queued,
            "inline_50_per_transaction_seconds": round(inline_seconds, 3),
            "inline_records_per_second": round(queued / inline_seconds),
            "worker_sequence_seconds": round(sequence_seconds, 3),
            "worker_sequenced_per_second": round(queued / sequence_seconds),
        },
        "inclusion_proof": proof,
        "consistency_proof": percentiles(consistency),
        "tile_http": tile_http,
        "targets": {"append_entries_per_second": 5_000, "proof_p99_ms": 1.0},
        "meets_targets": throughput >= 5_000 and proof["p99_ms"] < 1.0,
    }
