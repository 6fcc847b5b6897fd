"""Case titles and findings in the reader's words (issue 16), in a real Chromium on the demo
data: the titles the system gives (a licence application, an enforcement case, a missing
outlet, an outsourced critical function, a late registration change) and the findings'
explanations are Chinese sentences, the rule sets' words translated, names and numbers the
records hold marked as data; in English as before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from certgov.actors import Role
from certgov.cases.models import Case
from certgov.context import Context
from certgov.demo import load_demo
from certgov.enforcement import services as enforcement
from certgov.i18n import translate
from certgov.parties.models import Party
from certgov.store.engine import unit_of_work
from support.browser import PASSWORD, add_user, assert_chinese_page, log_in

pytestmark = pytest.mark.browser

GUANGDONG = "广东示例证书服务有限公司"
SHANGHAI = "上海示例电子认证有限公司"


def zh(msgid: str) -> str:
    return translate("zh", msgid)


@pytest.fixture
def demo(ctx: Context) -> Iterator[Context]:
    with unit_of_work(ctx.sessions) as session:
        load_demo(session, ctx)
    add_user(ctx, "miit-words", Role.NATIONAL_REGULATOR)
    yield ctx


def _party_id(ctx: Context, name: str) -> int:
    with unit_of_work(ctx.sessions) as session:
        party_id = session.scalar(select(Party.id).where(Party.name == name))
    assert party_id is not None
    return party_id


def _enforcement_case(ctx: Context) -> int:
    with unit_of_work(ctx.sessions) as session:
        case_id = session.scalar(select(Case.id).where(Case.process_id == enforcement.PROCESS))
    assert case_id is not None
    return case_id


def test_case_titles_and_findings_in_chinese_words(page: Page, demo: Context) -> None:
    guangdong = _party_id(demo, GUANGDONG)
    log_in(page, "miit-words", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Work queue"))
    expect(page.locator("main")).to_contain_text(f"{SHANGHAI}的电子认证服务许可申请")
    assert_chinese_page(page)

    page.goto(f"/console/cases/{_enforcement_case(demo)}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"行政处罚：{zh('Critical operation delegated to a third party')}——{GUANGDONG}"
    )
    assert_chinese_page(page)

    page.goto(f"/console/cas/{guangdong}")
    findings = page.locator("#ca-findings")
    expect(findings).to_contain_text(f"未在广西壮族自治区设立服务网点：{GUANGDONG}")
    expect(findings).to_contain_text(f"关键业务外包：{GUANGDONG}（身份鉴别决定）")
    expect(findings).to_contain_text(f"工商登记变更逾期备案：{GUANGDONG}（法定代表人）")
    assert_chinese_page(page)

    page.goto(f"/console/findings?party={guangdong}")
    main = page.locator("main")
    expect(main).to_contain_text(f"{GUANGDONG}在广西壮族自治区开展业务，但未在当地设立服务网点")
    expect(main).to_contain_text("“身份鉴别决定”")
    expect(main).to_contain_text("登记的法定代表人变更应不晚于")
    # The provider the CA declared is the record's data, kept as it was written.
    expect(main.locator(".data", has_text="Example RA Services").first).to_be_attached()
    assert_chinese_page(page)

    page.goto(f"/console/findings?party={guangdong}&lang=en")
    main = page.locator("main")
    expect(main).to_contain_text(f"No service outlet in Guangxi: {GUANGDONG}")
    expect(main).to_contain_text(f"Critical function outsourced: {GUANGDONG} (identity vetting")
