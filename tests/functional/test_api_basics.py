"""HTTP basics: health, metrics, OpenAPI, login sessions, parties, bad input (SYS-6)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work


def test_health_metrics_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    client.get("/api/v1/jurisdictions")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert "certgov_http_requests_total" in metrics.text
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/cases/{case_id}/transitions" in spec["paths"]


def test_people_log_in_with_a_session_cookie_and_log_out(client: TestClient, ctx, world) -> None:
    """SYS-6: argon2-hashed passwords, a session cookie, hashed session tokens."""
    with unit_of_work(ctx.sessions) as session:
        user = identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username="li.wei",
            display_name="Li Wei",
            password="correct horse battery",
            grant=identity.Grant(Role.NATIONAL_REGULATOR),
        )
        assert user.password_hash.startswith("$argon2id$")
    wrong = client.post(
        "/api/v1/auth/login", json={"username": "li.wei", "password": "wrong password!"}
    )
    assert wrong.status_code == 401
    assert "certgov_session" not in wrong.cookies
    unknown = client.post(
        "/api/v1/auth/login", json={"username": "nobody", "password": "whatever12345"}
    )
    assert unknown.status_code == 401
    assert unknown.json()["message"] == wrong.json()["message"]
    ok = client.post(
        "/api/v1/auth/login", json={"username": "li.wei", "password": "correct horse battery"}
    )
    assert ok.status_code == 200
    assert ok.json()["role"] == "national_regulator"
    cookie = ok.cookies["certgov_session"]
    assert client.get("/api/v1/auth/me").json()["name"] == "li.wei"
    assert client.get("/api/v1/cases").status_code == 200
    token = ok.json()["csrf_token"]
    assert client.get("/api/v1/auth/me").json()["csrf_token"] == token
    # A write authenticated by the cookie must carry the session's CSRF token.
    assert client.post("/api/v1/auth/logout").status_code == 403
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 200
    client.cookies.set("certgov_session", cookie)
    after = client.get("/api/v1/cases")
    assert after.status_code == 401
    assert "log in again" in after.json()["message"]


def test_tokens_are_stored_hashed_and_can_be_revoked(ctx, world, client: TestClient) -> None:
    """SYS-6: bearer tokens are stored as SHA-256; a revoked one stops working at once."""
    from certgov.identity.models import ApiToken

    secret = world.tokens["ca_operator"]
    assert client.get("/api/v1/cases", headers=world.headers("ca_operator")).status_code == 200
    with unit_of_work(ctx.sessions) as session:
        used = session.get(ApiToken, world.actors["ca_operator"].token_id)
        assert used is not None
        assert used.last_used_at == ctx.clock.now()
    with unit_of_work(ctx.sessions) as session:
        stored = [t.token_hash for t in session.query(ApiToken)]
        assert secret not in stored
        assert all(len(h) == 64 for h in stored)
        token_id = world.actors["ca_operator"].token_id
        assert token_id is not None
        identity.revoke_token(session, ctx.audit, token_id, by=SYSTEM_ACTOR)
    response = client.get("/api/v1/cases", headers=world.headers("ca_operator"))
    assert response.status_code == 401


def test_party_registration_checks_the_credit_code(client: TestClient, world) -> None:
    """ECS-2.1: a wrong unified social credit code is refused naming the expected character."""
    body = {
        "name": "新认证公司",
        "kind": "ca",
        "uscc": "91330100716105850F",
        "home_province": "330000",
    }
    refused = client.post("/api/v1/parties", json=body, headers=world.headers("national_regulator"))
    assert refused.status_code == 422
    assert refused.json()["details"]["expected_check_character"] == "9"
    assert "'9'" in refused.json()["message"]
    body["uscc"] = "91330100716105852F"
    created = client.post("/api/v1/parties", json=body, headers=world.headers("national_regulator"))
    assert created.status_code == 201, created.text
    again = client.post("/api/v1/parties", json=body, headers=world.headers("national_regulator"))
    assert again.status_code == 409
    listed = client.get("/api/v1/parties", params={"province": "330000"}).json()
    assert [p["uscc"] for p in listed] == ["91330100716105852F"]


def test_a_provincial_regulator_registers_only_in_its_province(client: TestClient, world) -> None:
    """SYS-6 / ECS-4.3."""
    body = {
        "name": "浙江公司",
        "kind": "ca",
        "uscc": "91330100716105852F",
        "home_province": "330000",
    }
    response = client.post(
        "/api/v1/parties", json=body, headers=world.headers("provincial_regulator")
    )
    assert response.status_code == 403


def test_cases_are_visible_only_within_scope(client: TestClient, world) -> None:
    """SYS-6: provincial regulators see their province; operators their own cases;
    testing agencies only cases assigned to them; invisible cases read as not found, except
    to a provincial regulator, who is told the case is outside its jurisdiction (ECS-4.3)."""
    from support.licensing import open_licence_case

    case = open_licence_case(client, world)  # Shanghai CA → jurisdiction 310000
    url = f"/api/v1/cases/{case['id']}"
    assert client.get(url, headers=world.headers("provincial_regulator")).status_code == 200
    outside = client.get(url, headers=world.headers("provincial_regulator_gd"))
    assert outside.status_code == 403
    assert "outside your jurisdiction (440000)" in outside.json()["message"]
    assert client.get(url, headers=world.headers("ca_operator_beijing")).status_code == 404
    assert client.get(url, headers=world.headers("testing_agency")).status_code == 404
    assert client.get(url, headers=world.headers("certification_body")).status_code == 404
    assert (
        client.get("/api/v1/cases", headers=world.headers("provincial_regulator_gd")).json() == []
    )
    mine = client.get("/api/v1/cases", headers=world.headers("ca_operator")).json()
    assert [c["id"] for c in mine] == [case["id"]]


def test_operators_open_cases_only_for_themselves(client: TestClient, world) -> None:
    body = {
        "process_id": "ca-licence-application",
        "title": "x",
        "subject_party_id": world.parties["ca_beijing"],
    }
    assert (
        client.post("/api/v1/cases", json=body, headers=world.headers("ca_operator")).status_code
        == 403
    )
    body = {"process_id": "ca-licence-application", "title": "x"}
    assert (
        client.post("/api/v1/cases", json=body, headers=world.headers("app_operator")).status_code
        == 403
    )


def test_bad_input_gets_a_clear_error_and_loses_nothing(client: TestClient, world) -> None:
    """Malformed JSON, wrong dates, unknown ids, oversized bodies: clear 4xx, never 500."""
    headers = {**world.headers("ca_operator"), "content-type": "application/json"}
    malformed = client.post("/api/v1/cases", content=b"{not json", headers=headers)
    assert malformed.status_code == 422
    assert malformed.json()["error"] == "invalid_input"
    bad_date = client.post(
        "/api/v1/cases",
        json={"process_id": "ca-licence-application", "title": "x", "relevant_date": "2025-02-30"},
        headers=world.headers("ca_operator"),
    )
    assert bad_date.status_code == 422
    assert "relevant_date" in bad_date.json()["message"]
    unknown_process = client.post(
        "/api/v1/cases",
        json={"process_id": "nope", "title": "x"},
        headers=world.headers("ca_operator"),
    )
    assert unknown_process.status_code == 404
    assert (
        client.get("/api/v1/cases/999999", headers=world.headers("national_regulator")).status_code
        == 404
    )
    assert client.get("/api/v1/parties/999999").status_code == 404
    assert client.get("/api/v1/no-such-route").json()["error"] == "not_found"
    too_big = client.post("/api/v1/cases", content=b"x" * (21 * 1024 * 1024), headers=headers)
    assert too_big.status_code == 413
    assert client.get("/api/v1/cases", headers=world.headers("ca_operator")).json() == []
    calendar = client.get(
        "/api/v1/calendar/add", params={"from": "2025-09-25", "business_days": 10}
    )
    assert calendar.json()["due"] == "2025-10-15"
    both = client.get(
        "/api/v1/calendar/add", params={"from": "2025-09-25", "business_days": 1, "days": 1}
    )
    assert both.status_code == 422


def test_uscc_check_endpoint(client: TestClient) -> None:
    body = client.get("/api/v1/uscc/91330100716105850F").json()
    assert body == {
        "code": "91330100716105850F",
        "valid": False,
        "reasons": [
            "check character is 'F' but GB 32100-2015 gives '9' for the first 17 characters"
        ],
        "expected_check_character": "9",
    }


def test_process_diagram_and_definition(client: TestClient) -> None:
    """SYS-1: each process renders as an SVG diagram."""
    svg = client.get("/api/v1/processes/ca-licence-application/diagram.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg")
    definition = client.get("/api/v1/processes/ca-licence-application").json()
    decision = definition["deadlines"][0]
    assert decision["paused_in"] == ["awaiting_documents"]
    assert client.get("/api/v1/processes/nope/diagram.svg").status_code == 404
