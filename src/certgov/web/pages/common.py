"""What every page shares: the router, the templates, the texts in both languages, the reader's language and the acting person."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from certgov.actors import Actor, Role
from certgov.clock import CHINA_TZ
from certgov.context import Context
from certgov.errors import Unauthenticated
from certgov.http.deps import SESSION_COOKIE, ContextDep, SessionDep, current_actor
from certgov.http.security import csrf_token
from certgov.store.engine import unit_of_work

router = APIRouter(include_in_schema=False)


templates = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))


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
        "login_throttled": "登录失败次数过多，请在 {seconds} 秒后再试。",
        "skip": "跳到正文",
        "simulated": "演示与培训环境：系统时间固定为 {now}，此处的记录不具法律效力。",
        "error_what": "出现的问题",
        "error_back": "返回首页",
        "error_400": "请求有误",
        "error_403": "无权访问",
        "error_404": "页面不存在",
        "error_405": "不支持该操作",
        "error_413": "上传的内容过大",
        "error_422": "填写的内容有误",
        "error_429": "操作过于频繁",
        "error_500": "系统出错",
        "error_not_found": "找不到您要的页面：{path}",
        "error_method": "该地址不支持此操作。",
        "error_internal": "系统出现意外错误，已记录，请稍后再试。",
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
        "login_throttled": "Too many failed logins: try again in {seconds} seconds.",
        "skip": "Skip to the content",
        "simulated": "Training and demonstration environment: the clock is fixed at {now}; nothing recorded here has legal effect.",
        "error_what": "What went wrong",
        "error_back": "Back to the home page",
        "error_400": "Bad request",
        "error_403": "Not allowed",
        "error_404": "Page not found",
        "error_405": "Not supported",
        "error_413": "Too large",
        "error_422": "Please correct the form",
        "error_429": "Too many requests",
        "error_500": "Something went wrong",
        "error_not_found": "There is no page at {path}",
        "error_method": "This address does not support that action.",
        "error_internal": "An unexpected error occurred; it has been logged. Please try again later.",
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


def language_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("certgov_lang") or "zh"
    return lang if lang in TEXT else "zh"


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
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": TEXT[lang],
            "lang": lang,
            "other_lang": "en" if lang == "zh" else "zh",
            "csrf_token": csrf_token(cookie)
            if (cookie := request.cookies.get(SESSION_COOKIE))
            else "",
            "simulated_now": _simulated_now(request),
            **values,
        },
        status_code=status,
    )
    if request.query_params.get("lang") in TEXT:
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


def error_page(request: Request, status: int, problems: list[str]) -> HTMLResponse:
    """An error answered as a page in the reader's language (404, 405, 422, 500 …), with the
    problems listed and a way back."""
    text = TEXT[language_of(request)]
    heading = text.get(f"error_{status}", text["error_500"])
    return render(
        request, "error.html", status, actor=None, heading=heading, problems=problems, back="/"
    )


def error_problems(request: Request, status: int, detail: str | None = None) -> list[str]:
    """The words of an HTTP error for a page."""
    text = TEXT[language_of(request)]
    if status == 404:
        return [text["error_not_found"].format(path=request.url.path)]
    if status == 405:
        return [text["error_method"]]
    if status >= 500:
        return [text["error_internal"]]
    return [detail or text.get(f"error_{status}", text["error_500"])]
