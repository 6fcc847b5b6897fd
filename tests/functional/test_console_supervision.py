"""A CA's supervision page and the rule sets page through HTTP (issue 17; ECS-2.3, ECS-2.4,
ECS-4.3, SYS-2, SYS-6, SYS-8): the licence suspended from a stated day and reinstated by the
national regulator (a stale version refused, nothing written), a modification case opened;
the provincial regulator reads the page but may not act on the licence; a CA outside a provincial regulator's
province refused; rule sets side by side with sources and assumptions; activation from a
date with a reason by the national regulator only."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.http.security import csrf_token
from certgov.identity import services as identity
from certgov.rulebook import services as rulebook
from certgov.store.engine import unit_of_work
from support.enforcement import a_finding
from support.licensing import grant_licence

PASSWORD = "correct horse battery"


def official(
    client: TestClient, world: Any, username: str, role: Role, jurisdiction: str = "national"
) -> str:
    """A regulator logged in through the page; the session's CSRF token."""
    with unit_of_work(world.ctx.sessions) as session:
        identity.create_user(
            session,
            world.ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name=username,
            password=PASSWORD,
            grant=identity.Grant(role, jurisdiction),
        )
    client.cookies.clear()
    answer = client.post(
        "/console/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return csrf_token(client.cookies["certgov_session"])


def version_of(page: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "no version on the page"
    return int(found.group(1))


def test_ca_page_licence_actions_by_the_competent_authority(client: TestClient, world: Any) -> None:
    licence = grant_licence(client, world)
    number = licence["number"]
    party_id = world.parties["ca_shanghai"]
    a_finding(world, "ca_shanghai")

    token = official(client, world, "miit-zhang", Role.NATIONAL_REGULATOR)
    page = client.get(f"/console/cas/{party_id}")
    assert page.status_code == 200
    assert number in page.text and 'id="licence-suspend"' in page.text
    assert 'id="ca-findings"' in page.text
    today = world.ctx.clock.now().date().isoformat()
    suspended = client.post(
        f"/console/cas/{party_id}/licences/{number}/status",
        data={"csrf_token": token, "action": "suspend", "reason": "rectification ordered",
              "effective_on": today, "version": version_of(page.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert suspended.status_code == 303
    stale = client.post(
        f"/console/cas/{party_id}/licences/{number}/status",
        data={"csrf_token": token, "action": "reinstate", "reason": "rectified",
              "version": version_of(page.text)},
    )  # fmt: skip
    assert stale.status_code == 422
    assert client.get(f"/api/v1/licences/{number}").json()["status"] == "suspended"
    page = client.get(f"/console/cas/{party_id}")
    assert 'id="licence-reinstate"' in page.text and 'id="licence-suspend"' not in page.text
    reinstated = client.post(
        f"/console/cas/{party_id}/licences/{number}/status",
        data={"csrf_token": token, "action": "reinstate", "reason": "rectified",
              "version": version_of(page.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert reinstated.status_code == 303
    assert client.get(f"/api/v1/licences/{number}").json()["status"] == "valid"
    page = client.get(f"/console/cas/{party_id}")
    kind = re.search(r'name="kinds" value="([^"]+)"', page.text)
    assert kind
    opened = client.post(
        f"/console/cas/{party_id}/licences/{number}/modifications",
        data={"csrf_token": token, "kinds": [kind.group(1)], "description": "new data centre"},
        follow_redirects=False,
    )
    assert opened.status_code == 303, re.findall(r"<p>([^<]*)</p></div>", opened.text)
    assert opened.headers["location"].startswith("/console/cases/")

    token = official(client, world, "sh-li", Role.PROVINCIAL_REGULATOR, "310000")
    page = client.get(f"/console/cas/{party_id}")
    assert page.status_code == 200 and 'id="licence-suspend"' not in page.text
    assert 'id="licence-modification"' not in page.text
    refused = client.post(
        f"/console/cas/{party_id}/licences/{number}/status",
        data={"csrf_token": token, "action": "suspend", "reason": "x",
              "version": client.get(f"/api/v1/licences/{number}").json()["version"]},
    )  # fmt: skip
    # The refusal in the reader's language (Chinese by default), not the English message.
    assert refused.status_code == 422 and "国家主管部门" in refused.text
    assert "national regulator" not in refused.text
    assert client.get(f"/api/v1/licences/{number}").json()["status"] == "valid"

    official(client, world, "gd-chen", Role.PROVINCIAL_REGULATOR, "440000")
    assert client.get(f"/console/cas/{party_id}").status_code == 403
    assert client.get(f"/console/cas/{world.parties['app_operator']}").status_code == 404


def test_rules_page_side_by_side_and_activation(client: TestClient, world: Any) -> None:
    token = official(client, world, "miit-rules", Role.NATIONAL_REGULATOR)
    page = client.get("/console/rules?show=all")
    assert page.status_code == 200
    for rule_set in world.ctx.rule_sets:
        assert rule_set in page.text
    assert 'class="tag tag-suspended assumed"' in page.text  # some parameters are assumptions
    assert 'class="differs"' in page.text  # the 2024 draft differs from the 2015 Measures
    no_reason = client.post(
        "/console/rules/activations",
        data={"csrf_token": token, "rule_set": "measures-2024-draft",
              "effective_from": "2027-01-01", "reason": " "},
    )  # fmt: skip
    assert no_reason.status_code == 422
    activated = client.post(
        "/console/rules/activations",
        data={"csrf_token": token, "rule_set": "measures-2024-draft",
              "effective_from": "2027-01-01", "reason": "promulgated"},
        follow_redirects=False,
    )  # fmt: skip
    assert activated.status_code == 303
    with unit_of_work(world.ctx.sessions, readonly=True) as session:
        assert rulebook.activations(session)["measures-2024-draft"].isoformat() == "2027-01-01"
    assert "promulgated" in client.get("/console/rules").text

    token = official(client, world, "sh-rules", Role.PROVINCIAL_REGULATOR, "310000")
    assert client.get("/console/rules").status_code == 200
    refused = client.post(
        "/console/rules/activations",
        data={"csrf_token": token, "rule_set": "measures-2015",
              "effective_from": "2027-02-01", "reason": "x"},
    )  # fmt: skip
    assert refused.status_code == 403
