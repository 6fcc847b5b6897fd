"""APP-1 and APP-2 through the API against a real database: application units per operating
system with their documents, and the eligibility bars judged on submission."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient

from support.appcert import CB, OPERATOR, REQUIRED, application, content_of, documents, submit, view

URL = "/api/v1/app-applications"


def test_app_1_one_application_unit_per_operating_system_with_documents(
    client: TestClient, world: Any
) -> None:
    """APP-1: applying for Android and iOS makes two application units (two cases), each with
    every required document kept with its SHA-256 digest and size, downloadable as stored."""
    body = submit(client, world, systems=("Android", "ios"))
    assert body["eligible"] is True
    units = body["units"]
    assert [u["operating_system"] for u in units] == ["Android", "iOS"]
    assert len({u["case"]["id"] for u in units}) == 2
    for unit in units:
        assert unit["case"]["process_id"] == "app-certification"
        assert unit["case"]["state"] == "submitted"
        assert unit["case"]["rule_set_ids"] == ["ccrc-app-2019"]
        assert unit["version_line"] == "5.x"
    shown = view(client, world, units[1]["case"]["id"], OPERATOR)
    assert [d["kind"] for d in shown["documents"]] == list(REQUIRED)
    for document in shown["documents"]:
        expected = content_of(document["kind"])
        assert document["sha256"] == hashlib.sha256(expected).hexdigest()
        assert document["size"] == len(expected)
    first = shown["documents"][0]
    raw = client.get(
        f"{URL}/{units[1]['case']['id']}/documents/{first['sha256']}",
        headers=world.headers(CB),
    )
    assert raw.status_code == 200 and raw.content == content_of(first["kind"])
    # The same app, system and version line cannot be applied for twice while one is open.
    again = client.post(URL, json=application(), headers=world.headers(OPERATOR))
    assert again.status_code == 409 and "still open" in again.json()["message"]
    # The other operator sees neither unit, nor its documents.
    for path in (f"{URL}/{units[0]['case']['id']}", f"{raw.url.path}"):
        assert client.get(path, headers=world.headers("app_operator_2")).status_code == 404
    assert client.get(URL, headers=world.headers("app_operator_2")).json() == []
    assert len(client.get(URL, headers=world.headers(CB)).json()) == 2


def test_app_1_missing_documents_and_bad_input_are_refused_by_field(
    client: TestClient, world: Any
) -> None:
    """APP-1: every missing document is named; unknown systems, bad base64, a wrong digest or
    an unknown field are 422 naming the field; nothing is stored."""
    headers = world.headers(OPERATOR)
    missing = client.post(
        URL,
        json=application(
            documents=documents(skip=("legal-person proof", "version-control statement"))
        ),
        headers=headers,
    )
    assert missing.status_code == 422
    assert missing.json()["details"]["missing"] == [
        "legal-person proof",
        "version-control statement",
    ]
    wrong_digest = documents()
    wrong_digest[0]["sha256"] = "0" * 64
    bad_base64 = documents()
    bad_base64[1]["content_base64"] = "not base64!"
    cases = [
        (application(systems=("Windows Phone",)), "operating_systems[0]"),
        (application(systems=("Android", "android")), "operating_systems[1]"),
        (application(systems=()), "operating_systems"),
        (application(documents=wrong_digest), "documents[0].sha256"),
        (application(documents=bad_base64), "documents[1].content_base64"),
        (application(extra=1), "extra"),
        ({**application(), "app_name": ""}, "app_name"),
        ({**application(), "documents": [*documents(), documents()[0]]}, "documents[5].kind"),
    ]
    for body, field in cases:
        response = client.post(URL, json=body, headers=headers)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["message"].startswith(field), (field, response.json())
    assert client.get(URL, headers=world.headers(CB)).json() == []
    for who, status in (("certification_body", 403), ("testing_agency", 403), ("public", 401)):
        assert (
            client.post(URL, json=application(), headers=world.headers(who)).status_code == status
        )


def _record(client: TestClient, world: Any, **body: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/app-operators/{world.parties[OPERATOR]}/records",
        json=body,
        headers=world.headers(CB),
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_app_2_serious_incident_within_12_months_bars_the_application(
    client: TestClient, world: Any
) -> None:
    """APP-2: a serious security incident 11 months before the application (2025-09-25) bars
    it, refused at once with the reason; one 13 months before does not."""
    _record(
        client,
        world,
        kind="serious_security_incident",
        occurred_on="2024-08-25",
        description="user database exposed",
    )
    clear = client.get(
        f"/api/v1/app-operators/{world.parties[OPERATOR]}/eligibility",
        headers=world.headers(OPERATOR),
    ).json()
    assert clear["eligible"] is True
    assert submit(client, world, app_name="Old Incident App")["eligible"] is True
    _record(
        client,
        world,
        kind="serious_security_incident",
        occurred_on="2024-10-25",
        description="location data leaked",
    )
    refused = submit(client, world, app_name="Example Maps", systems=("Android", "iOS"))
    assert refused["eligible"] is False
    for unit in refused["units"]:
        assert unit["case"]["state"] == "refused_ineligible"
        (bar,) = unit["eligibility"]["bars"]
        assert bar["bar"] == "serious security incident within the lookback period"
        assert "2024-10-25" in bar["reason"] and "12 months" in bar["reason"]
        assert bar["parameter"]["name"] == "serious_incident_lookback"
        assert unit["decision"]["outcome"] == "refused_ineligible"
        # The refusal is in the response: received on the day of application.
        assert unit["decision"]["received_on"] == "2025-09-25"
    history = client.get(
        f"/api/v1/cases/{refused['units'][0]['case']['id']}/history", headers=world.headers(CB)
    ).json()
    refusal = next(e for e in history if e["transition"] == "refuse_ineligible")
    assert refusal["actor"]["role"] == "system" and "location data leaked" in refusal["reason"]


def test_app_2_every_bar_is_stated_and_the_ban_period_counts(
    client: TestClient, world: Any
) -> None:
    """APP-2: a recorded law violation, a similar certification revoked within the ban period
    and an incident bar together, each with its reason; a violation that ended no longer bars;
    only the scheme's officials record, and an unknown kind names the kinds allowed."""
    _record(
        client,
        world,
        kind="law_violation",
        occurred_on="2025-03-01",
        description="fined by CAC for over-collection",
        reference="CAC-2025-17",
    )
    _record(
        client,
        world,
        kind="law_violation",
        occurred_on="2023-01-01",
        ends_on="2024-01-01",
        description="old warning",
    )
    _record(
        client,
        world,
        kind="similar_certification_revoked",
        occurred_on="2025-01-10",
        description="personal-information certification revoked by another body",
    )
    _record(
        client,
        world,
        kind="serious security incident",
        occurred_on="2025-09-01",
        description="breach",
    )
    refused = submit(client, world)
    bars = refused["units"][0]["eligibility"]["bars"]
    assert [b["bar"] for b in bars] == [
        "similar certification revoked and the ban period not over",
        "violation of laws and regulations",
        "serious security incident within the lookback period",
    ]
    assert "barred until 2026-01-09" in bars[0]["reason"]
    assert "fined by CAC" in bars[1]["reason"]
    # A year later the revocation ban and the incident window are over; the violation is not.
    later = client.get(
        f"/api/v1/app-operators/{world.parties[OPERATOR]}/eligibility",
        params={"on": "2026-09-02"},
        headers=world.headers(CB),
    ).json()
    assert [b["bar"] for b in later["bars"]] == ["violation of laws and regulations"]
    url = f"/api/v1/app-operators/{world.parties[OPERATOR]}/records"
    unknown = client.post(
        url,
        json={"kind": "bad reviews", "occurred_on": "2025-01-01", "description": "x"},
        headers=world.headers(CB),
    )
    assert unknown.status_code == 422 and "law_violation" in unknown.json()["hint"]
    future = client.post(
        url,
        json={"kind": "law_violation", "occurred_on": "2025-12-01", "description": "x"},
        headers=world.headers(CB),
    )
    assert future.status_code == 422 and future.json()["details"]["field"] == "occurred_on"
    for who, status in (("app_operator", 403), ("testing_agency", 403), ("public", 401)):
        body = {"kind": "law_violation", "occurred_on": "2025-01-01", "description": "x"}
        assert client.post(url, json=body, headers=world.headers(who)).status_code == status
    assert len(client.get(url, headers=world.headers(OPERATOR)).json()) == 4
    other = client.get(url, headers=world.headers("app_operator_2"))
    assert other.status_code == 403 and "own organisation" in other.json()["message"]
    ca = client.get(
        f"/api/v1/app-operators/{world.parties['ca_shanghai']}/records", headers=world.headers(CB)
    )
    assert ca.status_code == 404


def test_app_2_generic_case_cannot_bypass_submission(client: TestClient, world: Any) -> None:
    """APP-1 / APP-2: a case opened on the process directly has no application on record
    (no documents, no eligibility) and cannot be accepted."""
    opened = client.post(
        "/api/v1/cases",
        json={"process_id": "app-certification", "title": "sneaky"},
        headers=world.headers(OPERATOR),
    )
    assert opened.status_code == 201
    case = opened.json()
    refused = client.post(
        f"/api/v1/cases/{case['id']}/transitions",
        json={"transition": "accept", "expected_version": case["version"]},
        headers=world.headers(CB),
    )
    assert refused.status_code == 422 and "no application on record" in refused.json()["message"]
    assert client.get(f"{URL}/{case['id']}", headers=world.headers(CB)).status_code == 404
