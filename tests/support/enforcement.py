"""Helpers of the complaints, enforcement and exit tests (ECS-5, ECS-6, ECS-7)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from certgov.actors import SYSTEM_ACTOR
from certgov.findings.services import Problem, raise_finding
from certgov.store.engine import unit_of_work
from support.licensing import act


def case_of(client: TestClient, world: Any, case_id: int, who: str = "national_regulator") -> Any:
    response = client.get(f"/api/v1/cases/{case_id}", headers=world.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


def step(
    client: TestClient, world: Any, who: str, case_id: int, name: str, **extra: Any
) -> dict[str, Any]:
    """Take transition ``name`` on the current version of case ``case_id`` as ``who``."""
    return act(client, world, who, case_of(client, world, case_id), name, **extra)


def transition(
    client: TestClient, world: Any, who: str, case_id: int, name: str, **extra: Any
) -> Any:
    """The raw response of transition ``name`` (for refusals)."""
    current = case_of(client, world, case_id)
    return client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"transition": name, "expected_version": current["version"], **extra},
        headers=world.headers(who),
    )


def a_finding(world: Any, party: str, code: str = "cessation-report-late") -> int:
    """A finding about ``party`` (as a monitor would raise it); its id."""
    with unit_of_work(world.ctx.sessions) as session:
        finding = raise_finding(
            session,
            world.ctx,
            SYSTEM_ACTOR,
            Problem(
                code=code,
                key=f"{code}:test:{party}",
                severity="high",
                title="test finding",
                message="seen by a test",
                requirement="ECS-7.3",
                party_id=world.parties[party],
                jurisdiction={"ca_shanghai": "310000", "ca_beijing": "110000"}[party],
            ),
        )
        return finding.id


def enforcement_to_decision(
    client: TestClient,
    world: Any,
    *,
    party: str = "ca_shanghai",
    violation: str = "cessation_not_reported",
    who: str = "national_regulator",
) -> dict[str, Any]:
    """Open an enforcement case from a finding, serve the notice and let the CA state its
    case; the case, awaiting the decision."""
    finding = a_finding(world, party)
    response = client.post(
        "/api/v1/enforcement",
        json={"finding_id": finding, "violation": violation, "summary": "confirmed"},
        headers=world.headers(who),
    )
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["state"] == "opened"
    notified = act(client, world, who, case, "notify", reason="Notice: intended fine")
    ca = "ca_operator" if party == "ca_shanghai" else "ca_operator_beijing"
    return act(client, world, ca, notified, "submit_statement", reason="We disagree because…")


def decide(
    client: TestClient,
    world: Any,
    case: dict[str, Any],
    who: str = "national_regulator",
    **payload: Any,
) -> Any:
    return client.post(
        f"/api/v1/cases/{case['id']}/transitions",
        json={
            "transition": "decide",
            "expected_version": case["version"],
            "reason": "Statement of reasons",
            "payload": payload,
        },
        headers=world.headers(who),
    )
