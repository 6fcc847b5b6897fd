"""Benchmark: the officials' console at scale (issue 17).

A fresh database with ``cas`` CAs across the provinces, ``filed`` filed CA certificates
(default 10^6, synthetic rows spread over the CAs), ``findings`` findings (default 10^5: open
and closed, every severity, spread over the CAs and their provinces) and ``cases`` open
licence cases with running deadlines (1 % overdue); then a real ``certgov serve`` answers,
one request at a time from a second process with a logged-in session cookie:

- ``GET /console/dashboard`` as the national regulator (every CA) and as a provincial one,
  and one CA's (``?party=``: its filings over time and lint summary);
- ``GET /console`` (the work queue, nearest deadline first), its overdue filter and a deep
  page, as the national regulator.

Target (issue 17): the dashboard under 300 ms. The machine is shared: the load average
before and after is recorded with the figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from typing import Any

import httpx
from common import fresh_database, percentiles, served
from sqlalchemy import insert, text
from sweep import _load as load_cases

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.bootstrap import build_context
from certgov.clock import FixedClock
from certgov.demo import demo_uscc
from certgov.filings.models import FiledCertificate, Filing
from certgov.findings.models import Finding
from certgov.identity import services as identity
from certgov.parties import services as registry
from certgov.parties.models import PartyKind
from certgov.settings import Settings
from certgov.store.engine import unit_of_work

NOW = dt.datetime(2025, 12, 1, 2, 0, tzinfo=dt.UTC)
PROVINCES = ("110000", "310000", "440000", "330000", "320000", "510000", "420000", "370000")
SEVERITIES = ("critical", "high", "medium", "low", "info")
PASSWORD = "bench console password"
TARGET_MS = 300


def _cas(ctx: Any, count: int) -> list[tuple[int, str]]:
    out = []
    with unit_of_work(ctx.sessions) as session:
        for n in range(count):
            province = PROVINCES[n % len(PROVINCES)]
            party = registry.create_party(
                session,
                ctx.clock,
                registry.NewParty(
                    name=f"Bench CA {n:03d}",
                    name_en=f"Bench CA {n:03d}",
                    kind=PartyKind.CA,
                    uscc=demo_uscc(province, f"MC{n:07d}"),
                    home_province=province,
                ),
            )
            out.append((party.id, province))
    return out


def _load(ctx: Any, cas: list[tuple[int, str]], filed: int, findings: int) -> None:
    """Synthetic filed certificates (one filing, distinct digests, spread over a year) and
    findings, bulk-inserted; no transparency-log entries (the console reads no log)."""
    engine = ctx.sessions.kw["bind"]
    with unit_of_work(ctx.sessions) as session:
        filing = Filing(
            party_id=cas[0][0],
            filed_at=NOW,
            filed_by="bench",
            rule_set_id="bench",
            log_size=0,
            checkpoint="",
        )
        session.add(filing)
        session.flush()
        filing_id = filing.id
    chunk = 20_000
    for first in range(0, filed, chunk):
        rows = []
        for i in range(first, min(first + chunk, filed)):
            party_id, _province = cas[i % len(cas)]
            at = NOW - dt.timedelta(minutes=(i * 31) % (365 * 24 * 60))
            rows.append(
                {
                    "filing_id": filing_id,
                    "party_id": party_id,
                    "role": "subordinate",
                    "sha256": hashlib.sha256(b"console-%d" % i).hexdigest(),
                    "subject_hash": hashlib.sha256(b"subject-%d" % i).hexdigest(),
                    "issuer_hash": hashlib.sha256(b"issuer-%d" % (i % 1000)).hexdigest(),
                    "subject": f"CN=synthetic {i}",
                    "issuer": "CN=synthetic root",
                    "serial": str(i),
                    "not_before": at,
                    "not_after": at + dt.timedelta(days=3650),
                    "key": "secp256r1",
                    "signature_algorithm": "ecdsa-with-SHA256",
                    "crl_urls": [],
                    "ocsp_urls": [],
                    "der": b"\x30\x00",
                    "log_index": i,
                    "filed_at": at,
                    "late": i % 97 == 0,
                    "details": {},
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(FiledCertificate), rows)
    for first in range(0, findings, chunk):
        rows = []
        for i in range(first, min(first + chunk, findings)):
            party_id, province = cas[i % len(cas)]
            seen = NOW - dt.timedelta(hours=(i * 7) % (400 * 24))
            closed = i % 3 == 0
            rows.append(
                {
                    "code": f"bench-{i % 40}",
                    "dedup_key": f"bench:{i}",
                    "severity": SEVERITIES[i % len(SEVERITIES)],
                    "status": "closed" if closed else "open",
                    "title": f"Synthetic finding {i}",
                    "message": "A synthetic finding for the console benchmark.",
                    "requirement": "ECS-4.2",
                    "case_id": None,
                    "party_id": party_id,
                    "jurisdiction": province,
                    "first_seen": seen,
                    "last_seen": seen,
                    "closed_at": seen if closed else None,
                    "details": {},
                    "triage": None,
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(Finding), rows)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))


def _next_due(ctx: Any) -> None:
    """The cases were bulk-inserted beside the services: store each one's nearest running due
    day as they would (the same statement as migration 0017's backfill)."""
    with ctx.sessions.kw["bind"].begin() as conn:
        conn.execute(
            text(
                "UPDATE cases SET next_due_on = (SELECT min(d.due_on) FROM case_deadlines d"
                " WHERE d.case_id = cases.id AND d.status = 'running' AND d.due_on IS NOT NULL)"
            )
        )


#: The month of a filing, Beijing time, per backend: migration 0022's backfill.
_MONTH = {
    "sqlite": "date(substr(filed_at, 1, 19), '+8 hours', 'start of month')",
    "postgresql": (
        "CAST(date_trunc('month', filed_at AT TIME ZONE 'UTC' + INTERVAL '8 hours') AS date)"
    ),
}


def _filing_months(ctx: Any) -> None:
    """The certificates were bulk-inserted beside the filing service: count them per CA and
    month as each filing would (the same statement as migration 0022's backfill)."""
    engine = ctx.sessions.kw["bind"]
    month = _MONTH[engine.dialect.name]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO filing_months (party_id, month, certificates, last_filed_at) "
                f"SELECT party_id, {month}, count(*), max(filed_at) FROM filed_certificates "
                f"GROUP BY party_id, {month}"
            )
        )
        conn.execute(text("ANALYZE filing_months"))


def _user(ctx: Any, username: str, role: Role, jurisdiction: str) -> None:
    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name=username,
            password=PASSWORD,
            grant=identity.Grant(role, jurisdiction),
        )


def _timed(client: httpx.Client, path: str, requests: int) -> dict[str, Any]:
    for _ in range(3):  # warm the process's caches and the database's pages
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(path)
        samples.append(time.perf_counter() - started)
        assert answer.status_code == 200, (path, answer.status_code)
    result = percentiles(samples)
    result["bytes"] = len(answer.content)
    result["under_target"] = result["p50_ms"] < TARGET_MS
    return result


def run(
    backend: str,
    pg_url: str | None,
    *,
    filed: int = 1_000_000,
    findings: int = 100_000,
    cases: int = 100_000,
    cas: int = 100,
    requests: int = 20,
) -> dict[str, Any]:
    load_before = os.getloadavg()
    with fresh_database(backend, pg_url) as (url, tmp):
        ctx = build_context(Settings(data_dir=tmp, database_url=url), clock=FixedClock(NOW))
        started = time.perf_counter()
        load_cases(ctx, cases, 0.01)
        _next_due(ctx)
        parties = _cas(ctx, cas)
        _load(ctx, parties, filed, findings)
        _filing_months(ctx)
        load_seconds = time.perf_counter() - started
        shanghai_ca = next(party for party, province in parties if province == "310000")
        _user(ctx, "bench-miit", Role.NATIONAL_REGULATOR, "national")
        _user(ctx, "bench-shanghai", Role.PROVINCIAL_REGULATOR, "310000")
        ctx.sessions.kw["bind"].dispose()
        measured: dict[str, Any] = {}
        with served(url, tmp) as base:
            for username, pages in (
                (
                    "bench-miit",
                    {
                        "dashboard_national": "/console/dashboard",
                        "queue_national": "/console",
                        "queue_overdue": "/console?overdue=1",
                        "queue_page_100": "/console?page=100&size=100",
                    },
                ),
                (
                    "bench-shanghai",
                    {
                        "dashboard_provincial": "/console/dashboard",
                        # One CA: its filings over time and lint summary.
                        "dashboard_ca": f"/console/dashboard?party={shanghai_ca}",
                    },
                ),
            ):
                with httpx.Client(base_url=base, timeout=60) as client:
                    login = client.post(
                        "/console/login", data={"username": username, "password": PASSWORD}
                    )
                    assert login.status_code in (200, 303), login.text[:300]
                    for name, path in pages.items():
                        measured[name] = {"path": path, **_timed(client, path, requests)}
    load_after = os.getloadavg()
    return {
        "backend": backend,
        "filed_certificates": filed,
        "findings": findings,
        "open_cases": cases,
        "cas": cas,
        "bulk_load_seconds": round(load_seconds, 1),
        "requests_each": requests,
        "target": f"dashboard p50 < {TARGET_MS} ms",
        "pages": measured,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "setup": "`certgov serve` (one process), requests one at a time from this process "
        "with a session cookie (httpx), on the same 2 shared cores; synthetic rows inserted "
        "in bulk, then ANALYZE",
    }
