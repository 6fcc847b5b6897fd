"""APP-3, APP-4 and APP-5 through the API against a real database: appointed testing agencies
and assignment, checklist results and deficiencies with remediation deadlines, suspension of
the process when one is overdue and its resumption once remedied, the on-site review, and the
decision (a certification issued, or a denial with reasons and its receipt)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from certgov.clock import FixedClock
from certgov.worker import run_once
from support.appcert import (
    AGENCY,
    CB,
    ITEMS,
    OPERATOR,
    SAMPLE,
    all_conform,
    application,
    appoint,
    case_of,
    certify,
    deny,
    record,
    submit,
    to_verification,
    view,
)
from support.licensing import act

URL = "/api/v1/app-applications"


def _remedy(client: TestClient, world: Any, case_id: int, deficiency: int) -> None:
    response = client.post(
        f"{URL}/{case_id}/remedies",
        json={
            "deficiency_id": deficiency,
            "statement": "consent dialog added",
            "evidence_sha256": "cd" * 32,
        },
        headers=world.headers(OPERATOR),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "remedy_submitted"


def _review(
    client: TestClient, world: Any, who: str, case_id: int, deficiency: int, accepted: bool
) -> Any:
    return client.post(
        f"{URL}/{case_id}/remedy-reviews",
        json={"deficiency_id": deficiency, "accepted": accepted, "note": "re-tested"},
        headers=world.headers(who),
    )


def test_app_3_agency_registry_and_assignment(client: TestClient, world: Any) -> None:
    """APP-3: the certification body appoints testing agencies (a public registry) and assigns
    a case only to an appointed one; the sample waits for the assignment."""
    case_id = submit(client, world)["units"][0]["case"]["id"]
    accepted = act(client, world, CB, case_of(client, world, case_id), "accept")
    early = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={
            "transition": "submit_sample",
            "expected_version": accepted["version"],
            "payload": {"sample": SAMPLE},
        },
        headers=world.headers(OPERATOR),
    )
    assert early.status_code == 422 and "not been assigned" in early.json()["message"]
    not_appointed = client.post(
        f"{URL}/{case_id}/assignment",
        json={"agency_party_id": world.parties[AGENCY]},
        headers=world.headers(CB),
    )
    assert (
        not_appointed.status_code == 422
        and "not a testing agency appointed" in not_appointed.json()["message"]
    )
    url = "/api/v1/app-testing-agencies"
    ca = client.post(
        url, json={"party_id": world.parties["ca_shanghai"]}, headers=world.headers(CB)
    )
    assert ca.status_code == 422 and "not a testing agency" in ca.json()["message"]
    for who, status in (("national_regulator", 403), ("testing_agency", 403), ("public", 401)):
        assert (
            client.post(
                url, json={"party_id": world.parties[AGENCY]}, headers=world.headers(who)
            ).status_code
            == status
        )
    appoint(client, world)
    registry = client.get(url).json()
    assert [(a["party_id"], a["status"]) for a in registry] == [
        (world.parties[AGENCY], "appointed")
    ]
    assigned = client.post(
        f"{URL}/{case_id}/assignment",
        json={"agency_party_id": world.parties[AGENCY]},
        headers=world.headers(CB),
    )
    assert (
        assigned.status_code == 200
        and assigned.json()["assignee_party_id"] == world.parties[AGENCY]
    )
    sampled = act(
        client, world, OPERATOR, assigned.json(), "submit_sample", payload={"sample": SAMPLE}
    )
    assert sampled["state"] == "technical_verification"
    assert view(client, world, case_id, AGENCY)["sample"]["sha256"] == SAMPLE["sha256"]
    withdrawn = client.post(
        f"{url}/{world.parties[AGENCY]}/withdrawal",
        json={"reason": "accreditation lapsed"},
        headers=world.headers(CB),
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_app_3_agency_sees_and_acts_only_on_its_assigned_cases(
    client: TestClient, world: Any
) -> None:
    """APP-3 / SYS-6: another testing agency, even an appointed one, is refused every access
    to a case not assigned to it (404: it does not learn the case exists)."""
    case_id = submit(client, world)["units"][0]["case"]["id"]
    to_verification(client, world, case_id)
    appoint(client, world, "testing_agency_2")
    other = world.headers("testing_agency_2")
    assert client.get(f"{URL}/{case_id}", headers=other).status_code == 404
    assert client.get(f"/api/v1/cases/{case_id}", headers=other).status_code == 404
    results = client.post(
        f"{URL}/{case_id}/results", json={"results": all_conform()}, headers=other
    )
    assert results.status_code == 404
    transition = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"transition": "complete_verification", "expected_version": 1},
        headers=other,
    )
    assert transition.status_code == 404
    assert client.get(URL, headers=other).json() == []
    assert [u["case"]["id"] for u in client.get(URL, headers=world.headers(AGENCY)).json()] == [
        case_id
    ]
    # The assigned agency may not act as the certification body either.
    assert (
        client.post(
            f"{URL}/{case_id}/assignment",
            json={"agency_party_id": 1},
            headers=world.headers(AGENCY),
        ).status_code
        == 403
    )


def test_app_3_overdue_deficiency_suspends_the_process_until_remedied(
    client: TestClient, world: Any, clock: FixedClock
) -> None:
    """APP-3: the agency records the checklist (GB/T 35273 groups and the six 2019 categories);
    deficient items get a remediation deadline (90 calendar days by default, or the agency's);
    one still open past its deadline suspends the process at the worker's sweep; remedied and
    accepted, the process resumes, and the verification completes once nothing is open."""
    checklist = client.get("/api/v1/app-checklist").json()
    assert [i["code"] for i in checklist["items"]] == list(ITEMS)
    assert "clause 5" in checklist["items"][0]["title"]
    assert "without the user's consent" in checklist["items"][8]["title"]
    case_id = submit(client, world)["units"][0]["case"]["id"]
    to_verification(client, world, case_id)
    results = all_conform()
    results[1] = {
        "item": "group-2",
        "result": "deficient",
        "note": "logs kept beyond the stated period",
    }
    results[8] = {
        "item": "category-3",
        "result": "deficient",
        "note": "contacts read before consent",
        "due_on": "2025-10-31",
    }
    shown = record(client, world, AGENCY, case_id, results)
    deficiencies = {d["item"]: d for d in shown["deficiencies"]}
    assert deficiencies["group-2"]["due_on"] == "2025-12-24"  # 25 Sep + 90 calendar days
    assert "deficiency_remediation_period" in deficiencies["group-2"]["period"]
    assert deficiencies["category-3"]["due_on"] == "2025-10-31"
    assert shown["checklist"][8]["results"]["technical_verification"]["result"] == "deficient"
    case = case_of(client, world, case_id, AGENCY)
    blocked = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"transition": "complete_verification", "expected_version": case["version"]},
        headers=world.headers(AGENCY),
    )
    assert blocked.status_code == 422 and "deficiencies not remedied" in blocked.json()["message"]
    # Not yet overdue on its last day; suspended the day after.
    clock.set(dt.datetime(2025, 10, 31, 12, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    assert case_of(client, world, case_id)["state"] == "technical_verification"
    clock.set(dt.datetime(2025, 11, 1, 2, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    suspended = case_of(client, world, case_id)
    assert suspended["state"] == "suspended_verification"
    history = client.get(f"/api/v1/cases/{case_id}/history", headers=world.headers(CB)).json()
    suspension = next(e for e in history if e["transition"] == "suspend_verification")
    assert suspension["actor"]["role"] == "system" and "category-3" in suspension["reason"]
    # No results while suspended; a remedy refused leaves it suspended; accepted, it resumes.
    assert (
        client.post(
            f"{URL}/{case_id}/results",
            json={"results": all_conform()},
            headers=world.headers(AGENCY),
        ).status_code
        == 409
    )
    late = deficiencies["category-3"]["id"]
    _remedy(client, world, case_id, late)
    assert _review(client, world, CB, case_id, late, True).status_code == 403
    refused = _review(client, world, AGENCY, case_id, late, False)
    assert (
        refused.status_code == 200 and refused.json()["case"]["state"] == "suspended_verification"
    )
    _remedy(client, world, case_id, late)
    resumed = _review(client, world, AGENCY, case_id, late, True)
    assert (
        resumed.status_code == 200 and resumed.json()["case"]["state"] == "technical_verification"
    )
    assert (
        resumed.json()["checklist"][8]["results"]["technical_verification"]["result"] == "conforms"
    )
    other = deficiencies["group-2"]["id"]
    _remedy(client, world, case_id, other)
    assert _review(client, world, AGENCY, case_id, other, True).status_code == 200
    done = act(
        client, world, AGENCY, case_of(client, world, case_id, AGENCY), "complete_verification"
    )
    assert done["state"] == "onsite_review"
    assert done["data"]["conclusions"]["technical_verification"]["conclusion"] == "conforms"


def test_app_4_onsite_review_with_findings_and_remediation(
    client: TestClient, world: Any, clock: FixedClock
) -> None:
    """APP-4: the certification body records the on-site checklist; a deficiency found on site
    has its deadline and suspends the process when overdue, as in APP-3; the testing agency
    records nothing on site."""
    case_id = submit(client, world)["units"][0]["case"]["id"]
    to_verification(client, world, case_id)
    record(client, world, AGENCY, case_id, all_conform())
    act(client, world, AGENCY, case_of(client, world, case_id, AGENCY), "complete_verification")
    by_agency = client.post(
        f"{URL}/{case_id}/results", json={"results": all_conform()}, headers=world.headers(AGENCY)
    )
    assert by_agency.status_code == 409 and "technical verification" in by_agency.json()["message"]
    results = all_conform("seen on site")
    results[5] = {
        "item": "group-6",
        "result": "deficient",
        "note": "no personal-information officer appointed",
    }
    results[11] = {"item": "category-6", "result": "not_applicable", "note": "no account function"}
    shown = record(client, world, CB, case_id, results)
    (deficiency,) = shown["deficiencies"]
    assert deficiency["stage"] == "onsite_review" and deficiency["due_on"] == "2025-12-24"
    clock.set(dt.datetime(2025, 12, 25, 2, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    assert case_of(client, world, case_id)["state"] == "suspended_onsite"
    _remedy(client, world, case_id, deficiency["id"])
    by_agency = _review(client, world, AGENCY, case_id, deficiency["id"], True)
    assert by_agency.status_code == 403 and "certification body" in by_agency.json()["message"]
    resumed = _review(client, world, CB, case_id, deficiency["id"], True)
    assert resumed.json()["case"]["state"] == "onsite_review"
    pending = act(client, world, CB, case_of(client, world, case_id), "complete_onsite")
    assert pending["state"] == "decision_pending"
    assert pending["data"]["conclusions"]["onsite_review"]["not_applicable"] == ["category-6"]


def test_app_5_grant_issues_a_certification_from_the_rule_set(
    client: TestClient, world: Any
) -> None:
    """APP-5: the grant issues a certification with number, app, operating system, version
    line, scope, validity (3 years) and yearly surveillance from the rule set."""
    cert = certify(client, world, systems=("iOS",))
    assert cert["number"] == "CCRC-AS-2025-000001"
    assert (cert["app_name"], cert["operating_system"], cert["version_line"]) == (
        "Example Pay",
        "iOS",
        "5.x",
    )
    assert "GB/T 35273" in cert["scope"]
    assert (cert["valid_from"], cert["valid_until"]) == ("2025-09-25", "2028-09-24")
    assert cert["surveillance_due"] == ["2026-09-25", "2027-09-25"]
    assert cert["status"] == "valid" and cert["rule_set"] == "ccrc-app-2019"
    (issued,) = cert["history"]
    assert issued["kind"] == "issued" and issued["actor"]["role"] == "certification_body"
    unit = client.get(URL, headers=world.headers(OPERATOR)).json()[0]
    assert unit["decision"]["outcome"] == "granted"
    # The same app, system and version line cannot be applied for while certified.
    again = client.post(URL, json=application(systems=("iOS",)), headers=world.headers(OPERATOR))
    assert again.status_code == 409 and cert["number"] in again.json()["message"]


def test_app_5_denial_states_reasons_and_records_receipt(
    client: TestClient, world: Any, clock: FixedClock
) -> None:
    """APP-5: a denial states its reasons; the date the applicant received it is recorded once,
    not before the decision nor in the future; a grant rests on both stages' results."""
    denied = deny(client, world)
    assert denied["state"] == "denied"
    assert denied["data"]["decision"]["reason"] == "sample collects contacts without consent"
    url = f"{URL}/{denied['id']}/decision-receipt"
    for bad in ("2025-09-24", "2025-09-26", "yesterday"):
        response = client.post(url, json={"received_on": bad}, headers=world.headers(OPERATOR))
        assert response.status_code == 422, bad
    assert (
        client.post(
            url, json={"received_on": "2025-09-25"}, headers=world.headers("app_operator_2")
        ).status_code
        == 404
    )
    clock.advance(dt.timedelta(days=2))
    recorded = client.post(url, json={"received_on": "2025-09-26"}, headers=world.headers(OPERATOR))
    assert recorded.status_code == 200, recorded.text
    decision = recorded.json()["decision"]
    assert decision == {
        "outcome": "denied",
        "decided_on": "2025-09-25",
        "reasons": "sample collects contacts without consent",
        "received_on": "2025-09-26",
    }
    again = client.post(url, json={"received_on": "2025-09-27"}, headers=world.headers(CB))
    assert again.status_code == 409
    history = client.get(f"/api/v1/cases/{denied['id']}/history", headers=world.headers(CB)).json()
    assert history[-1]["kind"] == "decision_received"
    # No grant before both stages: the process only offers it awaiting the decision.
    case_id = submit(client, world, app_name="Other")["units"][0]["case"]["id"]
    case = to_verification(client, world, case_id)
    early = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"transition": "grant", "expected_version": case["version"]},
        headers=world.headers(CB),
    )
    assert early.status_code == 409
