"""The checklist form of an app certification case (issue 17; APP-3, APP-4, SYS-6): the
stage's assessor (the assigned testing agency in the technical verification, the certification
body on site) records met / not met / not applicable with a note per item, and attaches
evidence files per item (PDF or images, checked by content and size through
:mod:`certgov.uploads`). One multipart form, usable without JavaScript: every file is checked
before anything is written, and a refusal shows the form again with what was typed. The
evidence is downloaded by the certification body, the assigned agency and the national
regulator only, always as an attachment of an opaque type."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from certgov.actors import Actor
from certgov.appcert import applications, evidence, technical_verification
from certgov.appcert.base import rules_of
from certgov.appcert.checklist import checklist
from certgov.context import Context
from certgov.errors import CertgovError, Forbidden, InvalidInput
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import translate
from certgov.i18n.texts import MESSAGE, word
from certgov.store.engine import unit_of_work
from certgov.text import Term
from certgov.uploads import UploadRefused, check
from certgov.web.pages.common import (
    FormActor,
    PageActor,
    error_page,
    language_of,
    page_error,
    render,
    router,
    signed_in,
)
from certgov.web.pages.console import _case_page
from certgov.web.pages.self_service import upload_message

#: Rows of the checklist form read at most, and evidence files per submission.
MAX_ROWS = 64
MAX_FILES = 120


def results_body(
    items: list[str],
    results: list[str],
    notes: list[str],
    due: list[str],
    version: int,
    *,
    titles: dict[str, str] | None = None,
    with_files: bool = False,
) -> dict[str, Any]:
    """The service's body from the checklist form's rows: only the rows given a result; a
    result needs a note; a due day only for a deficient item. With evidence files, no row
    needs a result (the files alone are attached)."""
    if not (len(items) == len(results) == len(notes) == len(due)):
        raise InvalidInput("The checklist form was incomplete; please reload it.")
    entries: list[dict[str, Any]] = []
    for item, result, note, due_on in zip(items, results, notes, due, strict=True):
        if not result:
            continue
        if not note.strip():
            raise InvalidInput(
                "Item {item}: please write a note with the result.",
                item=(titles or {}).get(item, item),
                details={"field": "note-" + item},
            )
        entry: dict[str, Any] = {"item": item, "result": result, "note": note.strip()}
        if due_on.strip() and result == "deficient":
            entry["due_on"] = due_on.strip()
        entries.append(entry)
    if not entries and not with_files:
        raise InvalidInput("Choose a result for at least one item, or attach an evidence file.")
    return {"results": entries, "expected_version": version}


@router.post("/console/app/applications/{case_id}/results", response_class=HTMLResponse)
async def record_results(
    request: Request, case_id: PathId, ctx: ContextDep, actor: FormActor
) -> Response:
    """APP-3, APP-4: the stage's checklist results, with evidence files per item (multipart,
    ``evidence-<item>``); a deficient item opens a deficiency due by the day given or the rule
    set's remediation period. Every file is checked (type by content, size) before anything is
    written; a refusal shows the form again with what was typed."""
    form = await request.form()
    rows = {
        name: [str(v) for v in form.getlist(name) if isinstance(v, str)][:MAX_ROWS]
        for name in ("item", "result", "note", "due_on")
    }
    version = str(form.get("version") or "")
    files: list[tuple[str, str, bytes]] = []
    for key, value in form.multi_items():
        if (
            key.startswith("evidence-")
            and isinstance(value, StarletteUpload)
            and (value.filename or value.size)
            and len(files) < MAX_FILES
        ):
            data = await value.read(ctx.settings.upload_max_bytes + 1)
            files.append((key.removeprefix("evidence-")[:40], value.filename or "evidence", data))
    return await run_in_threadpool(
        _record_results, request, ctx, actor, case_id, rows, version, files
    )


def _item_titles(session: Session, ctx: Context, actor: Actor, case_id: int) -> dict[str, str]:
    """Each checklist item's title (a text of the rule set), to be said in the reader's words."""
    try:
        case, _application = applications.application_case(session, ctx, actor, case_id)
        return {item.code: Term(MESSAGE, item.title) for item in checklist(rules_of(ctx, case))}
    except CertgovError:
        return {}


def _record_results(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    case_id: int,
    rows: dict[str, list[str]],
    version: str,
    files: list[tuple[str, str, bytes]],
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    with unit_of_work(ctx.sessions, readonly=True) as session:
        titles = _item_titles(session, ctx, actor, case_id)
    typed = {
        code: {"result": result, "note": note, "due_on": due}
        for code, result, note, due in zip(
            rows["item"], rows["result"], rows["note"], rows["due_on"], strict=False
        )
    }
    checked: list[evidence.EvidenceIn] = []
    refused: list[Markup] = []
    for code, filename, data in files:
        try:
            checked.append(
                evidence.EvidenceIn(
                    code, check(data, filename, evidence.KINDS, ctx.settings.upload_max_bytes)
                )
            )
        except UploadRefused as error:
            refused.append(
                escape(translate(lang, "Item {item}: {problem}")).format(
                    item=word(titles.get(code, code), lang), problem=upload_message(error, lang)
                )
            )
    try:
        if refused:
            raise _Refused(Markup("<br>").join(refused))
        if not version.isdigit():
            raise InvalidInput("The checklist form was incomplete; please reload it.")
        body = results_body(
            rows["item"],
            rows["result"],
            rows["note"],
            rows["due_on"],
            int(version),
            titles=titles,
            with_files=bool(checked),
        )
        with unit_of_work(ctx.sessions) as session:
            technical_verification.record_results(
                session, ctx, signed_in(actor), case_id, body, checked
            )
    except (CertgovError, _Refused) as error:
        message = error.words if isinstance(error, _Refused) else page_error(lang, error)
        if files:
            message += Markup("<br>") + translate(
                lang, "Nothing was recorded. Choose the evidence files again and send the form."
            )
        with unit_of_work(ctx.sessions, readonly=True) as session:
            try:
                return _case_page(
                    request,
                    session,
                    ctx,
                    actor,
                    case_id,
                    error=message,
                    status=422,
                    app_typed=typed,
                )
            except Forbidden as hidden:
                return error_page(request, 403, [page_error(lang, hidden)])
            except CertgovError as hidden:
                return render(
                    request,
                    "not_found.html",
                    status=404,
                    actor=actor,
                    what=page_error(lang, hidden),
                )
    return RedirectResponse(f"/console/cases/{case_id}#checklist-heading", status_code=303)


class _Refused(Exception):
    """Files refused before anything was written, said in words already."""

    def __init__(self, words: Markup) -> None:
        super().__init__(str(words))
        self.words = words


@router.get("/console/app/applications/{case_id}/evidence/{evidence_id}")
def evidence_download(
    request: Request,
    case_id: PathId,
    evidence_id: PathId,
    ctx: ContextDep,
    session: SessionDep,
    actor: PageActor,
) -> Response:
    """APP-3 / APP-4: an evidence file of the checklist, for the certification body, the
    assigned testing agency and the national regulator (SYS-6), always as a download of an
    opaque type (never rendered by the browser)."""
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    try:
        _row, stored, content = evidence.evidence_file(session, ctx, actor, case_id, evidence_id)
    except Forbidden as refused:
        return error_page(request, 403, [page_error(lang, refused)])
    except CertgovError as missing:
        return render(
            request, "not_found.html", status=404, actor=actor, what=page_error(lang, missing)
        )
    ascii_name = (
        "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in stored.filename)
        or "evidence"
    )
    return Response(
        content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(stored.filename, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
