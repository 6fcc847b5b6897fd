"""Background jobs: the deadline sweep, the licensing monitors and log sequencing.

``certgov worker`` runs it in its own process (any number of them: on PostgreSQL the sweep
claims rows with SKIP LOCKED); ``certgov serve`` runs it in a thread beside the web server.
"""

from __future__ import annotations

import logging
import threading

from certgov.actors import SYSTEM_ACTOR
from certgov.appcert import effects as appcert
from certgov.cases.sweep import SweepReport, sweep
from certgov.conduct import services as conduct
from certgov.conduct import statistics as operating
from certgov.context import Context
from certgov.filings import monitor, revocation
from certgov.licensing import services as licensing
from certgov.logs.sequencer import sequence_pending
from certgov.store.engine import unit_of_work

log = logging.getLogger("certgov.worker")


def run_once(ctx: Context) -> SweepReport:
    with unit_of_work(ctx.sessions) as session:
        report = sweep(session, ctx)
    # Monitors of the licensing domain (ECS-2.3, ECS-2.4, ECS-3.3), each its own transaction.
    with unit_of_work(ctx.sessions) as session:
        licences = licensing.sweep_licences(session, ctx)
        if licences.expired or licences.renewals_opened:
            log.info("licences: %s", licences.as_dict())
    with unit_of_work(ctx.sessions) as session:
        licensing.sweep_registration_changes(session, ctx)
    with unit_of_work(ctx.sessions) as session:
        conduct.sweep_outlets(session, ctx)
    # Recognitions of foreign CAs past their validity expire (ECS-8.2).
    with unit_of_work(ctx.sessions) as session:
        from certgov.recognition.services import sweep_recognitions

        if expired := sweep_recognitions(session, ctx, SYSTEM_ACTOR):
            log.info("recognitions expired: %s", expired)
    # App certification (APP-3, APP-4, APP-5): overdue deficiencies suspend the process,
    # certifications past their validity expire.
    with unit_of_work(ctx.sessions) as session:
        apps = appcert.sweep(session, ctx)
        if apps.suspended_cases or apps.expired_certifications or apps.failures:
            log.info("app certification: %s", apps.as_dict())
    # App samples (APP-11): each analysis in a memory- and time-bounded child process, outside
    # any transaction; one at a time per worker process.
    from certgov.appcert.analysis_job import sweep_analyses

    if (analyses := sweep_analyses(ctx)).done or analyses.failed:
        log.info("app sample analyses: %s", analyses.as_dict())
    with unit_of_work(ctx.sessions) as session:
        monitor.sweep_expiring(session, ctx)
    with unit_of_work(ctx.sessions) as session:
        operating.sweep_statistics(session, ctx)
    # Standards lints (pkilint) of filed CA certificates (ECS-3.4): batches, each its own
    # transaction.
    from certgov.filings.lints import sweep_lints

    lints = sweep_lints(ctx)
    if lints.findings or lints.not_linted or lints.closed:
        log.info("certificate lints: %s", lints.as_dict())
    # CRLs and OCSP responders of the CAs (ECS-3.5): fetched outside any transaction, each
    # result recorded in its own.
    checked = revocation.sweep_revocation(ctx)
    if checked.problems:
        log.info("revocation: %s", checked.as_dict())
    # Notifications for the parties (SYS-7): what happened since the last run, then e-mail.
    from certgov.notifications import jobs as notifications

    notifications.run(ctx)
    # Anything queued for a log and not yet sequenced (a process stopped between its commit
    # and its sequencing, or the sweep just queued audit records) is sequenced now.
    sequence_pending(ctx.sessions, ctx.logs, ctx.clock)
    return report


def run_forever(ctx: Context, interval: float, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            report = run_once(ctx)
            if report.expired:
                log.info("sweep: %s", report.as_dict())
        except Exception:  # a failed sweep must not stop the worker; the next one retries
            log.exception("deadline sweep failed")
        stop.wait(interval)


class BackgroundWorker:
    def __init__(self, ctx: Context, interval: float) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=run_forever, args=(ctx, interval, self._stop), name="certgov-worker", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
