"""Official documents downloaded from the pages in a real Chromium (issue 17): the public app
certificate page's link gives anyone the certificate as a PDF; a CA downloads its licence from
its self-service page; a regulator downloads a CA's licence and a penalty decision from the
CA's supervision page. Each download is a PDF whose text holds its number and Chinese heading;
the pages stay in Chinese words."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.context import Context
from certgov.documents.render import missing_fonts
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from support.appcert import certify
from support.browser import PASSWORD, add_user, assert_chinese_page, log_in
from support.enforcement import case_of, decide, enforcement_to_decision
from support.licensing import grant_licence

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        bool(missing_fonts()),
        reason="the CJK fonts are not installed (apt-get install fonts-noto-cjk)",
    ),
]


def zh(message: str) -> str:
    return translate("zh", message)


def download(page: Page, link_selector: str) -> tuple[str, str]:
    """Click the link and take the download: its suggested file name and the PDF's text."""
    with page.expect_download() as started:
        page.locator(link_selector).click()
    got = started.value
    path = got.path()
    assert path is not None, got.failure()
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return got.suggested_filename, text


def test_anyone_downloads_an_app_certificate_from_its_public_page(
    page: Page, client: TestClient, world: Any
) -> None:
    number = certify(client, world)["number"]
    page.goto(f"/apps/certificates/{number}")
    expect(page.locator("#certificate-pdf")).to_have_text(
        zh("the certificate as an official document (PDF)")
    )
    assert_chinese_page(page)
    name, text = download(page, "#certificate-pdf")
    assert name == f"app-certificate-{number}-zh.pdf"
    assert "移动互联网应用程序(App)安全认证证书" in text and number in text


def test_a_ca_downloads_its_licence_from_self_service(
    page: Page, ctx: Context, client: TestClient, world: Any
) -> None:
    number = grant_licence(client, world)["number"]
    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username="ca-staff",
            display_name="证书机构专员",
            password=PASSWORD,
            grant=identity.Grant(Role.CA_OPERATOR, "national", world.parties["ca_shanghai"]),
        )
    log_in(page, "ca-staff", PASSWORD)
    expect(page.locator("#whoami")).to_be_visible()
    page.goto("/self/licence")
    expect(page.locator("#licence-pdf")).to_have_text(zh("Download the licence (PDF)"))
    assert_chinese_page(page)
    name, text = download(page, "#licence-pdf")
    assert name == f"licence-{number}-zh.pdf"
    assert "电子认证服务许可证" in text and number in text


def test_a_regulator_downloads_a_licence_and_a_penalty_decision_from_the_ca_page(
    page: Page, ctx: Context, client: TestClient, world: Any
) -> None:
    number = grant_licence(client, world)["number"]
    case = enforcement_to_decision(client, world)
    decided = decide(client, world, case, outcomes=["warning"])
    assert decided.status_code == 200, decided.text
    penalty_id = case_of(client, world, case["id"])["data"]["penalty_id"]
    add_user(ctx, "regulator", Role.NATIONAL_REGULATOR)
    log_in(page, "regulator", PASSWORD)
    expect(page.locator("#whoami")).to_be_visible()
    page.goto(f"/console/cas/{world.parties['ca_shanghai']}")
    assert_chinese_page(page)
    name, text = download(page, f'[id="licence-pdf-{number}"]')
    assert name == f"licence-{number}-zh.pdf" and number in text
    name, text = download(page, f"#penalty-pdf-{penalty_id}")
    assert name.startswith("penalty-decision-PEN-") and name.endswith("-zh.pdf")
    assert "行政处罚决定书" in text and "警告" in text and "行政复议" in text
    # The same decision from the enforcement case's page.
    page.goto(f"/console/cases/{case['id']}")
    name, again = download(page, "#penalty-decision-pdf")
    assert again == text
