"""Helpers shared by the browser tests: officials added to a world, logging in through the page."""

from __future__ import annotations

from playwright.sync_api import Page

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.context import Context
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work

PASSWORD = "correct horse battery"
#: The page texts the browser tests look for, by name: their English msgid (the catalogues
#: give the Chinese).
MESSAGES = {
    "bad_login": "Wrong username or password.",
    "complain": "Complain about or report an electronic certification service provider",
    "complain_code": "Tracking code",
    "complain_description": "What happened",
    "complain_evidence": "Evidence file (optional)",
    "complain_filed": "Your complaint was received",
    "complain_link": "Complaints",
    "complain_subject": "Subject",
    "complain_submit": "Submit",
    "complain_track": "Follow a complaint",
    "grantable": "Every condition is met: the licence may be granted.",
    "judge": "Judge",
    "login": "Log in",
    "logout": "Log out",
    "not_grantable": "Not yet grantable",
    "password": "Password",
    "registry": "Registry of licensed electronic certification service providers",
    "registry_link": "Public registry",
    "submit": "Submit",
    "title": "certgov — certification supervision",
    "username": "Username",
}


class _Texts(dict[str, str]):
    """The texts of one language by name; the language switch names the other language."""

    def __init__(self, lang: str) -> None:
        super().__init__({name: translate(lang, msgid) for name, msgid in MESSAGES.items()})
        self["language"] = "English" if lang == "zh" else "中文"


ZH = _Texts("zh")
EN = _Texts("en")


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
