"""Helpers shared by the browser tests: officials added to a world, logging in through the page."""

from __future__ import annotations

from playwright.sync_api import Page

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.context import Context
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from certgov.web.pages.common import TEXT

PASSWORD = "correct horse battery"
ZH = TEXT["zh"]


def add_user(ctx: Context, username: str, role: Role, jurisdiction: str = "national") -> None:
    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name=username,
            password=PASSWORD,
            grant=identity.Grant(role, jurisdiction),
        )


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/console")
    page.get_by_label(ZH["username"]).fill(username)
    page.get_by_label(ZH["password"]).fill(password)
    page.get_by_role("button", name=ZH["login"]).click()
