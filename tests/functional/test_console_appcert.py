"""The app security certification workbenches through HTTP (issue 17; APP-3 to APP-10, SYS-6):
the certification body appoints and assigns a testing agency, the agency records checklist
results (a deficiency with its deadline; a result without a note refused, nothing written)
and reviews the remedy, the body suspends and resumes the process, reviews on site and
grants; the certification page suspends from a stated day, reinstates and opens a special
inspection. Every action is a form with the session's CSRF token and the expected version."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient

from certgov.actors import Role
from certgov.appcert import technical_verification
from certgov.store.engine import unit_of_work
from support.appcert import ITEMS, SAMPLE, case_of, submit
from support.console_pages import person, rows, version_of
from support.licensing import act


def test_certification_body_and_agency_work_an_application_through_the_pages(
    client: TestClient, world: Any
) -> None:
    case_id = submit(client, world)["units"][0]["case"]["id"]
    agency_id = world.parties["testing_agency"]

    token = person(client, world, "ccrc-wang", Role.CERTIFICATION_BODY, "certification_body")
    bench = client.get("/console/app")
    assert bench.status_code == 200 and "Example Pay" in bench.text
    appointed = client.post(
        "/console/app/agencies",
        data={"csrf_token": token, "party_id": agency_id, "note": "CNAS accredited"},
        follow_redirects=False,
    )
    assert appointed.status_code == 303
    again = client.post("/console/app/agencies", data={"csrf_token": token, "party_id": agency_id})
    assert again.status_code == 422 and "已被指定" in again.text  # {name} is already appointed
    page = client.get(f"/console/cases/{case_id}").text
    accepted = client.post(
        f"/console/cases/{case_id}/transitions",
        data={"csrf_token": token, "transition": "accept", "version": version_of(page)},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    page = client.get(f"/console/cases/{case_id}").text
    assert 'id="assign-agency-form"' in page
    stale = client.post(
        f"/console/app/applications/{case_id}/assignment",
        data={"csrf_token": token, "agency_party_id": agency_id, "version": 1},
    )
    assert stale.status_code == 422
    assigned = client.post(
        f"/console/app/applications/{case_id}/assignment",
        data={"csrf_token": token, "agency_party_id": agency_id, "version": version_of(page)},
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    act(client, world, "app_operator", case_of(client, world, case_id), "submit_sample",
        payload={"sample": SAMPLE})  # fmt: skip

    token = person(client, world, "lab-zhao", Role.TESTING_AGENCY, "testing_agency")
    assert f"/console/cases/{case_id}" in client.get("/console/app").text
    page = client.get(f"/console/cases/{case_id}").text
    assert 'id="checklist-form"' in page
    due = (world.ctx.clock.now().date() + dt.timedelta(days=20)).isoformat()
    no_note = client.post(
        f"/console/app/applications/{case_id}/results",
        data={"csrf_token": token, "version": version_of(page),
              **rows(category_3=("deficient", " ", due))},
    )  # fmt: skip
    assert no_note.status_code == 422 and "category-3" in no_note.text
    recorded = client.post(
        f"/console/app/applications/{case_id}/results",
        data={"csrf_token": token, "version": version_of(page),
              **rows(category_3=("deficient", "collects contacts without consent", due),
                     group_1=("conforms", "privacy policy shown first", ""))},
    )  # fmt: skip
    assert recorded.status_code == 200, recorded.text  # followed to the case page
    with unit_of_work(world.ctx.sessions, readonly=True) as session:
        (deficiency,) = technical_verification.deficiencies(session, case_id)
        assert deficiency.item == "category-3" and deficiency.due_on.isoformat() == due
    assert f'id="deficiency-{deficiency.id}"' in recorded.text

    token = person(client, world, "ccrc-wang", Role.CERTIFICATION_BODY, "certification_body")
    page = client.get(f"/console/cases/{case_id}").text
    assert "collects contacts without consent" in page and 'id="checklist-form"' not in page
    suspended = client.post(
        f"/console/cases/{case_id}/transitions",
        data={"csrf_token": token, "transition": "suspend_verification",
              "reason": "deficiency not remedied", "version": version_of(page)},
    )  # fmt: skip
    assert case_of(client, world, case_id)["state"] == "suspended_verification", suspended.text

    remedy = client.post(
        f"/api/v1/app-applications/{case_id}/remedies",
        json={"deficiency_id": deficiency.id, "statement": "consent dialog added"},
        headers=world.headers("app_operator"),
    )
    assert remedy.status_code == 200, remedy.text
    page = client.get(f"/console/cases/{case_id}").text
    assert "consent dialog added" in page
    client.post(
        f"/console/cases/{case_id}/transitions",
        data={"csrf_token": token, "transition": "resume_verification", "version": version_of(page)},
    )  # fmt: skip
    assert case_of(client, world, case_id)["state"] == "technical_verification"

    token = person(client, world, "lab-zhao", Role.TESTING_AGENCY, "testing_agency")
    reviewed = client.post(
        f"/console/app/applications/{case_id}/remedy-reviews",
        data={"csrf_token": token, "deficiency_id": deficiency.id, "accepted": "yes",
              "note": "dialog seen before any collection"},
    )  # fmt: skip
    assert reviewed.status_code == 200, reviewed.text
    with unit_of_work(world.ctx.sessions, readonly=True) as session:
        (deficiency,) = technical_verification.deficiencies(session, case_id)
        assert deficiency.status == "remedied"
    page = client.get(f"/console/cases/{case_id}").text
    rest = {i.replace("-", "_"): ("conforms", "tested", "") for i in ITEMS if i != "category-3"}
    client.post(
        f"/console/app/applications/{case_id}/results",
        data={"csrf_token": token, "version": version_of(page), **rows(**rest)},
    )
    act(client, world, "testing_agency", case_of(client, world, case_id, "testing_agency"),
        "complete_verification")  # fmt: skip

    token = person(client, world, "ccrc-wang", Role.CERTIFICATION_BODY, "certification_body")
    page = client.get(f"/console/cases/{case_id}").text
    everything = {i.replace("-", "_"): ("conforms", "seen on site", "") for i in ITEMS}
    onsite = client.post(
        f"/console/app/applications/{case_id}/results",
        data={"csrf_token": token, "version": version_of(page), **rows(**everything)},
    )
    assert onsite.status_code == 200, onsite.text
    for transition in ("complete_onsite", "grant"):
        page = client.get(f"/console/cases/{case_id}").text
        client.post(
            f"/console/cases/{case_id}/transitions",
            data={"csrf_token": token, "transition": transition, "reason": "conforms",
                  "version": version_of(page)},
        )  # fmt: skip
    granted = case_of(client, world, case_id)
    assert granted["state"] == "granted"
    number = granted["data"]["certification"]

    cert_page = client.get(f"/console/app/certifications/{number}")
    assert cert_page.status_code == 200 and 'id="cert-suspend"' in cert_page.text
    stated = world.ctx.clock.now().date().isoformat()
    suspended = client.post(
        f"/console/app/certifications/{number}/status",
        data={"csrf_token": token, "action": "suspend", "reason": "complaint upheld",
              "effective_on": stated, "version": version_of(cert_page.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert suspended.status_code == 303
    stale = client.post(
        f"/console/app/certifications/{number}/status",
        data={"csrf_token": token, "action": "reinstate", "reason": "remedied",
              "version": version_of(cert_page.text)},
    )  # fmt: skip
    assert stale.status_code == 422 and "在您打开后已发生变化" in stale.text
    cert_page = client.get(f"/console/app/certifications/{number}")
    assert 'id="cert-reinstate"' in cert_page.text
    reinstated = client.post(
        f"/console/app/certifications/{number}/status",
        data={"csrf_token": token, "action": "reinstate", "reason": "remedied",
              "version": version_of(cert_page.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert reinstated.status_code == 303
    trigger = re.search(r'name="trigger"><option value="([^"]+)"', cert_page.text)
    assert trigger
    inspection = client.post(
        f"/console/app/certifications/{number}/inspections",
        data={"csrf_token": token, "trigger": trigger.group(1).replace("&#39;", "'"),
              "description": "reports of covert collection"},
        follow_redirects=False,
    )  # fmt: skip
    assert inspection.status_code == 303
    assert client.get(inspection.headers["location"]).status_code == 200
    assert "#" in client.get("/console/app").text


def test_workbench_refuses_other_roles_and_other_agencies(client: TestClient, world: Any) -> None:
    """SYS-6: the regulators and the parties are refused the workbench; an agency not
    assigned does not see the case."""
    case_id = submit(client, world)["units"][0]["case"]["id"]
    token = person(client, world, "ca-li", Role.CA_OPERATOR, "ca_shanghai")
    assert client.get("/console/app").status_code == 403
    refused = client.post("/console/app/agencies", data={"csrf_token": token, "party_id": 1})
    assert refused.status_code == 403
    person(client, world, "lab-other", Role.TESTING_AGENCY, "testing_agency_2")
    assert client.get(f"/console/cases/{case_id}").status_code in (403, 404)
    assert f"/console/cases/{case_id}" not in client.get("/console/app").text
