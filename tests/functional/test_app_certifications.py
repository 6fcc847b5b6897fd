"""APP-9 and APP-10 through the API against a real database: anyone verifies a certification by
number with its status and history; suspension (180 days, the certificate may not be used),
reinstatement after remedy, automatic revocation when the period ends unremedied, revocation by
decision, and the ban on new applications a revocation starts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from certgov.clock import FixedClock
from certgov.worker import run_once
from support.appcert import CB, OPERATOR, certify, submit


def _status(
    client: TestClient, world: Any, number: str, action: str, who: str = CB, **extra: Any
) -> Any:
    return client.post(
        f"/api/v1/app-certifications/{number}/status",
        json={"action": action, "reason": f"{action}: reasons stated", **extra},
        headers=world.headers(who),
    )


def test_app_9_anyone_verifies_a_certification_by_number(client: TestClient, world: Any) -> None:
    """APP-9: verification by number needs no login and says what is certified, by whom, its
    status, where the certificate may be displayed and the mark rules; the list is public."""
    cert = certify(client, world)
    verified = client.get(f"/api/v1/app-certifications/{cert['number']}")
    assert verified.status_code == 200
    body = verified.json()
    assert body["usable"] is True and body["statement"] == "valid — may be used"
    assert body["holder"]["name"] == "Test app_operator"
    assert body["display"]["places"] == ["website", "office", "promotional materials"]
    assert body["display"]["mark_rules"]["assumed"] is True
    assert "CCRC" in body["certification_body"]
    assert [c["number"] for c in client.get("/api/v1/app-certifications").json()] == [
        cert["number"]
    ]
    assert client.get("/api/v1/app-certifications", params={"status": "nope"}).status_code == 422
    missing = client.get("/api/v1/app-certifications/CCRC-AS-2025-999999")
    assert missing.status_code == 404 and "CCRC-AS-2025-999999" in missing.json()["message"]


def test_app_10_suspension_reinstatement_and_revocation_by_decision(
    client: TestClient, world: Any
) -> None:
    """APP-10: a suspended certificate "may not be used" for 180 days; reinstated after remedy
    it is valid again; the certification body may also revoke by decision; only it decides."""
    number = certify(client, world)["number"]
    for who, status in (("app_operator", 403), ("national_regulator", 403), ("public", 401)):
        assert _status(client, world, number, "suspend", who).status_code == status
    suspended = _status(client, world, number, "suspend")
    assert suspended.status_code == 200, suspended.text
    body = suspended.json()
    assert body["status"] == "suspended" and body["usable"] is False
    assert body["statement"].startswith("suspended — may not be used")
    assert body["suspension_ends_on"] == "2026-03-24" and body["display"]["places"] == []
    assert _status(client, world, number, "suspend").status_code == 409
    stale = _status(client, world, number, "reinstate", expected_version=1)
    assert stale.status_code == 409 and stale.json()["details"]["current_status"] == "suspended"
    reinstated = _status(client, world, number, "reinstate")
    assert reinstated.json()["status"] == "valid" and reinstated.json()["usable"] is True
    kinds = [e["kind"] for e in reinstated.json()["history"]]
    assert kinds == ["issued", "suspended", "reinstated"]
    revoked = _status(client, world, number, "revoke").json()
    assert revoked["status"] == "revoked" and revoked["statement"] == "revoked — may not be used"
    assert _status(client, world, number, "reinstate").status_code == 409
    unknown = _status(client, world, number, "cancel")
    assert unknown.status_code == 422 and unknown.json()["details"]["field"] == "action"


def test_app_10_suspension_ends_unremedied_revoked_by_the_sweep_and_bans(
    client: TestClient, world: Any, clock: FixedClock
) -> None:
    """APP-10: suspended on 2025-09-25, the certification is still suspended on the 180th day
    (2026-03-24) and revoked automatically by the worker's sweep the day after; the revocation
    starts the ban of APP-2 (12 months): the holder's new application is refused naming it."""
    number = certify(client, world)["number"]
    assert _status(client, world, number, "suspend").status_code == 200
    clock.set(dt.datetime(2026, 3, 24, 12, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    assert client.get(f"/api/v1/app-certifications/{number}").json()["status"] == "suspended"
    clock.set(dt.datetime(2026, 3, 25, 2, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    verified = client.get(f"/api/v1/app-certifications/{number}").json()
    assert verified["status"] == "revoked" and verified["usable"] is False
    revocation = verified["history"][-1]
    assert revocation["kind"] == "revoked" and revocation["actor"]["role"] == "system"
    assert "suspension deadline passed" in revocation["reason"]
    suspensions = client.get(
        "/api/v1/cases",
        params={"process_id": "app-certification-suspension"},
        headers=world.headers(CB),
    ).json()
    assert [c["state"] for c in suspensions] == ["revoked"]
    refused = submit(client, world, app_name="Example Pay Lite")
    assert refused["eligible"] is False
    (bar,) = refused["units"][0]["eligibility"]["bars"]
    assert bar["certification"] == number and "barred until 2027-03-24" in bar["reason"]
    assert (
        client.get(
            f"/api/v1/app-operators/{world.parties[OPERATOR]}/eligibility",
            params={"on": "2027-03-25"},
            headers=world.headers(OPERATOR),
        ).json()["eligible"]
        is True
    )


def test_app_10_validity_ends_in_expiry(client: TestClient, world: Any, clock: FixedClock) -> None:
    """APP-5 / APP-10: past its last day of validity a certification reads expired, and the
    worker records it."""
    number = certify(client, world)["number"]
    clock.set(dt.datetime(2028, 9, 25, 2, 0, tzinfo=dt.UTC))
    assert client.get(f"/api/v1/app-certifications/{number}").json()["status"] == "expired"
    run_once(world.ctx)
    history = client.get(f"/api/v1/app-certifications/{number}").json()["history"]
    assert history[-1]["kind"] == "expired" and history[-1]["actor"]["role"] == "system"
