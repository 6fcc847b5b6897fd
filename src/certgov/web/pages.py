"""Server-rendered pages: the public landing page and the console (usable without JavaScript).

Chinese is the default language, English with ``?lang=en`` (remembered in a cookie).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from certgov.actors import Actor, Role
from certgov.cases import services as cases
from certgov.cases.schemas import case_detail, event_out
from certgov.complaints import services as complaints
from certgov.context import Context
from certgov.errors import CertgovError, Unauthenticated
from certgov.http.deps import SESSION_COOKIE, ContextDep, SessionDep, current_actor
from certgov.http.limits import complaint_limiter
from certgov.http.sessions import set_session_cookie
from certgov.identity import services as identity
from certgov.licensing import services as licensing
from certgov.parties.models import Party, PartyKind
from certgov.publication.registry import ca_registry
from certgov.store.engine import unit_of_work
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
        "registry_soon": "公开名录：持证电子认证服务机构（境外认可、已认证App随后）。",
        "bad_login": "用户名或密码错误。",
        "language": "English",
        "registry": "持证电子认证服务机构名录",
        "registry_link": "公开名录",
        "complain_link": "投诉举报",
        "complain": "投诉或举报电子认证服务机构",
        "complain_intro": "任何人均可投诉或举报，可匿名。提交后您将获得查询码，请妥善保存：它只显示一次。",
        "complain_ca": "被投诉机构",
        "complain_ca_other": "其他（请填写名称）",
        "complain_ca_name": "机构名称（不在名录中时）",
        "complain_subject": "事由",
        "complain_description": "详细情况",
        "complain_name": "您的姓名（留空即匿名）",
        "complain_contact": "联系方式（可选）",
        "complain_evidence": "证据文件（可选）",
        "complain_submit": "提交",
        "complain_filed": "已收到您的投诉举报",
        "complain_code": "查询码",
        "complain_track": "查询处理进度",
        "complain_status": "处理状态",
        "complain_handled_by": "承办机关",
        "complain_due": "期限",
        "licence": "许可证",
        "holder": "持证机构",
        "valid_until": "有效期至",
        "status": "状态",
        "findings": "监管发现",
        "no_outlet": "无服务网点的省份",
        "no_licences": "暂无持证机构。",
        "evaluation": "申请条件逐项评价",
        "item": "条件",
        "automatic": "自动评价",
        "review": "审查意见",
        "final": "结论",
        "reason": "理由",
        "judge": "审查",
        "judge_item": "逐项审查",
        "note": "审查说明",
        "submit": "提交",
        "deadlines": "期限",
        "history": "记录",
        "act": "办理",
        "transition": "操作",
        "due": "届满日",
        "grantable": "全部条件已满足，可予许可。",
        "not_grantable": "尚不能许可",
        "open_items": "待审查",
        "unmet_items": "不满足",
        "cases_link": "案件",
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
        "registry_soon": "Public registry: licensed CAs (recognised foreign CAs and certified apps to follow).",
        "bad_login": "Wrong username or password.",
        "language": "中文",
        "registry": "Registry of licensed electronic certification service providers",
        "registry_link": "Public registry",
        "complain_link": "Complaints",
        "complain": "Complain about or report an electronic certification service provider",
        "complain_intro": "Anyone may complain or report, anonymously if they wish. You get a tracking code: keep it, it is shown once.",
        "complain_ca": "Provider",
        "complain_ca_other": "Other (give its name)",
        "complain_ca_name": "Provider's name (when not in the registry)",
        "complain_subject": "Subject",
        "complain_description": "What happened",
        "complain_name": "Your name (leave empty to stay anonymous)",
        "complain_contact": "Contact (optional)",
        "complain_evidence": "Evidence file (optional)",
        "complain_submit": "Submit",
        "complain_filed": "Your complaint was received",
        "complain_code": "Tracking code",
        "complain_track": "Follow a complaint",
        "complain_status": "Status",
        "complain_handled_by": "Handled by",
        "complain_due": "Deadlines",
        "licence": "Licence",
        "holder": "Holder",
        "valid_until": "Valid until",
        "status": "Status",
        "findings": "Findings",
        "no_outlet": "Provinces without an outlet",
        "no_licences": "No licensed CA yet.",
        "evaluation": "Application conditions, item by item",
        "item": "Condition",
        "automatic": "Automatic",
        "review": "Reviewer",
        "final": "Result",
        "reason": "Reason",
        "judge": "Judge",
        "judge_item": "Judge an item",
        "note": "Note",
        "submit": "Submit",
        "deadlines": "Deadlines",
        "history": "History",
        "act": "Act on the case",
        "transition": "Action",
        "due": "Due",
        "grantable": "Every condition is met: the licence may be granted.",
        "not_grantable": "Not yet grantable",
        "open_items": "to judge",
        "unmet_items": "not met",
        "cases_link": "Cases",
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


def _signed(actor: Actor | None) -> Actor:
    assert actor is not None  # _form_action redirects the public before calling
    return actor


def _form_actor(request: Request, ctx: ContextDep) -> Actor | None:
    """The caller of a form post, read in its own short unit of work (the action runs in
    another, so a refusal can render the page from a clean one)."""
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return _page_actor(request, session, ctx)


FormActor = Annotated[Actor | None, Depends(_form_actor)]


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


@router.get("/registry", response_class=HTMLResponse)
def registry_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """SYS-4: the public registry of licensed CAs."""
    return _page(request, "registry.html", actor=actor, entries=ca_registry(session, ctx))


def _case_page(
    request: Request, session: Session, ctx: Context, actor: Actor, case_id: int, **extra: Any
) -> Response:
    case = cases.get_case(session, ctx, actor, case_id)
    detail = case_detail(session, ctx, actor, case)
    detail["history"] = [event_out(e) for e in cases.history(session, case)]
    application = (
        licensing.application_view(session, ctx, actor, case_id)
        if case.process_id == licensing.PROCESS
        else None
    )
    may_review = (
        application is not None
        and actor.role in (Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR)
        and case.state in licensing.REVIEW_STATES
    )
    return _page(
        request,
        "case.html",
        status=extra.pop("status", 200),
        actor=actor,
        case=detail,
        process=ctx.processes[case.process_id],
        application=application,
        may_review=may_review,
        **extra,
    )


@router.get("/console/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: int, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    try:
        return _case_page(request, session, ctx, actor, case_id, error=None)
    except CertgovError as error:
        return _page(request, "not_found.html", status=404, actor=actor, what=error.message)


def _form_action(
    request: Request,
    case_id: int,
    ctx: Context,
    actor: Actor | None,
    action: Callable[[Session], object],
) -> Response:
    """Run ``action`` in its own unit of work; on success back to the case page (303), on a
    refusal the page again with the message, nothing written."""
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    try:
        with unit_of_work(ctx.sessions) as session:
            action(session)
    except CertgovError as error:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            try:
                return _case_page(
                    request, session, ctx, actor, case_id, error=error.message, status=422
                )
            except CertgovError as hidden:
                return _page(
                    request, "not_found.html", status=404, actor=actor, what=hidden.message
                )
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


@router.post("/console/cases/{case_id}/reviews", response_class=HTMLResponse)
def case_review(
    request: Request,
    case_id: int,
    ctx: ContextDep,
    actor: FormActor,
    item: Annotated[str, Form(max_length=64)],
    status: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=2000)],
    version: Annotated[int, Form()],
) -> Response:
    """ECS-2.2: a reviewer's judgement on one item, from the case page."""
    return _form_action(
        request,
        case_id,
        ctx,
        actor,
        lambda session: licensing.review_item(
            session,
            ctx,
            _signed(actor),
            case_id,
            item=item,
            status=status,
            note=note,
            expected_version=version,
        ),
    )


@router.post("/console/cases/{case_id}/transitions", response_class=HTMLResponse)
def case_transition(
    request: Request,
    case_id: int,
    ctx: ContextDep,
    actor: FormActor,
    transition: Annotated[str, Form(max_length=64)],
    version: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """SYS-1: take a transition from the case page."""
    return _form_action(
        request,
        case_id,
        ctx,
        actor,
        lambda session: cases.transition(
            session,
            ctx,
            _signed(actor),
            case_id,
            transition,
            expected_version=version,
            reason=reason,
        ),
    )


def _complaint_form(
    request: Request, session: Session, actor: Actor | None, status: int = 200, **values: Any
) -> HTMLResponse:
    providers = [
        (party.id, party.name, party.name_en)
        for party in session.scalars(
            select(Party).where(Party.kind == PartyKind.CA).order_by(Party.name)
        )
    ]
    values.setdefault("form", {})
    return _page(request, "complaint.html", status, actor=actor, providers=providers, **values)


@router.get("/complaints", response_class=HTMLResponse)
def complaint_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """ECS-5.1: the public complaint form (no login)."""
    return _complaint_form(request, session, actor)


@router.post("/complaints", response_class=HTMLResponse)
async def complaint_submit(request: Request, ctx: ContextDep) -> Response:
    """ECS-5.1: file the form's complaint through the same use case as the API, rate-limited
    like it; refusals re-render the form with the reason and the text typed."""
    form = await request.form()
    values = {key: str(form.get(key) or "").strip() for key in FORM_FIELDS}
    body: dict[str, Any] = {"subject": values["subject"], "description": values["description"]}
    if values["ca_party_id"].isdigit():
        body["ca_party_id"] = int(values["ca_party_id"])
    if values["ca_name"]:
        body["ca_name"] = values["ca_name"]
    if values["name"]:
        body["complainant"] = {"name": values["name"]}
        if values["contact"]:
            body["complainant"]["contact"] = values["contact"]
    upload = form.get("evidence")
    if isinstance(upload, StarletteUpload) and upload.filename:
        content = await upload.read(ctx.settings.complaint_evidence_max_bytes + 1)
        body["evidence"] = [
            {
                "filename": upload.filename,
                "content_base64": base64.b64encode(content).decode("ascii"),
                "media_type": upload.content_type or "application/octet-stream",
            }
        ]
    return await run_in_threadpool(_file_from_form, request, ctx, body, values)


FORM_FIELDS = ("ca_party_id", "ca_name", "subject", "description", "name", "contact")


def _file_from_form(
    request: Request, ctx: Context, body: dict[str, Any], values: dict[str, str]
) -> Response:
    limiter = complaint_limiter(request, ctx)
    client = request.client.host if request.client else "unknown"
    with unit_of_work(ctx.sessions, readonly=True) as session:
        actor = _page_actor(request, session, ctx)
        if not limiter.allow(client):
            return _complaint_form(
                request,
                session,
                actor,
                429,
                error=f"at most {limiter.limit} complaints in {int(limiter.window)} seconds",
                form=values,
            )
    try:
        with unit_of_work(ctx.sessions) as session:
            filed = complaints.file_complaint(session, ctx, body)
            code = filed.tracking_code
            found = complaints.public_status(session, code)
    except CertgovError as exc:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _complaint_form(request, session, actor, 422, error=exc.message, form=values)
    return _page(request, "complaint_status.html", 201, actor=actor, code=code, complaint=found)


@router.get("/complaints/status", response_class=HTMLResponse)
def complaint_status_page(
    request: Request, session: SessionDep, actor: PageActor, code: str = ""
) -> Response:
    """ECS-5.1: a complaint's public status by its tracking code."""
    code = code.strip()[:100]
    if not code:
        return _page(request, "complaint_status.html", actor=actor, code=None, complaint=None)
    try:
        found = complaints.public_status(session, code)
    except CertgovError as exc:
        return _page(
            request,
            "complaint_status.html",
            404,
            actor=actor,
            code=None,
            complaint=None,
            error=exc.message,
        )
    return _page(request, "complaint_status.html", actor=actor, code=None, complaint=found)
