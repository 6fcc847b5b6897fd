"""The worker's notification job: the sweep in its own unit of work, then the e-mail."""

from __future__ import annotations

import logging

from certgov.context import Context
from certgov.notifications import services
from certgov.store.engine import unit_of_work

log = logging.getLogger("certgov.notifications")


def run(ctx: Context) -> services.SweepReport:
    with unit_of_work(ctx.sessions) as session:
        report = services.sweep(session, ctx)
    sent = services.send_pending(ctx)
    report.sent, report.failed = sent.sent, sent.failed
    if report.created or report.sent or report.failed:
        log.info("notifications: %s", report.as_dict())
    return report
