"""The case engine through HTTP against a real database (SYS-1, ECS-2.2, APP-6, SYS-2)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from certgov.clock import FixedClock
from certgov.store.engine import unit_of_work
from certgov.worker import run_once
from support.licensing import open_licence_case, submit_application, to_decision


def _act(
    client: TestClient, world: Any, who: str, case: dict[str, Any], name: str, **extra: Any
) -> Any:
    body = {"transition": name, "expected_version": case["version"], **extra}
    return client.post(
        f"/api/v1/cases/{case['id']}/transitions", json=body, headers=world.headers(who)
    )


def test_licence_decision_clock_stops_while_documents_are_requested(
    client, world, clock: FixedClock
) -> None:
    """ECS-2.2 / SYS-1: the 45-day decision clock starts at acceptance, stops while documents are
    requested, restarts with the days it had left, and can be extended with a recorded reason."""
    case = open_licence_case(client, world)
    assert case["state"] == "submitted"
    assert case["rule_set_ids"] == ["measures-2015"]
    assert case["deadlines"] == []

    accepted = _act(client, world, "national_regulator", case, "accept").json()
    (decision,) = accepted["deadlines"]
    assert decision["status"] == "running"
    assert decision["period"] == "45 calendar days"
    # Accepted on Thursday 2025-09-25: day 45 is Sunday 2025-11-09, so it ends Monday 11-10.
    assert decision["due_on"] == "2025-11-10"

    clock.advance(dt.timedelta(days=10))  # 2025-10-05: ten days used, 35 left
    stopped = _act(
        client,
        world,
        "national_regulator",
        accepted,
        "request_documents",
        reason="premises security assessment missing",
    ).json()
    assert stopped["state"] == "awaiting_documents"
    (decision,) = stopped["deadlines"]
    assert decision["status"] == "paused"
    assert decision["remaining_while_stopped"] == 35
    assert decision["due_on"] is None

    clock.advance(dt.timedelta(days=30))  # stopped for 30 days: they do not count
    supplied = _act(client, world, "ca_operator", stopped, "supply_documents").json()
    (decision,) = supplied["deadlines"]
    assert decision["status"] == "running"
    assert decision["due_on"] == "2025-12-09"  # 2025-11-04 + 35 days, a Tuesday

    extended = client.post(
        f"/api/v1/cases/{case['id']}/deadlines/decision/extensions",
        json={
            "amount": 10,
            "reason": "expert panel rescheduled",
            "expected_version": supplied["version"],
        },
        headers=world.headers("national_regulator"),
    )
    assert extended.status_code == 200, extended.text
    assert extended.json()["due_on"] == "2025-12-19"
    assert extended.json()["extension"] == 10

    history = client.get(
        f"/api/v1/cases/{case['id']}/history", headers=world.headers("national_regulator")
    ).json()
    kinds = [e["kind"] for e in history]
    assert kinds == [
        "opened",
        "transition",
        "deadline_started",
        "transition",
        "deadline_stopped",
        "transition",
        "deadline_restarted",
        "deadline_extended",
    ]
    extension = history[-1]
    assert extension["reason"] == "expert panel rescheduled"
    assert extension["actor"]["name"] == "national_regulator"
    assert extension["details"]["due_before"] == "2025-12-09"
    assert history[3]["reason"] == "premises security assessment missing"


def test_extension_needs_the_right_role_and_a_reason(client, world) -> None:
    """SYS-1: deadlines are extendable only by the roles the process names, with a reason."""
    case = open_licence_case(client, world)
    accepted = _act(client, world, "national_regulator", case, "accept").json()
    url = f"/api/v1/cases/{case['id']}/deadlines/decision/extensions"
    body = {"amount": 5, "reason": "x", "expected_version": accepted["version"]}
    assert client.post(url, json=body, headers=world.headers("ca_operator")).status_code == 403
    blank = client.post(
        url, json={**body, "reason": "  "}, headers=world.headers("national_regulator")
    )
    assert blank.status_code == 422
    unknown = client.post(
        f"/api/v1/cases/{case['id']}/deadlines/nope/extensions",
        json=body,
        headers=world.headers("national_regulator"),
    )
    assert unknown.status_code == 404


def test_concurrent_decisions_one_wins_the_other_gets_a_conflict(client, world) -> None:
    """SYS-1 / DESIGN optimistic concurrency: two officials decide one case at once."""
    submitted = submit_application(client, world)
    case = submitted["case"]
    accepted = to_decision(client, world, case["id"])

    def decide(name: str) -> Any:
        extra = {"reason": "capital not proven"} if name == "refuse" else {}
        return _act(client, world, "national_regulator", accepted, name, **extra)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(decide, ["approve", "refuse"]))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 409).json()
    assert loser["error"] == "conflict"
    assert "reload" in loser["hint"]
    final = client.get(
        f"/api/v1/cases/{case['id']}", headers=world.headers("national_regulator")
    ).json()
    assert final["state"] in ("approved", "refused")
    assert final["closed"] is True
    history = client.get(
        f"/api/v1/cases/{case['id']}/history", headers=world.headers("national_regulator")
    ).json()
    decisions = [e for e in history if e["transition"] in ("approve", "refuse")]
    assert len(decisions) == 1


def test_stale_version_is_a_conflict_that_names_the_current_state(client, world) -> None:
    """SYS-1: acting on an old version is refused, and nothing is written."""
    case = open_licence_case(client, world)
    _act(client, world, "national_regulator", case, "accept")
    stale = _act(client, world, "national_regulator", case, "not_accept", reason="late")
    assert stale.status_code == 409
    assert stale.json()["details"]["current_state"] == "document_review"
    history = client.get(
        f"/api/v1/cases/{case['id']}/history", headers=world.headers("national_regulator")
    ).json()
    assert [e["transition"] for e in history if e["kind"] == "transition"] == ["accept"]


def test_transitions_check_roles_state_and_reason(client, world) -> None:
    """SYS-1 / SYS-6: allowed transitions per role; reasons where the process requires them."""
    case = open_licence_case(client, world)
    assert _act(client, world, "ca_operator", case, "accept").status_code == 403
    assert _act(client, world, "national_regulator", case, "approve").status_code == 409
    no_reason = _act(client, world, "national_regulator", case, "not_accept")
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["message"]
    assert _act(client, world, "national_regulator", case, "fly").status_code == 422
    refused = _act(client, world, "national_regulator", case, "not_accept", reason="incomplete")
    assert refused.status_code == 200
    assert refused.json()["data"]["decision"]["outcome"] == "not_accept"


def test_sweep_turns_a_passed_deadline_into_one_finding(
    client, world, ctx, clock: FixedClock
) -> None:
    """SYS-1 / ECS-4.2: the worker's sweep finds passed deadlines; each becomes one finding."""
    case = open_licence_case(client, world)
    _act(client, world, "national_regulator", case, "accept")
    assert run_once(ctx).expired == 0
    clock.advance(dt.timedelta(days=46))  # 2025-11-10 is the last day; now 2025-11-10 10:00 CST
    assert run_once(ctx).expired == 0
    clock.advance(dt.timedelta(days=1))
    report = run_once(ctx)
    assert report.expired == 1
    assert report.findings_opened == 1
    assert run_once(ctx).expired == 0  # handled once
    from certgov.cases import services as cases_services

    with unit_of_work(ctx.sessions) as session:
        case_row = cases_services.get_case(
            session, ctx, world.actors["national_regulator"], case["id"]
        )
        (finding,) = cases_services.findings_of(session, case_row)
        assert finding.code == "licence-decision-overdue"
        assert finding.requirement == "ECS-2.2"
        assert finding.jurisdiction == "310000"
        assert "2025-11-10" in finding.message
        # Title and explanation kept as texts: a page says them in Chinese, the day as a day.
        from certgov.i18n.texts import say
        from certgov.text import Text

        title, message = Text.of_record(finding.title_text), Text.of_record(finding.message_text)
        assert title is not None and message is not None
        assert str(title) == finding.title and str(message) == finding.message
        assert "2025年11月10日" in say(message, "zh") and "deadline" not in say(message, "zh")
    history = client.get(
        f"/api/v1/cases/{case['id']}/history", headers=world.headers("national_regulator")
    ).json()
    assert history[-1]["kind"] == "deadline_expired"
    assert history[-1]["actor"]["role"] == "system"


def test_complaint_deadlines_count_business_days_across_national_day(
    client, world, clock: FixedClock
) -> None:
    """APP-6: a complaint filed within 10 business days; acceptance within 5 business days,
    counted on the official calendar (National Day 2025 and its make-up Saturday)."""
    clock.set(dt.datetime(2025, 9, 30, 2, 0, tzinfo=dt.UTC))
    opened = client.post(
        "/api/v1/cases",
        json={
            "process_id": "app-decision-complaint",
            "title": "Complaint against refusal of certification",
            "data": {"received_on": "2025-09-26"},
        },
        headers=world.headers("app_operator"),
    )
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["rule_set_ids"] == ["ccrc-app-2019"]
    (acceptance,) = case["deadlines"]
    assert acceptance["period"] == "5 business days"
    # 2025-09-30 + 5 business days: 10-09, 10-10, 10-11 (make-up Saturday), 10-13, 10-14.
    assert acceptance["due_on"] == "2025-10-14"


def test_complaint_filed_too_late_is_refused_with_the_reason(
    client, world, clock: FixedClock
) -> None:
    """APP-6: the complaint window is 10 business days after the decision is received."""
    clock.set(dt.datetime(2025, 10, 17, 2, 0, tzinfo=dt.UTC))
    late = client.post(
        "/api/v1/cases",
        json={
            "process_id": "app-decision-complaint",
            "title": "Late complaint",
            "data": {"received_on": "2025-09-26"},
        },
        headers=world.headers("app_operator"),
    )
    assert late.status_code == 422
    body = late.json()
    assert body["error"] == "guard_failed"
    # 10 business days after Friday 2025-09-26: 09-28 (Sunday, make-up), 09-29, 09-30,
    # 10-09, 10-10, 10-11 (Saturday, make-up), 10-13, 10-14, 10-15, 10-16.
    assert "2025-10-16" in body["message"]
    listed = client.get("/api/v1/cases", headers=world.headers("app_operator")).json()
    assert listed == []


def test_rule_set_is_chosen_by_relevant_date_and_recorded(client, world) -> None:
    """SYS-2: a case is judged under the rule set in force on its relevant date, and an
    activation later never rewrites the rule sets a case recorded."""
    before = open_licence_case(client, world, relevant_date="2025-06-01")
    assert before["rule_set_ids"] == ["measures-2015"]
    activated = client.post(
        "/api/v1/rule-sets/measures-2024-draft/activations",
        json={"effective_from": "2026-01-01", "reason": "test promulgation"},
        headers=world.headers("national_regulator"),
    )
    assert activated.status_code == 201, activated.text
    after = open_licence_case(client, world, relevant_date="2026-03-01")
    assert after["rule_set_ids"] == ["measures-2024-draft"]
    still = client.get(
        f"/api/v1/cases/{before['id']}", headers=world.headers("national_regulator")
    ).json()
    assert still["rule_set_ids"] == ["measures-2015"]
    in_force = client.get(
        "/api/v1/rule-sets/in-force", params={"regime": "ecs", "on": "2025-12-31"}
    ).json()
    assert in_force["id"] == "measures-2015"
    in_force = client.get(
        "/api/v1/rule-sets/in-force", params={"regime": "ecs", "on": "2026-01-01"}
    ).json()
    assert in_force["id"] == "measures-2024-draft"
    assert in_force["parameters"]["registered_capital_min"]["value"] == 70_000_000


def test_only_the_national_regulator_activates_rule_sets(client, world) -> None:
    """SYS-2 / SYS-6."""
    body = {"effective_from": "2026-01-01"}
    for who in ("provincial_regulator", "certification_body", "ca_operator"):
        r = client.post(
            "/api/v1/rule-sets/measures-2024-draft/activations",
            json=body,
            headers=world.headers(who),
        )
        assert r.status_code == 403, who
    assert (
        client.post("/api/v1/rule-sets/measures-2024-draft/activations", json=body).status_code
        == 401
    )
    unknown = client.post(
        "/api/v1/rule-sets/nope/activations", json=body, headers=world.headers("national_regulator")
    )
    assert unknown.status_code == 404
