"""Violations and penalties (ECS-6): the catalogue as rule-set data, enforcement cases from a
finding, notice, statement or hearing, the decision checked against the catalogue (a fine
outside its range refused naming the range), revocation, publication; SYS-6."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from certgov.cases.sweep import sweep
from certgov.store.engine import unit_of_work
from support.enforcement import a_finding, case_of, decide, enforcement_to_decision
from support.licensing import act, grant_licence


def test_ecs_6_1_violation_catalogue_is_public_rule_set_data(client: TestClient) -> None:
    """ECS-6.1, ECS-6.3: each violation with its legal basis, outcomes and fine range."""
    body = client.get("/api/v1/violations").json()
    assert body["rule_set"] == "measures-2015"
    by_id = {v["id"]: v for v in body["violations"]}
    assert {
        "operational_change_not_reported",
        "chain_not_filed",
        "certificate_not_updated",
        "critical_operation_delegated",
        "outlet_missing",
        "licence_transferred",
        "records_not_kept",
        "cessation_not_reported",
        "unlicensed_service",
    } == set(by_id)
    cessation = by_id["cessation_not_reported"]
    assert cessation["basis"] == "ESL Arts. 23, 30"
    assert cessation["fine_range"]["value"] == {"low": 10_000, "high": 50_000}
    assert "ESL Art. 30" in cessation["fine_range"]["source"]
    unlicensed = by_id["unlicensed_service"]
    assert unlicensed["gains_rule"]["threshold"]["value"] == 300_000
    assert unlicensed["gains_rule"]["multiplier"]["value"] == {"low": 1, "high": 3}
    draft = client.get("/api/v1/violations", params={"rule_set": "measures-2024-draft"}).json()
    assert draft["rule_set"] == "measures-2024-draft"
    assert client.get("/api/v1/violations", params={"rule_set": "nope"}).status_code == 404


def test_ecs_6_2_fine_outside_its_range_is_refused_naming_the_range(
    client: TestClient, world
) -> None:
    """ECS-6.2: from a confirmed finding, notice, the CA's statement, then a fine of 60,000
    for not reporting the cessation (ESL Art. 30: 10,000–50,000) is refused naming the range
    and nothing is recorded; 20,000 is decided, then published."""
    case = enforcement_to_decision(client, world)
    assert case["state"] == "awaiting_decision"
    refused = decide(client, world, case, outcomes=["fine"], fine_yuan=60_000)
    assert refused.status_code == 422
    message = refused.json()["message"]
    assert "10,000–50,000 CNY" in message and "cessation_not_reported_fine" in message
    assert case_of(client, world, case["id"])["state"] == "awaiting_decision"
    assert client.get("/api/v1/penalties").json() == []
    for payload, named in (
        ({"outcomes": ["licence revocation"]}, "not an outcome"),
        ({"outcomes": ["fine"]}, "fine_yuan"),
        ({"outcomes": ["warning"], "fine_yuan": 10_000}, "do not include a fine"),
        ({"outcomes": ["fine"], "fine_yuan": "20000"}, "fine_yuan"),
        ({"outcomes": []}, "outcomes"),
    ):
        response = decide(client, world, case, **payload)
        assert response.status_code == 422, payload
        assert named in response.json()["message"], response.json()
    decided = decide(client, world, case, outcomes=["fine", "order to correct"], fine_yuan=20_000)
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "decided"
    assert client.get("/api/v1/penalties").json() == []  # not yet published
    published = act(client, world, "national_regulator", decided.json(), "publish")
    assert published["state"] == "published"
    penalties = client.get("/api/v1/penalties").json()
    assert len(penalties) == 1
    assert penalties[0]["fine_yuan"] == 20_000
    assert penalties[0]["outcomes"] == ["fine", "order to correct"]
    assert penalties[0]["reasons"] == "Statement of reasons"
    assert "decided_by" not in penalties[0]


def test_ecs_6_2_the_statement_period_lapses_and_a_hearing_can_be_asked(
    client: TestClient, world, clock
) -> None:
    """ECS-6.2: no decision while the CA may still state its case; the period
    (penalty_statement_period) lapsing moves the case on; a hearing is recorded."""
    finding = a_finding(world, "ca_shanghai")
    opened = client.post(
        "/api/v1/enforcement",
        json={"finding_id": finding, "violation": "outlet_missing", "summary": "no outlet"},
        headers=world.headers("provincial_regulator"),
    ).json()
    notified = act(client, world, "provincial_regulator", opened, "notify", reason="Notice")
    statement = next(d for d in notified["deadlines"] if d["name"] == "statement")
    assert statement["period"] == "5 calendar days"
    early = decide(client, world, notified, "provincial_regulator", outcomes=["warning"])
    assert early.status_code == 409
    clock.advance(dt.timedelta(days=7))
    with unit_of_work(world.ctx.sessions) as session:
        sweep(session, world.ctx)
    lapsed = case_of(client, world, opened["id"])
    assert lapsed["state"] == "awaiting_decision"
    assert (
        decide(client, world, lapsed, "provincial_regulator", outcomes=["warning"]).status_code
        == 200
    )

    second = client.post(
        "/api/v1/enforcement",
        json={
            "party_id": world.parties["ca_shanghai"],
            "violation": "chain_not_filed",
            "summary": "root not filed",
        },
        headers=world.headers("national_regulator"),
    ).json()
    notified = act(client, world, "national_regulator", second, "notify", reason="Notice")
    hearing = act(client, world, "ca_operator", notified, "request_hearing")
    assert hearing["state"] == "hearing"
    heard = act(client, world, "national_regulator", hearing, "record_hearing", reason="Heard")
    assert heard["state"] == "awaiting_decision"


def test_ecs_6_3_unlicensed_service_fine_follows_the_illegal_gains(
    client: TestClient, world
) -> None:
    """ECS-6.3 (ESL Art. 29): 1–3 × gains of 400,000 allows 1,000,000, refuses 1,300,000."""
    case = enforcement_to_decision(client, world, violation="unlicensed_service")
    too_much = decide(
        client, world, case, outcomes=["fine"], fine_yuan=1_300_000, illegal_gains_yuan=400_000
    )
    assert too_much.status_code == 422
    assert "400,000–1,200,000 CNY" in too_much.json()["message"]
    ok = decide(
        client, world, case, outcomes=["fine"], fine_yuan=1_000_000, illegal_gains_yuan=400_000
    )
    assert ok.status_code == 200, ok.text


def test_ecs_6_2_revocation_is_national_and_revokes_the_licence(client: TestClient, world) -> None:
    """ECS-6.2, ECS-7.2: a provincial regulator cannot revoke (403, nothing recorded); the
    national regulator's revocation revokes the licence and opens the forced exit."""
    licence = grant_licence(client, world)
    case = enforcement_to_decision(client, world, violation="critical_operation_delegated")
    provincial = decide(
        client, world, case, "provincial_regulator", outcomes=["licence revocation"]
    )
    assert provincial.status_code == 403
    assert client.get(f"/api/v1/licences/{licence['number']}").json()["status"] == "valid"
    decided = decide(client, world, case, outcomes=["licence revocation"])
    assert decided.status_code == 200, decided.text
    assert client.get(f"/api/v1/licences/{licence['number']}").json()["status"] == "revoked"
    exits = client.get(
        "/api/v1/cases",
        params={"process_id": "ecs-withdrawal"},
        headers=world.headers("ca_operator"),
    ).json()
    assert len(exits) == 1 and exits[0]["title"].startswith("Forced exit")


def test_sys_6_enforcement_least_privilege(client: TestClient, world) -> None:
    """SYS-6: only regulators open enforcement cases, a provincial one in its province only;
    a CA sees and answers only its own case; penalties are public once published."""
    finding = a_finding(world, "ca_beijing")
    body = {"finding_id": finding, "violation": "outlet_missing", "summary": "s"}
    for who, status in (
        ("public", 401),
        ("ca_operator", 403),
        ("app_operator", 403),
        ("certification_body", 403),
        ("testing_agency", 403),
        ("provincial_regulator", 403),
    ):
        assert (
            client.post("/api/v1/enforcement", json=body, headers=world.headers(who)).status_code
            == status
        )
    opened = client.post(
        "/api/v1/enforcement", json=body, headers=world.headers("national_regulator")
    )
    assert opened.status_code == 201
    case_id = opened.json()["id"]
    assert (
        client.get(f"/api/v1/cases/{case_id}", headers=world.headers("ca_operator")).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/cases/{case_id}", headers=world.headers("ca_operator_beijing")
        ).status_code
        == 200
    )
    notified = act(client, world, "national_regulator", opened.json(), "notify", reason="Notice")
    other = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={
            "transition": "submit_statement",
            "expected_version": notified["version"],
            "reason": "not mine",
        },
        headers=world.headers("ca_operator"),
    )
    assert other.status_code == 404
    bare = client.post(
        "/api/v1/cases",
        json={
            "process_id": "ecs-enforcement",
            "title": "bare",
            "subject_party_id": world.parties["ca_beijing"],
        },
        headers=world.headers("national_regulator"),
    )
    assert bare.status_code == 422 and "violation" in bare.json()["message"]
    assert client.get("/api/v1/penalties").status_code == 200
