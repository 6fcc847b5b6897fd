"""The licence application's review and the public registry, through a real Chromium
(ECS-2.2, ECS-2.3, SYS-4): a reviewer sees the evaluation item by item, judges items with a
form, is told why a grant is refused, grants the licence, and the public registry lists it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from certgov.actors import Role
from certgov.cases import services as cases
from certgov.context import Context
from certgov.i18n import translate
from certgov.licensing import services as licensing
from certgov.parties.models import Party
from certgov.store.engine import unit_of_work
from support.browser import PASSWORD, ZH, add_user, assert_chinese_page, log_in
from support.licensing import APPLICATION

pytestmark = pytest.mark.browser


def _submit(ctx: Context, world: Any) -> int:
    """The Shanghai CA's application, submitted and accepted; its case id."""
    with unit_of_work(ctx.sessions) as session:
        operator = world.actors["ca_operator"]
        party = session.get(Party, operator.party_id)
        assert party is not None
        body = {**APPLICATION, "legal_person": {**APPLICATION["legal_person"]}}
        body["legal_person"]["uscc"] = party.uscc
        case = licensing.submit_application(session, ctx, operator, body).case
        cases.transition(
            session,
            ctx,
            world.actors["national_regulator"],
            case.id,
            "accept",
            expected_version=case.version,
        )
        return case.id


def _judge(page: Page, item: str, status: str, note: str) -> None:
    page.locator("#review-item").select_option(item)
    page.locator("#review-status").select_option(status)
    page.locator("#review-note").fill(note)
    page.get_by_role("button", name=ZH["judge"]).click()


def _take(page: Page, transition: str) -> None:
    """Take a transition with the case page's own form for it (one form per transition)."""
    page.locator(f"#transition-{transition} button[type=submit]").click()


def test_a_reviewer_judges_items_and_grants_the_licence(
    page: Page, ctx: Context, world: Any
) -> None:
    case_id = _submit(ctx, world)
    add_user(ctx, "reviewer", Role.NATIONAL_REGULATOR)
    log_in(page, "reviewer", PASSWORD)
    page.locator("#cases").get_by_role("link", name=f"#{case_id}", exact=True).click()
    assert page.url.endswith(f"/console/cases/{case_id}")

    rows = page.locator("#evaluation tbody tr")
    expect(rows.first).to_contain_text("注册资本人民币50,000,000元，达到最低限额人民币30,000,000元")
    assert_chinese_page(page)
    open_rows = page.locator("#evaluation tbody tr").filter(
        has=page.locator('td.final[data-status="needs_review"]')
    )
    open_items = open_rows.evaluate_all("rows => rows.map(r => r.dataset.item)")
    assert open_items, "the sample application has items for a reviewer"
    expect(page.locator("#verdict")).to_contain_text(ZH["not_grantable"])

    for item in open_items:
        _judge(page, item, "met", "seen on site")
        expect(page.locator(f'#evaluation tr[data-item="{item}"] td.final')).to_have_attribute(
            "data-status", "met"
        )

    _take(page, "to_expert_evaluation")
    _take(page, "to_onsite_evaluation")
    expect(page.locator("#verdict")).to_contain_text(ZH["grantable"])

    # A met item found false on site blocks the grant; the refusal says why, on the page.
    _judge(page, "cryptography", "not_met", "approval withdrawn")
    with page.expect_response(lambda r: r.url.endswith("/transitions")) as answer:
        _take(page, "approve")
    assert answer.value.status == 422
    expect(page.get_by_role("alert")).to_contain_text(
        "不符合的事项：" + translate("zh", "Approval to use commercial cryptography")
    )
    expect(page.locator("#state")).to_have_text(translate("zh", "On-site evaluation"))


def test_the_public_registry_lists_a_granted_licence(page: Page, ctx: Context, world: Any) -> None:
    case_id = _submit(ctx, world)
    with unit_of_work(ctx.sessions) as session:
        regulator = world.actors["national_regulator"]
        case = cases.get_case(session, ctx, regulator, case_id)
        for item in case.data["evaluation"]["items"]:
            if item["status"] == "needs_review":
                case = licensing.review_item(
                    session,
                    ctx,
                    regulator,
                    case_id,
                    item=item["item"],
                    status="met",
                    note="ok",
                    expected_version=case.version,
                )
        for step in ("to_expert_evaluation", "to_onsite_evaluation", "approve"):
            case = cases.transition(
                session, ctx, regulator, case_id, step, expected_version=case.version
            )
        number = case.data["licence"]

    page.goto("/")
    page.get_by_role("link", name=ZH["registry_link"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ZH["registry"])
    row = page.locator("#registry tbody tr").filter(has_text=number)
    expect(row).to_have_count(1)
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "valid")
    expect(row.locator("[data-status]")).to_have_text(translate("zh", "Valid"))
