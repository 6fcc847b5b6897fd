"""ECS-4.1 operating statistics, ECS-4.4 significant operational changes and the ECS-4.1 /
ECS-4.3 supervision dashboard, through the API on a real database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from certgov import worker
from support.licensing import grant_licence

JANUARY_20 = dt.datetime(2026, 1, 20, 2, 0, tzinfo=dt.UTC)
STATS = {
    "period_start": "2025-10-01",
    "certificates_issued": 1200,
    "certificates_revoked": 35,
    "by_type": {
        "individual": {"issued": 1000, "revoked": 30},
        "organisation": {"issued": 200, "revoked": 5},
    },
}


def _party(world: Any, who: str = "ca_operator") -> int:
    party_id: int = world.actors[who].party_id
    return party_id


def _findings(client: TestClient, world: Any, code: str, status: str = "open") -> list[Any]:
    rows = client.get(
        "/api/v1/findings", params={"status": status}, headers=world.headers("national_regulator")
    ).json()
    return [row for row in rows if row["code"] == code]


def test_ecs_4_1_operating_statistics_filed_per_period_late_ones_found(
    client: TestClient, world: Any
) -> None:
    """ECS-4.1: a licensed CA files certificates issued and revoked per quarter. The worker
    finds the quarter whose statistics are past due (15 days after it ends); filing them
    closes the finding and marks the report late. Bad periods and figures are refused with
    the reason; a second filing needs "correction", which keeps the history."""
    grant_licence(client, world)
    party = _party(world)
    url = f"/api/v1/cas/{party}/statistics"
    ca = world.headers("ca_operator")
    # Licensed on 2025-09-25; on 2025-09-25 nothing is due yet (Q2 ended before the licence).
    worker.run_once(world.ctx)
    assert _findings(client, world, "operating-statistics-overdue") == []
    # On 2026-01-20 the statistics of Q4 2025 (due 2026-01-15) have not arrived.
    world.ctx.clock.set(JANUARY_20)
    worker.run_once(world.ctx)
    overdue = _findings(client, world, "operating-statistics-overdue")
    assert len(overdue) == 1 and "2025-10-01–2025-12-31" in overdue[0]["message"]
    assert "2026-01-15" in overdue[0]["message"] and overdue[0]["requirement"] == "ECS-4.1"

    refused = {
        "not a period start": {**STATS, "period_start": "2025-11-01"},
        "period not over": {**STATS, "period_start": "2026-01-01"},
        "types do not add up": {**STATS, "certificates_issued": 5},
        "negative": {**STATS, "certificates_revoked": -1},
        "unknown field": {**STATS, "bonus": 1},
    }
    for what, body in refused.items():
        response = client.post(url, json=body, headers=ca)
        assert response.status_code == 422, (what, response.text)
        assert response.json()["message"], what
    assert (
        client.post(url, json=STATS, headers=world.headers("national_regulator")).status_code == 403
    )

    filed = client.post(url, json=STATS, headers=ca)
    assert filed.status_code == 201, filed.text
    report = filed.json()
    assert report["late"] is True and report["period"]["due"] == "2026-01-15"
    assert _findings(client, world, "operating-statistics-overdue") == []
    assert len(_findings(client, world, "operating-statistics-overdue", "closed")) == 1

    again = client.post(url, json=STATS, headers=ca)
    assert again.status_code == 409 and "correction" in again.json()["hint"]
    corrected = client.post(
        url,
        json={**STATS, "certificates_revoked": 36, "by_type": None, "correction": True},
        headers=ca,
    )
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["corrections"] == 1
    assert corrected.json()["history"][0]["certificates_revoked"] == 35
    listed = client.get(url, headers=world.headers("national_regulator")).json()
    assert [r["certificates_revoked"] for r in listed] == [36]
    assert client.get(url, headers=world.headers("app_operator")).status_code == 403


def test_ecs_4_4_operational_change_reported_late_is_a_finding(
    client: TestClient, world: Any
) -> None:
    """ECS-4.4: a significant operational change opens a case with the regulator's review
    deadline; reported after 10 business days (across the National Day holiday of 2025 the
    due date moves), it is a finding; an unknown kind is refused with the allowed kinds."""
    ca = world.headers("ca_operator")
    on_time = client.post(
        "/api/v1/operational-changes",
        json={
            "kind": "CA key generation or rollover",
            "effective_on": "2025-09-18",
            "description": "New SM2 root key generated in a witnessed ceremony.",
        },
        headers=ca,
    )
    assert on_time.status_code == 201, on_time.text
    body = on_time.json()
    assert body["finding"] is None and body["data"]["reported_late"] is False
    assert body["process_id"] == "ca-operational-change" and body["state"] == "reported"

    late = client.post(
        "/api/v1/operational-changes",
        json={
            "kind": "change of data centre or key management site",
            "effective_on": "2025-09-01",
            "description": "Moved the CA system to a new data centre.",
        },
        headers=ca,
    )
    assert late.status_code == 201, late.text
    assert late.json()["data"]["report_due_on"] == "2025-09-15"
    finding = _findings(client, world, "operational-change-reported-late")
    assert len(finding) == 1 and finding[0]["requirement"] == "ECS-4.4"
    assert "operational_change_report_period" in finding[0]["message"]

    bad = client.post(
        "/api/v1/operational-changes",
        json={"kind": "new logo", "effective_on": "2025-09-01", "description": "x"},
        headers=ca,
    )
    assert bad.status_code == 422 and "CA key generation or rollover" in bad.json()["hint"]
    regulator = client.post(
        "/api/v1/operational-changes",
        json={"kind": "change of key personnel", "effective_on": "2025-09-01", "description": "x"},
        headers=world.headers("national_regulator"),
    )
    assert regulator.status_code == 403

    # The review deadline is on the case: 20 business days, overdue becomes a finding.
    world.ctx.clock.advance(dt.timedelta(days=40))
    worker.run_once(world.ctx)
    assert _findings(client, world, "operational-change-review-overdue")


def test_ecs_4_1_ecs_4_3_dashboard_per_ca_and_province_scoped_to_the_caller(
    client: TestClient, world: Any
) -> None:
    """ECS-4.1, ECS-4.3: the national regulator sees every CA with its licence, findings,
    deadlines, incidents and statistics, and totals per province; a provincial regulator sees
    its province only (another province: 403 with the reason); CAs and the public none."""
    grant_licence(client, world)
    world.ctx.clock.set(JANUARY_20)
    worker.run_once(world.ctx)  # the overdue Q4 statistics: a finding
    incident = client.post(
        "/api/v1/incidents",
        json={
            "title": "Mis-issued certificates",
            "aware_at": "2026-01-19T09:00:00+08:00",
            "summary": "Five certificates with a wrong organisation name.",
        },
        headers=world.headers("ca_operator"),
    )
    assert incident.status_code == 201, incident.text
    national = client.get(
        "/api/v1/supervision/dashboard",
        params={"due_soon_days": 30},
        headers=world.headers("national_regulator"),
    )
    assert national.status_code == 200, national.text
    board = national.json()
    assert board["scope"] == "national"
    mine = next(ca for ca in board["cas"] if ca["party_id"] == _party(world))
    assert mine["licence"]["status"] == "valid"
    assert mine["findings"]["open"] >= 1 and mine["incidents"] == {"open": 1, "total": 1}
    assert mine["deadlines"]["due_soon"] >= 1  # the full incident report, due in 14 days
    province = next(p for p in board["provinces"] if p["province"] == mine["province"])
    assert province["cas"] >= 1 and province["incidents_open"] >= 1

    home = world.actors["provincial_regulator"].jurisdiction
    provincial = client.get(
        "/api/v1/supervision/dashboard", headers=world.headers("provincial_regulator")
    ).json()
    assert provincial["scope"] == home
    assert all(ca["province"] == home for ca in provincial["cas"])
    other = "110000" if home != "110000" else "310000"
    refused = client.get(
        "/api/v1/supervision/dashboard",
        params={"province": other},
        headers=world.headers("provincial_regulator"),
    )
    assert refused.status_code == 403 and "outside your jurisdiction" in refused.json()["message"]
    for who, status in (("ca_operator", 403), ("app_operator", 403), ("public", 401)):
        assert (
            client.get("/api/v1/supervision/dashboard", headers=world.headers(who)).status_code
            == status
        ), who
