"""ECS-3.1–3.3 and the public CA registry through the API against a real database."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from certgov.worker import run_once
from support.licensing import grant_licence

NATIONAL = "national_regulator"


def _findings(client: TestClient, world: Any, who: str = NATIONAL, **params: Any) -> list[Any]:
    response = client.get("/api/v1/findings", params=params, headers=world.headers(who))
    assert response.status_code == 200, response.text
    result: list[Any] = response.json()
    return result


def test_ecs_3_1_practice_statements_are_filed_and_versioned(
    client: TestClient, world: Any
) -> None:
    """ECS-3.1: each CPS filing is a new numbered version with its digest and effective date;
    an unchanged document or an earlier effective date is refused; the list is public."""
    party = world.parties["ca_shanghai"]
    url = f"/api/v1/cas/{party}/practice-statements"
    first = client.post(
        url,
        json={"label": "V1.0", "sha256": "1" * 64, "effective_on": "2025-01-01", "size": 2048},
        headers=world.headers("ca_operator"),
    )
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1
    second = client.post(
        url,
        json={
            "label": "V1.1",
            "sha256": "2" * 64,
            "effective_on": "2025-10-01",
            "url": "https://ca.example/cps-1.1.pdf",
        },
        headers=world.headers("ca_operator"),
    )
    assert second.status_code == 201 and second.json()["version"] == 2
    same = client.post(
        url,
        json={"label": "V1.2", "sha256": "2" * 64, "effective_on": "2025-11-01"},
        headers=world.headers("ca_operator"),
    )
    assert same.status_code == 409 and "same digest" in same.json()["message"]
    earlier = client.post(
        url,
        json={"label": "V1.2", "sha256": "3" * 64, "effective_on": "2025-09-01"},
        headers=world.headers("ca_operator"),
    )
    assert earlier.status_code == 422 and "take effect in order" in earlier.json()["message"]
    for bad in (
        {"label": "x", "sha256": "XYZ", "effective_on": "2025-11-01"},
        {"label": "x", "sha256": "4" * 64, "effective_on": "11/01/2025"},
        {"label": "", "sha256": "4" * 64, "effective_on": "2025-11-01"},
        {"label": "x", "sha256": "4" * 64, "effective_on": "2025-11-01", "url": "ftp://x"},
    ):
        response = client.post(url, json=bad, headers=world.headers("ca_operator"))
        assert response.status_code == 422, bad
    other = client.post(
        url,
        json={"label": "V9", "sha256": "5" * 64, "effective_on": "2025-11-01"},
        headers=world.headers("ca_operator_beijing"),
    )
    assert other.status_code == 403
    listed = client.get(url).json()
    assert [(s["version"], s["label"]) for s in listed] == [(1, "V1.0"), (2, "V1.1")]


def test_ecs_3_2_a_critical_outsourced_function_is_a_finding(
    client: TestClient, world: Any
) -> None:
    """ECS-3.2: outsourcing a critical function (revocation) is a high-severity finding citing
    the rule; a later declaration without it closes the finding; others are fine."""
    party = world.parties["ca_shanghai"]
    url = f"/api/v1/cas/{party}/outsourcing"
    declared = client.put(
        url,
        json={
            "functions": [
                {"function": "customer service hotline", "provider": "CallCo"},
                {"function": "Revocation", "provider": "RevokeNow Ltd"},
            ]
        },
        headers=world.headers("ca_operator"),
    )
    assert declared.status_code == 200, declared.text
    body = declared.json()
    assert [f["critical"] for f in body["functions"]] == [False, True]
    assert body["findings"] == [f"outsourced-critical:{party}:revocation"]
    findings = _findings(client, world, "provincial_regulator", status="open")
    assert len(findings) == 1
    finding = findings[0]
    assert finding["code"] == "critical-function-outsourced"
    assert finding["requirement"] == "ECS-3.2" and finding["severity"] == "high"
    assert "RevokeNow Ltd" in finding["message"]
    assert "critical_outsourced_functions" in finding["message"]
    # Declared again unchanged: still one finding, seen again.
    client.put(
        url,
        json={"functions": [{"function": "revocation", "provider": "RevokeNow Ltd"}]},
        headers=world.headers("ca_operator"),
    )
    assert len(_findings(client, world, status="open")) == 1
    cleared = client.put(
        url,
        json={"functions": [{"function": "customer service hotline", "provider": "CallCo"}]},
        headers=world.headers("ca_operator"),
    )
    assert cleared.json()["findings"] == []
    assert _findings(client, world, status="open") == []
    closed = _findings(client, world, status="closed")
    assert "no longer outsources it" in closed[0]["details"]["closed_because"]
    versions = client.get(url, headers=world.headers("ca_operator")).json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    bad = client.put(
        url, json={"functions": [{"function": "x"}]}, headers=world.headers("ca_operator")
    )
    assert bad.status_code == 422 and "provider" in bad.json()["message"]
    assert client.put(url, json={}, headers=world.headers(NATIONAL)).status_code == 403


def test_ecs_3_3_an_operating_province_without_an_outlet_is_a_finding(
    client: TestClient, world: Any
) -> None:
    """ECS-3.3: the registry knows where the CA operates and its outlets; a province without
    one is a finding, closed when an outlet opens and raised again when it closes."""
    party = world.parties["ca_shanghai"]
    base = f"/api/v1/cas/{party}"
    outlet = client.post(
        f"{base}/outlets",
        json={"jurisdiction": "310000", "name": "Pudong outlet", "address": "1 Century Ave"},
        headers=world.headers("ca_operator"),
    )
    assert outlet.status_code == 201, outlet.text
    provinces = client.put(
        f"{base}/operating-provinces",
        json={"provinces": ["310000", "320000"]},
        headers=world.headers("ca_operator"),
    )
    assert provinces.status_code == 200, provinces.text
    assert provinces.json()["without_outlet"] == ["320000"]
    findings = _findings(client, world, status="open")
    assert [(f["code"], f["jurisdiction"]) for f in findings] == [("outlet-missing", "320000")]
    # The province is a term of the finding's text: its English name in the API's English,
    # its name in the reader's language in a page (see test_console_pages).
    assert "Jiangsu" in findings[0]["message"] and findings[0]["requirement"] == "ECS-3.3"
    # The Jiangsu outlet opens (registered by the CA's own provincial regulator): closed.
    nanjing = client.post(
        f"{base}/outlets",
        json={"jurisdiction": "320000", "name": "Nanjing outlet", "address": "2 Zhongshan Rd"},
        headers=world.headers("provincial_regulator"),
    )
    assert nanjing.status_code == 201 and nanjing.json()["without_outlet"] == []
    assert _findings(client, world, status="open") == []
    # It closes: the finding reopens.
    closed = client.post(
        f"{base}/outlets/{nanjing.json()['id']}/close", headers=world.headers("ca_operator")
    )
    assert closed.status_code == 200 and closed.json()["without_outlet"] == ["320000"]
    assert [f["code"] for f in _findings(client, world, status="open")] == ["outlet-missing"]
    again = client.post(
        f"{base}/outlets/{nanjing.json()['id']}/close", headers=world.headers("ca_operator")
    )
    assert again.status_code == 409
    public = client.get(f"{base}/operating-provinces").json()
    assert public == {"provinces": ["310000", "320000"], "without_outlet": ["320000"]}
    assert len(client.get(f"{base}/outlets").json()) == 2
    bad = client.put(
        f"{base}/operating-provinces",
        json={"provinces": ["999999"]},
        headers=world.headers("ca_operator"),
    )
    assert bad.status_code == 422 and "GB/T 2260" in bad.json()["message"]
    # The worker's sweep sees the same problem without raising it twice.
    run_once(world.ctx)
    assert len(_findings(client, world, status="open")) == 1


def test_sys_4_the_registry_lists_licensed_cas_with_their_conduct(
    client: TestClient, world: Any
) -> None:
    """SYS-4 / ECS-2.3 / ECS-3: the public registry shows each licensed CA with its licence and
    history, practice statement in effect, provinces, outlets and open conduct findings."""
    licence = grant_licence(client, world)
    party = world.parties["ca_shanghai"]
    client.post(
        f"/api/v1/cas/{party}/practice-statements",
        json={"label": "V2", "sha256": "6" * 64, "effective_on": "2025-09-01"},
        headers=world.headers("ca_operator"),
    )
    client.put(
        f"/api/v1/cas/{party}/operating-provinces",
        json={"provinces": ["310000"]},
        headers=world.headers("ca_operator"),
    )
    registry = client.get("/api/v1/registry/cas")
    assert registry.status_code == 200
    entries = registry.json()
    assert len(entries) == 1
    entry = entries[0]
    assert entry["party_id"] == party
    assert entry["licences"][0]["number"] == licence["number"]
    assert entry["licences"][0]["history"][0]["kind"] == "issued"
    assert entry["practice_statement"]["label"] == "V2"
    assert entry["operating_provinces"] == ["310000"]
    assert entry["provinces_without_outlet"] == ["310000"]
    assert [f["code"] for f in entry["findings"]] == ["outlet-missing"]
    assert client.get("/api/v1/registry/cas", params={"status": "revoked"}).json() == []
    assert client.get("/api/v1/registry/cas", params={"status": "nope"}).status_code == 422


def test_findings_are_scoped_to_the_caller(client: TestClient, world: Any) -> None:
    """SYS-6 / ECS-4.3: a CA sees its own findings, a provincial regulator its province's,
    other roles none."""
    party = world.parties["ca_shanghai"]
    client.put(
        f"/api/v1/cas/{party}/outsourcing",
        json={"functions": [{"function": "key management", "provider": "HSM Hosting"}]},
        headers=world.headers("ca_operator"),
    )
    assert len(_findings(client, world, "ca_operator")) == 1
    assert len(_findings(client, world, "provincial_regulator")) == 1
    for who in ("ca_operator_beijing", "provincial_regulator_gd", "testing_agency", "app_operator"):
        assert _findings(client, world, who) == [], who
    assert client.get("/api/v1/findings").status_code == 401
