"""The officials' work queue at ``/console`` (SYS-1, SYS-6): the cases an official may see,
filtered and counted, nearest deadline first, with "my cases" (the assignment itself is a form
on the case page, :mod:`certgov.web.pages.console`)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.cases import queue
from certgov.context import Context
from certgov.errors import CertgovError
from certgov.i18n import N_
from certgov.parties.models import Party
from certgov.web.pages.common import language_of, page_error, render

#: Page sizes a reader may choose.
PAGE_SIZES = (25, 50, 100)
#: Words of the queue's quick filters.
FLAG_TITLES = {
    "mine": N_("My cases"),
    "unassigned": N_("Not assigned"),
    "overdue": N_("Overdue"),
    "due_soon": N_("Due within 5 business days"),
}


def _int(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        return None


def queue_filter(request: Request) -> tuple[queue.QueueFilter, int, int]:
    """The filter, page and page size the query string asks for (unknown values ignored)."""
    q = request.query_params
    size = _int(q.get("size")) or PAGE_SIZES[0]
    return (
        queue.QueueFilter(
            process_id=q.get("process") or None,
            state=q.get("state") or None,
            province=q.get("province") or None,
            party_id=_int(q.get("party")),
            assigned=q.get("assigned") or None,
            overdue=q.get("overdue") == "1",
            due_within=_int(q.get("due_within")),
            include_closed=q.get("closed") == "1",
        ),
        max(_int(q.get("page")) or 1, 1),
        size if size in PAGE_SIZES else PAGE_SIZES[0],
    )


def _link(request: Request, **changes: object) -> str:
    """This queue's URL with some parameters changed (None removes one); back to page 1."""
    params = {k: v for k, v in request.query_params.items() if k not in ("lang",)}
    params.pop("page", None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "/console" + (f"?{urlencode(params)}" if params else "")


def work_queue_page(request: Request, session: Session, ctx: Context, actor: Actor) -> Response:
    """The work queue of an official."""
    flt, page, size = queue_filter(request)
    error = None
    try:
        result = queue.work_queue(session, ctx, actor, flt, page=page, page_size=size)
    except CertgovError as refused:
        error = page_error(language_of(request), refused)
        flt = queue.QueueFilter()
        result = queue.work_queue(session, ctx, actor, flt, page=1, page_size=size)
    party_ids = {int(k) for k in result.counts.get("party", {}) if k.isdigit()}
    party_ids |= {r.case.subject_party_id for r in result.rows if r.case.subject_party_id}
    parties = (
        {p.id: p.name for p in session.scalars(select(Party).where(Party.id.in_(party_ids)))}
        if party_ids
        else {}
    )
    pages = {
        "previous": _link(request, page=page - 1) if page > 1 else None,
        "next": _link(request, page=page + 1) if page < result.pages else None,
    }
    return render(
        request,
        "console/queue.html",
        status=422 if error else 200,
        actor=actor,
        queue=result,
        flt=flt,
        processes=ctx.processes,
        parties=parties,
        flag_titles=FLAG_TITLES,
        links={
            "mine": _link(request, assigned="me"),
            "unassigned": _link(request, assigned="unassigned"),
            "overdue": _link(request, overdue=1, due_within=None),
            "due_soon": _link(request, due_within=5, overdue=None),
            "all": "/console",
        },
        pages=pages,
        page_sizes=PAGE_SIZES,
        size=size,
        error=error,
    )
