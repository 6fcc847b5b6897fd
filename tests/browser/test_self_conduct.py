"""The CA's conduct pages in a real Chromium, through pages only (ECS-3.1–3.3, ECS-4.1, ECS-4.4,
SYS-7): a CPS version filed by upload (a wrong file and a repeated one refused); outsourcing
declared (a critical function is a finding; a half-filled line is refused); operating provinces
and an outlet (a province without one is named); quarterly statistics (late, then corrected);
a significant operational change. Bad inputs show a message and store nothing; every page is
checked for Chinese words. The tests' clock is 2025-09-25 10:00 Beijing time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.cases.models import Case
from certgov.conduct.models import (
    OperatingReport,
    OutsourcingDeclaration,
    PracticeStatement,
    ServiceOutlet,
)
from certgov.context import Context
from certgov.findings.models import Finding
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from support.browser import PASSWORD, assert_chinese_page, log_in

pytestmark = pytest.mark.browser


def zh(message: str) -> str:
    return translate("zh", message)


def _count(ctx: Context, model: Any) -> int:
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def ca(page: Page, ctx: Context, world: Any) -> Page:
    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username="ca-conduct",
            display_name="合规专员",
            password=PASSWORD,
            grant=identity.Grant(Role.CA_OPERATOR, "national", world.parties["ca_beijing"]),
        )
    log_in(page, "ca-conduct", PASSWORD)
    expect(page.locator("#whoami")).to_be_visible()
    page.goto("/self")
    return page


def test_ecs_3_1_a_cps_version_is_filed_by_upload(ca: Page, ctx: Context, tmp_path: Path) -> None:
    page = ca
    page.get_by_role("link", name=zh("Practice statement"), exact=True).click()
    expect(page.locator("#in-effect")).to_have_text(zh("No version is in effect yet."))
    assert_chinese_page(page)
    wrong = tmp_path / "cps.pdf"
    wrong.write_bytes(b"PK\x03\x04 not a pdf")
    page.locator("#label").fill("V1.0")
    page.locator("#effective_on").fill("2025-09-25")
    page.locator("#document").set_input_files(str(wrong))
    page.get_by_role("button", name=zh("File this version")).click()
    expect(page.locator("#error")).to_contain_text("cps.pdf")
    assert_chinese_page(page)
    assert _count(ctx, PracticeStatement) == 0

    good = tmp_path / "cps-v1.pdf"
    good.write_bytes(b"%PDF-1.7 certification practice statement v1\n")
    page.locator("#document").set_input_files(str(good))
    page.get_by_role("button", name=zh("File this version")).click()
    expect(page.locator("#in-effect")).to_contain_text("V1.0")
    assert_chinese_page(page)

    # The same file again changes nothing.
    page.locator("#label").fill("V1.1")
    page.locator("#effective_on").fill("2025-10-01")
    page.locator("#document").set_input_files(str(good))
    page.get_by_role("button", name=zh("File this version")).click()
    expect(page.locator("#error")).to_contain_text(
        zh("This file is the same as the latest version: nothing changed.")
    )
    assert_chinese_page(page)
    assert _count(ctx, PracticeStatement) == 1


def test_ecs_3_2_outsourcing_a_critical_function_is_a_finding(ca: Page, ctx: Context) -> None:
    page = ca
    page.get_by_role("link", name=zh("Outsourcing"), exact=True).click()
    assert_chinese_page(page)
    page.get_by_label(zh("Function {n}").format(n=1)).fill(zh("Key management"))
    page.get_by_role("button", name=zh("Declare")).click()  # no provider
    expect(page.locator("#error")).to_contain_text(
        zh("Give both the function and the provider on each line.")
    )
    assert_chinese_page(page)
    assert _count(ctx, OutsourcingDeclaration) == 0

    page.get_by_label(zh("Provider {n}").format(n=1)).fill("某密钥托管公司")
    page.get_by_label(zh("Function {n}").format(n=2)).fill("客服热线")
    page.get_by_label(zh("Provider {n}").format(n=2)).fill("某呼叫中心")
    page.get_by_role("button", name=zh("Declare")).click()
    declared = page.locator("#declared")
    expect(declared.get_by_role("row", name=zh("Key management"))).to_contain_text(
        zh("Must not be outsourced: a finding")
    )
    expect(declared.get_by_role("row", name="客服热线")).not_to_contain_text(
        zh("Must not be outsourced: a finding")
    )
    assert_chinese_page(page)
    with unit_of_work(ctx.sessions, readonly=True) as session:
        assert session.scalar(select(func.count(Finding.id)).where(Finding.status == "open")) == 1


def test_ecs_3_3_a_province_without_an_outlet_is_named(ca: Page, ctx: Context) -> None:
    page = ca
    page.get_by_role("link", name=zh("Outlets"), exact=True).click()
    assert_chinese_page(page)
    page.get_by_label("北京市", exact=True).check()
    page.get_by_label("广东省", exact=True).check()
    page.get_by_role("button", name=zh("Save the provinces")).click()
    expect(page.locator("#lacking")).to_contain_text("北京市")
    expect(page.locator("#lacking")).to_contain_text("广东省")
    assert_chinese_page(page)

    page.locator("#jurisdiction").select_option("110000")
    page.locator("#address").fill("北京市海淀区中关村大街 1 号")
    page.locator("#name").evaluate("e => e.removeAttribute('required')")
    page.get_by_role("button", name=zh("Register the outlet")).click()
    expect(page.locator("#error")).to_contain_text(zh("Give the outlet's name and address."))
    assert _count(ctx, ServiceOutlet) == 0
    page.locator("#name").fill("北京服务网点")
    page.get_by_role("button", name=zh("Register the outlet")).click()
    expect(page.locator("#outlets")).to_contain_text("北京服务网点")
    expect(page.locator("#lacking")).to_contain_text("广东省")
    expect(page.locator("#lacking")).not_to_contain_text("北京市")
    assert_chinese_page(page)
    page.get_by_role("button", name=zh("Close")).click()
    expect(page.locator("#outlets")).to_contain_text(zh("Closed on"))
    expect(page.locator("#lacking")).to_contain_text("北京市")
    assert_chinese_page(page)


def test_ecs_4_1_quarterly_statistics_filed_late_then_corrected(ca: Page, ctx: Context) -> None:
    page = ca
    page.get_by_role("link", name=zh("Statistics"), exact=True).click()
    # Q2 2025 (April–June) was due on 15 July.
    expect(page.locator("#next-due")).to_contain_text("2025")
    assert_chinese_page(page)
    page.locator("#period_start").select_option("2025-04-01")
    page.locator("#issued").fill("一百")
    page.locator("#revoked").fill("3")
    page.get_by_role("button", name=zh("File the statistics")).click()
    expect(page.locator("#error")).to_contain_text(
        zh("Give the numbers of certificates as whole numbers (0 or more), digits only.")
    )
    assert_chinese_page(page)
    assert _count(ctx, OperatingReport) == 0

    page.locator("#issued").fill("1,200")
    page.get_by_role("button", name=zh("File the statistics")).click()
    expect(page.locator("#reports")).to_contain_text("1200")
    expect(page.locator("#reports")).to_contain_text(zh("late"))
    assert_chinese_page(page)

    page.locator("#period_start").select_option("2025-04-01")
    page.locator("#issued").fill("1210")
    page.locator("#revoked").fill("3")
    page.get_by_role("button", name=zh("File the statistics")).click()
    expect(page.locator("#error")).to_contain_text(zh("This corrects the statistics filed"))
    page.get_by_label(zh("This corrects the statistics filed")).check()
    page.get_by_role("button", name=zh("File the statistics")).click()
    expect(page.locator("#reports")).to_contain_text("1210")
    expect(page.locator("#reports")).to_contain_text(zh("corrected"))
    assert_chinese_page(page)
    assert _count(ctx, OperatingReport) == 1


def test_ecs_4_4_a_significant_operational_change_is_reported(ca: Page, ctx: Context) -> None:
    page = ca
    page.get_by_role("link", name=zh("Operational changes"), exact=True).click()
    assert_chinese_page(page)
    page.locator("#kind").select_option("change of data centre or key management site")
    page.locator("#effective_on").fill("2025-09-22")
    page.locator("#description").evaluate("e => e.removeAttribute('required')")
    page.get_by_role("button", name=zh("Report the change")).click()
    expect(page.locator("#error")).to_contain_text(zh("Say what changes."))
    assert_chinese_page(page)
    assert _count(ctx, Case) == 0
    page.locator("#description").fill("主数据中心迁至廊坊新机房")
    page.get_by_role("button", name=zh("Report the change")).click()
    expect(page.locator("#state")).to_have_text(zh("Reported"))
    expect(page.locator("#change-facts")).to_contain_text(zh("reported in time"))
    expect(page.locator("#change-facts")).to_contain_text(
        zh("Change of data centre or key management site")
    )
    assert_chinese_page(page)
    page.goto("/self")
    assert_chinese_page(page)
