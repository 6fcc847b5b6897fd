"""APP-6 through the API against a real database: a complaint against a denial, filed within 10
business days of receiving it on the official calendar (National Day 2025 and its make-up
working days), acceptance within 5 and decision within 30 business days, overdue handling a
finding."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from certgov.cases.models import Case
from certgov.clock import FixedClock
from certgov.i18n import translate
from certgov.i18n.texts import say
from certgov.store.engine import unit_of_work
from certgov.text import Text
from certgov.worker import run_once
from support.appcert import CB, OPERATOR, certify, deny
from support.licensing import act

URL = "/api/v1/app-complaints"


def _received(client: TestClient, world: Any, case_id: int, on: str) -> None:
    response = client.post(
        f"/api/v1/app-applications/{case_id}/decision-receipt",
        json={"received_on": on},
        headers=world.headers(OPERATOR),
    )
    assert response.status_code == 200, response.text


def _file(client: TestClient, world: Any, case_id: int, who: str = OPERATOR) -> Any:
    return client.post(
        URL,
        json={"application_case_id": case_id, "grounds": "the contacts permission is optional"},
        headers=world.headers(who),
    )


def test_app_6_tenth_business_day_accepted_eleventh_refused_across_national_day(
    client: TestClient, world: Any, clock: FixedClock
) -> None:
    """APP-6: a denial received on Thursday 2025-09-25; the 10 business days run 09-26, 09-28
    (make-up Sunday), 09-29, 09-30, 10-09, 10-10, 10-11 (make-up Saturday), 10-13, 10-14,
    10-15 — the National Day holiday 10-01..10-08 does not count. Filed on 10-16 it is refused
    with the last day stated; filed on 10-15 it is accepted, with acceptance due in 5 business
    days."""
    denied = deny(client, world)
    _received(client, world, denied["id"], "2025-09-25")
    clock.set(dt.datetime(2025, 10, 16, 2, 0, tzinfo=dt.UTC))
    late = _file(client, world, denied["id"])
    assert late.status_code == 422
    body = late.json()
    assert body["error"] == "guard_failed"
    assert "ended on 2025-10-15" in body["message"] and "complaint_filing_window" in body["message"]
    assert (
        client.get(
            "/api/v1/cases?process_id=app-decision-complaint", headers=world.headers(CB)
        ).json()
        == []
    )
    clock.set(dt.datetime(2025, 10, 15, 2, 0, tzinfo=dt.UTC))
    filed = _file(client, world, denied["id"])
    assert filed.status_code == 201, filed.text
    complaint = filed.json()
    assert complaint["process_id"] == "app-decision-complaint" and complaint["state"] == "submitted"
    assert complaint["data"]["received_on"] == "2025-09-25"
    assert complaint["data"]["application_case_id"] == denied["id"]
    # Issue 16: the title names the decided case by its own title, kept as a text within the
    # text, so a Chinese page says both in Chinese.
    assert complaint["title"] == f"Complaint against the decision on {denied['title']}"
    with unit_of_work(world.ctx.sessions) as session:
        row = session.get(Case, complaint["id"])
        assert row is not None and row.title_text is not None
        title = Text.of_record(row.title_text)
    assert title is not None and isinstance(title.params["case"], Text)
    assert str(title) == complaint["title"]
    assert say(title, "zh") == translate("zh", "Complaint against the decision on {case}").format(
        case=say(title.params["case"], "zh")
    )
    (acceptance,) = complaint["deadlines"]
    assert (acceptance["period"], acceptance["due_on"]) == ("5 business days", "2025-10-22")
    assert _file(client, world, denied["id"]).status_code == 409
    accepted = act(client, world, CB, complaint, "accept")
    decision = next(d for d in accepted["deadlines"] if d["name"] == "decision")
    assert decision["period"] == "30 business days"
    shown = client.get(
        f"/api/v1/app-applications/{denied['id']}", headers=world.headers(OPERATOR)
    ).json()
    assert shown["complaints"] == [{"case_id": complaint["id"], "state": "accepted"}]


def test_app_6_overdue_acceptance_becomes_a_finding(
    client: TestClient, world: Any, clock: FixedClock
) -> None:
    """APP-6: a complaint not accepted or refused within 5 business days is a finding at the
    worker's sweep, visible to the certification body."""
    denied = deny(client, world)
    _received(client, world, denied["id"], "2025-09-25")
    complaint = _file(client, world, denied["id"]).json()
    assert complaint["deadlines"][0]["due_on"] == "2025-10-09"
    clock.set(dt.datetime(2025, 10, 10, 2, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    findings = client.get("/api/v1/app-findings", headers=world.headers(CB)).json()
    (finding,) = findings
    assert finding["code"] == "complaint-acceptance-overdue" and finding["requirement"] == "APP-6"
    assert finding["case_id"] == complaint["id"] and "2025-10-09" in finding["message"]
    for who, status in (("app_operator", 403), ("testing_agency", 403), ("public", 401)):
        assert client.get("/api/v1/app-findings", headers=world.headers(who)).status_code == status


def test_app_6_complaints_only_against_a_denial_on_record(client: TestClient, world: Any) -> None:
    """APP-6: no complaint against a grant, nor before the receipt is recorded, nor by another
    operator; a complaint opened directly with a receipt date of its own cannot be accepted."""
    cert = certify(client, world)
    granted = next(
        u
        for u in client.get("/api/v1/app-applications", headers=world.headers(OPERATOR)).json()
        if u["decision"] and u["decision"]["outcome"] == "granted"
    )
    assert cert["status"] == "valid"
    assert _file(client, world, granted["case"]["id"]).status_code == 409
    denied = deny(client, world, app_name="Example Chat")
    no_receipt = _file(client, world, denied["id"])
    assert no_receipt.status_code == 422 and "decision-receipt" in no_receipt.json()["hint"]
    _received(client, world, denied["id"], "2025-09-25")
    assert _file(client, world, denied["id"], "app_operator_2").status_code == 404
    assert _file(client, world, denied["id"], CB).status_code == 403
    forged = client.post(
        "/api/v1/cases",
        json={
            "process_id": "app-decision-complaint",
            "title": "forged",
            "data": {"received_on": "2025-09-25", "application_case_id": denied["id"] + 100},
        },
        headers=world.headers(OPERATOR),
    )
    assert forged.status_code == 201
    refused = client.post(
        f"/api/v1/cases/{forged.json()['id']}/transitions",
        json={"transition": "accept", "expected_version": forged.json()["version"]},
        headers=world.headers(CB),
    )
    assert refused.status_code == 422 and "app-complaints" in refused.json()["hint"]
