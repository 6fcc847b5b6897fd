"""Rule sets side by side at ``/console/rules`` (issue 17; SYS-2): per regime, every parameter
of every rule set with its value, source and ``assumed`` flag, the set in force today, the
activations on record, and (national regulator) the activation of a set from a date with a
reason. Officials read; the parties and the public are refused (the rule sets' files are
public in the repository, but this page is part of the console).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import REGULATORS, Actor, Role
from certgov.clock import china_date
from certgov.context import Context
from certgov.errors import CertgovError, InvalidInput, NotFound
from certgov.http.deps import ContextDep, SessionDep
from certgov.i18n import N_, translate
from certgov.i18n.extract import RULE_TEXT_LISTS
from certgov.rulebook import services as rulebook
from certgov.rulebook.models import RuleSetActivation
from certgov.rules.model import (
    ClauseTable,
    Parameter,
    ParameterKind,
    Regime,
    RuleSet,
    Violation,
)
from certgov.store.engine import unit_of_work
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

READERS = REGULATORS | {Role.CERTIFICATION_BODY, Role.TESTING_AGENCY}
REGIME_TITLES = {
    Regime.ECS.value: N_("Electronic certification services"),
    Regime.APP.value: N_("App security certification"),
}
STATUS_TITLES = {
    "in_force": N_("In force"),
    "draft": N_("Draft"),
    "superseded": N_("Superseded"),
}
#: At most this many items of a list parameter are shown in a cell.
LIST_ITEMS_SHOWN = 8


def _refused(request: Request) -> Response:
    lang = language_of(request)
    return error_page(request, 403, [translate(lang, "The rule sets page is for officials.")])


#: A part of a line of a parameter's value: ``("text", words)`` a text of the rule set said in
#: the reader's language (:data:`RULE_TEXT_LISTS`, titles, legal bases), ``("code", words)`` a
#: value, code or name shown as it is written, ``("mark", words)`` punctuation.
Part = tuple[str, str]


def value_lines(parameter: Parameter) -> list[tuple[Part, ...]]:
    """A parameter's value as lines of parts (a list one item a line; a violation its title
    and legal basis; a clause table one finding a line)."""
    value = parameter.value
    if parameter.kind is ParameterKind.VIOLATIONS and isinstance(value, tuple):
        return [
            (("text", v.title), ("mark", " ("), ("text", v.basis), ("mark", ")"))
            for v in value
            if isinstance(v, Violation)
        ]
    if isinstance(value, ClauseTable):
        return [
            (
                ("text", row.title),
                ("mark", " "),
                ("code", f"({row.kind}: GB/T 35273 {row.gbt35273_clause}; {row.methods_item})"),
            )
            for row in value.rows
        ]
    if isinstance(value, tuple):
        kind = "text" if parameter.key in RULE_TEXT_LISTS else "code"
        return [((kind, str(item)),) for item in value]
    if isinstance(value, bool):
        return [(("code", "true" if value else "false"),)]
    return [(("code", str(value)),)]


def comparison(rule_sets: list[RuleSet]) -> list[dict[str, Any]]:
    """The rows of the side-by-side table: each parameter key once, with each set's cell
    (None where a set lacks it) and whether the sets differ on it."""
    keys: list[str] = []
    for rule_set in rule_sets:
        keys.extend(k for k in rule_set.parameters if k not in keys)
    rows = []
    for key in keys:
        cells: list[dict[str, Any] | None] = []
        for rule_set in rule_sets:
            parameter = rule_set.parameters.get(key)
            if parameter is None:
                cells.append(None)
                continue
            lines = value_lines(parameter)
            cells.append(
                {
                    "lines": lines[:LIST_ITEMS_SHOWN],
                    "more": max(len(lines) - LIST_ITEMS_SHOWN, 0),
                    "source": parameter.source,
                    "assumed": parameter.assumed,
                    "note": parameter.note,
                    "requirements": parameter.requirements,
                }
            )
        shown = {tuple(c["lines"]) if c else None for c in cells}
        rows.append({"key": key, "cells": cells, "differs": len(shown) > 1})
    return rows


def _regimes(
    session: Session,
    ctx: Context,
    day: dt.date,
    activated: Mapping[str, dt.date],
    show_all: bool,
) -> list[dict[str, Any]]:
    out = []
    for regime in Regime:
        sets = sorted(
            (r for r in ctx.rule_sets.values() if r.regime == regime),
            key=lambda r: (r.effective_from or dt.date.max, r.id),
        )
        if not sets:
            continue
        try:
            current: str | None = rulebook.in_force(session, ctx.rule_sets, regime, day).id
        except (NotFound, CertgovError):
            current = None
        rows = comparison(sets)
        # Several sets: by default only where they differ (the whole table is thousands of
        # pixels high); one set: every parameter, folded.
        differing = [row for row in rows if row["differs"]] if len(sets) > 1 else rows
        out.append(
            {
                "regime": regime.value,
                "sets": sets,
                "in_force": current,
                "activated": {r.id: activated.get(r.id) for r in sets},
                "rows": rows if show_all else differing,
                "total": len(rows),
                "differing": len(differing) if len(sets) > 1 else None,
            }
        )
    return out


def _page(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor,
    status: int = 200,
    error: str | None = None,
) -> Response:
    day = china_date(ctx.clock.now())
    show_all = request.query_params.get("show") == "all"
    activated = rulebook.activations(session)
    history = list(
        session.scalars(
            select(RuleSetActivation).order_by(RuleSetActivation.activated_at.desc()).limit(50)
        )
    )
    return render(
        request,
        "console/rules.html",
        status=status,
        actor=actor,
        regimes=_regimes(session, ctx, day, activated, show_all),
        show_all=show_all,
        regime_titles=REGIME_TITLES,
        status_titles=STATUS_TITLES,
        history=history,
        may_activate=actor.role is Role.NATIONAL_REGULATOR,
        all_sets=sorted(ctx.rule_sets),
        today=day,
        error=error,
    )


@router.get("/console/rules", response_class=HTMLResponse)
def rules_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    if actor.role not in READERS:
        return _refused(request)
    return _page(request, session, ctx, actor)


@router.post("/console/rules/activations", response_class=HTMLResponse)
def activate(
    request: Request,
    ctx: ContextDep,
    actor: FormActor,
    rule_set: Annotated[str, Form(max_length=100)],
    effective_from: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    """SYS-2: the national regulator puts a rule set in force from a date, with a reason."""
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    if actor.role is not Role.NATIONAL_REGULATOR:
        lang = language_of(request)
        return error_page(
            request, 403, [translate(lang, "Rule sets are activated by the national regulator.")]
        )
    try:
        with unit_of_work(ctx.sessions) as session:
            try:
                day = dt.date.fromisoformat(effective_from.strip())
            except ValueError:
                raise InvalidInput(
                    "effective_from: a date (YYYY-MM-DD), not {value!r}",
                    value=effective_from[:12],
                ) from None
            if not reason.strip():
                raise InvalidInput("an activation needs a reason, recorded in the audit log")
            rulebook.activate(
                session,
                ctx.audit,
                ctx.rule_sets,
                signed_in(actor),
                rule_set,
                day,
                reason.strip(),
            )
    except CertgovError as refused:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _page(
                request,
                session,
                ctx,
                actor,
                status=422,
                error=page_error(language_of(request), refused),
            )
    return RedirectResponse("/console/rules#activations", status_code=303)
