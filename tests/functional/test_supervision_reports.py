"""ECS-4.4 incident reports and ECS-3.5 expiring CA certificates, through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from certgov.worker import run_once
from unit.pki.factory import NOW, issue, make_key

PEM = {"content-type": "application/x-pem-file"}


def _findings(client: TestClient, world: Any, who: str = "national_regulator") -> list[Any]:
    result: list[Any] = client.get("/api/v1/findings", headers=world.headers(who)).json()
    return result


def test_ecs_4_4_a_late_incident_report_is_a_finding(client: TestClient, world: Any) -> None:
    """ECS-4.4: a preliminary report 80 hours after awareness is late (72 hours), a finding
    naming the due time; one within 72 hours is not; the full report is due in 14 days and
    overdue becomes a finding from the sweep."""
    who = world.headers("ca_operator")
    on_time = client.post(
        "/api/v1/incidents",
        json={
            "title": "Mis-issued certificates",
            "aware_at": (NOW - dt.timedelta(hours=70)).isoformat(),
            "summary": "12 certificates with a wrong OU",
            "certificates_affected": 12,
        },
        headers=who,
    )
    assert on_time.status_code == 201, on_time.text
    assert on_time.json()["finding"] is None
    assert on_time.json()["data"]["preliminary_late"] is False
    late = client.post(
        "/api/v1/incidents",
        json={
            "title": "OCSP outage",
            "aware_at": (NOW - dt.timedelta(hours=80)).isoformat(),
            "summary": "responder down",
        },
        headers=who,
    )
    assert late.status_code == 201
    finding = next(f for f in _findings(client, world) if f["key"] == late.json()["finding"])
    assert finding["code"] == "incident-reported-late" and finding["requirement"] == "ECS-4.4"
    assert "reported it 80 hours later" in finding["message"]
    assert "incident_preliminary_report" in finding["message"]
    case = client.get(f"/api/v1/cases/{on_time.json()['id']}", headers=who).json()
    deadline = case["deadlines"][0]
    assert deadline["name"] == "full_report" and deadline["period"] == "14 calendar days"
    # 15 days later with no full report: the sweep makes it a finding.
    world.ctx.clock.advance(dt.timedelta(days=16))
    run_once(world.ctx)
    codes = {f["code"] for f in _findings(client, world, "provincial_regulator")}
    assert "incident-full-report-overdue" in codes
    for bad in (
        {"title": "x", "aware_at": "yesterday", "summary": "y"},
        {"title": "x", "aware_at": "2025-09-20T10:00:00", "summary": "y"},
        {"title": "x", "aware_at": "2099-01-01T00:00:00+08:00", "summary": "y"},
        {"title": "", "aware_at": NOW.isoformat(), "summary": "y"},
    ):
        assert client.post("/api/v1/incidents", json=bad, headers=who).status_code == 422
    assert (
        client.post(
            "/api/v1/incidents",
            json={"title": "x", "aware_at": NOW.isoformat(), "summary": "y"},
            headers=world.headers("national_regulator"),
        ).status_code
        == 403
    )


def test_ecs_3_5_a_ca_certificate_expiring_without_a_successor_is_a_finding(
    client: TestClient, world: Any
) -> None:
    """ECS-3.5: a filed root expiring within 90 days without a filed successor is a finding;
    filing the successor closes it; one that expired is a high-severity finding."""
    key = make_key("p256", 21)
    old = issue(
        "expiring root",
        key,
        not_before=NOW - dt.timedelta(days=700),
        not_after=NOW + dt.timedelta(days=30),
    )
    pem = old.cert.x509.public_bytes(serialization.Encoding.PEM)
    filed = client.post(
        "/api/v1/filings", content=pem, headers={**world.headers("ca_operator"), **PEM}
    )
    assert filed.status_code == 201, filed.text
    run_once(world.ctx)
    findings = [f for f in _findings(client, world) if f["status"] == "open"]
    assert [f["code"] for f in findings] == ["ca-certificate-expiring"]
    assert findings[0]["requirement"] == "ECS-3.5"
    successor = issue(
        "expiring root",
        key,
        not_before=NOW - dt.timedelta(days=1),
        not_after=NOW + dt.timedelta(days=3650),
    )
    renewed = client.post(
        "/api/v1/filings",
        content=successor.cert.x509.public_bytes(serialization.Encoding.PEM),
        headers={**world.headers("ca_operator"), **PEM},
    )
    assert renewed.status_code == 201, renewed.text
    run_once(world.ctx)
    assert [f for f in _findings(client, world) if f["status"] == "open"] == []
    # Another root lapses unreplaced: expired, high severity.
    lone = issue("lone root", make_key("p256", 22), not_after=NOW + dt.timedelta(days=10))
    client.post(
        "/api/v1/filings",
        content=lone.cert.x509.public_bytes(serialization.Encoding.PEM),
        headers={**world.headers("ca_operator"), **PEM},
    )
    world.ctx.clock.advance(dt.timedelta(days=11))
    run_once(world.ctx)
    open_findings = [f for f in _findings(client, world) if f["status"] == "open"]
    assert [(f["code"], f["severity"]) for f in open_findings] == [
        ("ca-certificate-expired", "high")
    ]
