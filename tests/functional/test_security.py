"""SYS-6 and robustness of the served platform (issue 15): each defect measured against the
served application, and its fix, through HTTP on both databases."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from certgov.actors import Role
from certgov.asgi import create_app
from certgov.clock import FixedClock
from certgov.context import Context
from certgov.identity import services as identity
from certgov.identity.models import ApiToken
from certgov.logs.models import TLogEntry, TLogQueued
from certgov.store.engine import unit_of_work
from support.licensing import open_licence_case

PASSWORD = "correct horse battery"


def _user(ctx: Context, username: str, role: Role = Role.NATIONAL_REGULATOR) -> None:
    from certgov.actors import SYSTEM_ACTOR

    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name=username,
            password=PASSWORD,
            grant=identity.Grant(role),
        )


def _log_in(client: TestClient, username: str) -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


# --- 1. cross-site request forgery -----------------------------------------------------------


def test_a_cross_site_form_post_does_not_move_a_case(ctx, world, client: TestClient) -> None:
    """Defect 1: logged in as the national regulator, a form POST from another site moved a
    case; now it is refused whatever it carries, and so is one without the session's token."""
    _user(ctx, "li.wei")
    token = _log_in(client, "li.wei")
    case = open_licence_case(client, world)
    url = f"/console/cases/{case['id']}/transitions"
    form = {"transition": "accept", "version": str(case["version"]), "csrf_token": token}
    forged = client.post(url, data=form, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert forged.json()["error"] == "cross_site_request"
    no_token = client.post(url, data={k: v for k, v in form.items() if k != "csrf_token"})
    assert no_token.status_code == 403
    assert no_token.json()["error"] == "csrf_token_missing"
    wrong = client.post(url, data={**form, "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=world.headers("national_regulator"))
    assert detail.json()["state"] == case["state"], "nothing moved"


def test_cookie_writes_to_the_api_must_be_json_with_the_token(ctx, world, client) -> None:
    """Defect 1: ``POST /api/v1/filings`` accepted a text/plain body authenticated by the
    session cookie (what a cross-site form can send without a preflight)."""
    _user(ctx, "zhang.min")
    token = _log_in(client, "zhang.min")
    plain = client.post(
        "/api/v1/filings",
        content=b"-----BEGIN CERTIFICATE-----",
        headers={"Content-Type": "text/plain", "X-CSRF-Token": token},
    )
    assert plain.status_code == 415
    assert "JSON" in plain.json()["message"]
    # A bearer client is no browser: it files PEM as before (refused here for its content).
    bearer = client.post(
        "/api/v1/filings",
        content=b"not a certificate",
        headers={**world.headers("ca_operator"), "Content-Type": "application/x-pem-file"},
    )
    assert bearer.status_code == 422


# --- 2. login throttling ---------------------------------------------------------------------


def test_failed_logins_are_throttled_and_audited(ctx, clock: FixedClock, client) -> None:
    """Defect 2: 60 wrong passwords in 12 s were all 401. Now, past the allowance, each
    further attempt waits (doubling), with 429 and Retry-After, even with the right password;
    every failure is in the audit log."""
    _user(ctx, "wang.fang")
    allowed = ctx.settings.login_failures_per_account
    for _ in range(allowed):
        wrong = client.post(
            "/api/v1/auth/login", json={"username": "wang.fang", "password": "guess guess"}
        )
        assert wrong.status_code == 401
    refused = client.post(
        "/api/v1/auth/login", json={"username": "wang.fang", "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "try again in" in refused.json()["message"]
    clock.advance(dt.timedelta(seconds=int(refused.headers["Retry-After"])))
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": "wang.fang", "password": PASSWORD}
        ).status_code
        == 200
    )
    with unit_of_work(ctx.sessions, readonly=True) as session:
        entries = [
            *session.scalars(select(TLogQueued.data)),
            *session.scalars(select(TLogEntry.data)),
        ]
    failures = [e for e in entries if b'"identity.login_failed"' in e]
    assert len(failures) == allowed
    assert all(b"wang.fang" in e for e in failures)


def test_the_console_login_form_is_throttled_too(ctx, client) -> None:
    _user(ctx, "chen.jie")
    for _ in range(ctx.settings.login_failures_per_account):
        client.post("/console/login", data={"username": "chen.jie", "password": "nope nope"})
    page = client.post("/console/login", data={"username": "chen.jie", "password": PASSWORD})
    assert page.status_code == 429
    assert "秒后再试" in page.text
    assert "Retry-After" in page.headers


# --- 3. security headers ---------------------------------------------------------------------


def test_every_response_carries_the_security_headers(ctx, world, client) -> None:
    """Defect 3: only nosniff was sent."""
    for path in ("/", "/console", "/api/v1/auth/me", "/registry", "/no/such/page"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert "Strict-Transport-Security" not in response.headers
    assert client.get("/console").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/auth/me").headers["Cache-Control"] == "no-store"
    assert (
        client.get("/api/v1/cases", headers=world.headers("ca_operator")).headers["Cache-Control"]
        == "no-store"
    )


def test_hsts_is_sent_with_secure_cookies(ctx) -> None:
    ctx.settings = ctx.settings.model_copy(update={"secure_cookies": True})
    with TestClient(create_app(ctx)) as secure:
        assert "max-age=" in secure.get("/").headers["Strict-Transport-Security"]


# --- 4. hostile values -----------------------------------------------------------------------

HUGE = "23559035004932481024"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/parties/{HUGE}",
        "/api/v1/parties/2147483648",
        f"/api/v1/cases/{HUGE}",
        f"/api/v1/cases?offset={HUGE}",
        f"/api/v1/conduct/parties/{HUGE}/outlets",
        f"/api/v1/app-certifications?holder={HUGE}",
        f"/api/v1/logs/audit/proof/inclusion?index={HUGE}{HUGE}",
    ],
)
def test_integers_beyond_the_columns_are_refused_with_422(world, client, path: str) -> None:
    """Defect 4: integers beyond 64 bits (and on PostgreSQL beyond 2^31 - 1) gave 500."""
    response = client.get(path, headers=world.headers("national_regulator"))
    assert response.status_code in (404, 422), (path, response.status_code, response.text)
    assert response.status_code != 500


def test_a_huge_case_id_in_the_console_is_a_page_not_a_traceback(world, client) -> None:
    response = client.get(f"/console/cases/{HUGE}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text


def test_nul_and_lone_surrogates_are_refused_naming_the_field(world, client) -> None:
    """Defect 4: a lone surrogate in any stored text, NUL characters on PostgreSQL."""
    # Sent as JSON text with the escape, as a hostile client would (Python cannot encode it).
    raw = b'{"subject": "bad \\ud800 text", "description": "x", "ca_name": "Some CA"}'
    response = client.post(
        "/api/v1/complaints", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["message"].startswith("subject")
    nul = client.post("/api/v1/auth/login", json={"username": "a\x00b", "password": "p" * 12})
    assert nul.status_code == 422
    query = client.get("/api/v1/registry/cas?status=%00", headers=world.headers("public"))
    assert query.status_code in (200, 422)


def test_nul_in_a_form_field_is_refused_on_both_databases(client) -> None:
    """The complaint form stores what it is given: NUL never reaches the database."""
    form = {"ca_party_id": "", "ca_name": "CA\x00X", "subject": "s", "description": "d"}
    response = client.post("/complaints", data=form)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")


# --- 5. no write inside a read (SQLite's lock) ----------------------------------------------


def test_a_token_first_use_does_not_fail_while_another_write_is_in_flight(
    ctx, world, client, database_url: str
) -> None:
    """Defect 5: a bearer token's first use wrote last_used_at inside the read transaction;
    with another write in flight 39 of 40 such requests got 500 on SQLite."""
    with unit_of_work(ctx.sessions) as session:
        session.execute(ApiToken.__table__.update().values(last_used_at=None))
    holding = threading.Event()
    release = threading.Event()

    def writer() -> None:
        with unit_of_work(ctx.sessions) as session:
            session.execute(text("UPDATE parties SET name = name"))
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(5)
    try:
        answers = [
            client.get("/api/v1/cases", headers=world.headers(who)).status_code
            for who in ("ca_operator", "national_regulator", "app_operator")
        ]
    finally:
        release.set()
        thread.join()
    assert answers == [200, 200, 200]
    # The uses are recorded once the other writer is done (after each request, in its own
    # short transaction: the answers above did not wait for it on PostgreSQL).
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        client.get("/api/v1/cases", headers=world.headers("ca_operator"))
        with unit_of_work(ctx.sessions, readonly=True) as session:
            used = session.get(ApiToken, world.actors["ca_operator"].token_id)
            if used is not None and used.last_used_at is not None:
                return
        time.sleep(0.2)
    raise AssertionError("the token's use was never recorded")


# --- 6. clear answers ------------------------------------------------------------------------


def test_a_chunked_oversized_body_gets_413(ctx, world) -> None:
    """Defect 6: chunked oversized JSON got 400 'There was an error parsing the body'."""
    ctx.settings = ctx.settings.model_copy(update={"max_upload_bytes": 1000})

    def chunks() -> Iterator[bytes]:
        yield b'{"subject": "'
        for _ in range(20):
            yield b"x" * 100
        yield b'"}'

    with TestClient(create_app(ctx), raise_server_exceptions=False) as small:
        response = small.post(
            "/api/v1/complaints",
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 413
    assert "1000 bytes" in response.json()["message"]


def test_a_body_that_is_not_json_says_so(world, client) -> None:
    """Defect 6: a wrong content type got 'Input should be a valid dictionary'."""
    response = client.post(
        "/api/v1/auth/login", content=b"username=a", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 422
    assert response.json()["message"] == "the request body must be a JSON object"
    assert "application/json" in response.json()["hint"]


def test_unknown_console_urls_are_pages_in_chinese(client) -> None:
    response = client.get("/console/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "页面不存在" in response.text
    english = client.get("/console/no-such-page?lang=en")
    assert "Page not found" in english.text
    assert (
        client.get("/api/v1/no-such-route").headers["content-type"].startswith("application/json")
    )


def test_a_console_form_with_a_bad_field_answers_a_page(ctx, world, client) -> None:
    _user(ctx, "liu.yang")
    token = _log_in(client, "liu.yang")
    response = client.post(
        "/console/cases/1/transitions",
        data={"transition": "accept", "version": "not a number", "csrf_token": token},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "version" in response.text


# --- 7. the API contract ---------------------------------------------------------------------


def test_openapi_declares_security_schemes_and_error_answers(client) -> None:
    document = client.get("/api/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerToken"]["scheme"] == "bearer"
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert schemes["csrfToken"]["name"] == "X-CSRF-Token"
    transition = document["paths"]["/api/v1/cases/{case_id}/transitions"]["post"]
    for code in ("401", "403", "404", "409", "413", "422", "429"):
        assert code in transition["responses"], code
    assert {"bearerToken": []} in transition["security"]
    public = document["paths"]["/api/v1/verify"]["post"]
    assert {} in public["security"]


# --- 8. least privilege ----------------------------------------------------------------------


def test_provincial_regulators_read_no_app_certification_case(world, client) -> None:
    """Defect 8: a provincial regulator read app cases through /cases/{id} while
    /app-applications/{id} refused it. App certification is the certification body's scheme
    (SYS-6): both refuse."""
    from support.appcert import submit

    submitted = submit(client, world)
    case_id = submitted["units"][0]["case"]["id"]
    for who in ("provincial_regulator", "provincial_regulator_gd"):
        by_case = client.get(f"/api/v1/cases/{case_id}", headers=world.headers(who))
        by_app = client.get(f"/api/v1/app-applications/{case_id}", headers=world.headers(who))
        assert by_case.status_code in (403, 404), who
        assert by_app.status_code in (403, 404), who
        listed = client.get("/api/v1/cases", headers=world.headers(who)).json()
        assert case_id not in {c["id"] for c in listed}
    assert (
        client.get(f"/api/v1/cases/{case_id}", headers=world.headers("certification_body"))
    ).status_code == 200


def test_an_official_token_cannot_name_a_supervised_party(ctx, world) -> None:
    """Defect 8: ``--role national_regulator --party 3`` was accepted."""
    from certgov.actors import SYSTEM_ACTOR
    from certgov.errors import InvalidInput

    with unit_of_work(ctx.sessions) as session, pytest.raises(InvalidInput, match="contradictory"):
        identity.create_token(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            name="odd",
            grant=identity.Grant(Role.NATIONAL_REGULATOR, party_id=world.parties["ca_shanghai"]),
        )


# --- 9. no silently ignored field ------------------------------------------------------------


def _change(**extra: Any) -> dict[str, Any]:
    return {"item": "name", "changed_on": "2025-09-20", "new_value": "New Name Ltd.", **extra}


def test_a_field_the_api_does_not_take_is_refused_not_dropped(world, client) -> None:
    """Defect 9: ``filed_on`` sent by the CA was answered 201 with today's date. The CA cannot
    state it (422 naming it); an unknown field is refused too."""
    party = world.parties["ca_shanghai"]
    url = f"/api/v1/parties/{party}/registration-changes"
    ca = world.headers("ca_operator")
    refused = client.post(url, json=_change(filed_on="2025-09-21"), headers=ca)
    assert refused.status_code == 403
    assert refused.json()["message"].startswith("filed_on")
    unknown = client.post(url, json=_change(colour="blue"), headers=ca)
    assert unknown.status_code == 422
    assert "colour" in unknown.json()["message"]
    assert client.post(url, json=_change(), headers=ca).status_code == 201


def test_a_regulator_records_a_paper_filing_with_its_date(world, client) -> None:
    """SYS-8: the regulator records a change the CA filed on paper, with the day it arrived;
    the filing is judged late or on time from that day, and the record says who stated it."""
    party = world.parties["ca_shanghai"]
    url = f"/api/v1/parties/{party}/registration-changes"
    response = client.post(
        url, json=_change(filed_on="2025-09-22"), headers=world.headers("national_regulator")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["filed_on"] == "2025-09-22"
    assert body["late"] is False
    future = client.post(
        url,
        json=_change(item="domicile", filed_on="2025-10-30"),
        headers=world.headers("national_regulator"),
    )
    assert future.status_code == 422
    assert "future" in future.json()["message"]
