"""The app operator's certificates and self-assessments in a real Chromium, through pages only
(APP-7, APP-9, SYS-7): the granted certificate with its status in words and the mark's QR code
leading to the public page; an event reported (an empty one refused, nothing stored) and its
self-assessment report submitted by upload before the deadline. Every page is checked for
Chinese words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.cases.models import Case
from certgov.context import Context
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from support.appcert import certify
from support.browser import PASSWORD, assert_chinese_page, log_in

pytestmark = pytest.mark.browser


def zh(message: str) -> str:
    return translate("zh", message)


def _assessments(ctx: Context) -> int:
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return int(
            session.scalar(
                select(func.count(Case.id)).where(Case.process_id == "app-self-assessment")
            )
            or 0
        )


def test_app_7_the_operator_sees_its_certificate_and_mark_and_reports_a_self_assessment(
    page: Page, ctx: Context, world: Any, client: TestClient, tmp_path: Path
) -> None:
    cert = certify(client, world)
    number = cert["number"]
    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username="app-compliance",
            display_name="运营专员",
            password=PASSWORD,
            grant=identity.Grant(Role.APP_OPERATOR, "national", world.parties["app_operator"]),
        )
    log_in(page, "app-compliance", PASSWORD)
    expect(page.locator("#whoami")).to_be_visible()
    page.goto("/self")
    page.get_by_role("link", name=zh("Your certificates"), exact=True).first.click()
    card = page.locator(f'[data-number="{number}"]')
    expect(card).to_contain_text(zh("Valid — may be used"))
    expect(card.locator(".qr svg")).to_be_visible()
    assert_chinese_page(page)
    public = card.get_by_role("link", name=zh("The public page the QR code opens"))
    assert (public.get_attribute("href") or "").endswith(f"/apps/certificates/{number}")

    page.locator("#trigger").select_option("distribution channel changed")
    page.locator("#description").evaluate("e => e.removeAttribute('required')")
    page.get_by_role("button", name=zh("Report the event")).click()
    expect(page.locator("#error")).to_contain_text(zh("Say what happened."))
    assert_chinese_page(page)
    assert _assessments(ctx) == 0
    page.locator("#description").fill("新增华为应用市场为分发渠道")
    page.get_by_role("button", name=zh("Report the event")).click()
    expect(page.locator("#state")).to_have_text(zh("Awaiting the self-assessment report"))
    expect(page.locator("#deadlines")).to_contain_text(zh("Running"))
    assert_chinese_page(page)

    page.locator("#summary").fill("渠道变更不影响个人信息处理")
    page.get_by_role("button", name=zh("Submit the report")).click()  # no file
    expect(page.locator("#error")).to_contain_text(
        zh("Write a summary and choose the report's file.")
    )
    assert_chinese_page(page)
    report = tmp_path / "self-assessment.pdf"
    report.write_bytes(b"%PDF-1.7 self-assessment report\n")
    page.locator("#document").set_input_files(str(report))
    page.get_by_role("button", name=zh("Submit the report")).click()
    expect(page.locator("#state")).to_have_text(zh("Report under review"))
    expect(page.locator("#report")).to_contain_text("self-assessment.pdf")
    assert_chinese_page(page)
    page.goto("/self/certificates")
    expect(page.locator("#assessments")).to_contain_text(zh("The distribution channel changed"))
    assert_chinese_page(page)
