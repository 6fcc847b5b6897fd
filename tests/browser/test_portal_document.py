"""SYS-5 "or signed data" in a real Chromium: a relying party validates a signed PDF on
/verify and reads, in Chinese words, that it passed (TOTAL_PASSED) and why: the signer's CA
licensed at the time, its CA certificate filed with the regulator (with its place in the
filings log), and the signer's certificates not revoked according to the CRLs fetched.

The shared signed PDFs (``../shared/testdata/signed``) were made by pyHanko's test PKI; its
root and intermediate are filed as a licensed CA's certificates on 2021-03-01, before the
signature (claimed 2021-08-18); their CRLs at ``http://pyhanko.tests/…`` are served through the
revocation fetcher, as in tests/functional/test_document_validation.py."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from certgov.clock import FixedClock
from certgov.filings.fetch import FetchError
from certgov.filings.revocation import monitoring
from certgov.i18n import translate
from support.browser import assert_chinese_page
from support.licensing import grant_licence
from unit.docsig.builders import SIGNED_DIR, shared

pytestmark = pytest.mark.browser

START = dt.datetime(2021, 1, 4, 2, 0, tzinfo=dt.UTC)
PADES = "pades-with-old-style-signing-cert-attr.pdf"
DATA = Path(__file__).resolve().parents[1] / "unit" / "docsig" / "data"
CRLS = {
    "http://pyhanko.tests/testing-ca/crls/interm/latest.crl": DATA / "pyhanko-interm.crl.pem",
    "http://pyhanko.tests/testing-ca/crls/root/latest.crl": DATA / "pyhanko-root.crl.pem",
}


def zh(msgid: str) -> str:
    return translate("zh", msgid)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def crls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pyhanko.tests CRLs served; the URLs fetched, in order."""
    fetched: list[str] = []

    def http_get(url: str, **_kwargs: Any) -> bytes:
        fetched.append(url)
        if url not in CRLS:
            raise FetchError(f"{url}: no such host")
        crl = x509.load_pem_x509_crl(CRLS[url].read_bytes())
        return crl.public_bytes(serialization.Encoding.DER)

    monkeypatch.setattr(monitoring, "http_get", http_get)
    return fetched


def test_sys_5_a_signed_pdf_of_a_licensed_ca_passes_in_words_with_its_evidence(
    page: Page, client: TestClient, world: Any, crls: list[str], tmp_path: Path
) -> None:
    licence = grant_licence(client, world)
    world.ctx.clock.advance(dt.timedelta(days=56))
    chain = shared(SIGNED_DIR, "root.cert.pem") + shared(SIGNED_DIR, "interm.cert.pem")
    filed = client.post(
        "/api/v1/filings",
        content=chain,
        headers={**world.headers("ca_operator"), "content-type": "application/x-pem-file"},
    )
    assert filed.status_code == 201, filed.text
    document = tmp_path / "signed.pdf"
    document.write_bytes(shared(SIGNED_DIR, PADES))

    page.goto("/verify")
    page.get_by_label(zh("Signed document"), exact=True).set_input_files(str(document))
    page.get_by_label(zh("Validation time, Beijing time (empty: now)")).fill("2021-12-01T08:00")
    page.get_by_role("button", name=zh("Validate"), exact=True).click()

    report = page.locator("#report")
    verdict = report.locator(".verdict")
    expect(verdict).to_have_attribute("data-indication", "TOTAL_PASSED")
    expect(verdict).to_have_class("verdict verdict-ok")
    expect(verdict).to_contain_text("通过")
    expect(report.locator("p", has_text="Sig1")).to_contain_text("通过")
    # The evidence, in words: when it was signed, the licence at that time, the filed CA
    # certificate with its place in the filings log, the CRLs that say nothing was revoked.
    evidence = report.locator("#evidence-1")
    expect(evidence).to_contain_text(zh("as the signer claims it"))
    expect(evidence).to_contain_text(
        zh("The signature value and the digest of the signed content are correct")
    )
    expect(evidence).to_contain_text(licence["number"])
    expect(evidence.locator("dd", has_text=licence["number"])).to_contain_text(
        translate("zh", "Valid")
    )
    filed_link = evidence.get_by_role("link", name="CN=Intermediate CA", exact=False)
    expect(filed_link).to_have_attribute("href", re.compile(r"^/certificates/[0-9a-f]{64}$"))
    expect(evidence).to_contain_text(zh("Position in the filings log"))
    revocation = evidence.locator("dd").last
    expect(revocation.locator("div")).to_have_count(2)
    for row in revocation.locator("div").all():
        expect(row).to_contain_text(zh("Not revoked"))
        expect(row).to_contain_text(zh("CRL"))
    assert set(CRLS) <= set(crls)
    assert_chinese_page(page)
    # The filed certificate the evidence names is the intermediate's page.
    filed_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Filed CA certificate"))
    expect(page.locator("main")).to_contain_text("CN=Intermediate CA")
