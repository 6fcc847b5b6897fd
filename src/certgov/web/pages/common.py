"""What every page shares: the router, the templates of each language (Babel catalogues, see
certgov.i18n), the reader's language and the acting person, error pages."""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from certgov.actors import Actor, Role
from certgov.clock import CHINA_TZ
from certgov.context import Context
from certgov.errors import CertgovError, Unauthenticated
from certgov.http.deps import SESSION_COOKIE, ContextDep, SessionDep, current_actor
from certgov.http.security import csrf_token
from certgov.i18n import (
    HTML_LANG,
    LANGUAGES,
    N_,
    formatting,
    labels,
    language,
    texts,
    translate,
    translations,
)
from certgov.store.engine import unit_of_work
from certgov.text import Term, Text

router = APIRouter(include_in_schema=False)


_TEMPLATES = Path(__file__).parent.parent / "templates"


@cache
def templates_for(lang: str) -> Jinja2Templates:
    """The templates of one language: Jinja2 with the i18n extension and that language's
    catalogue installed, and the filters that put dates, deadlines and places in words."""
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=False,
        # Compiled once per process: templates ship with the package and never change while
        # it runs (no stat of every template file on every render).
        auto_reload=False,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["beijing"] = lambda value: formatting.beijing_datetime(value, lang)
    env.filters["day"] = lambda value: formatting.date(value, lang)
    env.filters["days_left"] = lambda value: formatting.business_days_left(value, lang)
    env.filters["jurisdiction"] = lambda value: formatting.jurisdiction(value, lang)
    env.filters["label"] = lambda value, kind: labels.label(kind, value, lang)
    env.filters["said"] = lambda record, field="title": said(record, field, lang)
    env.filters["rule_text"] = lambda words: rule_text(words, lang)
    env.globals["lang"] = lang
    return Jinja2Templates(env=env)


def said(record: Any, field: str, lang: str) -> Markup:
    """A record's ``field`` (a case's or a finding's title, a finding's message) in the
    reader's language when the record keeps it as a template (``<field>_text``), else the
    stored words marked as data (a title a person typed, or an older record). The record is a
    row or its view as a mapping (a case's detail)."""

    def get(name: str) -> Any:
        return record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)

    text = Text.of_record(get(f"{field}_text"))
    if text is not None and texts.translated(text.template, lang):
        try:
            return said_html(text, lang)
        except (ValueError, IndexError):
            pass  # a translation whose spec does not fit its parameter: the stored English
    return Markup('<span class="data">{}</span>').format(get(field) or "")


def said_html(text: Text, lang: str) -> Markup:
    """``text`` in ``lang`` as :func:`certgov.i18n.texts.say` says it, as HTML: a parameter
    that is data (a name, a subject, a number the record holds: plain text, not a term, a day
    or a text) is marked as such, the rest is in the reader's words."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(translate(lang, text.template)):
        out.append(escape(literal))
        if name is None:
            continue
        if name not in text.params:
            out.append(escape("{" + name + (f"!{conversion}" if conversion else "") + "}"))
            continue
        value = text.params[name]
        if isinstance(value, Text):
            out.append(said_html(value, lang))
            continue
        number = isinstance(value, int | float) and not isinstance(value, bool)
        shown: Any = value if number else texts.word(value, lang)
        if conversion == "r":
            shown = repr(shown)
        elif conversion in ("s", "a"):
            shown = str(shown) if conversion == "s" else ascii(shown)
        words = format(shown, spec or "")
        data = isinstance(value, str) and not isinstance(value, Term)
        out.append(Markup('<span class="data">{}</span>').format(words) if data else escape(words))
    return Markup("").join(out)


def rule_text(words: str, lang: str) -> Markup:
    """A text of a rule set (its title, a violation's title or legal basis, an item of one of
    its prose lists, see :data:`certgov.i18n.extract.RULE_TEXT_LISTS`) in the reader's language
    where the catalogue has it, else the file's English marked as data (a rule set the operator
    added)."""
    if not words:
        return Markup("")
    if texts.translated(words, lang):
        return Markup("{}").format(translate(lang, words))
    return Markup('<span class="data" lang="en">{}</span>').format(words)


def language_of(request: Request) -> str:
    """The reader's language: ``?lang=`` (remembered in a cookie), else the cookie, else
    Chinese."""
    return language(request.query_params.get("lang") or request.cookies.get("certgov_lang"))


def _simulated_now(request: Request) -> str | None:
    """The fixed time of a training or demonstration deployment (CERTGOV_NOW), in Beijing
    time, for the banner; None in a real one."""
    ctx: Context = request.app.state.ctx
    fixed = ctx.settings.now
    if fixed is None:
        return None
    return fixed.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") + " (UTC+8)"


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    lang = language_of(request)
    response = templates_for(lang).TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "html_lang": HTML_LANG[lang],
            "other_lang": "en" if lang == "zh" else "zh",
            "csrf_token": csrf_token(cookie)
            if (cookie := request.cookies.get(SESSION_COOKIE))
            else "",
            "simulated_now": _simulated_now(request),
            **values,
        },
        status_code=status,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("certgov_lang", lang, samesite="lax", httponly=True)
    return response


def page_actor(request: Request, session: SessionDep, ctx: ContextDep) -> Actor | None:
    try:
        actor = current_actor(request, session, ctx)
    except Unauthenticated:
        return None
    return None if actor.role is Role.PUBLIC else actor


PageActor = Annotated[Actor | None, Depends(page_actor)]


def signed_in(actor: Actor | None) -> Actor:
    assert actor is not None  # _form_action redirects the public before calling
    return actor


def _form_actor(request: Request, ctx: ContextDep) -> Actor | None:
    """The caller of a form post, read in its own short unit of work (the action runs in
    another, so a refusal can render the page from a clean one)."""
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return page_actor(request, session, ctx)


FormActor = Annotated[Actor | None, Depends(_form_actor)]


#: The heading of an error page, by status.
ERROR_HEADINGS = {
    400: N_("Bad request"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("Not supported"),
    413: N_("Too large"),
    422: N_("Please correct the form"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
}


def error_page(request: Request, status: int, problems: list[str]) -> HTMLResponse:
    """An error answered as a page in the reader's language (404, 405, 422, 500 …), with the
    problems listed and a way back."""
    lang = language_of(request)
    heading = translate(lang, ERROR_HEADINGS.get(status, ERROR_HEADINGS[500]))
    return render(
        request, "error.html", status, actor=None, heading=heading, problems=problems, back="/"
    )


def error_problems(request: Request, status: int, detail: str | None = None) -> list[str]:
    """The words of an HTTP error for a page."""
    lang = language_of(request)
    if status == 404:
        return [translate(lang, "There is no page at {path}").format(path=request.url.path)]
    if status == 405:
        return [translate(lang, "This address does not support that action.")]
    if status >= 500:
        return [
            translate(
                lang,
                "An unexpected error occurred; it has been logged. Please try again later.",
            )
        ]
    return [detail or translate(lang, ERROR_HEADINGS.get(status, ERROR_HEADINGS[500]))]


def _said_or_text(text: Text, lang: str) -> Markup:
    """``text`` as :func:`said_html` marks it; where a translation's format spec does not fit
    its parameter, as :func:`certgov.i18n.texts.say` says it (which falls back to English)."""
    try:
        return said_html(text, lang)
    except (ValueError, IndexError, KeyError):
        return Markup("{}").format(texts.say(text, lang))


def page_error(lang: str, error: CertgovError) -> Markup:
    """An error for a page in the reader's language: the domain's message (a template and its
    parameters, :mod:`certgov.i18n.texts`; names and other data among them marked as data)
    and its hint. Where the catalogue cannot say the
    message (a library's text outside the catalogues), the kind of refusal in the reader's
    words, then the message itself marked as English data."""
    if texts.translated(error.template, lang):
        message = _said_or_text(error.text, lang)
        if error.hint_template and texts.translated(error.hint_template, lang):
            hint = _said_or_text(Text(error.hint_template, **error.params), lang)
            return message + Markup(' <span class="detail hint">{}</span>').format(hint)
        return message
    words = labels.label("error", error.code, lang)
    if words.startswith(translate(lang, "unknown ({code})").split("{")[0]):
        words = labels.label("error", "error", lang)
    if lang == "en":
        return Markup("{}: {}").format(words, error.message)
    return Markup('{}<span class="detail data" lang="en">{}</span>').format(words, error.message)
