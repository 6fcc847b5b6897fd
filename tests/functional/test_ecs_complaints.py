"""Complaints and reports (ECS-5): anonymous filing with evidence, tracking code, routing by
the CA's province, deadlines from the rule set, referral, outcomes; least privilege (SYS-6)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgov.clock import china_date
from support.enforcement import case_of, step


def complain(client: TestClient, world: Any, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": "Certificate issued without identity check",
        "description": "A certificate was issued in my name without my consent.",
        "ca_party_id": world.parties["ca_shanghai"],
        **changes,
    }
    response = client.post("/api/v1/complaints", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def complaint_case_id(client: TestClient, world: Any, who: str = "national_regulator") -> int:
    listed = client.get("/api/v1/complaints", headers=world.headers(who)).json()
    return int(listed[0]["id"])


def test_ecs_5_1_anonymous_complaint_tracked_to_an_enforcement_case(
    client: TestClient, world
) -> None:
    """ECS-5.1, ECS-5.2: the public files anonymously with evidence, follows it by its code;
    the Shanghai regulator accepts it and opens an enforcement case (ECS-6)."""
    evidence = b"%PDF-1.7 screenshot of the certificate"
    filed = complain(
        client,
        world,
        evidence=[
            {
                "filename": "cert.pdf",
                "media_type": "application/pdf",
                "content_base64": base64.b64encode(evidence).decode(),
            }
        ],
    )
    code = filed["tracking_code"]
    assert len(code) > 40 and filed["handled_by"] == "310000"
    status = client.get(f"/api/v1/complaints/{code}").json()
    assert status["status"] == "received" and status["handled_by"]["jurisdiction"] == "310000"
    assert set(status["due"]) == {"acceptance"}
    assert "description" not in status and "complainant" not in str(status)

    case_id = complaint_case_id(client, world, "provincial_regulator")
    detail = client.get(
        f"/api/v1/complaints/cases/{case_id}", headers=world.headers("provincial_regulator")
    ).json()
    assert detail["anonymous"] is True and detail["complainant"] is None
    assert detail["evidence"][0]["sha256"] == hashlib.sha256(evidence).hexdigest()
    assert detail["evidence"][0]["size"] == len(evidence)

    step(client, world, "provincial_regulator", case_id, "accept")
    assert set(client.get(f"/api/v1/complaints/{code}").json()["due"]) == {"outcome"}
    closed = step(
        client,
        world,
        "provincial_regulator",
        case_id,
        "open_enforcement",
        reason="the CA skipped identity vetting",
        payload={"violation": "critical_operation_delegated"},
    )
    assert closed["state"] == "enforcement" and closed["closed"]
    enforcement_id = closed["data"]["enforcement_case_id"]
    enforcement = case_of(client, world, enforcement_id)
    assert enforcement["process_id"] == "ecs-enforcement"
    assert enforcement["subject_party_id"] == world.parties["ca_shanghai"]
    assert enforcement["data"]["complaint_case_id"] == case_id
    assert enforcement["data"]["violation"] == "critical_operation_delegated"

    public = client.get(f"/api/v1/complaints/{code}").json()
    assert public["status"] == "enforcement" and "enforcement case" in public["status_text"]
    # The CA sees its enforcement case, never the complaint itself.
    own = client.get(f"/api/v1/cases/{enforcement_id}", headers=world.headers("ca_operator"))
    assert own.status_code == 200
    assert "complainant" not in own.text
    hidden = client.get(f"/api/v1/cases/{case_id}", headers=world.headers("ca_operator"))
    assert hidden.status_code == 404


def test_ecs_5_2_routing_and_deadlines_from_the_rule_set(client: TestClient, world) -> None:
    """ECS-5.2: an unregistered provider goes to the national regulator; acceptance is due 5
    business days after receipt (official calendar), then the outcome 30 business days after
    acceptance, both from the rule set (assumed by analogy with APP-6)."""
    filed = complain(client, world, ca_party_id=None, ca_name="Unknown Signing Ltd")
    assert filed["handled_by"] == "national"
    case_id = complaint_case_id(client, world)
    case = case_of(client, world, case_id)
    acceptance = case["deadlines"][0]
    today = china_date(world.ctx.clock.now())
    assert acceptance["period"] == "5 business days" and acceptance["rule_set"] == "measures-2015"
    assert acceptance["due_on"] == world.ctx.calendar.add_business_days(today, 5).due.isoformat()
    accepted = step(client, world, "national_regulator", case_id, "accept")
    outcome = next(d for d in accepted["deadlines"] if d["name"] == "outcome")
    assert outcome["period"] == "30 business days"
    rules = client.get("/api/v1/rule-sets/measures-2015").json()["parameters"]
    assert rules["complaint_acceptance_period"]["assumed"] is True
    assert "APP-6" in rules["complaint_outcome_period"]["source"]
    # The provincial regulators do not see a national complaint.
    listed = client.get("/api/v1/complaints", headers=world.headers("provincial_regulator"))
    assert listed.json() == []


def test_ecs_5_2_referral_between_regulators_with_history(client: TestClient, world) -> None:
    """ECS-5.2, ECS-4.3: Shanghai refers to the national regulator, which assigns it to
    Guangdong; each referral is in the case history and the complaint's data."""
    complain(client, world)
    case_id = complaint_case_id(client, world, "provincial_regulator")
    current = case_of(client, world, case_id)
    sideways = client.post(
        f"/api/v1/complaints/cases/{case_id}/referral",
        json={"to": "440000", "reason": "not ours"},
        headers=world.headers("provincial_regulator"),
    )
    assert sideways.status_code == 403
    referred = client.post(
        f"/api/v1/complaints/cases/{case_id}/referral",
        json={
            "to": "national",
            "reason": "nationwide issue",
            "expected_version": current["version"],
        },
        headers=world.headers("provincial_regulator"),
    )
    assert referred.status_code == 200, referred.text
    assert referred.json()["jurisdiction"] == "national"
    gone = client.get(
        f"/api/v1/complaints/cases/{case_id}", headers=world.headers("provincial_regulator")
    )
    assert gone.status_code == 403 and "outside your jurisdiction" in gone.json()["message"]
    again = client.post(
        f"/api/v1/complaints/cases/{case_id}/referral",
        json={"to": "440000", "reason": "outlet in Guangzhou"},
        headers=world.headers("national_regulator"),
    )
    assert again.status_code == 200
    detail = client.get(
        f"/api/v1/complaints/cases/{case_id}", headers=world.headers("provincial_regulator_gd")
    ).json()
    assert [(r["from"], r["to"]) for r in detail["referrals"]] == [
        ("310000", "national"),
        ("national", "440000"),
    ]
    history = client.get(
        f"/api/v1/cases/{case_id}/history", headers=world.headers("national_regulator")
    ).json()
    assert [e["details"]["to"] for e in history if e["kind"] == "referred"] == [
        "national",
        "440000",
    ]
    step(client, world, "provincial_regulator_gd", case_id, "accept")


def test_ecs_5_1_bad_input_and_oversized_evidence_store_nothing(client: TestClient, world) -> None:
    """ECS-5.1: each refusal names the field; an oversized file names the limit; nothing is
    stored."""
    limit = world.ctx.settings.complaint_evidence_max_bytes
    big = base64.b64encode(b"x" * (limit + 1)).decode()
    cases = [
        ({"description": "d", "ca_name": "X"}, "subject"),
        ({"subject": "s", "description": "d"}, "ca_party_id"),
        ({"subject": "s", "description": "d", "ca_party_id": 999_999}, "ca_party_id"),
        ({"subject": "s", "description": "d", "ca_name": "X", "extra": 1}, "extra"),
        (
            {
                "subject": "s",
                "description": "d",
                "ca_name": "X",
                "evidence": [{"filename": "a", "content_base64": "!!"}],
            },
            "content_base64",
        ),
        (
            {
                "subject": "s",
                "description": "d",
                "ca_name": "X",
                "evidence": [{"filename": "a", "content_base64": big}],
            },
            f"{limit:,} bytes",
        ),
        (
            {"subject": "s", "description": "d", "ca_name": "X", "complainant": {"contact": "x"}},
            "complainant.name",
        ),
    ]
    for body, named in cases:
        response = client.post("/api/v1/complaints", json=body)
        assert response.status_code == 422, (body, response.text)
        assert named in response.json()["message"], response.json()
    assert (
        client.get("/api/v1/complaints", headers=world.headers("national_regulator")).json() == []
    )


def test_ecs_5_1_named_complainant_seen_only_by_its_regulators(client: TestClient, world) -> None:
    """ECS-5.1, SYS-6: a named complainant's identity is shown to the handling regulator, never
    in the public status."""
    filed = complain(client, world, complainant={"name": "Li Lei", "contact": "li@example.cn"})
    public = client.get(f"/api/v1/complaints/{filed['tracking_code']}")
    assert "Li Lei" not in public.text and "li@example.cn" not in public.text
    case_id = complaint_case_id(client, world)
    detail = client.get(
        f"/api/v1/complaints/cases/{case_id}", headers=world.headers("provincial_regulator")
    ).json()
    assert detail["complainant"] == {"name": "Li Lei", "contact": "li@example.cn"}
    assert "Li Lei" not in str(case_of(client, world, case_id)["data"])


def test_ecs_5_1_rate_limited_per_client_address(client: TestClient, world) -> None:
    """ECS-5.1: anonymous filing is limited per client address (in-process, from settings)."""
    world.ctx.settings.complaint_rate_limit = 2
    complain(client, world)
    complain(client, world)
    refused = client.post("/api/v1/complaints", json={"subject": "x"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"] == "too_many_requests"


def test_sys_6_complaints_least_privilege(client: TestClient, world) -> None:
    """SYS-6: the public sees a status by code only; a provincial regulator only its
    province's complaints; CAs, app operators and others none."""
    filed = complain(client, world)
    case_id = complaint_case_id(client, world)
    assert client.get("/api/v1/complaints").status_code == 401
    for who in (
        "ca_operator",
        "ca_operator_beijing",
        "app_operator",
        "testing_agency",
        "certification_body",
    ):
        assert client.get("/api/v1/complaints", headers=world.headers(who)).status_code == 403
        detail = client.get(f"/api/v1/complaints/cases/{case_id}", headers=world.headers(who))
        assert detail.status_code == 403
    other = client.get(
        f"/api/v1/complaints/cases/{case_id}", headers=world.headers("provincial_regulator_gd")
    )
    assert other.status_code == 403 and "310000" in other.json()["message"]
    assert (
        client.get("/api/v1/complaints", headers=world.headers("provincial_regulator_gd")).json()
        == []
    )
    accept = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"transition": "accept", "expected_version": 1},
        headers=world.headers("provincial_regulator_gd"),
    )
    assert accept.status_code == 403
    assert client.get("/api/v1/complaints/not-a-code").status_code == 404
    assert client.get(f"/api/v1/complaints/{filed['tracking_code']}x").status_code == 404


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
_fields = st.sampled_from(
    ["subject", "description", "ca_party_id", "ca_name", "complainant", "evidence", "other"]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(_fields, _json, max_size=6))
def test_ecs_5_1_any_json_body_is_201_or_a_clear_422(
    client: TestClient, world, body: dict[str, Any]
) -> None:
    """ECS-5.1: whatever JSON is sent, the answer is a complaint or a 422 naming the problem,
    never a 500."""
    world.ctx.settings.complaint_rate_limit = 10_000
    response = client.post("/api/v1/complaints", json=body)
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert response.json()["message"]


def test_ecs_5_2_acceptance_overdue_is_a_finding(client: TestClient, world, clock) -> None:
    """ECS-5.2: a complaint not accepted within 5 business days is a finding of the sweep."""
    from certgov.cases.sweep import sweep
    from certgov.store.engine import unit_of_work

    complain(client, world)
    clock.advance(dt.timedelta(days=30))
    with unit_of_work(world.ctx.sessions) as session:
        sweep(session, world.ctx)
    findings = client.get("/api/v1/findings", headers=world.headers("provincial_regulator")).json()
    assert any(f["code"] == "complaint-acceptance-overdue" for f in findings)
