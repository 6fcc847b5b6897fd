"""ECS-1.1 and ECS-2.1 through the API and the CLI, against the shipped rule sets."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.licensing import APPLICATION as SHARED_APPLICATION

#: The shared sample application (support.licensing), as a Zhejiang company with a real USCC.
APPLICATION: dict[str, Any] = {
    **SHARED_APPLICATION,
    "legal_person": {
        "name": "Zhejiang Trust CA",
        "uscc": "91330100716105852F",
        "independent_legal_person": True,
    },
}


def _items(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["item"]: item for item in body["items"]}


def test_capital_of_50_million_fails_the_draft_and_passes_2015(client: TestClient) -> None:
    """ECS-2.1: RMB 50,000,000 fails measures-2024-draft (70,000,000) and passes measures-2015
    (30,000,000); 59 technical staff fail the draft's 60. Each result cites its parameter."""
    draft = client.post("/api/v1/ecs/readiness?rule_set=measures-2024-draft", json=APPLICATION)
    assert draft.status_code == 200, draft.text
    body = draft.json()
    assert body["requirement"] == "ECS-2.1" and body["rule_set"] == "measures-2024-draft"
    assert body["ready"] is False
    capital = _items(body)["registered_capital"]
    assert capital["status"] == "not_met"
    assert "RMB 50,000,000" in capital["reason"] and "RMB 70,000,000" in capital["reason"]
    assert capital["parameters"][0]["name"] == "registered_capital_min"
    assert capital["parameters"][0]["source"]
    staff = _items(body)["technical_staff"]
    assert staff["status"] == "not_met" and "59" in staff["reason"] and "60" in staff["reason"]
    assert _items(body)["premises"]["status"] == "needs_review"

    m2015 = client.post("/api/v1/ecs/readiness?rule_set=measures-2015", json=APPLICATION).json()
    assert m2015["ready"] is True
    assert _items(m2015)["registered_capital"]["status"] == "met"
    assert "RMB 30,000,000" in _items(m2015)["registered_capital"]["reason"]

    sixty = copy.deepcopy(APPLICATION)
    sixty["technical_staff"] = 60
    sixty["registered_capital_yuan"] = 70_000_000
    again = client.post("/api/v1/ecs/readiness?rule_set=measures-2024-draft", json=sixty).json()
    assert _items(again)["technical_staff"]["status"] == "met"
    assert _items(again)["registered_capital"]["status"] == "met"


def test_readiness_defaults_to_the_rule_set_in_force(client: TestClient) -> None:
    """ECS-2.1 / SYS-2: without a rule set, the one in force on the date judges."""
    body = client.post("/api/v1/ecs/readiness?on=2025-09-25", json=APPLICATION).json()
    assert body["rule_set"] == "measures-2015"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"registered_capital_yuan": "50000000"}, "registered_capital_yuan"),
        ({"technical_staff": -1}, "technical_staff"),
        ({"documents": [{"kind": "x", "filename": "a.pdf", "sha256": "xyz", "size": 1}]}, "sha256"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_malformed_application_is_refused_naming_the_field(
    client: TestClient, change: dict[str, Any], where: str
) -> None:
    """ECS-2.1: bad input gets a 422 that names the field, never a 500."""
    response = client.post("/api/v1/ecs/readiness", json={**APPLICATION, **change})
    assert response.status_code == 422
    assert where in response.json()["message"]


def test_unknown_rule_set_is_404(client: TestClient) -> None:
    response = client.post("/api/v1/ecs/readiness?rule_set=nope", json=APPLICATION)
    assert response.status_code == 404


def test_applicability_answers_with_the_reason(client: TestClient) -> None:
    """ECS-1.1: issuing e-signature certificates is regulated; identity verification only is
    not; each answer says why."""
    issuing = client.post(
        "/api/v1/ecs/applicability",
        json={
            "issues_signature_certificates": True,
            "third_party_verification": True,
            "identity_verification_only": False,
        },
    ).json()
    assert issuing["requirement"] == "ECS-1.1" and issuing["regulated"] is True
    assert issuing["reasons"]
    identity_only = client.post(
        "/api/v1/ecs/applicability",
        json={
            "issues_signature_certificates": False,
            "third_party_verification": False,
            "identity_verification_only": True,
        },
    ).json()
    assert identity_only["regulated"] is False
    assert "identit" in identity_only["reasons"][0]
    bad = client.post("/api/v1/ecs/applicability", json={"issues_signature_certificates": "yes"})
    assert bad.status_code == 422


def _cli(args: list[str], stdin: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CERTGOV_DATA_DIR=str(tmp_path / "data"))
    env.pop("CERTGOV_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "certgov.cli", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )
    return subprocess.run(
        [sys.executable, "-m", "certgov.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_readiness_and_applicability(tmp_path: Path) -> None:
    """ECS-2.1 / ECS-1.1 from the command line: exit 0 ready/regulated, 1 not, 2 invalid."""
    draft = _cli(
        ["ecs", "readiness", "--rule-set", "measures-2024-draft", "--json"],
        json.dumps(APPLICATION),
        tmp_path,
    )
    assert draft.returncode == 1, draft.stderr
    assert json.loads(draft.stdout)["ready"] is False
    m2015 = _cli(
        ["ecs", "readiness", "--rule-set", "measures-2015"], json.dumps(APPLICATION), tmp_path
    )
    assert m2015.returncode == 0 and m2015.stdout.startswith("ready under measures-2015")
    identity_only = _cli(
        ["ecs", "applicability"],
        json.dumps(
            {
                "issues_signature_certificates": False,
                "third_party_verification": False,
                "identity_verification_only": True,
            }
        ),
        tmp_path,
    )
    assert identity_only.returncode == 1 and identity_only.stdout.startswith("not regulated")
    broken = _cli(["ecs", "readiness"], "{not json", tmp_path)
    assert broken.returncode == 2 and "not JSON" in broken.stderr
    assert "Traceback" not in broken.stderr


def _own_application(client: TestClient, world: Any) -> dict[str, Any]:
    party = client.get(
        f"/api/v1/parties/{world.parties['ca_shanghai']}", headers=world.headers("ca_operator")
    ).json()
    application = copy.deepcopy(APPLICATION)
    application["legal_person"]["uscc"] = party["uscc"]
    return application


def test_a_submitted_application_is_judged_under_the_rule_set_in_force(
    client: TestClient, world: Any
) -> None:
    """ECS-2.1 / ECS-2.2: the CA submits; each requirement is evaluated under the rule set in
    force on the application date, stored with the new review case and shown item by item."""
    application = _own_application(client, world)
    response = client.post(
        "/api/v1/ecs/applications", json=application, headers=world.headers("ca_operator")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["evaluation"]["rule_set"] == "measures-2015"
    assert body["evaluation"]["ready"] is True
    case = client.get(
        f"/api/v1/cases/{body['case']['id']}", headers=world.headers("national_regulator")
    ).json()
    assert case["process_id"] == "ca-licence-application"
    assert case["rule_set_ids"] == ["measures-2015"]
    assert case["data"]["evaluation"]["items"][0]["item"] == "registered_capital"

    # Once the draft is in force (activated from the application date), the same application
    # fails its capital and staff minimums, with the reasons.
    activated = client.post(
        "/api/v1/rule-sets/measures-2024-draft/activations",
        json={"effective_from": "2025-09-01", "reason": "promulgated"},
        headers=world.headers("national_regulator"),
    )
    assert activated.status_code == 201, activated.text
    again = client.post(
        "/api/v1/ecs/applications", json=application, headers=world.headers("ca_operator")
    ).json()
    assert again["evaluation"]["rule_set"] == "measures-2024-draft"
    assert again["evaluation"]["ready"] is False
    items = _items(again["evaluation"])
    assert items["registered_capital"]["status"] == "not_met"
    assert items["technical_staff"]["status"] == "not_met"


def test_only_the_ca_itself_submits_with_its_own_code(client: TestClient, world: Any) -> None:
    """ECS-2.1 / SYS-6: the applicant's USCC must be its own; others may not submit."""
    application = _own_application(client, world)
    wrong = copy.deepcopy(application)
    wrong["legal_person"]["uscc"] = "91330100716105852F"
    refused = client.post(
        "/api/v1/ecs/applications", json=wrong, headers=world.headers("ca_operator")
    )
    assert refused.status_code == 422 and "registered with" in refused.json()["message"]
    for who, status in (("public", 401), ("national_regulator", 403), ("app_operator", 403)):
        response = client.post(
            "/api/v1/ecs/applications", json=application, headers=world.headers(who)
        )
        assert response.status_code == status, (who, response.text)
