"""The provincial regulator's main task through the console pages only (issue 17; ECS-4.2,
ECS-6.2, SYS-1): from the work queue to a finding, confirmed, an enforcement case opened,
the notice served, the hearing recorded (the CA asked to be heard) and a fine decided within
the catalogue's range; every page in Chinese words."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from certgov.actors import Role
from certgov.cases import services as cases
from certgov.context import Context
from certgov.i18n import translate
from certgov.store.engine import unit_of_work
from support.browser import PASSWORD, add_user, assert_chinese_page, log_in
from support.enforcement import a_finding

pytestmark = pytest.mark.browser


def zh(msgid: str) -> str:
    return translate("zh", msgid)


def test_provincial_regulator_triages_a_finding_and_decides_a_fine(
    page: Page, ctx: Context, world: Any
) -> None:
    finding_id = a_finding(world, "ca_shanghai")
    add_user(ctx, "shanghai-li", Role.PROVINCIAL_REGULATOR, "310000")
    log_in(page, "shanghai-li", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Work queue"))
    assert_chinese_page(page)

    page.get_by_role("link", name=zh("Findings"), exact=True).first.click()
    finding = page.locator(f"#finding-{finding_id}")
    expect(finding).to_be_visible()
    assert_chinese_page(page)
    finding.get_by_role("button", name=zh("Confirm")).click()
    finding = page.locator(f"#finding-{finding_id}")
    expect(finding.locator(".status")).to_contain_text(zh("Confirmed"))
    finding.get_by_label(zh("Violation")).select_option("cessation_not_reported")
    finding.get_by_label(zh("Summary of the facts")).fill("未按期报告终止服务")
    finding.get_by_role("button", name=zh("Open an enforcement case")).click()

    expect(page.locator("#fine-range")).to_contain_text("10,000")
    assert_chinese_page(page)
    case_id = int(page.url.rsplit("/", 1)[1])
    notify = page.locator("#transition-notify")
    notify.get_by_label(zh("Reason"), exact=False).fill("拟处罚款，告知陈述申辩及听证权利")
    notify.get_by_role("button").click()
    expect(page.locator("#state")).to_have_text(zh("Notice served"))

    with unit_of_work(ctx.sessions) as session:
        case = cases.get_case(session, ctx, world.actors["ca_operator"], case_id)
        cases.transition(
            session,
            ctx,
            world.actors["ca_operator"],
            case_id,
            "request_hearing",
            expected_version=case.version,
        )
    page.reload()
    hearing = page.locator("#transition-record_hearing")
    hearing.get_by_label(zh("Reason"), exact=False).fill("听证已举行，当事人到场陈述")
    hearing.get_by_role("button").click()
    expect(page.locator("#state")).to_have_text(zh("Awaiting the decision"))

    decide = page.locator("#transition-decide")
    decide.get_by_label(zh("Fine"), exact=True).check()
    decide.get_by_label(zh("Fine in yuan"), exact=False).fill("60000")
    decide.get_by_label(zh("Reason"), exact=False).fill("事实清楚，证据确凿")
    decide.get_by_role("button").click()
    expect(page.locator("#error")).to_be_visible()
    decide = page.locator("#transition-decide")
    decide.get_by_label(zh("Fine"), exact=True).check()
    decide.get_by_label(zh("Fine in yuan"), exact=False).fill("20000")
    decide.get_by_label(zh("Reason"), exact=False).fill("事实清楚，证据确凿")
    decide.get_by_role("button").click()
    expect(page.locator("#fine")).to_contain_text("20,000")
    expect(page.locator("#state")).to_have_text(zh("Decided"))
    assert_chinese_page(page)
