"""The officials' console through HTTP (issue 17; SYS-1, SYS-6, ECS-4.2, ECS-5.2, ECS-6.2):
the work queue's filters, counts, sorting and "my cases"; assignment of a case to an official
of the competent authority; a complaint's text and evidence for its regulators only (served as
an attachment); finding triage (confirm, dismiss that stays dismissed, link) and enforcement
opened from a confirmed finding, heard and decided within the catalogue's range."""

from __future__ import annotations

import base64
import re
from typing import Any

from fastapi.testclient import TestClient

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.cases import queue
from certgov.cases import services as cases
from certgov.findings.models import Finding
from certgov.findings.services import Problem, raise_finding
from certgov.http.security import csrf_token
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from support.enforcement import a_finding, case_of, step
from support.licensing import grant_licence, submit_application

PASSWORD = "correct horse battery"


def official(
    client: TestClient, world: Any, username: str, role: Role, jurisdiction: str = "national"
) -> str:
    """Create a user and log in through the page; returns the CSRF token of the session."""
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
    return log_in(client, username)


def log_in(client: TestClient, username: str) -> str:
    client.cookies.clear()
    answer = client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_token(client.cookies["certgov_session"])


def complain(client: TestClient, world: Any, anonymous: bool = False) -> int:
    body: dict[str, Any] = {
        "subject": "Certificate issued without identity check",
        "description": "A certificate was issued in my name without my consent.",
        "ca_party_id": world.parties["ca_shanghai"],
        "evidence": [
            {
                "filename": "<script>名.html",
                "media_type": "text/html",
                "content_base64": base64.b64encode(b"<script>alert(1)</script>").decode(),
            }
        ],
    }
    if not anonymous:
        body["complainant"] = {"name": "Zhang San", "contact": "zhang@example.cn"}
    assert client.post("/api/v1/complaints", json=body).status_code == 201
    listed = client.get("/api/v1/complaints", headers=world.headers("national_regulator"))
    return int(listed.json()[0]["id"])


def test_work_queue_filters_counts_sorts_and_assigns(client: TestClient, world: Any) -> None:
    """SYS-1, SYS-6: the Shanghai regulator's queue shows Shanghai's cases only, nearest
    deadline first, with counts; a case assigned to her appears under "my cases"."""
    first = complain(client, world)
    second = complain(client, world)
    token = official(client, world, "shanghai.li", Role.PROVINCIAL_REGULATOR, "310000")
    page = client.get("/console")
    assert page.status_code == 200
    assert f'data-case="{first}"' in page.text and f'data-case="{second}"' in page.text
    # Same deadline: the newer case first; both counted under their process.
    assert page.text.index(f'data-case="{second}"') < page.text.index(f'data-case="{first}"')
    assert re.search(r"ecs-complaint\"[^>]*>[^<]*\(2\)", page.text)
    mine = client.get("/console", params={"assigned": "me"})
    assert f'data-case="{first}"' not in mine.text
    with unit_of_work(world.ctx.sessions, readonly=True) as session:
        user_id = next(u.id for u in identity.list_users(session) if u.username == "shanghai.li")
    version = case_of(client, world, first)["version"]
    assigned = client.post(
        f"/console/cases/{first}/assignment",
        data={"csrf_token": token, "version": version, "user_id": user_id},
        follow_redirects=False,
    )
    assert assigned.status_code == 303, assigned.text
    mine = client.get("/console", params={"assigned": "me"})
    assert f'data-case="{first}"' in mine.text and f'data-case="{second}"' not in mine.text
    # A stale version is refused with the page again, nothing changed.
    stale = client.post(
        f"/console/cases/{second}/assignment",
        data={"csrf_token": token, "version": 999, "user_id": user_id},
    )
    assert stale.status_code == 422
    # Due within 0 business days: nothing is due today; an unknown process is refused.
    assert "data-case" not in client.get("/console", params={"due_within": 0}).text
    assert client.get("/console", params={"process": "nope"}).status_code == 422
    # A Guangdong regulator is never offered as the assignee of a Shanghai case.
    with unit_of_work(world.ctx.sessions) as session:
        case = cases.get_case(session, world.ctx, world.actors["national_regulator"], first)
        names = {
            u.username
            for u in queue.assignable_officials(
                session, world.ctx, world.actors["national_regulator"], case
            )
        }
    assert "shanghai.li" in names


def test_complaint_page_shows_text_and_evidence_to_its_regulators_only(
    client: TestClient, world: Any
) -> None:
    """ECS-5.2, SYS-6: the complaint's text and complainant on its case page; evidence
    downloaded as an attachment of an opaque type; other roles refused."""
    case_id = complain(client, world)
    official(client, world, "shanghai.wang", Role.PROVINCIAL_REGULATOR, "310000")
    page = client.get(f"/console/cases/{case_id}")
    assert "A certificate was issued in my name" in page.text
    assert "Zhang San" in page.text
    evidence_id = int(re.search(r"/evidence/(\d+)", page.text).group(1))  # type: ignore[union-attr]
    download = client.get(f"/console/cases/{case_id}/evidence/{evidence_id}")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "<" not in download.headers["content-disposition"].split(";")[1]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.content == b"<script>alert(1)</script>"
    official(client, world, "guangdong.zhao", Role.PROVINCIAL_REGULATOR, "440000")
    assert client.get(f"/console/cases/{case_id}/evidence/{evidence_id}").status_code == 403
    official(client, world, "ccrc.officer", Role.CERTIFICATION_BODY)
    assert client.get(f"/console/cases/{case_id}/evidence/{evidence_id}").status_code in (403, 404)
    client.cookies.clear()
    public = client.get(f"/console/cases/{case_id}/evidence/{evidence_id}", follow_redirects=False)
    assert public.status_code == 303


def test_finding_triage_and_enforcement_through_the_pages(client: TestClient, world: Any) -> None:
    """ECS-4.2, ECS-6.2: dismissed findings stay closed when seen again; a confirmed finding
    opens an enforcement case, heard and decided with a fine inside the range (outside it
    refused, nothing recorded)."""
    dismissed = a_finding(world, "ca_shanghai", code="outlet-missing")
    kept = a_finding(world, "ca_shanghai")
    token = official(client, world, "shanghai.chen", Role.PROVINCIAL_REGULATOR, "310000")
    listing = client.get("/console/findings")
    assert f'data-finding="{dismissed}"' in listing.text
    no_reason = client.post(
        f"/console/findings/{dismissed}/dismiss", data={"csrf_token": token, "reason": " "}
    )
    assert no_reason.status_code == 422
    ok = client.post(
        f"/console/findings/{dismissed}/dismiss",
        data={"csrf_token": token, "reason": "outlet opened last week"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with unit_of_work(world.ctx.sessions) as session:
        raise_finding(
            session,
            world.ctx,
            SYSTEM_ACTOR,
            Problem(
                code="outlet-missing",
                key="outlet-missing:test:ca_shanghai",
                severity="high",
                title="test finding",
                message="seen again",
                party_id=world.parties["ca_shanghai"],
                jurisdiction="310000",
            ),
        )
        again = session.get(Finding, dismissed)
        assert again is not None and again.status == "closed" and again.triage == "dismissed"
    # Enforcement needs a confirmed finding.
    early = client.post(
        f"/console/findings/{kept}/enforcement",
        data={"csrf_token": token, "violation": "cessation_not_reported", "summary": "late"},
    )
    assert early.status_code == 422
    assert (
        client.post(
            f"/console/findings/{kept}/confirm",
            data={"csrf_token": token, "note": "checked"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    opened = client.post(
        f"/console/findings/{kept}/enforcement",
        data={"csrf_token": token, "violation": "cessation_not_reported", "summary": "late"},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    case_id = int(opened.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/console/cases/{case_id}")
    assert 'id="fine-range"' in page.text and "10,000" in page.text and "50,000" in page.text
    # The case is named in the reader's words: the violation's title from the catalogue.
    violation = case_of(client, world, case_id)["data"]["violation_title"]
    assert f"行政处罚：{translate('zh', violation)}——" in page.text
    assert "Enforcement:" not in page.text and violation not in page.text
    english = client.get(f"/console/cases/{case_id}?lang=en").text
    assert f"Enforcement: {violation} — " in english

    def take(name: str, **data: Any) -> Any:
        version = case_of(client, world, case_id)["version"]
        return client.post(
            f"/console/cases/{case_id}/transitions",
            data={"csrf_token": token, "transition": name, "version": version, **data},
            follow_redirects=False,
        )

    assert take("notify", reason="notice of the intended fine").status_code == 303
    step(client, world, "ca_operator", case_id, "request_hearing")
    assert take("record_hearing", reason="heard on 3 March").status_code == 303
    too_high = take("decide", reason="reasons", outcomes=["fine"], fine_yuan="60,000")
    assert too_high.status_code == 422 and "10,000" in too_high.text
    assert take("decide", reason="reasons", outcomes=["fine"], fine_yuan="20000").status_code == 303
    decided = client.get(f"/console/cases/{case_id}")
    assert 'id="fine"' in decided.text and "20,000" in decided.text
    assert case_of(client, world, case_id)["state"] == "decided"


def test_deadline_extension_needs_a_reason_and_is_in_the_history(
    client: TestClient, world: Any
) -> None:
    """SYS-1: the national regulator extends the complaint's acceptance deadline by 5 days,
    with a reason recorded; the Shanghai regulator may not (the process says who may)."""
    case_id = complain(client, world)
    before = case_of(client, world, case_id)["deadlines"][0]["due_on"]
    token = official(client, world, "miit.he", Role.NATIONAL_REGULATOR)
    version = case_of(client, world, case_id)["version"]
    answer = client.post(
        f"/console/cases/{case_id}/extensions",
        data={
            "csrf_token": token,
            "deadline": "acceptance",
            "days": 5,
            "reason": "evidence to be translated",
            "version": version,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    after = case_of(client, world, case_id)["deadlines"][0]["due_on"]
    assert after > before
    assert "evidence to be translated" in client.get(f"/console/cases/{case_id}").text
    token = official(client, world, "shanghai.xu", Role.PROVINCIAL_REGULATOR, "310000")
    refused = client.post(
        f"/console/cases/{case_id}/extensions",
        data={
            "csrf_token": token,
            "deadline": "acceptance",
            "days": 5,
            "reason": "more time",
            "version": case_of(client, world, case_id)["version"],
        },
    )
    assert refused.status_code == 422


def test_dashboard_for_regulators_only(client: TestClient, world: Any) -> None:
    """ECS-4.1, SYS-6: the dashboard's numbers per province and CA, for regulators only."""
    a_finding(world, "ca_shanghai")
    official(client, world, "miit.dash", Role.NATIONAL_REGULATOR)
    page = client.get("/console/dashboard")
    assert page.status_code == 200 and 'data-province="310000"' in page.text
    assert "<svg" in page.text
    official(client, world, "ccrc.dash", Role.CERTIFICATION_BODY)
    assert client.get("/console/dashboard").status_code == 403
    assert client.get("/console/findings").status_code == 403


def test_case_and_finding_titles_in_the_readers_language(client: TestClient, world: Any) -> None:
    """Issue 16: a case or a finding the system names is named in the reader's language, the
    rule set's words (the kinds of a modification, a province) translated, no English left in
    a Chinese page; in English as before."""
    licence = grant_licence(client, world)
    number = licence["number"]
    opened = client.post(
        f"/api/v1/licences/{number}/modifications",
        json={"kinds": ["technical_systems", "organisational structure"], "description": "HSMs"},
        headers=world.headers("ca_operator"),
    )
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["title"] == (
        f"Modification of licence {number}: organisational structure, technical systems"
    )
    party = world.parties["ca_shanghai"]
    provinces = client.put(
        f"/api/v1/cas/{party}/operating-provinces",
        json={"provinces": ["320000"]},
        headers=world.headers("ca_operator"),
    )
    assert provinces.status_code == 200, provinces.text
    official(client, world, "miit.words", Role.NATIONAL_REGULATOR)
    page = client.get(f"/console/cases/{case['id']}").text
    assert f"许可证 {number} 变更：组织机构、技术系统" in page
    assert "Modification of licence" not in page and "technical systems" not in page
    findings = client.get("/console/findings").text
    assert "未在江苏省设立服务网点：" in findings
    assert "在江苏省开展业务，但未在当地设立服务网点（" in findings
    assert "No service outlet" not in findings and "operates in" not in findings
    english = client.get("/console/findings?lang=en").text
    assert "No service outlet in Jiangsu: " in english
    assert f"Modification of licence {number}: organisational structure, technical systems" in (
        client.get(f"/console/cases/{case['id']}?lang=en").text
    )


def test_licence_application_reasons_in_the_readers_language(
    client: TestClient, world: Any
) -> None:
    """Issue 16: the evaluation's reasons item by item are said in the reader's language on
    the case page (the rule set's conditions and citations in Chinese words, the names and
    the evidence the application gives as data); in English as the API gives them."""
    submitted = submit_application(client, world)
    case_id = submitted["case"]["id"]
    english_reasons = {i["item"]: i["reason"] for i in submitted["evaluation"]["items"]}
    official(client, world, "miit.reasons", Role.NATIONAL_REGULATOR)
    page = client.get(f"/console/cases/{case_id}").text
    found = re.search(r'<table id="evaluation">.*?</table>', page, re.S)
    assert found is not None
    table = found.group(0)
    assert "注册资本人民币50,000,000元，达到最低限额人民币30,000,000元（规则集" in table
    assert "声明其为独立法人；申请条件“独立法人”（规则集" in table
    assert "统一社会信用代码" in table and "有效（GB 32100-2015）" in table
    assert "固定的经营场所：声明具备并说明了场所情况（" in table and "待审查人员确认" in table
    assert '<span class="data">Shanghai data centre</span>' in table
    words = re.sub(r'<span class="data"[^>]*>[^<]*</span>', "", table)
    for english in ("registered capital", "meets the minimum", "declares it is", "claimed with"):
        assert english not in words
    in_english = client.get(f"/console/cases/{case_id}?lang=en").text
    assert "registered capital RMB 50,000,000 meets the minimum of RMB 30,000,000" in in_english
    assert english_reasons["registered_capital"].startswith(
        "registered capital RMB 50,000,000 meets the minimum of RMB 30,000,000 (measures-2015"
    )
