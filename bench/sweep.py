"""Benchmark: the deadline sweep over N open cases (DESIGN target: < 5 s at 10^6).

Loads N open licence-application cases, each with a running decision clock, a fraction of
them already passed, into a fresh database (SQLite file or a new PostgreSQL database), then
times one sweep (`certgov worker --once` does the same) that finds and handles the passed ones,
including the audit records it writes and their sequencing into the audit log.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from common import fresh_database
from sqlalchemy import func, insert, select, text

from certgov.bootstrap import build_context
from certgov.cases.models import Case, CaseDeadline
from certgov.cases.sweep import sweep
from certgov.clock import FixedClock
from certgov.findings.models import Finding
from certgov.settings import Settings
from certgov.store.engine import unit_of_work

NOW = dt.datetime(2025, 12, 1, 2, 0, tzinfo=dt.UTC)


def _load(ctx: Any, cases: int, passed_fraction: float, chunk: int = 20_000) -> float:
    process = ctx.processes["ca-licence-application"]
    passed_every = max(1, round(1 / passed_fraction)) if passed_fraction > 0 else 0
    started = time.perf_counter()
    engine = ctx.sessions.kw["bind"]
    for first in range(1, cases + 1, chunk):
        ids = range(first, min(first + chunk, cases + 1))
        case_rows = [
            {
                "id": i,
                "process_id": process.id,
                "process_digest": process.digest,
                "title": f"application {i}",
                "state": "document_review",
                "closed": False,
                "version": 2,
                "jurisdiction": "310000",
                "relevant_date": dt.date(2025, 10, 1),
                "rule_set_ids": ["measures-2015"],
                "data": {},
                "opened_at": NOW - dt.timedelta(days=60),
                "updated_at": NOW - dt.timedelta(days=60),
            }
            for i in ids
        ]
        deadline_rows = []
        for i in ids:
            passed = passed_every and i % passed_every == 0
            due = (
                dt.date(2025, 11, 20)
                if passed
                else dt.date(2025, 12, 20) + dt.timedelta(days=i % 200)
            )
            deadline_rows.append(
                {
                    "case_id": i,
                    "name": "decision",
                    "status": "running",
                    "period": "45 calendar days",
                    "rule_set_id": "measures-2015",
                    "started_at": NOW - dt.timedelta(days=40),
                    "due_at": dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0), dt.UTC)
                    - dt.timedelta(hours=8),
                    "due_on": due,
                    "nominal_due": due,
                    "extension": 0,
                    "warnings": [],
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(Case), case_rows)
            conn.execute(insert(CaseDeadline), deadline_rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE cases; ANALYZE case_deadlines"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def run(backend: str, cases: int, passed_fraction: float, pg_url: str | None) -> dict[str, Any]:
    with fresh_database(backend, pg_url) as (url, tmp):
        ctx = build_context(Settings(data_dir=tmp, database_url=url), clock=FixedClock(NOW))
        load_seconds = _load(ctx, cases, passed_fraction)
        started = time.perf_counter()
        with unit_of_work(ctx.sessions) as session:
            report = sweep(session, ctx)
        # The unit of work has also sequenced the audit records of the sweep by now.
        sweep_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with unit_of_work(ctx.sessions) as session:
            again = sweep(session, ctx)
        idle_seconds = time.perf_counter() - started
        with unit_of_work(ctx.sessions, readonly=True) as session:
            findings = session.scalar(select(func.count()).select_from(Finding))
            audit = ctx.logs.get(session, "audit").size
        ctx.sessions.kw["bind"].dispose()
    return {
        "benchmark": "deadline_sweep",
        "backend": backend,
        "open_cases": cases,
        "passed_deadlines": report.expired,
        "findings_opened": findings,
        "audit_records_sequenced": audit,
        "sweep_seconds": round(sweep_seconds, 3),
        "idle_sweep_seconds": round(idle_seconds, 4),
        "second_sweep_expired": again.expired,
        "load_seconds": round(load_seconds, 1),
        "target_seconds": 5.0,
        "meets_target": sweep_seconds < 5.0,
    }
