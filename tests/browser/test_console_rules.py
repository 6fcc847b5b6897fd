"""The rule sets page in Chinese (issue 16, SYS-2): the sets' titles, the violations' titles and
legal bases and the prose lists in Chinese words; codes, values and the sources and notes as
written, marked as English data."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from certgov.actors import Role
from certgov.context import Context
from certgov.i18n import translate
from support.browser import PASSWORD, add_user, assert_chinese_page, log_in

pytestmark = pytest.mark.browser


def zh(msgid: str) -> str:
    return translate("zh", msgid)


def test_the_rule_sets_page_says_every_rule_text_in_chinese(
    page: Page, ctx: Context, world: Any
) -> None:
    add_user(ctx, "miit-rules", Role.NATIONAL_REGULATOR)
    log_in(page, "miit-rules", PASSWORD)
    page.goto("/console/rules?show=all")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Rule sets"))
    page.locator("details.table-wrap").evaluate_all("(all) => all.forEach(d => d.open = true)")
    violations = page.locator("#rules-ecs tr[data-key='violations']")
    expect(violations).to_contain_text(zh("Certificate chain not filed with the regulator"))
    expect(violations).to_contain_text(zh("ESL Arts. 23, 30"))
    groups = page.locator("#rules-app tr[data-key='gbt35273_requirement_groups']")
    expect(groups).to_contain_text(zh("collection of personal information (clause 5)"))
    hashes = page.locator("#rules-ecs tr[data-key='allowed_hashes'] .value .data").first
    expect(hashes).to_have_text("sha256")
    source = page.locator("#rules-ecs tr[data-key='violations'] .hint .data").first
    expect(source).to_have_attribute("lang", "en")
    assert_chinese_page(page)
