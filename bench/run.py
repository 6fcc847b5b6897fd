"""`make bench`: run the benchmarks and write bench/results/*.json.

Usage: python bench/run.py [--cases N] [--passed-fraction F] [--log-entries N] [--log-batch B]
       [--only sweep|tlog] [--backend sqlite|postgresql|all]
PostgreSQL runs when CERTGOV_TEST_DATABASE_URL (or --pg-url) names a reachable server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import appscan
import console
import docsig
import filings
import portal
import sweep
import tlog

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_reachable(url: str) -> bool:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--passed-fraction", type=float, default=0.01)
    parser.add_argument("--log-entries", type=int, default=1_000_000)
    parser.add_argument("--log-batch", type=int, default=5_000)
    parser.add_argument(
        "--filed", type=int, default=1_000_000, help="Filed certificates for /verify."
    )
    parser.add_argument(
        "--findings", type=int, default=100_000, help="Findings for the console benchmark."
    )
    parser.add_argument("--filings", type=int, default=20, help="Filings in the ingest benchmark.")
    parser.add_argument("--per-filing", type=int, default=1_000)
    parser.add_argument("--verify-requests", type=int, default=8_000)
    parser.add_argument(
        "--chains", type=int, default=2_000, help="Chains for the openssl comparison."
    )
    parser.add_argument(
        "--only",
        choices=["sweep", "tlog", "filings", "docsig", "appscan", "portal", "console"],
        default=None,
        help="Run one benchmark only.",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--pg-url", default=os.environ.get("CERTGOV_TEST_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "appscan"):  # no database: once, not per backend
        appscan.write(RESULTS)
        if args.only:
            return 0
    if args.only in (None, "docsig"):  # no database: once, not per backend
        print(f"docsig: {docsig.write(docsig.run())}")
    if args.only == "docsig":
        return 0
    for backend in backends:
        if backend == "postgresql" and not _pg_reachable(args.pg_url):
            print(f"postgresql: skipped, {args.pg_url} does not answer")
            continue
        runs = {
            "deadline-sweep": lambda b=backend: sweep.run(
                b, args.cases, args.passed_fraction, args.pg_url
            ),
            "transparency-log": lambda b=backend: tlog.run(
                b, args.log_entries, args.log_batch, args.pg_url
            ),
            "filings": lambda b=backend: filings.run(
                b,
                args.pg_url,
                filed=args.filed,
                filings=args.filings,
                per_filing=args.per_filing,
                requests=args.verify_requests,
                chains=args.chains,
            ),
            "portal": lambda b=backend: portal.run(b, args.pg_url, filed=args.filed),
            "console": lambda b=backend: console.run(
                b, args.pg_url, filed=args.filed, findings=args.findings
            ),
        }
        for name, bench in runs.items():
            wanted = {"sweep": "deadline-sweep", "tlog": "transparency-log"}.get(
                args.only or "", args.only
            )
            if args.only and name != wanted:
                continue
            result = bench()
            result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
            result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            path = RESULTS / f"{name}-{backend}.json"
            path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
            print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
