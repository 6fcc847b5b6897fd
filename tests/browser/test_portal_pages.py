"""The public portal (issue 16; SYS-4, SYS-5, SYS-7, APP-9, ECS-6.2, ECS-8.2) in a real
Chromium on the demo data, anonymous: every page says what it is for in Chinese words (no
English outside record data, no codes, no machine times) and in English; searches, filters and
the verification forms work without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from certgov.context import Context
from certgov.demo import load_demo
from certgov.i18n import translate
from certgov.store.engine import unit_of_work
from support.browser import assert_chinese_page

pytestmark = pytest.mark.browser


def zh(msgid: str) -> str:
    return translate("zh", msgid)


@pytest.fixture
def demo(ctx: Context) -> Iterator[Context]:
    with unit_of_work(ctx.sessions) as session:
        load_demo(session, ctx)
    yield ctx


#: path → the heading that says what the page is for (English msgid).
PAGES = {
    "/": "certgov — certification supervision",
    "/registry": "Registry of licensed electronic certification service providers",
    "/certificates": "Filed CA certificates",
    "/verify": "Verify a certificate or a signed document",
    "/apps": "Certified apps",
    "/penalties": "Published penalty decisions",
    "/trust-lists": "Recognised foreign certification authorities and foreign trusted lists",
}


def test_sys_7_every_portal_page_in_chinese_and_english(page: Page, demo: Context) -> None:
    for path, heading in PAGES.items():
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(zh(heading))
        assert_chinese_page(page)
        page.goto(path + "?lang=en")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.goto(path + "?lang=zh")


def test_sys_4_registry_search_and_ca_record(page: Page, demo: Context) -> None:
    page.goto("/")
    page.get_by_role("link", name=zh("Find a licensed certification service provider")).click()
    page.get_by_label(zh("Province")).select_option("440000")
    page.get_by_role("button", name=zh("Search")).click()
    rows = page.locator("#registry tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("广东示例证书服务有限公司")
    # Licence with history, the SM2 hierarchy, the published penalty, open findings, in words.
    expect(page.locator("main")).to_contain_text(zh("Status history"))
    expect(page.locator("ul.tree")).to_contain_text("SM2")
    expect(page.locator("main")).to_contain_text(
        zh("Critical operation delegated to a third party")
    )
    expect(page.locator("main")).to_contain_text(zh("A critical function is outsourced"))
    assert_chinese_page(page)


def test_sys_4_certificate_search_filters_and_record(page: Page, demo: Context) -> None:
    page.goto("/certificates")
    page.get_by_label(zh("Key algorithm")).select_option("sm2")
    page.get_by_role("button", name=zh("Search")).click()
    rows = page.locator("#certificates tbody tr")
    expect(rows).to_have_count(2)
    page.goto("/certificates?q=example+rsa")
    expect(rows).to_have_count(3)
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Filed CA certificate"))
    sha256 = page.url.rsplit("/", 1)[1]
    expect(page.locator("main")).to_contain_text(zh("Inclusion proof and signed checkpoint"))
    assert_chinese_page(page)
    # Found again by its SHA-256 and by its serial number.
    page.goto(f"/certificates?q={sha256}")
    expect(page.locator("caption")).to_contain_text(zh("Found by SHA-256 fingerprint"))
    pem = page.request.get(f"/api/v1/certificates/{sha256}/pem")
    assert pem.ok and pem.text().startswith("-----BEGIN CERTIFICATE-----")


def test_sys_5_verify_a_chain_from_a_pem_upload(page: Page, demo: Context, tmp_path: Path) -> None:
    page.goto("/certificates?key=sm2")
    page.locator("#certificates tbody tr a").first.click()
    sha256 = page.url.rsplit("/", 1)[1]
    pem = page.request.get(f"/api/v1/certificates/{sha256}/pem").text()
    chain = tmp_path / "chain.pem"
    chain.write_text(pem, encoding="ascii")
    page.goto("/verify")
    page.get_by_label(
        zh("Certificate file (PEM, DER or PKCS #7; the signer’s certificate first)")
    ).set_input_files(str(chain))
    page.get_by_role("button", name=zh("Verify the chain")).click()
    expect(page.locator("#verdict")).to_contain_text(
        zh("The chain leads to a filed CA certificate")
    )
    assert_chinese_page(page)
    # Pasted text that is not a certificate: refused with the reason, the text kept.
    page.get_by_label(zh("Or paste the certificates (PEM)")).fill("not a certificate")
    page.get_by_role("button", name=zh("Verify the chain")).click()
    expect(page.locator("#error")).to_be_visible()
    expect(page.get_by_label(zh("Or paste the certificates (PEM)"))).to_have_value(
        "not a certificate"
    )


def test_sys_5_a_document_that_is_not_signed_gets_a_readable_answer(
    page: Page, demo: Context, tmp_path: Path
) -> None:
    document = tmp_path / "letter.pdf"
    document.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    page.goto("/verify")
    page.get_by_label(zh("Signed document"), exact=True).set_input_files(str(document))
    page.get_by_role("button", name=zh("Validate"), exact=True).click()
    expect(page.locator("#report, #document-error").first).to_be_visible()
    assert_chinese_page(page)


def test_app_9_app_certificate_page_suspended_with_qr_code(page: Page, demo: Context) -> None:
    page.goto("/apps")
    page.get_by_label(zh("Status")).select_option("suspended")
    page.get_by_role("button", name=zh("Search")).click()
    rows = page.locator("#apps tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.locator("#certificate-status")).to_have_text(zh("Suspended — may not be used"))
    assert "暂停" in page.locator("#certificate-status").inner_text()
    expect(page.locator("figure.qr svg")).to_be_visible()
    assert_chinese_page(page)


def test_ecs_6_2_penalties_and_feeds(page: Page, demo: Context) -> None:
    import xml.etree.ElementTree as ET

    page.goto("/penalties")
    expect(page.locator("section.record")).to_have_count(1)
    expect(page.locator("section.record")).to_contain_text(zh("Warning"))
    assert_chinese_page(page)
    atom = "{http://www.w3.org/2005/Atom}"
    for name, least in (("filings", 8), ("penalties", 1), ("certifications", 3)):
        response = page.request.get(f"/feeds/{name}.atom")
        assert response.ok and "atom" in response.headers["content-type"]
        feed = ET.fromstring(response.body())
        assert feed.tag == f"{atom}feed"
        entries = feed.findall(f"{atom}entry")
        assert len(entries) >= least
        for entry in entries:
            assert entry.find(f"{atom}id") is not None and entry.find(f"{atom}updated") is not None
            assert re.match(r"\d{4}-\d\d-\d\dT", entry.findtext(f"{atom}updated") or "")


def test_ecs_8_2_a_recognised_foreign_ca_and_its_trusted_list_with_status_history(
    page: Page, demo: Context
) -> None:
    page.goto("/trust-lists")
    recognised = page.locator("section.record").first
    expect(recognised).to_contain_text("Beispiel Trust GmbH")
    expect(recognised).to_contain_text(translate("zh", "In force"))
    services = page.locator("section.record table tbody tr")
    expect(services).to_have_count(1)
    service = services.first
    expect(service).to_contain_text("Beispiel Qualified Root CA")
    expect(service.locator("td").nth(2)).to_contain_text(zh("Granted"))
    history = service.locator("td").nth(3).locator("div")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text(zh("Accredited"))
    expect(history.nth(1)).to_contain_text(zh("Under supervision"))
    assert_chinese_page(page)
