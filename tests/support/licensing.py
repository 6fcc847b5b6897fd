"""Helpers of the licensing tests: a complete application and the steps that take it to each state through the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def open_licence_case(
    client: TestClient, world: Any, *, relevant_date: str | None = None
) -> dict[str, Any]:
    """Open a CA licence application case for the Shanghai CA, as its own operator."""
    body: dict[str, Any] = {
        "process_id": "ca-licence-application",
        "title": "Licence application",
    }
    if relevant_date:
        body["relevant_date"] = relevant_date
    response = client.post("/api/v1/cases", json=body, headers=world.headers("ca_operator"))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


#: A licence application that meets measures-2015 (capital and staff fail the 2024 draft).
APPLICATION: dict[str, Any] = {
    "legal_person": {"name": "Test CA", "uscc": "", "independent_legal_person": True},
    "registered_capital_yuan": 50_000_000,
    "technical_staff": 59,
    "service_staff": 80,
    "premises": {"fixed_premises": True, "description": "Shanghai data centre"},
    "physical_environment": {
        "fit_for_secure_operation": True,
        "evidence": ["GB/T 22239 level 3 assessment report"],
    },
    "equipment": {"meets_national_security_standards": True, "certificates": ["SJJ1234"]},
    "cryptography": {"approved": True, "approval_number": "SC-2024-001"},
    "documents": [
        {
            "kind": "articles_of_association",
            "filename": "articles.pdf",
            "sha256": "a" * 64,
            "size": 1024,
        }
    ],
}


def application_of(client: TestClient, world: Any, who: str = "ca_operator") -> dict[str, Any]:
    """:data:`APPLICATION` with the legal-person name and USCC of ``who``'s organisation."""
    import copy

    party_id = world.actors[who].party_id
    party = client.get(f"/api/v1/parties/{party_id}", headers=world.headers(who)).json()
    body = copy.deepcopy(APPLICATION)
    body["legal_person"]["name"] = party["name"]
    body["legal_person"]["uscc"] = party["uscc"]
    return body


def submit_application(
    client: TestClient, world: Any, who: str = "ca_operator", **changes: Any
) -> dict[str, Any]:
    """Submit :func:`application_of` (with ``changes``) as ``who``; the response body."""
    body = {**application_of(client, world, who), **changes}
    response = client.post("/api/v1/ecs/applications", json=body, headers=world.headers(who))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def act(
    client: TestClient, world: Any, who: str, case: dict[str, Any], name: str, **extra: Any
) -> dict[str, Any]:
    """Take transition ``name`` on ``case`` (its id and version) as ``who``; asserts success."""
    response = client.post(
        f"/api/v1/cases/{case['id']}/transitions",
        json={"transition": name, "expected_version": case["version"], **extra},
        headers=world.headers(who),
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def review_all(
    client: TestClient, world: Any, case_id: int, who: str = "national_regulator"
) -> dict[str, Any]:
    """Judge every item that needs review as met; the application view after."""
    view: dict[str, Any] = client.get(
        f"/api/v1/ecs/applications/{case_id}", headers=world.headers(who)
    ).json()
    for item in view["evaluation"]["items"]:
        if item["final_status"] == "needs_review":
            response = client.post(
                f"/api/v1/ecs/applications/{case_id}/reviews",
                json={
                    "item": item["item"],
                    "status": "met",
                    "note": "seen on site",
                    "expected_version": view["case"]["version"],
                },
                headers=world.headers(who),
            )
            assert response.status_code == 200, response.text
            view = response.json()
    return view


def to_decision(client: TestClient, world: Any, case_id: int) -> dict[str, Any]:
    """Take a submitted application through acceptance, review of every item, expert and
    on-site evaluation; the case, ready for the decision."""
    case = client.get(f"/api/v1/cases/{case_id}", headers=world.headers("national_regulator"))
    act(client, world, "national_regulator", case.json(), "accept")
    review_all(client, world, case_id)
    current = client.get(f"/api/v1/cases/{case_id}", headers=world.headers("national_regulator"))
    expert = act(client, world, "national_regulator", current.json(), "to_expert_evaluation")
    return act(client, world, "national_regulator", expert, "to_onsite_evaluation")


def grant_licence(client: TestClient, world: Any, who: str = "ca_operator") -> dict[str, Any]:
    """Submit, review and approve an application of ``who``'s CA; the licence."""
    submitted = submit_application(client, world, who)
    ready = to_decision(client, world, submitted["case"]["id"])
    act(client, world, "national_regulator", ready, "approve")
    view = client.get(
        f"/api/v1/ecs/applications/{ready['id']}", headers=world.headers("national_regulator")
    ).json()
    licence: dict[str, Any] = client.get(f"/api/v1/licences/{view['licence']}").json()
    return licence
