"""The CA's withdrawal pages in a real Chromium, through pages only (ECS-7.3, SYS-7): the
Shanghai CA declares its withdrawal (a past day refused, nothing stored) offering its business
to the Beijing CA; it reports the handover (totals past the certificates refused); the Beijing
CA accepts the offer from its own page. Every page is checked for Chinese words."""

from __future__ import annotations

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
from support.browser import PASSWORD, assert_chinese_page, log_in
from support.licensing import grant_licence

pytestmark = pytest.mark.browser


def zh(message: str) -> str:
    return translate("zh", message)


def _user(ctx: Context, username: str, party_id: int) -> None:
    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name="合规专员",
            password=PASSWORD,
            grant=identity.Grant(Role.CA_OPERATOR, "national", party_id),
        )


def _exits(ctx: Context) -> int:
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return int(
            session.scalar(select(func.count(Case.id)).where(Case.process_id == "ecs-withdrawal"))
            or 0
        )


def test_ecs_7_3_a_ca_declares_its_withdrawal_and_the_receiving_ca_accepts(
    page: Page, ctx: Context, world: Any, client: TestClient
) -> None:
    grant_licence(client, world)
    grant_licence(client, world, "ca_operator_beijing")
    _user(ctx, "ca-leaving", world.parties["ca_shanghai"])
    _user(ctx, "ca-receiving", world.parties["ca_beijing"])
    log_in(page, "ca-leaving", PASSWORD)
    expect(page.locator("#whoami")).to_be_visible()
    page.goto("/self")
    page.get_by_role("link", name=zh("Withdrawal"), exact=True).click()
    assert_chinese_page(page)

    page.locator("#cessation_date").evaluate("e => e.removeAttribute('min')")
    page.locator("#cessation_date").fill("2025-09-01")
    page.locator("#subscriber_certificates").fill("3")
    page.locator("#receiving_party_id").select_option(label="Test ca_beijing")
    page.get_by_role("button", name=zh("Declare the withdrawal")).click()
    expect(page.locator("#error")).to_contain_text(
        zh("Give the day you will cease the service: after today.")
    )
    assert_chinese_page(page)
    assert _exits(ctx) == 0

    # The tests' clock is 2025-09-25: ceasing on 2026-01-10 is reported in time.
    page.locator("#cessation_date").fill("2026-01-10")
    page.locator("#parties_notified_on").fill("2025-09-24")
    page.get_by_role("button", name=zh("Declare the withdrawal")).click()
    expect(page.locator("#receiving")).to_contain_text("Test ca_beijing")
    expect(page.locator("#exit-facts")).to_contain_text(zh("in time"))
    expect(page.locator("#blockers")).to_contain_text(
        zh("The declared day of cessation has not come.")
    )
    assert_chinese_page(page)

    page.locator("#migrated").fill("3")
    page.locator("#revoked").fill("1")
    page.get_by_role("button", name=zh("Report the progress")).click()
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#remaining")).to_have_text("3")
    assert_chinese_page(page)
    page.locator("#migrated").fill("1")
    page.locator("#revoked").fill("1")
    page.get_by_role("button", name=zh("Report the progress")).click()
    expect(page.locator("#remaining")).to_have_text("1")
    assert_chinese_page(page)

    page.get_by_role("button", name=zh("Log out")).click()
    log_in(page, "ca-receiving", PASSWORD)
    expect(page.locator("#whoami")).to_be_visible()
    page.goto("/self/withdrawal")
    expect(page.locator("#received")).to_be_visible()
    assert_chinese_page(page)
    page.locator("#received a").first.click()
    page.get_by_role("button", name=zh("Accept the business")).click()
    expect(page.locator("#receiving")).to_contain_text("Test ca_beijing")
    expect(page.locator("#answer")).to_have_count(0)
    assert_chinese_page(page)
