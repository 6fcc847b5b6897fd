"""A deadline whose expiry triggers an automatic transition (SYS-1; the shape of APP-3: an
unremedied deficiency past its deadline suspends the certification process)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from certgov.bootstrap import build_context
from certgov.cases import services as cases
from certgov.clock import FixedClock
from certgov.errors import InvalidInput
from certgov.settings import Settings
from certgov.store.engine import unit_of_work
from certgov.worker import run_once

PROCESS = """
id = "test-remediation"
title = "Deficiency remediation (test)"
regime = "app"
requirements = ["APP-3", "SYS-1"]
initial = "remediating"
openers = ["certification_body"]

[states.remediating]
title = "Remediating"
[states.remedied]
title = "Remedied"
final = true
[states.suspended]
title = "Certification process suspended"

[[transitions]]
name = "remedy"
from = ["remediating"]
to = "remedied"
roles = ["certification_body"]

[[transitions]]
name = "suspend"
from = ["remediating"]
to = "suspended"
roles = ["system"]

[[transitions]]
name = "resume"
from = ["suspended"]
to = "remediating"
roles = ["certification_body"]
reason_required = true

[[deadlines]]
name = "remediation"
period = "deficiency_remediation_period"
starts_in = ["remediating"]
ends_in = ["remedied"]
paused_in = ["suspended"]
on_expiry = { transition = "suspend", finding = "deficiency-unremedied", severity = "high" }
"""


@pytest.fixture
def remediation_ctx(database_url: str, tmp_path: Path, clock: FixedClock):
    processes = tmp_path / "processes"
    processes.mkdir()
    (processes / "test-remediation.toml").write_text(PROCESS, encoding="utf-8")
    context = build_context(
        Settings(data_dir=tmp_path / "data", database_url=database_url),
        clock=clock,
        process_dir=processes,
    )
    yield context
    context.sessions.kw["bind"].dispose()


def test_passed_deadline_takes_the_automatic_transition(
    remediation_ctx, world, clock: FixedClock
) -> None:
    """SYS-1: on expiry the system takes the process's transition and records a finding."""
    ctx = remediation_ctx
    body = world.actors["certification_body"]
    with unit_of_work(ctx.sessions) as session:
        case = cases.open_case(
            session, ctx, body, cases.OpenCase("test-remediation", "App X deficiency")
        )
        case_id = case.id
        (deadline,) = cases.deadlines(session, case)
        assert deadline.period == "90 calendar days"
    clock.advance(dt.timedelta(days=120))
    report = run_once(ctx)
    assert (report.expired, report.transitions, report.findings_opened) == (1, 1, 1)
    assert report.transition_failures == []
    with unit_of_work(ctx.sessions) as session:
        case = cases.get_case(session, ctx, body, case_id)
        assert case.state == "suspended"
        events = cases.history(session, case)
        assert [e.kind for e in events][-2:] == ["deadline_expired", "transition"]
        assert events[-1].actor_role == "system"
        assert events[-1].reason == "the remediation deadline passed"
        with pytest.raises(InvalidInput, match="needs a reason"):
            cases.transition(session, ctx, body, case_id, "resume", expected_version=case.version)
