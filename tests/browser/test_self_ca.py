"""Self-service for a CA (SYS-7, ECS-3.4, ECS-4.4) in a real Chromium, through pages only: the
CA files an SM2 chain and an ECDSA chain by upload and sees the receipts; bad uploads are
refused in the form with nothing stored; it reports an incident and sees the full report's
deadline; it creates and revokes an API token. Every page is checked for Chinese words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.context import Context
from certgov.filings.models import Filing
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from certgov.uploads.models import StoredUpload
from support.browser import PASSWORD, assert_chinese_page, log_in
from unit.pki.factory import hierarchy, issue, make_key, sm2_file

pytestmark = pytest.mark.browser


def zh(message: str) -> str:
    return translate("zh", message)


def add_party_user(ctx: Context, username: str, role: Role, party_id: int) -> None:
    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name="合规专员",
            password=PASSWORD,
            grant=identity.Grant(role, "national", party_id),
        )


def _counts(ctx: Context) -> tuple[int, int]:
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return (
            int(session.scalar(select(func.count(StoredUpload.id))) or 0),
            int(session.scalar(select(func.count(Filing.id))) or 0),
        )


@pytest.fixture
def ca_page(page: Page, ctx: Context, world: Any) -> Page:
    add_party_user(ctx, "ca-self", Role.CA_OPERATOR, world.parties["ca_beijing"])
    log_in(page, "ca-self", PASSWORD)
    expect(page.locator("#whoami")).to_be_visible()
    page.goto("/self")
    expect(page.get_by_role("heading", name=zh("Your tasks"), exact=True)).to_be_visible()
    assert_chinese_page(page)
    return page


def test_sys_7_the_ca_files_an_sm2_and_an_ecdsa_chain_by_upload_and_sees_the_receipts(
    ca_page: Page, ctx: Context, tmp_path: Path
) -> None:
    page = ca_page
    page.get_by_role("link", name=zh("File certificates"), exact=True).click()
    expect(page.get_by_role("heading", name=zh("File CA certificates"))).to_be_visible()
    assert_chinese_page(page)
    sm2 = tmp_path / "chain-ca.crt"
    sm2.write_bytes(sm2_file("chain-ca.crt"))
    page.get_by_label(zh("Certificate files")).set_input_files(str(sm2))
    page.get_by_role("button", name=zh("File the certificates")).click()
    expect(page.get_by_role("heading", name=zh("Filing receipt"))).to_be_visible()
    assert page.locator("#filed .log-index").count() == 2
    expect(page.locator("#checkpoint")).to_contain_text("certgov.local/filings")
    assert_chinese_page(page)
    first_download = page.get_by_role("link", name=zh("Download the receipt (JSON)")).get_attribute(
        "href"
    )
    assert first_download and first_download.endswith("/receipt.json")
    receipt = page.request.get(first_download).json()
    assert [c["log_index"] for c in receipt["certificates"]] == [0, 1]
    assert receipt["certificates"][0]["inclusion"]["size"] == 2

    # ECDSA: root in one PEM file, the subordinate in a DER file (several files at once).
    pki = hierarchy("p256", slot=3)
    sub = issue("p256 filing sub", make_key("p256", 9), pki.root, path_length=0)
    root_file, sub_file = tmp_path / "root.pem", tmp_path / "sub.der"
    root_file.write_bytes(pki.root.cert.x509.public_bytes(serialization.Encoding.PEM))
    sub_file.write_bytes(sub.cert.x509.public_bytes(serialization.Encoding.DER))
    page.goto("/self/filings")
    page.get_by_label(zh("Certificate files")).set_input_files([str(root_file), str(sub_file)])
    page.get_by_role("button", name=zh("File the certificates")).click()
    expect(page.get_by_role("heading", name=zh("Filing receipt"))).to_be_visible()
    expect(page.locator("#filed .log-index")).to_have_text(["2", "3"])
    assert_chinese_page(page)
    page.goto("/self/filings")
    assert page.locator("#receipts li").count() == 2

    # A leaf is refused with the reason in words, nothing filed.
    before = _counts(ctx)
    leaf_file = tmp_path / "leaf.pem"
    leaf_file.write_bytes(pki.leaf.cert.x509.public_bytes(serialization.Encoding.PEM))
    page.get_by_label(zh("Certificate files")).set_input_files(str(leaf_file))
    page.get_by_role("button", name=zh("File the certificates")).click()
    expect(page.locator("#refusals")).to_contain_text(
        zh("It is not a CA certificate: only root and subordinate CA certificates are filed.")
    )
    assert_chinese_page(page)
    assert _counts(ctx) == before


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.pem", b"", "empty"),
        ("garbage.pem", None, "bad_pem"),
        ("report.pem", b"%PDF-1.7\n1 0 obj<<>>endobj\n", "wrong_type"),
        ("huge.der", None, "too_large"),
    ],
)
def test_sys_7_bad_certificate_uploads_are_refused_in_the_form_and_nothing_is_stored(
    ca_page: Page, ctx: Context, tmp_path: Path, name: str, content: bytes | None, reason: str
) -> None:
    from certgov.web.pages.self_service import UPLOAD_REASONS

    pki = hierarchy("p256", slot=5)
    pem = pki.root.cert.x509.public_bytes(serialization.Encoding.PEM)
    if reason == "bad_pem":
        content = pem + b"\nthis is not a certificate\n"
    if reason == "too_large":
        ctx.settings.upload_max_bytes = 100
        content = pki.root.cert.x509.public_bytes(serialization.Encoding.DER)
    path = tmp_path / name
    path.write_bytes(content or b"")
    page = ca_page
    page.goto("/self/filings")
    page.get_by_label(zh("Certificate files")).set_input_files(str(path))
    page.get_by_role("button", name=zh("File the certificates")).click()
    expected = zh(UPLOAD_REASONS[reason]).split("{limit}")[0]
    expect(page.locator("#error")).to_contain_text(expected.strip())
    expect(page.locator("#error")).to_contain_text(name)
    assert_chinese_page(page)
    assert _counts(ctx) == (0, 0)


def test_ecs_4_4_the_ca_reports_an_incident_and_sees_the_deadline_of_the_full_report(
    ca_page: Page, ctx: Context
) -> None:
    page = ca_page
    page.get_by_role("link", name=zh("Incident reports"), exact=True).click()
    assert_chinese_page(page)
    page.get_by_label(zh("Short title")).fill("签名服务中断")
    # The tests' clock: 2025-09-25 10:00 Beijing time.
    page.get_by_label(zh("When you became aware of it (Beijing time)")).fill("2025-09-25T08:30")
    page.get_by_label(zh("What happened")).fill("签名服务器中断两小时。")
    page.get_by_label(zh("Certificates affected")).fill("12")
    page.get_by_role("button", name=zh("Send the preliminary report")).click()
    expect(page.get_by_role("heading", name=zh("Incident report"))).to_be_visible()
    deadlines = page.locator("#deadlines")
    expect(deadlines).to_contain_text(zh("Full incident report"))
    expect(deadlines).to_contain_text("2025")
    assert_chinese_page(page)
    page.locator("#text-submit_full_report").fill("根本原因：存储故障；已恢复。")
    page.get_by_role("button", name=zh("Submit the full report")).click()
    expect(page.locator("#state")).to_have_text(zh("Full report received"))
    assert_chinese_page(page)
    page.goto("/self")
    assert_chinese_page(page)


def test_sys_7_the_ca_creates_and_revokes_an_api_token(ca_page: Page) -> None:
    page = ca_page
    page.get_by_role("link", name=zh("API tokens"), exact=True).click()
    page.get_by_label(zh("Which system uses it")).fill("签发系统")
    page.get_by_role("button", name=zh("Create the token")).click()
    expect(page.locator("#secret")).to_be_visible()
    assert_chinese_page(page)
    secret = page.locator("#secret").inner_text()
    answer = page.request.get(
        "/api/v1/filings/certificates", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200
    page.get_by_role("row", name="签发系统").get_by_role("button", name=zh("Revoke")).click()
    expect(page.locator("#tokens")).to_contain_text(zh("Revoked"))
    assert_chinese_page(page)
