"""Shared benchmark plumbing: a fresh, migrated database on either backend."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from certgov.store import migrate


@contextmanager
def fresh_database(backend: str, pg_url: str | None) -> Iterator[tuple[str, Path]]:
    """(database URL, scratch directory) of a new migrated database, dropped afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        admin = None
        name = ""
        if backend == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        else:
            assert pg_url
            name = f"certgov_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        try:
            migrate.upgrade(url)
            yield url, Path(tmp)
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 / p99 / max of latencies in seconds, reported in milliseconds."""
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(q[49] * 1e3, 4),
        "p99_ms": round(q[98] * 1e3, 4),
        "max_ms": round(ordered[-1] * 1e3, 4),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(url: str, data_dir: Path, *, workers: int = 1) -> Iterator[str]:
    """A real `certgov serve` (its in-process worker off; ``workers`` web processes) on
    ``url``'s database; its base URL once /healthz answers; stopped afterwards."""
    port = free_port()
    env = dict(os.environ, CERTGOV_DATABASE_URL=url, CERTGOV_DATA_DIR=str(data_dir))
    command = [sys.executable, "-m", "certgov.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--worker-interval", "0", "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        if workers > 1:  # /healthz answered from the first process; let the others start too
            time.sleep(3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
