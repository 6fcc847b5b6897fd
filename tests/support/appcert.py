"""Helpers for the app security certification tests: a complete
application body, and the steps that take an application to each state through the API."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from fastapi.testclient import TestClient

from support.licensing import act

CB = "certification_body"
AGENCY = "testing_agency"
OPERATOR = "app_operator"
REQUIRED = (
    "application form",
    "legal-person proof",
    "version-control statement",
    "GB/T 35273 self-evaluation",
    "channel-difference statement",
)
ITEMS = tuple(f"group-{i}" for i in range(1, 7)) + tuple(f"category-{i}" for i in range(1, 7))


def content_of(kind: str) -> bytes:
    return f"%PDF-1.7 {kind} of Example Pay\n".encode()


def documents(*, skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "filename": f"{kind.replace('/', '').replace(' ', '-')}.pdf",
            "content_base64": base64.b64encode(content_of(kind)).decode(),
            "sha256": hashlib.sha256(content_of(kind)).hexdigest(),
        }
        for kind in REQUIRED
        if kind not in skip
    ]


def application(
    app_name: str = "Example Pay", systems: tuple[str, ...] = ("Android",), **changes: Any
) -> dict[str, Any]:
    return {
        "app_name": app_name,
        "version_line": "5.x",
        "operating_systems": list(systems),
        "documents": documents(),
        **changes,
    }


def submit(client: TestClient, world: Any, who: str = OPERATOR, **kw: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/app-applications", json=application(**kw), headers=world.headers(who)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def case_of(client: TestClient, world: Any, case_id: int, who: str = CB) -> dict[str, Any]:
    response = client.get(f"/api/v1/cases/{case_id}", headers=world.headers(who))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def view(client: TestClient, world: Any, case_id: int, who: str = CB) -> dict[str, Any]:
    response = client.get(f"/api/v1/app-applications/{case_id}", headers=world.headers(who))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def appoint(client: TestClient, world: Any, agency: str = AGENCY) -> None:
    response = client.post(
        "/api/v1/app-testing-agencies",
        json={"party_id": world.parties[agency]},
        headers=world.headers(CB),
    )
    assert response.status_code in (201, 409), response.text


def record(
    client: TestClient, world: Any, who: str, case_id: int, results: list[dict[str, Any]]
) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/app-applications/{case_id}/results",
        json={"results": results},
        headers=world.headers(who),
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def all_conform(note: str = "checked") -> list[dict[str, Any]]:
    return [{"item": item, "result": "conforms", "note": note} for item in ITEMS]


SAMPLE = {
    "filename": "example-pay-5.2.0.apk",
    "sha256": "ab" * 32,
    "size": 48_000_000,
    "version": "5.2.0",
}


def to_verification(
    client: TestClient, world: Any, case_id: int, agency: str = AGENCY
) -> dict[str, Any]:
    """Accept, assign ``agency`` and submit the sample: the case in technical verification."""
    act(client, world, CB, case_of(client, world, case_id), "accept")
    appoint(client, world, agency)
    assigned = client.post(
        f"/api/v1/app-applications/{case_id}/assignment",
        json={"agency_party_id": world.parties[agency]},
        headers=world.headers(CB),
    )
    assert assigned.status_code == 200, assigned.text
    return act(
        client, world, OPERATOR, assigned.json(), "submit_sample", payload={"sample": SAMPLE}
    )


def to_decision(client: TestClient, world: Any, case_id: int) -> dict[str, Any]:
    """From technical verification, every item conforming in both stages: awaiting decision."""
    record(client, world, AGENCY, case_id, all_conform("tested on the sample"))
    onsite = act(
        client, world, AGENCY, case_of(client, world, case_id, AGENCY), "complete_verification"
    )
    assert onsite["state"] == "onsite_review"
    record(client, world, CB, case_id, all_conform("seen on site"))
    return act(client, world, CB, case_of(client, world, case_id), "complete_onsite")


def certify(client: TestClient, world: Any, **kw: Any) -> dict[str, Any]:
    """Apply, verify, review and grant: the certification as verification shows it."""
    case_id = submit(client, world, **kw)["units"][0]["case"]["id"]
    to_verification(client, world, case_id)
    pending = to_decision(client, world, case_id)
    granted = act(client, world, CB, pending, "grant", reason="conforms to GB/T 35273")
    number = granted["data"]["certification"]
    verified = client.get(f"/api/v1/app-certifications/{number}")
    assert verified.status_code == 200, verified.text
    result: dict[str, Any] = verified.json()
    return result


def deny(
    client: TestClient,
    world: Any,
    reason: str = "sample collects contacts without consent",
    **kw: Any,
) -> dict[str, Any]:
    """Apply, accept and deny: the denied case."""
    case_id = submit(client, world, **kw)["units"][0]["case"]["id"]
    accepted = act(client, world, CB, case_of(client, world, case_id), "accept")
    return act(client, world, CB, accepted, "deny", reason=reason)


# --- Samples and their analysis (APP-3, APP-7, APP-11) -----------------------------------------

APK_TYPE = {"Content-Type": "application/vnd.android.package-archive"}


def accept_and_assign(
    client: TestClient, world: Any, case_id: int, agency: str = AGENCY
) -> dict[str, Any]:
    """Accept the application and assign ``agency``: the case waits for the sample."""
    act(client, world, CB, case_of(client, world, case_id), "accept")
    appoint(client, world, agency)
    assigned = client.post(
        f"/api/v1/app-applications/{case_id}/assignment",
        json={"agency_party_id": world.parties[agency]},
        headers=world.headers(CB),
    )
    assert assigned.status_code == 200, assigned.text
    result: dict[str, Any] = assigned.json()
    return result


def upload_apk(
    client: TestClient, world: Any, case_id: int, data: bytes, who: str = OPERATOR, **params: Any
) -> Any:
    """POST the APK's bytes as the unit's sample; the response as is."""
    return client.post(
        f"/api/v1/app-applications/{case_id}/sample",
        content=data,
        params=params,
        headers={**world.headers(who), **APK_TYPE},
    )


def analysis_of(client: TestClient, world: Any, case_id: int, who: str = CB) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/app-applications/{case_id}/analysis", headers=world.headers(who)
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
