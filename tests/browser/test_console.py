"""The public home page and the console, through a real Chromium.

The pages are server-rendered and usable without JavaScript, in Chinese by default and in
English (DESIGN.md, Interfaces); the console shows each official only the cases in their scope
(SYS-6) and draws each process as an SVG diagram of its states (SYS-1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from certgov.actors import Role
from certgov.cases import services as cases
from certgov.context import Context
from certgov.ecs.uscc import check_character
from certgov.i18n import translate
from certgov.parties import services as registry
from certgov.parties.models import PartyKind
from certgov.store.engine import unit_of_work
from support.browser import EN, PASSWORD, ZH, add_user, assert_chinese_page, log_in

pytestmark = pytest.mark.browser

LICENCE = "ca-licence-application"
SESSION_COOKIE = "certgov_session"


def open_licence_case(ctx: Context, world: Any, title: str, party_id: int) -> int:
    """Open a CA licence application as the national regulator; returns the case id."""
    with unit_of_work(ctx.sessions) as session:
        case = cases.open_case(
            session,
            ctx,
            world.actors["national_regulator"],
            cases.OpenCase(LICENCE, title, subject_party_id=party_id),
        )
        return case.id


def session_cookie(page: Page) -> str | None:
    """The browser's login-session secret, if it holds one."""
    values = [c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert len(values) <= 1, values
    return values[0] if values else None


def test_home_page_is_in_chinese_by_default_and_switches_to_english(page: Page) -> None:
    """SYS-7: Chinese by default, every word from the catalogue; English on request."""
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text(ZH["title"])
    expect(
        page.get_by_role(
            "link", name=translate("zh", "Find a licensed certification service provider")
        )
    ).to_be_visible()

    assert_chinese_page(page)
    page.get_by_role("link", name=ZH["language"]).click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(EN["title"])
    # The choice is remembered (a cookie) on pages reached without ?lang.
    page.goto("/console")
    expect(page.get_by_role("heading", level=1)).to_have_text(EN["login"])


def test_console_asks_a_visitor_to_log_in(page: Page) -> None:
    page.goto("/console")
    expect(page.get_by_role("heading", level=1)).to_have_text(ZH["login"])
    expect(page.get_by_label(ZH["username"])).to_be_editable()
    expect(page.get_by_label(ZH["password"])).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name=ZH["login"])).to_be_enabled()


def test_wrong_password_is_refused_with_a_message_and_no_session(page: Page, ctx: Context) -> None:
    """SYS-6: a wrong password gives 401, says so, and opens no session."""
    add_user(ctx, "regulator", Role.NATIONAL_REGULATOR)
    with page.expect_response(lambda r: r.url.endswith("/console/login")) as answer:
        log_in(page, "regulator", PASSWORD + "x")
    assert answer.value.status == 401
    expect(page.get_by_role("alert")).to_have_text(ZH["bad_login"])
    expect(page.locator("#whoami")).to_have_count(0)
    assert session_cookie(page) is None


def test_language_link_works_after_a_failed_login(page: Page, ctx: Context) -> None:
    add_user(ctx, "regulator", Role.NATIONAL_REGULATOR)
    log_in(page, "regulator", PASSWORD + "x")
    with page.expect_navigation() as navigation:
        page.get_by_role("link", name=ZH["language"]).click()
    assert navigation.value is not None
    assert navigation.value.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(EN["login"])


def test_regulator_logs_in_sees_the_case_and_its_process_and_logs_out(
    page: Page, ctx: Context, world: Any, tmp_path: Path
) -> None:
    """SYS-6 login and logout; SYS-1 the case's process drawn with one box per state."""
    add_user(ctx, "regulator", Role.NATIONAL_REGULATOR)
    case_id = open_licence_case(
        ctx, world, "Licence application of Test ca_shanghai", world.parties["ca_shanghai"]
    )

    log_in(page, "regulator", PASSWORD)

    assert page.url.endswith("/console")
    expect(page.locator("#whoami")).to_have_text("regulator")
    row = page.locator("#cases tbody tr").filter(has_text="Licence application of Test ca_shanghai")
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_contain_text(f"#{case_id}")
    process = ctx.processes[LICENCE]
    # The state in words in the reader's language, never its code.
    expect(row).to_contain_text(translate("zh", process.states[process.initial].title))
    expect(row).not_to_contain_text(process.initial)
    page.screenshot(path=tmp_path / "console.png", full_page=True)
    # On a phone the queue reads as cards, each value under its heading, and nothing (not the
    # filters' longest state name, in either language) is wider than the screen.
    page.set_viewport_size({"width": 360, "height": 800})
    for lang in ("en", "zh"):
        page.goto(f"/console?lang={lang}")
        # The longest state name of the demo's processes is longer than this world's: give the
        # state filter one as long, as the demo's queue has.
        page.locator("#filters select").nth(1).evaluate(
            "s => s.add(new Option('Awaiting the certification body decision on a complaint'))"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1, lang
        expect(
            page.locator("#cases tbody tr").first.locator("td[data-label]").first
        ).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})

    row.get_by_role("link", name=f"#{case_id}").click()
    page.get_by_role("link", name=translate("zh", process.title)).click()
    assert page.url.endswith(f"/console/processes/{LICENCE}")
    states = page.locator("#diagram svg g.state")
    expect(states).to_have_count(len(ctx.processes[LICENCE].states))
    drawn = states.evaluate_all("boxes => boxes.map(box => box.getAttribute('data-name'))")
    assert sorted(drawn) == sorted(ctx.processes[LICENCE].states)

    secret = session_cookie(page)
    assert secret is not None
    page.get_by_role("button", name=ZH["logout"]).click()
    assert page.url.endswith("/console")
    expect(page.get_by_role("heading", level=1)).to_have_text(ZH["login"])
    assert session_cookie(page) is None
    # The old session is over on the server too, not only forgotten by the browser.
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": secret, "url": page.url}])
    page.goto("/console")
    expect(page.get_by_label(ZH["username"])).to_be_visible()


def test_provincial_regulator_sees_only_cases_of_their_province(
    page: Page, ctx: Context, world: Any
) -> None:
    """SYS-6: a provincial regulator of Guangdong (440000) sees no Shanghai case."""
    with unit_of_work(ctx.sessions) as session:
        uscc_body = "91440000MA0TXPQGD"
        guangdong_ca = registry.create_party(
            session,
            ctx.clock,
            registry.NewParty(
                name="Test ca_guangdong",
                kind=PartyKind.CA,
                uscc=uscc_body + check_character(uscc_body),
                home_province="440000",
            ),
        ).id
    open_licence_case(ctx, world, "Shanghai application", world.parties["ca_shanghai"])
    open_licence_case(ctx, world, "Guangdong application", guangdong_ca)
    add_user(ctx, "guangdong", Role.PROVINCIAL_REGULATOR, "440000")

    log_in(page, "guangdong", PASSWORD)

    expect(page.locator("#whoami")).to_have_text("guangdong")
    expect(page.locator("#cases tbody tr")).to_have_count(1)
    expect(page.locator("#cases")).to_contain_text("Guangdong application")
    expect(page.locator("main")).not_to_contain_text("Shanghai application")
