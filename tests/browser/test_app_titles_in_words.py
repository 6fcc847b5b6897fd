"""App-certification case titles in the reader's words (issue 16), in a real Chromium on the
demo data: the titles the system gives a suspension and a complaint against a decision are
Chinese sentences, the app's name, system and version line marked as data, the decided case
named by its own title said in Chinese; in English as before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from certgov.actors import Role
from certgov.cases.models import Case
from certgov.context import Context
from certgov.demo import load_demo
from certgov.store.engine import unit_of_work
from support.browser import PASSWORD, add_user, assert_chinese_page, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(ctx: Context) -> Iterator[Context]:
    with unit_of_work(ctx.sessions) as session:
        load_demo(session, ctx)
    add_user(ctx, "miit-apps", Role.NATIONAL_REGULATOR)
    yield ctx


def _case(ctx: Context, process_id: str) -> Case:
    with unit_of_work(ctx.sessions) as session:
        case = session.scalars(select(Case).where(Case.process_id == process_id)).first()
        assert case is not None
        session.expunge(case)
    return case


def test_app_case_titles_in_chinese_words(page: Page, demo: Context) -> None:
    suspension = _case(demo, "app-certification-suspension")
    complaint = _case(demo, "app-decision-complaint")
    number = suspension.data["certification"]
    log_in(page, "miit-apps", PASSWORD)

    page.goto(f"/console/cases/{suspension.id}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(f"暂停认证证书 {number}（示例出行 Example Ride，iOS）")
    expect(heading.locator(".data", has_text="示例出行 Example Ride")).to_be_attached()
    assert_chinese_page(page)

    page.goto(f"/console/cases/{complaint.id}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("对“示例聊天 Example Chat（Android，3.x）”决定的申诉")
    assert_chinese_page(page)

    page.goto(f"/console/cases/{complaint.id}?lang=en")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Complaint against the decision on 示例聊天 Example Chat (Android, 3.x)"
    )
    page.goto(f"/console/cases/{suspension.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Suspension of {number} (示例出行 Example Ride, iOS)"
    )
