"""Through the browser (issue 17): the testing agency attaches evidence files on the checklist
form (a file of the wrong type is refused on the form with what was typed kept; a PDF and an
image are kept and listed with download links the certification body can use), and the
regulators' dashboard shows the filings over time and, for one CA reached from its
supervision page, the lint summary with links to the certificates; every page in Chinese
words, usable at 360 px."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Page, expect

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.appcert import agencies, applications
from certgov.cases import services as cases
from certgov.context import Context
from certgov.filings import services as filings
from certgov.filings.lints import sweep_lints
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from support.appcert import SAMPLE, application
from support.browser import PASSWORD, assert_chinese_page, log_in
from unit.pki.factory import issue, make_key

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7 traffic capture of Example Pay\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NO_KEY_USAGE = "pkix.ca_certificate_no_ku_extension"


def zh(msgid: str) -> str:
    return translate("zh", msgid)


def add_user(ctx: Context, username: str, role: Role, party_id: int | None, where: str) -> None:
    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name=username,
            password=PASSWORD,
            grant=identity.Grant(role, where, party_id),
        )


def _in_verification(ctx: Context, world: Any) -> int:
    """An application accepted, assigned to the testing agency, its sample submitted."""
    body = world.actors["certification_body"]
    with unit_of_work(ctx.sessions) as session:
        case_id = applications.submit(
            session, ctx, world.actors["app_operator"], application("示例支付", version_line="5")
        )[0].case.id
    with unit_of_work(ctx.sessions) as session:
        case = cases.get_case(session, ctx, body, case_id)
        cases.transition(session, ctx, body, case_id, "accept", expected_version=case.version)
    with unit_of_work(ctx.sessions) as session:
        agencies.appoint(session, ctx, body, {"party_id": world.parties["testing_agency"]})
    with unit_of_work(ctx.sessions) as session:
        applications.assign(
            session, ctx, body, case_id, {"agency_party_id": world.parties["testing_agency"]}
        )
    operator = world.actors["app_operator"]
    with unit_of_work(ctx.sessions) as session:
        case = cases.get_case(session, ctx, operator, case_id)
        cases.transition(
            session,
            ctx,
            operator,
            case_id,
            "submit_sample",
            expected_version=case.version,
            payload={"sample": SAMPLE},
        )
    return case_id


def test_agency_attaches_evidence_on_the_checklist_form(
    page: Page, ctx: Context, world: Any, tmp_path: Path
) -> None:
    case_id = _in_verification(ctx, world)
    add_user(ctx, "lab-zhao", Role.TESTING_AGENCY, world.parties["testing_agency"], "national")
    add_user(
        ctx, "ccrc-wang", Role.CERTIFICATION_BODY, world.parties["certification_body"], "national"
    )
    text_file = tmp_path / "笔记.pdf"
    text_file.write_bytes(b"only text, not a PDF")
    capture = tmp_path / "抓包记录.pdf"
    capture.write_bytes(PDF)
    screenshot = tmp_path / "隐私政策截图.png"
    screenshot.write_bytes(PNG)

    log_in(page, "lab-zhao", PASSWORD)
    page.goto(f"/console/cases/{case_id}")
    assert_chinese_page(page)
    # A file that is not what it says: refused on the form, the typed rows kept.
    row = page.locator('tr[data-item="group-2"]')
    row.get_by_label(zh("Result")).select_option("deficient")
    row.get_by_label(zh("Note")).fill("未说明保存期限")
    other = page.locator('tr[data-item="category-1"]')
    other.get_by_label(zh("Result")).select_option("conforms")
    other.get_by_label(zh("Note")).fill("应用内公开了收集使用规则")
    row.get_by_label(zh("Evidence files (optional)")).set_input_files([text_file])
    page.get_by_role("button", name=zh("Record the results")).click()
    error = page.locator("#error")
    expect(error).to_contain_text("笔记.pdf")
    expect(error).to_contain_text(
        zh("Nothing was recorded. Choose the evidence files again and send the form.")
    )
    expect(row.get_by_label(zh("Note"))).to_have_value("未说明保存期限")
    expect(other.get_by_label(zh("Note"))).to_have_value("应用内公开了收集使用规则")
    expect(row.get_by_label(zh("Result"))).to_have_value("deficient")
    assert_chinese_page(page)

    # The right files: kept and listed under the technical verification's result.
    row.get_by_label(zh("Evidence files (optional)")).set_input_files([capture, screenshot])
    page.get_by_role("button", name=zh("Record the results")).click()
    cell = page.locator('tr[data-item="group-2"] .result-technical_verification')
    expect(cell).to_contain_text("抓包记录.pdf")
    expect(cell).to_contain_text("隐私政策截图.png")
    expect(
        page.locator('tr[data-item="category-1"] .result-technical_verification')
    ).to_contain_text("应用内公开了收集使用规则")
    assert_chinese_page(page)
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    page.set_viewport_size({"width": 1280, "height": 800})

    # The certification body downloads one.
    page.get_by_role("button", name=zh("Log out")).click()
    log_in(page, "ccrc-wang", PASSWORD)
    page.goto(f"/console/cases/{case_id}")
    link = page.locator('tr[data-item="group-2"] .result-technical_verification').get_by_role(
        "link", name="抓包记录.pdf"
    )
    with page.expect_download() as waiting:
        link.click()
    download = waiting.value
    assert download.suggested_filename == "抓包记录.pdf"
    assert Path(download.path()).read_bytes() == PDF
    assert_chinese_page(page)


def test_dashboard_filings_over_time_and_a_cas_lint_summary(
    page: Page, ctx: Context, world: Any
) -> None:
    ca = world.actors["ca_operator"]
    clean = issue("dashboard clean root", make_key("p256", 50))
    broken = issue("dashboard root without key usage", make_key("p256", 51), key_usage={})
    for certificate in (clean, broken):
        pem = certificate.cert.x509.public_bytes(serialization.Encoding.PEM)
        with unit_of_work(ctx.sessions) as session:
            filings.submit_filing(session, ctx, ca, pem)
        ctx.clock.set(ctx.clock.now() + dt.timedelta(days=40))
    sweep_lints(ctx)
    add_user(ctx, "miit-li", Role.NATIONAL_REGULATOR, None, "national")
    shanghai = world.parties["ca_shanghai"]

    log_in(page, "miit-li", PASSWORD)
    page.goto("/console/dashboard")
    expect(page.locator("#filings-chart")).to_be_visible()
    expect(page.locator("#filings-by-month tfoot")).to_contain_text("2")
    assert page.locator("#filings-chart rect.b-filings").count() == 12
    assert_chinese_page(page)
    page.set_viewport_size({"width": 360, "height": 800})
    assert_chinese_page(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    # From the CA's supervision page to its lint summary, and on to a certificate.
    page.goto(f"/console/cas/{shanghai}")
    page.locator("#ca-lint-summary").click()
    expect(page.locator("#lints")).to_be_visible()
    row = page.locator(f'#lint-codes tr[data-code="{NO_KEY_USAGE}"]')
    expect(row).to_contain_text(zh("Error"))
    expect(row).to_contain_text("50.0%")
    expect(page.locator("#filings-by-month tfoot")).to_contain_text("2")
    assert_chinese_page(page)
    page.set_viewport_size({"width": 360, "height": 800})
    assert_chinese_page(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    row.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(f"/certificates/{broken.cert.fingerprint}$"))
