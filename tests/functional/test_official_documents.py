"""Official documents as PDF through HTTP (issue 17): the licence (ECS-2.3), a penalty decision
(ECS-6.2), an app certificate (APP-5, APP-9) and a complaint decision (ECS-5.2), with their
number, Chinese heading and QR code; kept with their SHA-256 and given back unchanged for an
unchanged record; their issue in the audit log (SYS-3); who may have which (SYS-6); unknown
records are 404, never 500."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from certgov.documents.render import missing_fonts
from certgov.i18n import translate
from certgov.logs.audit import parse_audit_entry
from certgov.store.engine import unit_of_work
from support.appcert import certify
from support.enforcement import case_of, decide, enforcement_to_decision, step
from support.licensing import grant_licence

pytestmark = pytest.mark.skipif(
    bool(missing_fonts()), reason="the CJK fonts are not installed (apt-get install fonts-noto-cjk)"
)


def pdf_text(response: Any) -> str:
    """The text of a PDF answer, after checking it is one, offered as a download."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def issued_actions(world: Any) -> list[dict[str, Any]]:
    """The ``document.issued`` records of the audit log."""
    with unit_of_work(world.ctx.sessions, readonly=True) as session:
        log = world.ctx.logs.get(session, "audit")
        records = [
            parse_audit_entry(world.ctx.logs.entry(session, log, i)) for i in range(log.size)
        ]
    return [r for r in records if r["action"] == "document.issued"]


def test_licence_document_for_its_holder_reissued_unchanged_and_looked_up(
    client: TestClient, world: Any
) -> None:
    """ECS-2.3, SYS-3: the holder gets its licence as a Chinese PDF; asked again, the same
    bytes (one audit record); in English on request; a changed licence gets a new document;
    anyone holding a copy finds it by its SHA-256."""
    licence = grant_licence(client, world)
    number = licence["number"]
    path = f"/api/v1/licences/{number}/document.pdf"
    first = client.get(path, headers=world.headers("ca_operator"))
    text = pdf_text(first)
    assert "电子认证服务许可证" in text and number in text
    assert "中华人民共和国工业和信息化部" in text and "Test ca_shanghai" in text
    assert f"/registry/cas/{world.parties['ca_shanghai']}" in text
    assert first.headers["content-disposition"] == f'attachment; filename="licence-{number}-zh.pdf"'
    again = client.get(path, headers=world.headers("national_regulator"))
    assert again.content == first.content
    assert len(issued_actions(world)) == 1
    record = issued_actions(world)[0]
    sha256 = hashlib.sha256(first.content).hexdigest()
    assert record["details"]["sha256"] == sha256 and record["subject"]["record"] == number

    english = client.get(path, params={"lang": "en"}, headers=world.headers("ca_operator"))
    assert "Electronic Certification Service Licence" in pdf_text(english)

    found = client.get(f"/api/v1/official-documents/{sha256}")
    assert found.status_code == 200, found.text
    assert found.json()["number"] == number and found.json()["kind"] == "licence"

    suspended = client.post(
        f"/api/v1/licences/{number}/status",
        json={"action": "suspend", "reason": "audit", "expected_version": licence["version"]},
        headers=world.headers("national_regulator"),
    )
    assert suspended.status_code == 200, suspended.text
    changed = client.get(path, headers=world.headers("ca_operator"))
    assert "已暂停" in pdf_text(changed) and changed.content != first.content
    assert len(issued_actions(world)) == 3


def test_licence_document_least_privilege(client: TestClient, world: Any) -> None:
    """SYS-6: another CA, a regulator of another province, an app operator and the public
    are refused; an unknown licence is 404."""
    number = grant_licence(client, world)["number"]
    path = f"/api/v1/licences/{number}/document.pdf"
    assert client.get(path, headers=world.headers("ca_operator_beijing")).status_code == 403
    assert client.get(path, headers=world.headers("provincial_regulator_gd")).status_code == 403
    assert client.get(path, headers=world.headers("app_operator")).status_code == 403
    assert client.get(path).status_code == 401
    unknown = client.get(
        "/api/v1/licences/ECP0000002025999/document.pdf", headers=world.headers("ca_operator")
    )
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    assert (
        client.get(path, params={"lang": "fr"}, headers=world.headers("ca_operator")).status_code
        == 422
    )
    assert issued_actions(world) == []


def test_penalty_decision_for_the_penalised_ca(client: TestClient, world: Any) -> None:
    """ECS-6.2: the decision names the party, the violation with its legal basis, the fine,
    the reasons and the rights of remedy; the penalised CA and its regulators get it, another
    CA does not (404: not its record)."""
    case = enforcement_to_decision(client, world)
    decided = decide(client, world, case, outcomes=["fine", "order to correct"], fine_yuan=20_000)
    assert decided.status_code == 200, decided.text
    penalty_id = case_of(client, world, case["id"])["data"]["penalty_id"]
    path = f"/api/v1/penalties/{penalty_id}/document.pdf"
    text = pdf_text(client.get(path, headers=world.headers("ca_operator")))
    assert "行政处罚决定书" in text and f"-{penalty_id:06d}" in text
    assert "20,000" in text and "Statement of reasons" in text
    # The legal basis in the reader's words (the rule set's text from the catalogue).
    assert translate("zh", "ESL Arts. 23, 30") in text
    assert "行政复议" in text and "十五日内" in text
    assert client.get(path, headers=world.headers("provincial_regulator")).status_code == 200
    assert client.get(path, headers=world.headers("ca_operator_beijing")).status_code == 404
    assert client.get(path, headers=world.headers("certification_body")).status_code == 403
    assert client.get(path).status_code == 401
    missing = client.get(
        "/api/v1/penalties/999999/document.pdf", headers=world.headers("ca_operator")
    )
    assert missing.status_code == 404


def test_app_certificate_for_anyone(client: TestClient, world: Any) -> None:
    """APP-9: anyone may have an app certificate, like its verification page; its QR code
    opens that page; an unknown number is 404."""
    number = certify(client, world)["number"]
    text = pdf_text(client.get(f"/api/v1/app-certifications/{number}/document.pdf"))
    assert "移动互联网应用程序(App)安全认证证书" in text and number in text
    assert "中国网络安全审查技术与认证中心" in text and f"/apps/certificates/{number}" in text
    missing = client.get("/api/v1/app-certifications/CCRC-AS-1999-000001/document.pdf")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_complaint_decision_once_decided(client: TestClient, world: Any) -> None:
    """ECS-5.2: a complaint decision exists once the regulator decided (409 before); it is
    for the regulators handling the complaint."""
    filed = client.post(
        "/api/v1/complaints",
        json={
            "subject": "Certificate issued without identity check",
            "description": "A certificate was issued in my name without my consent.",
            "ca_party_id": world.parties["ca_shanghai"],
        },
    )
    assert filed.status_code == 201, filed.text
    listed = client.get("/api/v1/complaints", headers=world.headers("national_regulator")).json()
    case_id = listed[0]["id"]
    path = f"/api/v1/complaints/cases/{case_id}/document.pdf"
    early = client.get(path, headers=world.headers("provincial_regulator"))
    assert early.status_code == 409 and early.json()["error"] == "conflict"
    step(client, world, "provincial_regulator", case_id, "accept")
    step(
        client,
        world,
        "provincial_regulator",
        case_id,
        "close_no_action",
        reason="The certificate was issued after a video identity check.",
    )
    text = pdf_text(client.get(path, headers=world.headers("provincial_regulator")))
    assert "投诉处理决定书" in text and "上海市通信管理局" in text
    assert "该投诉办结，不予处理" in text and "video identity check" in text
    assert client.get(path, headers=world.headers("provincial_regulator_gd")).status_code == 403
    assert client.get(path, headers=world.headers("ca_operator")).status_code == 403
    assert client.get(path).status_code == 401
    assert (
        client.get(
            "/api/v1/complaints/cases/999999/document.pdf",
            headers=world.headers("national_regulator"),
        ).status_code
        == 404
    )


def test_lookup_by_fingerprint_refuses_what_is_no_sha256(client: TestClient, world: Any) -> None:
    """A fingerprint the platform never issued is 404; text that is no SHA-256 is 422."""
    assert client.get(f"/api/v1/official-documents/{'ab' * 32}").status_code == 404
    bad = client.get("/api/v1/official-documents/not-a-digest")
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_input"


def test_without_the_cjk_fonts_a_new_document_is_503_naming_them(
    client: TestClient, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server without the fonts says so (503) rather than issuing a document whose Chinese
    characters would be boxes; what it issued before it still serves."""
    from certgov.documents import render

    number = certify(client, world)["number"]
    path = f"/api/v1/app-certifications/{number}/document.pdf"
    before = client.get(path)
    assert before.status_code == 200
    monkeypatch.setattr(render, "missing_fonts", lambda: ("Noto Serif CJK SC",))
    refused = client.get(path, params={"lang": "en"})
    assert refused.status_code == 503, refused.text
    assert refused.json()["error"] == "configuration_error"
    assert "Noto Serif CJK SC" in refused.json()["message"]
    assert client.get(path).content == before.content
