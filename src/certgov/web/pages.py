"""Server-rendered pages: the public landing page and the console (usable without JavaScript).

Chinese is the default language, English with ``?lang=en`` (remembered in a cookie).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from certgov.api.deps import SESSION_COOKIE, ContextDep, SessionDep, current_actor
from certgov.api.routes.auth import set_session_cookie
from certgov.cases import services as cases
from certgov.errors import CertgovError, Unauthenticated
from certgov.identity import services as identity
from certgov.identity.roles import Actor, Role
from certgov.workflow.diagram import render_svg

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "电子认证与App安全认证监管平台",
        "tagline": "电子认证服务机构许可与监管、移动互联网应用安全认证",
        "console": "工作台",
        "login": "登录",
        "logout": "退出",
        "username": "用户名",
        "password": "密码",
        "cases": "案件",
        "processes": "流程",
        "state": "状态",
        "process": "流程",
        "no_cases": "暂无可见案件。",
        "signed_in_as": "当前用户",
        "registry_soon": "公开名录（持证电子认证服务机构、境外认可、已认证App）。",
        "bad_login": "用户名或密码错误。",
        "language": "English",
    },
    "en": {
        "title": "certgov — certification supervision",
        "tagline": "Licensing and supervision of electronic certification services; app security certification",
        "console": "Console",
        "login": "Log in",
        "logout": "Log out",
        "username": "Username",
        "password": "Password",
        "cases": "Cases",
        "processes": "Processes",
        "state": "State",
        "process": "Process",
        "no_cases": "No cases visible to you.",
        "signed_in_as": "Signed in as",
        "registry_soon": "Public registry (licensed CAs, recognised foreign CAs, certified apps).",
        "bad_login": "Wrong username or password.",
        "language": "中文",
    },
}


def _language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("certgov_lang") or "zh"
    return lang if lang in TEXT else "zh"


def _page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    lang = _language(request)
    response = templates.TemplateResponse(
        request,
        template,
        {"t": TEXT[lang], "lang": lang, "other_lang": "en" if lang == "zh" else "zh", **values},
        status_code=status,
    )
    if request.query_params.get("lang") in TEXT:
        response.set_cookie("certgov_lang", lang, samesite="lax", httponly=True)
    return response


def _page_actor(request: Request, session: SessionDep, ctx: ContextDep) -> Actor | None:
    try:
        actor = current_actor(request, session, ctx)
    except Unauthenticated:
        return None
    return None if actor.role is Role.PUBLIC else actor


PageActor = Annotated[Actor | None, Depends(_page_actor)]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: ContextDep, actor: PageActor) -> HTMLResponse:
    return _page(
        request,
        "home.html",
        actor=actor,
        processes=sorted(ctx.processes.values(), key=lambda p: p.id),
    )


@router.get("/console", response_class=HTMLResponse)
def console(request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor) -> Response:
    if actor is None:
        return _page(request, "login.html", actor=None, error=None)
    visible = cases.list_cases(session, ctx, actor, limit=100)
    return _page(request, "console.html", actor=actor, cases=visible, processes=ctx.processes)


@router.post("/console/login", response_class=HTMLResponse)
def console_login(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        secret, _user = identity.log_in(
            session, ctx.audit, username, password, dt.timedelta(hours=ctx.settings.session_hours)
        )
    except CertgovError:
        return _page(
            request,
            "login.html",
            status=401,
            actor=None,
            error=TEXT[_language(request)]["bad_login"],
        )
    response = RedirectResponse("/console", status_code=303)
    set_session_cookie(response, secret, ctx)
    return response


@router.get("/console/login")
def console_login_page(request: Request) -> Response:
    """The login form lives at /console; links to this URL (e.g. the language switch on a
    failed-login page) land there with their query."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/console{query}", status_code=303)


@router.post("/console/logout")
def console_logout(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        identity.log_out(session, ctx.clock, cookie)
    response = RedirectResponse("/console", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/console/processes/{process_id}", response_class=HTMLResponse)
def process_page(request: Request, process_id: str, ctx: ContextDep, actor: PageActor) -> Response:
    process = ctx.processes.get(process_id)
    if process is None:
        return _page(request, "not_found.html", status=404, actor=actor, what=process_id)
    return _page(request, "process.html", actor=actor, process=process, svg=render_svg(process))
