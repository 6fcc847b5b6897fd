"""SYS-8 dates of record: facts that happened before they reached the system are recorded by an
official with their real-world date, within bounds; deadlines and status questions count from
the stated date; the record keeps who stated it and when it was entered."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from certgov.bootstrap import build_context
from certgov.cases.sweep import sweep
from certgov.clock import CHINA_TZ, FixedClock
from certgov.settings import Settings
from certgov.store.engine import unit_of_work
from support.appcert import CB, certify
from support.licensing import grant_licence


def _beijing(day: str, hour: int = 12) -> str:
    return dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time(hour), tzinfo=CHINA_TZ
    ).isoformat()


def test_a_licence_suspended_on_paper_is_suspended_from_its_stated_day(
    world, client: TestClient, clock: FixedClock
) -> None:
    """A suspension decided on paper on 2025-09-22 and entered on 2025-09-29: the licence's
    status at any time in between is "suspended"; before it, "valid"; the history keeps the
    stated day, who stated it and when it was entered."""
    licence = grant_licence(client, world)
    clock.advance(dt.timedelta(days=4))
    regulator = world.headers("national_regulator")
    url = f"/api/v1/licences/{licence['number']}"
    response = client.post(
        f"{url}/status",
        json={
            "action": "suspend",
            "reason": "decision No. 12 of 2025-09-26, served on paper",
            "expected_version": licence["version"],
            "effective_on": "2025-09-26",
        },
        headers=regulator,
    )
    assert response.status_code == 200, response.text
    suspended = response.json()
    event = suspended["history"][-1]
    stated = dt.datetime.fromisoformat(event["effective_at"]).astimezone(CHINA_TZ)
    assert stated.date() == dt.date(2025, 9, 26)
    assert event["stated_by"] == "national_regulator"
    assert event["at"] != event["effective_at"]
    between = client.get(url, params={"at": _beijing("2025-09-27")}).json()["status_at"]
    assert between["status"] == "suspended"
    before = client.get(url, params={"at": _beijing("2025-09-25", 20)}).json()["status_at"]
    assert before["status"] == "valid"


def test_a_stated_date_is_bounded_and_for_officials_only(world, client, clock) -> None:
    licence = grant_licence(client, world)
    url = f"/api/v1/licences/{licence['number']}/status"
    body = {"action": "suspend", "reason": "r", "expected_version": licence["version"]}
    future = client.post(
        url,
        json={**body, "effective_on": "2031-01-01"},
        headers=world.headers("national_regulator"),
    )
    assert future.status_code == 422
    assert "future" in future.json()["message"]
    before_issue = client.post(
        url,
        json={**body, "effective_on": "2025-01-01"},
        headers=world.headers("national_regulator"),
    )
    assert before_issue.status_code == 422
    assert "before" in before_issue.json()["message"]


def test_a_transition_stated_in_the_past_counts_its_deadlines_from_then(world, client) -> None:
    """A report that arrived by post: the official acts on the case with ``stated_on``; the
    deadline the transition starts runs from that day. A CA cannot state dates."""
    from support.licensing import submit_application

    submitted = submit_application(client, world)
    case = submitted["case"]
    regulator = world.headers("national_regulator")
    by_ca = client.post(
        f"/api/v1/cases/{case['id']}/transitions",
        json={
            "transition": "withdraw",
            "expected_version": case["version"],
            "stated_on": "2025-09-24",
        },
        headers=world.headers("ca_operator"),
    )
    assert by_ca.status_code == 403
    assert by_ca.json()["message"].startswith("stated_on")
    accepted = client.post(
        f"/api/v1/cases/{case['id']}/transitions",
        json={
            "transition": "accept",
            "expected_version": case["version"],
            "stated_on": "2025-09-25",
        },
        headers=regulator,
    )
    assert accepted.status_code == 200, accepted.text
    detail = accepted.json()
    started = [d for d in detail["deadlines"] if d["status"] == "running"]
    assert started, detail["deadlines"]
    for deadline in started:
        began = dt.datetime.fromisoformat(deadline["started_at"]).astimezone(CHINA_TZ)
        assert began == dt.datetime(2025, 9, 25, tzinfo=CHINA_TZ)
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=regulator).json()
    transition = [e for e in history if e["kind"] == "transition"][-1]
    assert transition["details"]["date_of_record"]["stated_on"] == "2025-09-25"
    assert transition["stated_by"] == "national_regulator"


def test_an_app_suspension_stated_in_the_past_runs_its_180_days_from_then(
    ctx, world, client: TestClient, clock: FixedClock
) -> None:
    """The certification body suspends a certification on paper on 2025-09-25 and enters it on
    2025-10-10: public verification at any later date says "may not be used", and the worker's
    sweep revokes it 180 days after the stated day, not after the day it was entered."""
    cert = certify(client, world)
    number = cert["number"]
    clock.set(dt.datetime(2025, 10, 10, 2, 0, tzinfo=dt.UTC))
    response = client.post(
        f"/api/v1/app-certifications/{number}/status",
        json={"action": "suspend", "reason": "inspection finding", "effective_on": "2025-09-26"},
        headers=world.headers(CB),
    )
    assert response.status_code == 200, response.text
    verified = client.get(f"/api/v1/app-certifications/{number}").json()
    assert verified["status"] == "suspended"
    assert "may not be used" in verified["statement"]
    # 180 calendar days from 2025-09-26: the sweep of 2026-03-26 does not revoke yet...
    clock.set(dt.datetime(2026, 3, 24, 2, 0, tzinfo=dt.UTC))
    with unit_of_work(ctx.sessions) as session:
        sweep(session, ctx)
    assert client.get(f"/api/v1/app-certifications/{number}").json()["status"] == "suspended"
    # ...and the sweep after the period ends does (counted from the stated day: entered on
    # 2025-10-10, it would have run until April).
    clock.set(dt.datetime(2026, 3, 27, 2, 0, tzinfo=dt.UTC))
    with unit_of_work(ctx.sessions) as session:
        sweep(session, ctx)
    assert client.get(f"/api/v1/app-certifications/{number}").json()["status"] == "revoked"


def test_certgov_now_fixes_the_clock_and_the_console_says_so(tmp_path) -> None:
    """CERTGOV_NOW: a training or demonstration deployment runs at a fixed time, and every
    page shows a banner saying so."""
    from certgov.asgi import create_app
    from certgov.store import migrate

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    migrate.upgrade(url)
    fixed = dt.datetime(2026, 3, 1, 9, 0, tzinfo=CHINA_TZ)
    ctx = build_context(Settings(data_dir=tmp_path, database_url=url, now=fixed))
    assert ctx.clock.now() == fixed
    with TestClient(create_app(ctx)) as client:
        page = client.get("/")
        assert "演示与培训环境" in page.text
        assert "2026-03-01 09:00 (UTC+8)" in page.text


def test_a_complaint_is_judged_from_the_receipt_date_the_certification_body_states(
    world, client: TestClient, clock: FixedClock
) -> None:
    """The certification body enters on 2025-10-10 that the applicant received the denial on
    2025-09-25 (from the postal delivery record). APP-6's ten business days count from that
    day across National Day and its make-up working days (2025-09-28, 2025-10-11): filed on
    2025-10-15 the complaint is accepted; the history says who stated the date and when."""
    from support.appcert import OPERATOR, deny

    denied = deny(client, world)
    clock.set(dt.datetime(2025, 10, 10, 2, 0, tzinfo=dt.UTC))
    recorded = client.post(
        f"/api/v1/app-applications/{denied['id']}/decision-receipt",
        json={"received_on": "2025-09-25"},
        headers=world.headers(CB),
    )
    assert recorded.status_code == 200, recorded.text
    history = client.get(f"/api/v1/cases/{denied['id']}/history", headers=world.headers(CB)).json()
    receipt = [e for e in history if e["kind"] == "decision_received"][-1]
    assert receipt["actor"]["role"] == "certification_body"
    assert receipt["details"]["received_on"] == "2025-09-25"
    assert receipt["at"].startswith("2025-10-10")
    clock.set(dt.datetime(2025, 10, 15, 2, 0, tzinfo=dt.UTC))
    filed = client.post(
        "/api/v1/app-complaints",
        json={"application_case_id": denied["id"], "grounds": "the permission is optional"},
        headers=world.headers(OPERATOR),
    )
    assert filed.status_code == 201, filed.text


def test_the_sweep_keeps_each_case_s_nearest_due_day_for_the_work_queue(
    ctx, world, client: TestClient, clock: FixedClock
) -> None:
    """The work queue sorts on ``cases.next_due_on``: after the sweep expires deadlines in bulk
    it is again the earliest running deadline's day (or none)."""
    from sqlalchemy import select

    from certgov.cases.models import Case, CaseDeadline
    from support.licensing import submit_application

    submitted = submit_application(client, world)["case"]
    case_id = submitted["id"]
    accepted = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"transition": "accept", "expected_version": submitted["version"]},
        headers=world.headers("national_regulator"),
    )
    assert accepted.status_code == 200, accepted.text
    with unit_of_work(ctx.sessions, readonly=True) as session:
        before = session.get(Case, case_id)
        assert before is not None and before.next_due_on is not None
    clock.advance(dt.timedelta(days=400))
    with unit_of_work(ctx.sessions) as session:
        report = sweep(session, ctx)
    assert report.expired >= 1
    with unit_of_work(ctx.sessions, readonly=True) as session:
        case = session.get(Case, case_id)
        assert case is not None
        running = [
            d.due_on
            for d in session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case_id))
            if d.status == "running" and d.due_on is not None
        ]
        assert case.next_due_on == (min(running) if running else None)
