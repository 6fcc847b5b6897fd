"""Benchmark: the public certificate search and a certificate's page (issue 16) at ``filed``
(default 10^6) filed CA certificates, through a real ``certgov serve --workers 2``.

Pages measured (HTML, as a browser gets them): ``/certificates?q=<name prefix>`` (the index
range read on ``(lower(subject), id)``, a few matches), ``/certificates?q=synthetic`` (every
row matches: the first page in name order), ``/certificates?q=<sha256>`` and
``/certificates/{sha256}`` of a real filed sub-CA (parsed fields, chain, lint, revocation,
inclusion proof against its filing's checkpoint). DESIGN target: p99 < 100 ms and >= 500
pages/s. The load comes from the light keep-alive client of bench/loadgen.py in this process,
on the same 2 cores. The machine is shared: besides latency and throughput, each page's CPU
time in the server's processes (from /proc) and in the client is reported, which does not
depend on what else runs, with the load averages. ``python bench/portal.py [N] [--write]``:
N filed certificates (default 10^6, whose figures go to bench/results/portal.json).
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from common import fresh_database, percentiles, served
from cryptography.hazmat.primitives.asymmetric import ec
from filings import NOW, _ca, _issue, _licence, _load_filed, _pem
from loadgen import Load, _connection

from certgov.bootstrap import build_context
from certgov.clock import FixedClock
from certgov.filings.services import submit_filing
from certgov.settings import Settings
from certgov.store.engine import unit_of_work


def _server_cpu_seconds(base: str) -> float:
    """CPU seconds (user + system) used so far by the ``certgov serve`` listening on ``base``'s
    port and its web processes, read from /proc: what the pages cost the server, whatever else
    the shared machine runs."""
    port = str(urlsplit(base).port)
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    roots: list[int] = []
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            command = Path(entry.path, "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
        if b"serve" in command and b"--port" in command and port.encode() in command:
            roots.append(pid)
    tree = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(cpu[pid] for pid in tree)


def _get_load(base: str, path: str, *, requests: int, connections: int) -> Load:
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: keep-alive\r\n\r\n"
    ).encode("ascii")
    load = Load()

    async def main() -> None:
        share = requests // connections
        started = time.perf_counter()
        await asyncio.gather(
            *(_connection(host, port, request, share, load) for _ in range(connections))
        )
        load.seconds = time.perf_counter() - started

    asyncio.run(main())
    return load


def run(
    backend: str = "sqlite",
    pg_url: str | None = None,
    *,
    filed: int = 1_000_000,
    requests: int = 4_000,
    clients: int = 16,
    workers: int = 2,
) -> dict[str, Any]:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _issue("portal root", root_key, None, ca=True)
    sub = _issue(
        "portal sub", ec.generate_private_key(ec.SECP256R1()), (root.subject, root_key), ca=True
    )
    load_before = [round(v, 2) for v in os.getloadavg()]
    with fresh_database(backend, pg_url) as (url, tmp):
        ctx = build_context(Settings(data_dir=tmp, database_url=url), clock=FixedClock(NOW))
        actor = _ca(ctx)
        started = time.perf_counter()
        bulk = [_ca(ctx, f"BULK{n:05d}").party_id or 0 for n in range(100)]
        _load_filed(ctx, bulk, filed)
        load_seconds = time.perf_counter() - started
        with unit_of_work(ctx.sessions) as session:
            receipt = submit_filing(session, ctx, actor, _pem(root, sub))
            _licence(session, actor.party_id or 0)
            sha256 = next(
                e.certificate["sha256"]
                for e in receipt.entries
                if e.certificate["role"] == "subordinate"
            )
        ctx.sessions.kw["bind"].dispose()
        paths = {
            "search_name_prefix": f"/certificates?q=synthetic+{filed // 2}",
            "search_name_all_match": "/certificates?q=synthetic",
            "search_sha256": f"/certificates?q={sha256}",
            "certificate_page": f"/certificates/{sha256}",
        }
        results: dict[str, Any] = {}
        with served(url, tmp, workers=workers) as base:
            for name, path in paths.items():
                first = httpx.get(base + path, timeout=30)
                assert first.status_code == 200, (path, first.status_code, first.text[:300])
                _get_load(base, path, requests=400, connections=clients)  # warm every process
                server_before, client_before = _server_cpu_seconds(base), time.process_time()
                load = _get_load(base, path, requests=requests, connections=clients)
                server_cpu = _server_cpu_seconds(base) - server_before
                client_cpu = time.process_time() - client_before
                assert load.statuses == {200: len(load.latencies)}, load.statuses
                results[name] = {
                    "path": path,
                    "pages_per_second": round(load.requests_per_second),
                    **percentiles(load.latencies),
                    # CPU time per page, whatever else the machine runs: the server's (both
                    # web processes) and the load client's; with 2 cores to themselves they
                    # would serve about 2 / (server + client) pages per second.
                    "server_cpu_ms_per_page": round(server_cpu / len(load.latencies) * 1e3, 3),
                    "client_cpu_ms_per_page": round(client_cpu / len(load.latencies) * 1e3, 3),
                    "load_average": [round(v, 2) for v in os.getloadavg()],
                }
    return {
        "filed_certificates": filed + 2,
        "bulk_load_seconds": round(load_seconds, 1),
        "requests_per_page": requests,
        "clients": clients,
        "server_processes": workers,
        "load_average_before": load_before,
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "pages": results,
        "setup": f"`certgov serve --workers {workers}`, HTML pages, {clients} keep-alive "
        "connections of bench/loadgen.py in a second process on the same 2 cores",
    }


if __name__ == "__main__":
    import json
    import platform
    import subprocess
    import sys
    from datetime import UTC, datetime

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    result = run(filed=size)
    result["uptime_before"] = uptime_before
    result["uptime_after"] = subprocess.run(
        ["uptime"], capture_output=True, text=True
    ).stdout.strip()
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    text = json.dumps(result, indent=2)
    if size == 1_000_000 or "--write" in sys.argv:
        Path(__file__).parent.joinpath("results", "portal.json").write_text(text + "\n")
    print(text)
