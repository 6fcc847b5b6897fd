"""ECS-2.2–2.4 through the API against a real database: review of an application with its
45-day clock, the licence issued on approval with its status history, renewal, the ban on
transfer, modification cases, business-registration change filings; provincial scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from certgov.store.engine import unit_of_work
from certgov.worker import run_once
from support.licensing import act, grant_licence, submit_application, to_decision

NATIONAL = "national_regulator"


def _case(client: TestClient, world: Any, case_id: int, who: str = NATIONAL) -> dict[str, Any]:
    response = client.get(f"/api/v1/cases/{case_id}", headers=world.headers(who))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _deadline(case: dict[str, Any], name: str = "decision") -> dict[str, Any]:
    return next(d for d in case["deadlines"] if d["name"] == name)


def test_ecs_2_2_the_45_day_clock_starts_at_acceptance_and_stops_for_documents(
    client: TestClient, world: Any
) -> None:
    """ECS-2.2: no clock before acceptance; 45 calendar days from acceptance (ESL Art. 18);
    a document request stops it, supplying the documents restarts it with the days left."""
    clock = world.ctx.clock
    case = submit_application(client, world)["case"]
    assert _case(client, world, case["id"])["deadlines"] == []
    accepted = act(client, world, NATIONAL, _case(client, world, case["id"]), "accept")
    decision = _deadline(accepted)
    assert decision["period"] == "45 calendar days" and decision["rule_set"] == "measures-2015"
    assert decision["due_on"] == "2025-11-10"  # 25 Sep + 45 days = 9 Nov, a Sunday → Monday
    clock.advance(dt.timedelta(days=10))
    paused = act(client, world, NATIONAL, accepted, "request_documents", reason="premises plan")
    assert _deadline(paused)["status"] == "paused"
    remaining = _deadline(paused)["remaining_while_stopped"]
    assert remaining == 35
    clock.advance(dt.timedelta(days=20))
    resumed = act(client, world, "ca_operator", paused, "supply_documents")
    assert _deadline(resumed)["status"] == "running"
    # 35 days left from 25 Oct: 29 Nov (a Saturday) → Monday 1 Dec, 20 days later than first due.
    assert _deadline(resumed)["due_on"] == "2025-12-01"
    history = client.get(
        f"/api/v1/cases/{case['id']}/history", headers=world.headers(NATIONAL)
    ).json()
    kinds = [e["kind"] for e in history]
    assert kinds.count("deadline_stopped") == 1 and kinds.count("deadline_restarted") == 1


def test_ecs_2_2_reviewers_judge_items_and_approval_waits_for_every_item(
    client: TestClient, world: Any
) -> None:
    """ECS-2.2: items needing review are judged by reviewers with a note; a grant is refused
    while any item is open or not met, with the items named; a rule's 'not met' cannot be
    judged met."""
    submitted = submit_application(client, world)
    case_id = submitted["case"]["id"]
    view = client.get(
        f"/api/v1/ecs/applications/{case_id}", headers=world.headers("ca_operator")
    ).json()
    open_items = view["evaluation"]["final"]["open_items"]
    assert open_items and view["evaluation"]["final"]["grantable"] is False
    # Reviewing before acceptance is refused: review happens in the review stages.
    early = client.post(
        f"/api/v1/ecs/applications/{case_id}/reviews",
        json={"item": open_items[0], "status": "met", "note": "x", "expected_version": 1},
        headers=world.headers(NATIONAL),
    )
    assert early.status_code == 409 and "during review" in early.json()["message"]
    accepted = act(client, world, NATIONAL, _case(client, world, case_id), "accept")
    expert = act(client, world, NATIONAL, accepted, "to_expert_evaluation")
    onsite = act(client, world, NATIONAL, expert, "to_onsite_evaluation")
    refused = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"transition": "approve", "expected_version": onsite["version"]},
        headers=world.headers(NATIONAL),
    )
    assert refused.status_code == 422
    assert "items still to be judged by a reviewer" in refused.json()["message"]
    assert open_items[0] in refused.json()["message"]
    # A provincial regulator of the CA's province judges an item; the CA may not.
    item = open_items[0]
    body = {"item": item, "status": "met", "note": "inspected", "expected_version": 0}
    by_ca = client.post(
        f"/api/v1/ecs/applications/{case_id}/reviews",
        json=body,
        headers=world.headers("ca_operator"),
    )
    assert by_ca.status_code == 403
    stale = client.post(
        f"/api/v1/ecs/applications/{case_id}/reviews",
        json=body,
        headers=world.headers("provincial_regulator"),
    )
    assert stale.status_code == 409
    body["expected_version"] = onsite["version"]
    judged = client.post(
        f"/api/v1/ecs/applications/{case_id}/reviews",
        json=body,
        headers=world.headers("provincial_regulator"),
    )
    assert judged.status_code == 200, judged.text
    row = next(i for i in judged.json()["evaluation"]["items"] if i["item"] == item)
    assert row["status"] == "needs_review" and row["final_status"] == "met"
    assert row["review"]["note"] == "inspected" and row["review"]["stage"] == "onsite_evaluation"
    # A met item found false on site becomes not met and blocks the grant.
    capital = client.post(
        f"/api/v1/ecs/applications/{case_id}/reviews",
        json={
            "item": "registered_capital",
            "status": "not_met",
            "note": "capital not paid in",
            "expected_version": judged.json()["case"]["version"],
        },
        headers=world.headers(NATIONAL),
    )
    assert capital.status_code == 200
    assert "registered_capital" in capital.json()["evaluation"]["final"]["unmet_items"]
    history = client.get(f"/api/v1/cases/{case_id}/history", headers=world.headers(NATIONAL))
    reviewed = [e for e in history.json() if e["kind"] == "item_reviewed"]
    assert [e["details"]["item"] for e in reviewed] == [item, "registered_capital"]


def test_ecs_2_2_a_rule_not_met_cannot_be_judged_met(client: TestClient, world: Any) -> None:
    """ECS-2.2 / ECS-2.1: the numbers decide capital and staff; no reviewer overrides them."""
    activated = client.post(
        "/api/v1/rule-sets/measures-2024-draft/activations",
        json={"effective_from": "2025-09-01", "reason": "promulgated"},
        headers=world.headers(NATIONAL),
    )
    assert activated.status_code == 201
    submitted = submit_application(client, world)
    assert submitted["evaluation"]["rule_set"] == "measures-2024-draft"
    case_id = submitted["case"]["id"]
    accepted = act(client, world, NATIONAL, _case(client, world, case_id), "accept")
    response = client.post(
        f"/api/v1/ecs/applications/{case_id}/reviews",
        json={
            "item": "registered_capital",
            "status": "met",
            "note": "close enough",
            "expected_version": accepted["version"],
        },
        headers=world.headers(NATIONAL),
    )
    assert response.status_code == 422
    assert "cannot judge it met" in response.json()["message"]
    assert "RMB 70,000,000" in response.json()["message"]


def test_ecs_2_3_approval_issues_a_licence_with_number_holder_scope_and_validity(
    client: TestClient, world: Any
) -> None:
    """ECS-2.3: approving the application issues the licence: its number, holder, scope and
    a validity of licence_validity (5 years, measures-2015) from the decision; history; public."""
    licence = grant_licence(client, world)
    assert licence["number"] == "ECP3100002025001"
    assert licence["holder"]["party_id"] == world.parties["ca_shanghai"]
    assert licence["status"] == "valid"
    assert licence["scope"] == [
        "electronic certification services: issuing electronic-signature certificates"
    ]
    assert (licence["valid_from"], licence["valid_until"]) == ("2025-09-25", "2030-09-24")
    assert licence["rule_set"] == "measures-2015"
    assert [e["kind"] for e in licence["history"]] == ["issued"]
    assert licence["history"][0]["details"]["validity"] == "5 years"
    listed = client.get("/api/v1/licences", params={"status": "valid"}).json()
    assert [entry["number"] for entry in listed] == [licence["number"]]
    # The application's case names its licence; a second application is refused while it lives.
    view = client.get(
        f"/api/v1/ecs/applications/{licence['application_case_id']}",
        headers=world.headers("ca_operator"),
    ).json()
    assert view["licence"] == licence["number"] and view["case"]["state"] == "approved"
    again = client.post(
        "/api/v1/ecs/applications",
        json=view["application"],
        headers=world.headers("ca_operator"),
    )
    assert again.status_code == 409 and licence["number"] in again.json()["message"]


def test_ecs_2_3_status_history_suspend_reinstate_revoke(client: TestClient, world: Any) -> None:
    """ECS-2.3: the national regulator suspends, reinstates and revokes with reasons; each is
    in the status history; provincial regulators and CAs may not; revoked is final."""
    licence = grant_licence(client, world)
    url = f"/api/v1/licences/{licence['number']}/status"
    body = {"action": "suspend", "reason": "audit overdue", "expected_version": licence["version"]}
    for who in ("provincial_regulator", "ca_operator"):
        assert client.post(url, json=body, headers=world.headers(who)).status_code == 403
    suspended = client.post(url, json=body, headers=world.headers(NATIONAL))
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    stale = client.post(url, json=body, headers=world.headers(NATIONAL))
    assert stale.status_code == 409
    reinstated = client.post(
        url,
        json={
            "action": "reinstate",
            "reason": "audit filed",
            "expected_version": suspended.json()["version"],
        },
        headers=world.headers(NATIONAL),
    ).json()
    revoked = client.post(
        url,
        json={
            "action": "revoke",
            "reason": "serious breach",
            "expected_version": reinstated["version"],
        },
        headers=world.headers(NATIONAL),
    ).json()
    assert revoked["status"] == "revoked"
    assert [(e["kind"], e["to_status"]) for e in revoked["history"]] == [
        ("issued", "valid"),
        ("suspended", "suspended"),
        ("reinstated", "valid"),
        ("revoked", "revoked"),
    ]
    assert revoked["history"][3]["reason"] == "serious breach"
    again = client.post(
        url,
        json={"action": "reinstate", "reason": "x", "expected_version": revoked["version"]},
        headers=world.headers(NATIONAL),
    )
    assert again.status_code == 409 and "is revoked" in again.json()["message"]


def test_ecs_2_3_a_licence_cannot_be_transferred_rented_or_lent(
    client: TestClient, world: Any
) -> None:
    """ECS-2.3: transfer, rental and lending are refused, citing M2015 Art. 11; nothing
    changes."""
    licence = grant_licence(client, world)
    url = f"/api/v1/licences/{licence['number']}/transfer"
    for kind in ("transfer", "rent", "lend"):
        response = client.post(
            url,
            json={"kind": kind, "to_party_id": world.parties["ca_beijing"]},
            headers=world.headers("ca_operator"),
        )
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error"] == "prohibited"
        assert "cannot be transferred, rented or lent" in body["message"]
        assert "M2015 Art. 11" in body["message"]
        assert body["details"]["rule"]["name"] == "licence_transfer_allowed"
    after = client.get(f"/api/v1/licences/{licence['number']}").json()
    assert after["holder"] == licence["holder"] and after["history"] == licence["history"]


def test_ecs_2_3_renewal_opens_before_expiry_and_extends_the_licence(
    client: TestClient, world: Any
) -> None:
    """ECS-2.3: the worker opens a renewal case licence_renewal_lead (30 days) before expiry;
    renewing extends the validity by licence_validity from the old end."""
    licence = grant_licence(client, world)
    clock = world.ctx.clock
    # 2030-09-24 is the last day: the renewal opens on 2030-08-25 (30 days before), not earlier.
    clock.set(dt.datetime(2030, 8, 24, 2, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    renewals = client.get(
        "/api/v1/cases",
        params={"process_id": "ca-licence-renewal"},
        headers=world.headers(NATIONAL),
    ).json()
    assert renewals == []
    clock.set(dt.datetime(2030, 8, 25, 2, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    run_once(world.ctx)  # idempotent: one renewal case
    renewals = client.get(
        "/api/v1/cases",
        params={"process_id": "ca-licence-renewal"},
        headers=world.headers(NATIONAL),
    ).json()
    assert len(renewals) == 1
    renewal = _case(client, world, renewals[0]["id"], "ca_operator")
    assert renewal["data"]["licence"] == licence["number"]
    submitted = act(client, world, "ca_operator", renewal, "submit")
    renewed = act(client, world, NATIONAL, submitted, "renew")
    assert renewed["state"] == "renewed"
    after = client.get(f"/api/v1/licences/{licence['number']}").json()
    assert after["valid_until"] == "2035-09-24"
    assert after["history"][-1]["kind"] == "renewed"
    assert after["history"][-1]["details"]["valid_until_before"] == "2030-09-24"


def test_ecs_2_3_a_licence_not_renewed_expires(client: TestClient, world: Any) -> None:
    """ECS-2.3: the day after its last day the worker expires the licence and lapses the
    renewal case left open."""
    licence = grant_licence(client, world)
    world.ctx.clock.set(dt.datetime(2030, 9, 1, 2, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    world.ctx.clock.set(dt.datetime(2030, 9, 25, 2, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    after = client.get(f"/api/v1/licences/{licence['number']}").json()
    assert after["status"] == "expired"
    assert after["history"][-1]["reason"] == "validity ended on 2030-09-24"
    renewals = client.get(
        "/api/v1/cases",
        params={"process_id": "ca-licence-renewal"},
        headers=world.headers(NATIONAL),
    ).json()
    assert [r["state"] for r in renewals] == ["lapsed"]


def test_ecs_2_4_modification_case_for_the_listed_changes(client: TestClient, world: Any) -> None:
    """ECS-2.4: organisational structure, technical systems or service capacity changes open a
    modification case; approval records the modification in the licence history; other kinds
    are refused with the list."""
    licence = grant_licence(client, world)
    url = f"/api/v1/licences/{licence['number']}/modifications"
    wrong = client.post(
        url,
        json={"kinds": ["name"], "description": "renamed"},
        headers=world.headers("ca_operator"),
    )
    assert wrong.status_code == 422
    assert "technical systems" in wrong.json()["hint"]
    opened = client.post(
        url,
        json={"kinds": ["technical_systems"], "description": "new HSM cluster"},
        headers=world.headers("ca_operator"),
    )
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["process_id"] == "ca-licence-modification"
    assert case["jurisdiction"] == "310000"
    other = client.post(
        url,
        json={"kinds": ["service capacity"], "description": "x"},
        headers=world.headers("ca_operator_beijing"),
    )
    assert other.status_code == 403
    accepted = act(client, world, "provincial_regulator", case, "accept")
    assert _deadline(accepted)["period"] == "20 business days"
    approved = act(client, world, NATIONAL, accepted, "approve")
    assert approved["state"] == "approved"
    after = client.get(f"/api/v1/licences/{licence['number']}").json()
    assert after["history"][-1]["kind"] == "modified"
    assert after["history"][-1]["details"]["kinds"] == ["technical systems"]


def test_ecs_2_4_a_late_business_registration_change_filing_is_a_finding(
    client: TestClient, world: Any
) -> None:
    """ECS-2.4: a change of name filed within 15 days of the registration change is on time;
    one filed later is a finding naming the due date (M2015 Art. 13)."""
    party = world.parties["ca_shanghai"]
    url = f"/api/v1/parties/{party}/registration-changes"
    on_time = client.post(
        url,
        json={"item": "name", "changed_on": "2025-09-15", "new_value": "Shanghai Trust CA"},
        headers=world.headers("ca_operator"),
    )
    assert on_time.status_code == 201, on_time.text
    assert on_time.json()["due_on"] == "2025-09-30" and on_time.json()["late"] is False
    assert on_time.json()["finding"] is None
    assert client.get(f"/api/v1/parties/{party}").json()["name"] == "Shanghai Trust CA"
    late = client.post(
        url,
        json={
            "item": "legal_representative",
            "changed_on": "2025-09-01",
            "new_value": "Zhang San",
        },
        headers=world.headers("ca_operator"),
    )
    assert late.status_code == 201
    body = late.json()
    assert body["due_on"] == "2025-09-16" and body["late"] is True and body["finding"]
    findings = client.get("/api/v1/findings", headers=world.headers("provincial_regulator")).json()
    finding = next(f for f in findings if f["key"] == body["finding"])
    assert finding["requirement"] == "ECS-2.4"
    assert finding["code"] == "registration-change-filed-late"
    assert "due for filing by 2025-09-16" in finding["message"]
    assert "filed on 2025-09-25, 9 day(s) after" in finding["message"]
    # Bad input is refused and nothing is written.
    for bad in (
        {"item": "colour", "changed_on": "2025-09-01", "new_value": "x"},
        {"item": "name", "changed_on": "2025-02-30", "new_value": "x"},
        {"item": "name", "changed_on": "2026-01-01", "new_value": "x"},
        {"item": "name", "changed_on": "2025-09-01"},
    ):
        assert client.post(url, json=bad, headers=world.headers("ca_operator")).status_code == 422
    listed = client.get(url, headers=world.headers("ca_operator")).json()
    assert len(listed) == 2


def test_ecs_2_4_an_unfiled_change_becomes_a_finding_once_due(
    client: TestClient, world: Any
) -> None:
    """ECS-2.4 / ECS-4.2: a change the regulator learnt of and the CA has not filed is flagged
    by the worker after its last day; the CA's late filing then updates the finding."""
    party = world.parties["ca_shanghai"]
    url = f"/api/v1/parties/{party}/registration-changes"
    noted = client.post(
        url,
        json={"item": "domicile", "changed_on": "2025-09-20", "new_value": "Pudong"},
        headers=world.headers("provincial_regulator"),
    )
    assert noted.status_code == 201 and noted.json()["filed_on"] is None
    run_once(world.ctx)
    assert client.get("/api/v1/findings", headers=world.headers(NATIONAL)).json() == []
    world.ctx.clock.advance(dt.timedelta(days=16))  # due 2025-10-09 (after National Day)
    run_once(world.ctx)
    findings = client.get("/api/v1/findings", headers=world.headers("ca_operator")).json()
    assert [f["code"] for f in findings] == ["registration-change-not-filed"]
    world.ctx.clock.advance(dt.timedelta(days=1))
    filed = client.post(
        url,
        json={"item": "domicile", "changed_on": "2025-09-20", "new_value": "Pudong, Shanghai"},
        headers=world.headers("ca_operator"),
    )
    assert filed.status_code == 201 and filed.json()["late"] is True
    findings = client.get("/api/v1/findings", headers=world.headers("ca_operator")).json()
    assert [f["code"] for f in findings] == ["registration-change-filed-late"]


def test_ecs_4_3_a_provincial_regulator_acting_outside_its_province_is_refused(
    client: TestClient, world: Any
) -> None:
    """ECS-4.3 / SYS-6: every action of the Shanghai regulator on a Beijing CA's records is
    refused with 403 and the reason."""
    submitted = submit_application(client, world, "ca_operator_beijing")
    case_id = submitted["case"]["id"]
    beijing = world.parties["ca_beijing"]
    who = world.headers("provincial_regulator")
    attempts = [
        ("GET", f"/api/v1/cases/{case_id}", None),
        (
            "POST",
            f"/api/v1/cases/{case_id}/transitions",
            {"transition": "accept", "expected_version": 1},
        ),
        ("GET", f"/api/v1/ecs/applications/{case_id}", None),
        (
            "POST",
            f"/api/v1/ecs/applications/{case_id}/reviews",
            {"item": "premises", "status": "met", "note": "x", "expected_version": 1},
        ),
        (
            "POST",
            f"/api/v1/parties/{beijing}/registration-changes",
            {"item": "name", "changed_on": "2025-09-01", "new_value": "x"},
        ),
        ("GET", f"/api/v1/parties/{beijing}/registration-changes", None),
        ("PUT", f"/api/v1/cas/{beijing}/operating-provinces", {"provinces": ["110000"]}),
        (
            "POST",
            f"/api/v1/cas/{beijing}/outlets",
            {"jurisdiction": "110000", "name": "x", "address": "y"},
        ),
        ("GET", f"/api/v1/cas/{beijing}/outsourcing", None),
    ]
    for method, url, body in attempts:
        response = client.request(method, url, json=body, headers=who)
        assert response.status_code == 403, (method, url, response.text)
        message = response.json()["message"]
        assert "outside your jurisdiction (310000)" in message, (url, message)
    # The Beijing case is untouched; its own regulator's view shows no review.
    view = client.get(f"/api/v1/ecs/applications/{case_id}", headers=world.headers(NATIONAL))
    assert view.json()["case"]["state"] == "submitted"
    assert all(i["review"] is None for i in view.json()["evaluation"]["items"])
    # And the licence granted to Beijing is beyond any provincial regulator's decision.
    ready = to_decision(client, world, case_id)
    act(client, world, NATIONAL, ready, "approve")
    number = client.get(
        f"/api/v1/ecs/applications/{case_id}", headers=world.headers(NATIONAL)
    ).json()["licence"]
    modification = client.post(
        f"/api/v1/licences/{number}/modifications",
        json={"kinds": ["service capacity"], "description": "x"},
        headers=who,
    )
    assert modification.status_code == 403
    assert "outside your jurisdiction (310000)" in modification.json()["message"]


def test_ecs_2_2_every_review_step_is_in_the_audit_log(client: TestClient, world: Any) -> None:
    """SYS-3 with ECS-2.2/2.3: the judgements and the licence issuance are audit records."""
    licence = grant_licence(client, world)
    with unit_of_work(world.ctx.sessions) as session:
        size = world.ctx.logs.get(session, "audit").size
    actions = []
    for index in range(size):
        entry = client.get(
            f"/api/v1/logs/audit/entries/{index}", headers=world.headers(NATIONAL)
        ).json()
        actions.append(entry["record"]["action"])
    assert "case.item_reviewed" in actions
    assert "licence.issued" in actions
    assert actions.index("licence.issued") > actions.index("case.item_reviewed")
    assert licence["number"]
