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


#: Latin words a Chinese page may show in its own text: standard names and acronyms.
ALLOWED_LATIN = frozenset(
    {
        "CA",
        "App",
        "API",
        "SM2",
        "SM3",
        "RSA",
        "ECDSA",
        "EdDSA",
        "Ed25519",
        "PEM",
        "DER",
        "CRL",
        "OCSP",
        "SHA",
        "JSON",
        "CSV",
        "PDF",
        "QR",
        "ID",
        "URL",
        "PKCS",
        "X",
        "Atom",
        "GB",
        "T",
        "ETSI",
        "TS",
        "EN",
        "CMS",
        "PAdES",
        "CAdES",
        "XAdES",
        "APK",
        "SDK",
        "iOS",
        "Android",
        "HarmonyOS",
        "CCRC",
        "MIIT",
        "HTTP",
        "HTTPS",
        "RFC",
        "UTC",
        "pkilint",
        "IMEI",
        "IMSI",
        "MAC",
        "English",
        "certgov",
        "USCC",
    }
)

_TEXT_OF_PAGE = """() => {
  const skip = (el) => el.closest('.data, code, kbd, pre, script, style, [translate="no"], [lang="en"]');
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || skip(el)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
    for (const name of ['placeholder', 'title', 'aria-label']) {
      const v = el.getAttribute(name);
      if (v && !skip(el)) out.push(v);
    }
  }
  return out;
}"""


def raw_text_problems(page: Page) -> list[str]:
    """What a Chinese page shows that a Chinese reader should not see: English words outside
    data (names, subjects, numbers the records hold, marked ``class="data"``), snake_case
    codes, "None", "null", times without their zone. Empty when the page is clean."""
    import re

    problems = []
    for text in page.evaluate(_TEXT_OF_PAGE):
        for word in re.findall(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+", text):
            problems.append(f"raw code {word!r} in {text[:80]!r}")
        for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", text):
            if word in ("None", "null", "undefined", "nan", "True", "False"):
                problems.append(f"{word!r} in {text[:80]!r}")
            elif word not in ALLOWED_LATIN:
                problems.append(f"English {word!r} in {text[:80]!r}")
        if re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text):
            problems.append(f"machine time in {text[:80]!r}")
    return problems


def assert_chinese_page(page: Page) -> None:
    """The page is in Chinese words: see :func:`raw_text_problems`."""
    problems = raw_text_problems(page)
    assert not problems, "\n".join(problems[:30])
