"""SYS-6: every API route declares who may call it, and a walk of every route × role checks
that the declaration holds: a role not declared is refused (401 for the public, 403 for
others) and a declared role gets through the access check."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from certgov.actors import ALL_ROLES, Role
from certgov.api.app import API_PREFIX, API_ROUTERS
from certgov.http.deps import Allow
from certgov.store.engine import unit_of_work
from support.licensing import open_licence_case

#: The test actor used for each role (see tests/conftest.py ACTOR_SPECS).
ACTOR_OF_ROLE = {
    Role.NATIONAL_REGULATOR: "national_regulator",
    Role.PROVINCIAL_REGULATOR: "provincial_regulator",
    Role.CERTIFICATION_BODY: "certification_body",
    Role.TESTING_AGENCY: "testing_agency",
    Role.CA_OPERATOR: "ca_operator",
    Role.APP_OPERATOR: "app_operator",
    Role.PUBLIC: "public",
}


def _allows(dependant: Any) -> list[Allow]:
    found = [dependant.call] if isinstance(dependant.call, Allow) else []
    for sub in dependant.dependencies:
        found.extend(_allows(sub))
    return found


def api_routes(app: Any) -> list[tuple[str, APIRoute, frozenset[Role]]]:
    """(full path, route, allowed roles) of every API route; fails on undeclared ones."""
    routes = []
    for router in API_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            allows = _allows(route.dependant)
            path = API_PREFIX + route.path
            assert allows, f"{route.methods} {path} declares no roles (use certgov.http.deps.allow)"
            roles = frozenset.intersection(*(a.roles for a in allows))
            routes.append((path, route, roles))
    # Every API path the application serves is among the walked routers.
    served = {p for p in app.openapi()["paths"] if p.startswith(API_PREFIX)}
    assert served == {path for path, _r, _roles in routes}
    return routes


def test_every_api_route_declares_its_roles(client: TestClient) -> None:
    """SYS-6: no route is reachable without an access declaration."""
    routes = api_routes(client.app)
    assert len(routes) >= 20
    public_writes = {
        path
        for path, route, roles in routes
        if route.methods & {"POST", "PUT", "PATCH", "DELETE"} and Role.PUBLIC in roles
    }
    # The only POSTs open to the public: logging in, and checks that store nothing (and, later,
    # complaints).
    assert public_writes == {
        "/api/v1/auth/login",
        "/api/v1/complaints",
        "/api/v1/ecs/applicability",
        "/api/v1/ecs/readiness",
        "/api/v1/ecs/retention",
        "/api/v1/verify",
        "/api/v1/verify/document",
    }


def _fill(path: str, ids: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def test_route_role_walk(client: TestClient, world) -> None:
    """SYS-6: for every route and every role, a request is refused exactly when the role is
    not declared for the route."""
    case = open_licence_case(client, world)
    with unit_of_work(world.ctx.sessions) as session:
        world.ctx.logs.sequence(session, "filings", world.ctx.clock.now(), [b"a", b"b"])
    ids = {
        "log": "filings",
        "index": 1,
        "size": 2,
        "case_id": case["id"],
        "party_id": world.parties["ca_shanghai"],
        "rule_set_id": "measures-2015",
        "process_id": "ca-licence-application",
        "deadline": "decision",
        "code": "91330100716105852F",
        "number": "ECP3100002025999",
        "outlet_id": 1,
        "sha256": "0" * 64,
        "evidence_id": 1,
        "penalty_id": 1,
    }
    queries = {
        "/api/v1/calendar/add": {"from": "2025-09-25", "business_days": 1},
        "/api/v1/rule-sets/in-force": {"regime": "ecs", "on": "2025-09-25"},
        "/api/v1/logs/{log}/proof/inclusion": {"index": 0},
        "/api/v1/logs/{log}/proof/consistency": {"first": 1},
    }
    checked = 0
    failures = []
    for full_path, route, allowed in api_routes(client.app):
        path = _fill(full_path, ids)
        for method in sorted(route.methods):
            for role in ALL_ROLES:
                who = ACTOR_OF_ROLE[role]
                kwargs: dict[str, Any] = {
                    "headers": world.headers(who),
                    "params": queries.get(full_path, {}),
                }
                if method in ("POST", "PUT", "PATCH"):
                    kwargs["json"] = {}
                response = client.request(method, path, **kwargs)
                checked += 1
                if role in allowed:
                    if response.status_code in (401, 403) or response.status_code >= 500:
                        failures.append(
                            f"{role} {method} {full_path}: {response.status_code} {response.text[:200]}"
                        )
                else:
                    expected = 401 if role is Role.PUBLIC else 403
                    if response.status_code != expected:
                        failures.append(
                            f"{role} {method} {full_path}: expected {expected}, got {response.status_code}"
                        )
    assert not failures, "\n".join(failures)
    assert checked >= 20 * len(ALL_ROLES)


@pytest.mark.parametrize("header", ["Bearer nope", "Basic abc", "Bearer", "bearer   "])
def test_bad_credentials_are_401_with_a_clear_message(
    client: TestClient, world, header: str
) -> None:
    """SYS-6: a wrong or malformed token never falls back to the public role silently."""
    response = client.get("/api/v1/cases", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def _console_session(client: TestClient, world: Any, role: Role) -> None:
    """Log ``client`` in through the console as a new user of ``role`` (the public: none)."""
    from certgov.actors import SYSTEM_ACTOR
    from certgov.identity import services as identity

    client.cookies.clear()
    if role is Role.PUBLIC:
        return
    who = ACTOR_OF_ROLE[role]
    actor = world.actors[who]
    username = f"console-{who}"
    with unit_of_work(world.ctx.sessions) as session:
        if username not in {u.username for u in identity.list_users(session)}:
            identity.create_user(
                session,
                world.ctx.audit,
                by=SYSTEM_ACTOR,
                username=username,
                display_name=username,
                password="correct horse battery",
                grant=identity.Grant(role, actor.jurisdiction, actor.party_id),
            )
    answer = client.post(
        "/console/login",
        data={"username": username, "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def test_console_route_role_walk(client: TestClient, world) -> None:
    """SYS-6: every console page × role: the roles that may see it get it (200), the others
    are refused (403, or 404 for a record outside their view) and the public is sent to the
    login (303) — complaint evidence downloads included."""
    import base64

    evidence = base64.b64encode(b"evidence").decode()
    filed = client.post(
        "/api/v1/complaints",
        json={
            "subject": "s",
            "description": "d",
            "ca_party_id": world.parties["ca_shanghai"],
            "evidence": [
                {"filename": "e.txt", "media_type": "text/plain", "content_base64": evidence}
            ],
        },
    )
    assert filed.status_code == 201
    complaint = client.get("/api/v1/complaints", headers=world.headers("national_regulator"))
    case_id = complaint.json()[0]["id"]
    detail = client.get(
        f"/api/v1/complaints/cases/{case_id}", headers=world.headers("national_regulator")
    ).json()
    evidence_id = detail["evidence"][0]["id"]
    from support.appcert import certify

    certified = certify(client, world)
    number = certified["number"]
    app_case_id = certified["history"][0]["case_id"]
    assert app_case_id, certified["history"]
    # An evidence file of the checklist, attached by the assigned agency (a case in its
    # technical verification: the certified one is closed).
    from support.appcert import submit, to_verification

    open_case_id = submit(client, world, app_name="Example Maps")["units"][0]["case"]["id"]
    to_verification(client, world, open_case_id)
    attached = client.post(
        f"/api/v1/app-applications/{open_case_id}/evidence",
        params={"item": "group-1", "filename": "capture.pdf"},
        content=b"%PDF-1.7 capture",
        headers=world.headers("testing_agency"),
    )
    assert attached.status_code == 201, attached.text
    app_evidence = f"/console/app/applications/{open_case_id}/evidence/{attached.json()['id']}"
    regulators = {Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR}  # Shanghai's
    officials = regulators | {Role.CERTIFICATION_BODY, Role.TESTING_AGENCY}
    signed_in = officials | {Role.CA_OPERATOR, Role.APP_OPERATOR}
    pages: dict[str, set[Role]] = {
        "/console": signed_in,
        "/console/findings": regulators,
        "/console/dashboard": regulators,
        # One CA's dashboard with its lint summary: its regulators only.
        f"/console/dashboard?party={world.parties['ca_shanghai']}": regulators,
        f"/console/cases/{case_id}": regulators,
        f"/console/cases/{case_id}/evidence/{evidence_id}": regulators,
        "/console/app": {Role.CERTIFICATION_BODY, Role.TESTING_AGENCY},
        f"/console/cas/{world.parties['ca_shanghai']}": regulators,
        "/console/rules": officials,
        f"/console/app/certifications/{number}": {Role.CERTIFICATION_BODY},
        # An app certification case: the body, the national regulator, the assigned agency
        # and the applicant; not a provincial regulator (outside its remit) nor a CA.
        f"/console/cases/{app_case_id}": {
            Role.NATIONAL_REGULATOR,
            Role.CERTIFICATION_BODY,
            Role.TESTING_AGENCY,
            Role.APP_OPERATOR,
        },
        # Its checklist's evidence: not the applicant's to read (the assessors' papers).
        app_evidence: {Role.NATIONAL_REGULATOR, Role.CERTIFICATION_BODY, Role.TESTING_AGENCY},
    }
    # Every GET page of the console is in the table above (or public, the process diagrams).
    served = {
        r.path
        for r in client.app.routes  # type: ignore[attr-defined]
        if getattr(r, "path", "").startswith("/console") and "GET" in getattr(r, "methods", set())
    }
    assert served <= {
        "/console",
        "/console/login",
        "/console/findings",
        "/console/dashboard",
        "/console/cases/{case_id}",
        "/console/cases/{case_id}/evidence/{evidence_id}",
        "/console/processes/{process_id}",
        "/console/app",
        "/console/app/certifications/{number}",
        "/console/cas/{party_id}",
        "/console/rules",
    } | {p for p in served if not p.startswith(("/console/cases", "/console/findings"))}
    failures = []
    for role in ALL_ROLES:
        _console_session(client, world, role)
        for path, allowed in pages.items():
            answer = client.get(path, follow_redirects=False)
            if role is Role.PUBLIC:
                ok = answer.status_code == 303 or (path == "/console" and "password" in answer.text)
            elif role in allowed:
                ok = answer.status_code == 200
            else:
                ok = answer.status_code in (403, 404)
            if not ok:
                failures.append(f"{role.value} GET {path}: {answer.status_code}")
    client.cookies.clear()
    assert not failures, "\n".join(failures)
