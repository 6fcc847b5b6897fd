"""One analysis in a child process with a memory and a time limit (APP-11).

An APK is untrusted input whose cost grows with its code (the dex scanner keeps a few MB per
MB of dex, ``docs/app-analysis.md``; a hostile file may still try to exhaust memory or time):
the analysis runs in a fresh Python process
(``python -m certgov.appscan.isolation``) that first caps its own address space with
``RLIMIT_AS`` and its CPU time with ``RLIMIT_CPU``; the parent kills it after ``wall_seconds``.
Whatever the child does (runs out of memory, crashes, loops), the caller gets an
:class:`Outcome` saying what happened, never an exception, and stays healthy.

A fresh interpreter rather than ``multiprocessing``: a forked child would inherit the worker's
threads (``certgov serve`` runs the worker beside the web server), its locks and its database
connections, and ``spawn``/``forkserver`` re-import the caller's main module in every child.
Both directions are JSON (the job: one header line, then the APK's bytes), so whatever a
hostile APK did to the child cannot run code in the parent.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from certgov.appscan.archive import Limits
from certgov.appscan.errors import ApkError

_MIB = 1024 * 1024
#: Most bytes of a child's diagnostics kept in a failure reason.
_STDERR_TAIL = 400


@dataclass(frozen=True, slots=True)
class JobLimits:
    """Bounds of one analysis: the child's address space, CPU seconds and wall-clock seconds,
    and the archive :class:`Limits` (its dex limit should fit the memory: about 80 MB for the
    interpreter and 5 MB per MB of dex; 65 MB of dex, near the archive's default limit of
    64 MiB, peaked at 357 MB and ran within the default 1 GiB)."""

    memory_bytes: int = 1024 * _MIB
    cpu_seconds: int = 300
    wall_seconds: float = 360.0
    archive: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one isolated analysis: ``report`` and ``findings`` (JSON forms) when
    ``ok``, else ``reason`` (the error's code first, then what is wrong)."""

    ok: bool
    report: dict[str, Any] | None = None
    findings: list[dict[str, Any]] | None = None
    reason: str | None = None


def run_isolated(
    apk: bytes,
    declaration: Mapping[str, Any] | None,
    clauses: Mapping[str, Any],
    limits: JobLimits | None = None,
) -> Outcome:
    """Analyse ``apk`` in a child process within ``limits`` and check it against
    ``declaration`` (its JSON form; none: nothing declared) with the clause table
    ``clauses`` (its JSON form, as a rule set's ``clause_table`` parameter gives it)."""
    limits = limits or JobLimits()
    header = {
        "declaration": dict(declaration) if declaration is not None else None,
        "clauses": dict(clauses),
        "memory_bytes": limits.memory_bytes,
        "cpu_seconds": limits.cpu_seconds,
        "archive": asdict(limits.archive),
    }
    job = json.dumps(header).encode() + b"\n" + apk
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "certgov.appscan.isolation"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
        )
    except OSError as error:
        return Outcome(False, reason=f"analysis_not_started: {error}")
    try:
        out, err = child.communicate(job, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return Outcome(
            False,
            reason=f"analysis_timeout: the analysis did not finish within "
            f"{limits.wall_seconds:g} seconds and was stopped",
        )
    try:
        message = json.loads(out)
    except ValueError:
        message = None
    if isinstance(message, dict) and message.get("status") == "done":
        report, findings = message.get("report"), message.get("findings")
        if isinstance(report, dict) and isinstance(findings, list):
            return Outcome(True, report=report, findings=findings)
    if isinstance(message, dict) and message.get("status") == "failed":
        return Outcome(False, reason=str(message.get("reason"))[:2000])
    return Outcome(False, reason=_died(child.returncode, err, limits))


def _died(returncode: int, stderr: bytes, limits: JobLimits) -> str:
    tail = stderr.decode("utf-8", "replace").strip()[-_STDERR_TAIL:]
    detail = f"; its last words: {tail}" if tail else ""
    if returncode < 0 and -returncode == 24:  # SIGXCPU: RLIMIT_CPU reached
        return (
            f"analysis_cpu_limit: the analysis used more than {limits.cpu_seconds} seconds of "
            "CPU and was stopped"
        )
    how = f"killed by signal {-returncode}" if returncode < 0 else f"ended with code {returncode}"
    return (
        f"analysis_crashed: the analysis process {how} without a result (memory limit "
        f"{limits.memory_bytes // _MIB} MiB){detail}"
    )


def _analyse_job(
    apk: bytes, declaration: dict[str, Any] | None, clauses: dict[str, Any], limits: JobLimits
) -> dict[str, Any]:
    """In the child, within its limits: analyse, check, the answer as JSON-ready data."""
    from certgov.appscan.analyse import analyse
    from certgov.appscan.clauses import clause_table_from
    from certgov.appscan.declaration import declaration_from_dict
    from certgov.appscan.findings import check_declaration

    try:
        table = clause_table_from(clauses)
        declared = declaration_from_dict(declaration or {})
        report = analyse(apk, limits=limits.archive)
        findings = check_declaration(report, declared, table)
        return {
            "status": "done",
            "report": report.as_dict(),
            "findings": [finding.as_dict() for finding in findings],
        }
    except ApkError as error:
        return {"status": "failed", "reason": f"{error.code}: {error.message}"}
    except MemoryError:
        return {
            "status": "failed",
            "reason": f"analysis_memory_limit: the analysis needed more than "
            f"{limits.memory_bytes // _MIB} MiB and was stopped",
        }
    except Exception as error:  # anything a hostile file makes a reader raise
        return {
            "status": "failed",
            "reason": f"analysis_error: {type(error).__name__}: {str(error)[:300]}",
        }


def main() -> None:  # pragma: no cover - runs in the child process
    header = json.loads(sys.stdin.buffer.readline())
    apk = sys.stdin.buffer.read()
    limits = JobLimits(
        memory_bytes=header["memory_bytes"],
        cpu_seconds=header["cpu_seconds"],
        archive=Limits(**header["archive"]),
    )
    declaration, clauses = header["declaration"], header["clauses"]
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    answer = _analyse_job(apk, declaration, clauses, limits)
    try:
        text = json.dumps(answer)
    except (TypeError, ValueError, MemoryError) as error:
        text = json.dumps({"status": "failed", "reason": f"analysis_error: {error!r}"})
    sys.stdout.write(text)
    sys.stdout.flush()


if __name__ == "__main__":  # pragma: no cover
    main()
