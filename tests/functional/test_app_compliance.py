"""APP-7 and APP-8 through the API against a real database: events requiring a self-assessment
report within the rule set's period (a finding when late), and special inspections with their
own process."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from certgov.actors import SYSTEM_ACTOR
from certgov.cases.models import Case
from certgov.clock import FixedClock
from certgov.findings.models import Finding
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from certgov.worker import run_once
from support.appcert import CB, OPERATOR, certify
from support.licensing import act

REPORT = {
    "summary": "new store listed; same build and practices",
    "sha256": "ef" * 32,
    "size": 2048,
}


def _event(client: TestClient, world: Any, number: str, trigger: str, who: str = OPERATOR) -> Any:
    return client.post(
        f"/api/v1/app-certifications/{number}/events",
        json={"trigger": trigger, "description": "listed on a new Android store"},
        headers=world.headers(who),
    )


def _login(client: TestClient, world: Any, who: str) -> None:
    """A console session for the user of ``who``'s grant."""
    actor = world.actors[who]
    username, password = f"page-{who}", "correct horse battery"
    with unit_of_work(world.ctx.sessions) as session:
        identity.create_user(
            session,
            world.ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name=username,
            password=password,
            grant=identity.Grant(actor.role, actor.jurisdiction, actor.party_id),
        )
    client.cookies.clear()
    answer = client.post(
        "/console/login", data={"username": username, "password": password}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def _words(page: str) -> str:
    """A page's text as a reader sees it (the data marks and other tags dropped)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _findings(client: TestClient, world: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = client.get(
        "/api/v1/app-findings", headers=world.headers(CB)
    ).json()
    return result


def test_app_7_event_requires_a_self_assessment_report_in_time(
    client: TestClient, world: Any, clock: FixedClock
) -> None:
    """APP-7: the holder reports a channel change; the self-assessment report is due within
    self_assessment_report_period (30 calendar days, assumed: Saturday 2025-10-25 rolls to
    Monday 10-27); past it the sweep makes a finding, and a report after its last day is a
    finding at once even before a sweep; a report in time is reviewed by the certification
    body."""
    number = certify(client, world)["number"]
    opened = _event(client, world, number, "distribution channel changed")
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["process_id"] == "app-self-assessment" and case["state"] == "awaiting_report"
    assert case["data"]["trigger"] == "distribution channel changed"
    (deadline,) = case["deadlines"]
    assert (deadline["period"], deadline["due_on"]) == ("30 calendar days", "2025-10-27")
    clock.set(dt.datetime(2025, 10, 28, 2, 0, tzinfo=dt.UTC))
    run_once(world.ctx)
    (finding,) = _findings(client, world)
    assert finding["code"] == "self-assessment-report-overdue" and finding["requirement"] == "APP-7"
    # The operator sees its own finding among the regulator-visible ones.
    own = client.get("/api/v1/findings", headers=world.headers(OPERATOR)).json()
    assert [f["code"] for f in own] == ["self-assessment-report-overdue"]
    late = act(client, world, OPERATOR, case, "submit_report", payload={"report": REPORT})
    assert late["state"] == "under_review" and late["data"]["report"]["late"] is True
    assert len(_findings(client, world)) == 1  # the same finding, not a second one
    # A second event, its report submitted after its last day without a sweep in between.
    second = _event(client, world, number, "operator received complaints about the app").json()
    assert second["deadlines"][0]["due_on"] == "2025-11-27"
    clock.set(dt.datetime(2025, 11, 28, 2, 0, tzinfo=dt.UTC))
    act(client, world, OPERATOR, second, "submit_report", payload={"report": REPORT})
    assert {f["case_id"] for f in _findings(client, world)} == {case["id"], second["id"]}
    # A third, in time: no finding; the certification body accepts the report.
    third = _event(
        client,
        world,
        number,
        "update changes the purpose, data types or means of collecting, processing or using personal information",
    ).json()
    bad = client.post(
        f"/api/v1/cases/{third['id']}/transitions",
        json={
            "transition": "submit_report",
            "expected_version": third["version"],
            "payload": {"report": {"summary": "x", "sha256": "nope"}},
        },
        headers=world.headers(OPERATOR),
    )
    assert bad.status_code == 422 and bad.json()["details"]["field"] == "report.sha256"
    reviewed = act(client, world, OPERATOR, third, "submit_report", payload={"report": REPORT})
    accepted = act(client, world, CB, reviewed, "accept_report")
    assert accepted["state"] == "accepted" and accepted["data"]["report"]["late"] is False
    assert len(_findings(client, world)) == 2


def test_app_7_only_the_holder_reports_known_triggers(client: TestClient, world: Any) -> None:
    """APP-7: triggers come from the rule set; only the holder reports on its certification."""
    number = certify(client, world)["number"]
    unknown = _event(client, world, number, "new logo")
    assert unknown.status_code == 422 and "distribution channel changed" in unknown.json()["hint"]
    other = _event(client, world, number, "distribution channel changed", "app_operator_2")
    assert other.status_code == 403
    assert (
        _event(client, world, "CCRC-AS-2025-999999", "distribution channel changed").status_code
        == 404
    )
    assert _event(client, world, number, "distribution channel changed", CB).status_code == 403


def test_app_8_special_inspection_on_the_three_triggers(client: TestClient, world: Any) -> None:
    """APP-8: the certification body opens a special inspection on one of the rule set's three
    triggers; it concludes compliant, or suspends or revokes the certification (APP-10)."""
    first = certify(client, world)["number"]
    second = certify(client, world, app_name="Example Chat")["number"]
    url = f"/api/v1/app-certifications/{first}/inspections"
    unknown = client.post(
        url, json={"trigger": "bad press", "description": "x"}, headers=world.headers(CB)
    )
    assert unknown.status_code == 422 and "merger or liquidation" in unknown.json()["hint"]
    assert (
        client.post(
            url,
            json={"trigger": "non-compliance found in regular monitoring", "description": "x"},
            headers=world.headers(OPERATOR),
        ).status_code
        == 403
    )
    opened = client.post(
        url,
        json={
            "trigger": "practices questioned by users, media or regulators and liability proven",
            "description": "media reports on location tracking; CAC found the operator liable",
        },
        headers=world.headers(CB),
    )
    assert opened.status_code == 201, opened.text
    inspection = opened.json()
    assert (
        inspection["process_id"] == "app-special-inspection" and inspection["state"] == "inspecting"
    )
    concluded = act(
        client,
        world,
        CB,
        inspection,
        "conclude_suspend",
        reason="location collected without consent",
    )
    assert concluded["state"] == "suspended"
    assert client.get(f"/api/v1/app-certifications/{first}").json()["status"] == "suspended"
    merger = client.post(
        f"/api/v1/app-certifications/{second}/inspections",
        json={
            "trigger": "material change of organisation or service model, merger or liquidation",
            "description": "merged into another group",
        },
        headers=world.headers(CB),
    ).json()
    act(client, world, CB, merger, "conclude_compliant", reason="practices unchanged")
    assert client.get(f"/api/v1/app-certifications/{second}").json()["status"] == "valid"
    monitoring = client.post(
        f"/api/v1/app-certifications/{second}/inspections",
        json={
            "trigger": "non-compliance found in regular monitoring",
            "description": "SDK sends IMEI",
        },
        headers=world.headers(CB),
    ).json()
    act(client, world, CB, monitoring, "conclude_revoke", reason="refused to remove the SDK")
    revoked = client.get(f"/api/v1/app-certifications/{second}").json()
    assert revoked["status"] == "revoked" and revoked["history"][-1]["case_id"] == monitoring["id"]


def test_case_and_finding_titles_read_in_the_readers_language(
    client: TestClient, world: Any, clock: FixedClock
) -> None:
    """Issue 16: the system names the self-assessment case and its late-report finding with a
    template and parameters (the trigger a text of the rule set), so that a Chinese page says
    them in Chinese, not as English data; the API keeps the English title."""
    number = certify(client, world)["number"]
    trigger = "distribution channel changed"
    case = _event(client, world, number, trigger).json()
    assert case["title"] == f"Self-assessment of {number}: {trigger}"
    with unit_of_work(world.ctx.sessions) as session:
        row = session.get(Case, case["id"])
        assert row is not None and row.title_text == {
            "template": "Self-assessment of {number}: {trigger}",
            "params": {"number": number, "trigger": {"term": "message", "code": trigger}},
        }
    clock.set(dt.datetime(2025, 10, 28, 2, 0, tzinfo=dt.UTC))
    act(client, world, OPERATOR, case, "submit_report", payload={"report": REPORT})
    with unit_of_work(world.ctx.sessions) as session:
        finding = session.scalars(select(Finding).where(Finding.case_id == case["id"])).one()
        assert finding.title == f"Self-assessment report submitted late: {case['title']}"
        assert finding.title_text is not None and finding.message_text is not None
        # The case's own title is kept within the finding's as a text, not as its English.
        assert finding.title_text["params"]["case"]["template"] == (
            "Self-assessment of {number}: {trigger}"
        )
        assert "30 calendar days" in finding.message
    zh_title = translate("zh", "Self-assessment of {number}: {trigger}").format(
        number=number, trigger=translate("zh", trigger)
    )
    _login(client, world, "national_regulator")
    page = _words(client.get(f"/console/cases/{case['id']}").text)
    assert zh_title in page and "Self-assessment of" not in page
    findings = _words(client.get("/console/findings").text)
    late = translate("zh", "Self-assessment report submitted late: {case}").format(case=zh_title)
    assert late in findings
    assert "submitted late" not in findings and "calendar days" not in findings
    assert "30 个自然日" in findings
