"""The certification body's main task through the console pages only (issue 17; APP-3 to
APP-5, SYS-1): the body appoints and assigns a testing agency, the agency records a deficiency
with its remediation deadline on the checklist form, the body suspends the process, resumes it
once the remedy is in and later grants the certification; every page in Chinese words. The
applicant's own steps (application, sample, remedy) and the agency's routine ones are taken
through the services: they have their own pages and tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.appcert import applications, technical_verification
from certgov.cases import services as cases
from certgov.context import Context
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from support.appcert import ITEMS, SAMPLE, application
from support.browser import PASSWORD, assert_chinese_page, log_in

pytestmark = pytest.mark.browser


def zh(msgid: str) -> str:
    return translate("zh", msgid)


def add_party_user(ctx: Context, world: Any, username: str, role: Role, party: str) -> None:
    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name=username,
            password=PASSWORD,
            grant=identity.Grant(role, "national", world.parties[party]),
        )


def switch_to(page: Page, username: str) -> None:
    page.get_by_role("button", name=zh("Log out")).click()
    log_in(page, username, PASSWORD)


def service(ctx: Context, who: Any, step: Any) -> None:
    with unit_of_work(ctx.sessions) as session:
        step(session, who)


def transition(ctx: Context, who: Any, case_id: int, name: str, **kw: Any) -> None:
    def step(session: Any, actor: Any) -> None:
        case = cases.get_case(session, ctx, actor, case_id)
        cases.transition(session, ctx, actor, case_id, name, expected_version=case.version, **kw)

    service(ctx, who, step)


def test_certification_body_assigns_agency_records_deficiency_suspends_and_grants(
    page: Page, ctx: Context, world: Any
) -> None:
    operator = world.actors["app_operator"]
    agency = world.actors["testing_agency"]
    with unit_of_work(ctx.sessions) as session:
        body = application("示例支付 Example Pay")
        case_id = applications.submit(session, ctx, operator, body)[0].case.id
    add_party_user(ctx, world, "ccrc-wang", Role.CERTIFICATION_BODY, "certification_body")
    add_party_user(ctx, world, "lab-zhao", Role.TESTING_AGENCY, "testing_agency")

    # The certification body appoints the agency, accepts the application and assigns it.
    log_in(page, "ccrc-wang", PASSWORD)
    page.locator("nav.console").get_by_role("link", name=zh("App security certification")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("App security certification"))
    assert_chinese_page(page)
    page.locator("#appoint-form").get_by_role("button").click()
    expect(page.locator("#agency-table")).to_contain_text("Test testing_agency")
    page.get_by_role("link", name=f"#{case_id}").click()
    assert_chinese_page(page)
    page.locator("#transition-accept").get_by_role("button").click()
    expect(page.locator("#state")).to_have_text(zh("Accepted"))
    assign = page.locator("#assign-agency-form")
    assign.get_by_label(zh("Appointed testing agency")).select_option(
        str(world.parties["testing_agency"])
    )
    assign.get_by_role("button").click()
    expect(page.locator("#app-agency")).to_have_text("Test testing_agency")
    assert_chinese_page(page)

    transition(ctx, operator, case_id, "submit_sample", payload={"sample": SAMPLE})

    # The testing agency records a deficiency with its remediation deadline.
    switch_to(page, "lab-zhao")
    page.locator("nav.console").get_by_role("link", name=zh("App security certification")).click()
    assert_chinese_page(page)
    page.get_by_role("link", name=f"#{case_id}").click()
    expect(page.locator("#state")).to_have_text(zh("Technical verification"))
    due = (ctx.clock.now().date() + dt.timedelta(days=30)).isoformat()
    row = page.locator('tr[data-item="category-3"]')
    row.get_by_label(zh("Result")).select_option("deficient")
    row.get_by_label(zh("Note")).fill("未经同意读取通讯录")
    row.get_by_label(zh("Remediation due (if not met; optional)")).fill(due)
    page.get_by_role("button", name=zh("Record the results")).click()
    deficiency = page.locator(".deficiency").first
    expect(deficiency).to_contain_text("未经同意读取通讯录")
    expect(deficiency.locator(".due")).to_contain_text(due[:4])
    assert_chinese_page(page)

    # The certification body suspends the process.
    switch_to(page, "ccrc-wang")
    page.goto(f"/console/cases/{case_id}")
    expect(page.locator(".deficiency").first).to_contain_text("未经同意读取通讯录")
    suspend = page.locator("#transition-suspend_verification")
    suspend.get_by_label(zh("Reason"), exact=False).fill("缺陷未整改，暂停技术验证")
    suspend.get_by_role("button").click()
    expect(page.locator("#state")).to_have_text(zh("Suspended during technical verification"))
    assert_chinese_page(page)

    # The applicant remedies; the body resumes; the agency accepts the remedy and completes.
    with unit_of_work(ctx.sessions, readonly=True) as session:
        (found,) = technical_verification.deficiencies(session, case_id)
    service(
        ctx,
        operator,
        lambda session, actor: technical_verification.submit_remedy(
            session, ctx, actor, case_id, {"deficiency_id": found.id, "statement": "增加同意弹窗"}
        ),
    )
    page.reload()
    page.locator("#transition-resume_verification").get_by_role("button").click()
    expect(page.locator("#state")).to_have_text(zh("Technical verification"))
    service(
        ctx,
        agency,
        lambda session, actor: technical_verification.review_remedy(
            session,
            ctx,
            actor,
            case_id,
            {"deficiency_id": found.id, "accepted": True, "note": "ok"},
        ),
    )
    others = [{"item": i, "result": "conforms", "note": "符合"} for i in ITEMS if i != "category-3"]
    service(
        ctx,
        agency,
        lambda session, actor: technical_verification.record_results(
            session, ctx, actor, case_id, {"results": others}
        ),
    )
    transition(ctx, agency, case_id, "complete_verification")

    # The body reviews on site through the checklist form and grants.
    page.reload()
    expect(page.locator("#state")).to_have_text(zh("On-site review"))
    for item in ITEMS:
        row = page.locator(f'tr[data-item="{item}"]')
        row.get_by_label(zh("Result")).select_option("conforms")
        row.get_by_label(zh("Note")).fill("现场核查符合")
    page.get_by_role("button", name=zh("Record the results")).click()
    expect(page.locator('tr[data-item="group-1"] .result-onsite_review')).to_contain_text(zh("Met"))
    page.locator("#transition-complete_onsite").get_by_role("button").click()
    expect(page.locator("#state")).to_have_text(zh("Awaiting the decision"))
    grant = page.locator("#transition-grant")
    grant.get_by_label(zh("Reason"), exact=False).fill("符合 GB/T 35273")
    grant.get_by_role("button").click()
    expect(page.locator("#state")).to_have_text(zh("Certification granted"))
    assert_chinese_page(page)
    page.locator("#app-certification").click()
    expect(page.locator("#cert-status")).to_have_text(zh("Valid — may be used"))
    assert_chinese_page(page)
