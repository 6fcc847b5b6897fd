"""The CA's withdrawal pages (ECS-7.3): the declaration that it will cease its service (the
report and the notice to parties judged against their days before the cessation), the offer of
its business to another CA, the handover's progress, and, for the CA the business is offered
to, the answer and its own handover reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.cases import services as cases
from certgov.context import Context
from certgov.credit import withdrawal
from certgov.credit.handover import remaining
from certgov.errors import CertgovError, Conflict
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.licensing import services as licensing
from certgov.parties.models import Party, PartyKind
from certgov.parties.services import list_parties
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime
from certgov.store.engine import unit_of_work
from certgov.web.pages.common import FormActor, PageActor, language_of, page_error, router
from certgov.web.pages.self_service import (
    _guarded,
    or_not_found,
    page,
    party_of,
    state_title,
    today,
)


def _ca(actor: Actor | None) -> Actor | None:
    party = party_of(actor)
    return party if party is not None and party.role is Role.CA_OPERATOR else None


def _other_cas(session: Session, actor: Actor) -> list[Party]:
    """The CAs that could take over the business: licensed, not the actor's own."""
    return [
        p
        for p in list_parties(session, kind=PartyKind.CA)
        if p.id != actor.party_id and licensing.live_licence(session, p.id) is not None
    ]


def _withdrawal_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    own = cases.list_cases(session, ctx, actor, process_id=withdrawal.PROCESS, limit=20)
    mine = [c for c in own if c.subject_party_id == actor.party_id]
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, today(ctx))
    values.setdefault("form", {})
    return page(
        request,
        session,
        "self/withdrawal.html",
        actor,
        status,
        exits=[(c, state_title(ctx, c)) for c in mine],
        open_exit=next((c for c in mine if not c.closed), None),
        received=[
            (c, state_title(ctx, c))
            for c in withdrawal.exits_received(session, actor.party_id or 0)
        ],
        licence=licensing.live_licence(session, actor.party_id or 0),
        others=_other_cas(session, actor),
        report_days=rule_set.duration("cessation_report_to_regulator").amount,
        notice_days=rule_set.duration("cessation_notice_to_parties").amount,
        today=today(ctx),
        **values,
    )


@router.get("/self/withdrawal", response_class=HTMLResponse)
def withdrawal_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """ECS-7.3: declare a withdrawal, or follow the exit under way."""

    def view(a: Actor) -> Response:
        if a.role is not Role.CA_OPERATOR:
            return RedirectResponse("/self", status_code=303)
        return _withdrawal_page(request, session, ctx, a)

    return _guarded(request, session, actor, view)


def _whole(text: str) -> int | None:
    cleaned = text.strip().replace(",", "")
    return int(cleaned) if cleaned.isdigit() else None


@router.post("/self/withdrawal", response_class=HTMLResponse)
def withdrawal_declare(
    request: Request,
    ctx: ContextDep,
    actor: FormActor,
    cessation_date: Annotated[str, Form(max_length=10)] = "",
    subscriber_certificates: Annotated[str, Form(max_length=20)] = "",
    parties_notified_on: Annotated[str, Form(max_length=10)] = "",
    receiving_party_id: Annotated[str, Form(max_length=12)] = "",
    records: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    party = _ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    form = {
        "cessation_date": cessation_date,
        "subscriber_certificates": subscriber_certificates,
        "parties_notified_on": parties_notified_on,
        "receiving_party_id": receiving_party_id,
        "records": records,
    }
    count = _whole(subscriber_certificates)
    problem = None
    if count is None:
        problem = N_("Give the number of valid subscriber certificates as a whole number.")
    else:
        body: dict[str, Any] = {"cessation_date": cessation_date, "subscriber_certificates": count}
        if parties_notified_on:
            body["parties_notified_on"] = parties_notified_on
        if receiving_party_id.isdigit():
            body["receiving_party_id"] = int(receiving_party_id)
        if records.strip():
            body["records"] = records.strip()
        try:
            with unit_of_work(ctx.sessions) as session:
                case, _findings = withdrawal.declare_withdrawal(session, ctx, party, body)
                case_id = case.id
        except CertgovError as error:
            field = str((error.details or {}).get("field", ""))
            if isinstance(error, Conflict):
                problem = (
                    N_("An exit is already under way: follow it below.")
                    if "already open" in error.message
                    else N_("You hold no valid licence to withdraw from.")
                )
            else:
                problem = {
                    "cessation_date": N_("Give the day you will cease the service: after today."),
                    "parties_notified_on": N_(
                        "Give the day you notified your subscribers and relying parties; it "
                        "cannot be in the future."
                    ),
                }.get(
                    field,
                    N_("Give the day you will cease the service and the number of certificates."),
                )
    if problem is not None:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _withdrawal_page(
                request, session, ctx, party, 422, form=form, error=translate(lang, problem)
            )
    return RedirectResponse(f"/self/withdrawal/{case_id}", status_code=303)


# --- one exit ------------------------------------------------------------------------------------


def blockers_in_words(data: dict[str, Any], day: dt.date, lang: str) -> list[str]:
    """What still stands between the exit and its end, in words (``handover_blockers``)."""
    words = []
    handover = data.get("handover") or {}
    if not isinstance(data.get("receiving"), dict):
        words.append(
            translate(
                lang,
                "No receiving CA yet: one must accept the business, or the regulator designates one.",
            )
        )
    left = remaining(handover)
    if left is None:
        words.append(translate(lang, "The number of subscriber certificates is not reported."))
    elif left > 0:
        words.append(
            translate(
                lang, "{left} of {total} subscriber certificates are neither migrated nor revoked."
            ).format(left=left, total=handover.get("subscriber_certificates"))
        )
    if handover.get("records_transferred") is not True:
        words.append(translate(lang, "The records are not yet transferred to the receiving CA."))
    cessation = data.get("cessation_date")
    if (
        data.get("kind") == "voluntary"
        and isinstance(cessation, str)
        and day < dt.date.fromisoformat(cessation)
    ):
        words.append(translate(lang, "The declared day of cessation has not come."))
    return words


def _exit_page(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    status: int = 200,
    **values: Any,
) -> Response:
    case = withdrawal.exit_case(session, ctx, actor, case_id)
    data = dict(case.data)
    leaving = case.subject_party_id == actor.party_id
    names = {p.id: p.name for p in list_parties(session, kind=PartyKind.CA)}
    handover = data.get("handover") or {}
    return page(
        request,
        session,
        "self/exit.html",
        actor,
        status,
        case=case,
        data=data,
        state=state_title(ctx, case),
        leaving=leaving,
        offered_to_me=data.get("offered_to") == actor.party_id and not data.get("receiving"),
        offered_name=names.get(data.get("offered_to") or 0),
        handover=handover,
        left=remaining(handover),
        blockers=[] if case.closed else blockers_in_words(data, today(ctx), language_of(request)),
        others=[p for p in _other_cas(session, actor) if p.id != case.subject_party_id],
        leaving_name=names.get(case.subject_party_id or 0, ""),
        history=list(cases.history(session, case)),
        **values,
    )


@router.get("/self/withdrawal/{case_id}", response_class=HTMLResponse)
def exit_page(
    request: Request, case_id: PathId, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    def view(a: Actor) -> Response:
        return or_not_found(
            request, session, a, lambda: _exit_page(request, session, ctx, a, case_id)
        )

    return _guarded(request, session, actor, view)


def _exit_action(
    request: Request, ctx: Context, actor: Actor | None, case_id: int, action: Any, message: str
) -> Response:
    party = _ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    try:
        with unit_of_work(ctx.sessions) as session:
            action(session, party)
    except CertgovError:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            try:
                return _exit_page(
                    request, session, ctx, party, case_id, 422,
                    error=translate(language_of(request), message),
                )  # fmt: skip
            except CertgovError as hidden:
                return page(
                    request,
                    session,
                    "not_found.html",
                    party,
                    404,
                    what=page_error(language_of(request), hidden),
                )
    return RedirectResponse(f"/self/withdrawal/{case_id}", status_code=303)


@router.post("/self/withdrawal/{case_id}/handover", response_class=HTMLResponse)
def handover_report(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    migrated: Annotated[str, Form(max_length=20)] = "",
    revoked: Annotated[str, Form(max_length=20)] = "",
    records_transferred: Annotated[str, Form(max_length=4)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """ECS-7.3: the handover's running totals (migrated, revoked, records transferred)."""
    numbers = (_whole(migrated), _whole(revoked))

    def act(session: Session, a: Actor) -> None:
        if numbers[0] is None or numbers[1] is None:
            raise CertgovError("not whole numbers")
        body: dict[str, Any] = {"migrated": numbers[0], "revoked": numbers[1]}
        if records_transferred:
            body["records_transferred"] = True
        if version.isdigit():
            body["expected_version"] = int(version)
        withdrawal.report_handover(session, ctx, a, case_id, body)

    return _exit_action(
        request,
        ctx,
        actor,
        case_id,
        act,
        N_(
            "Give the running totals as whole numbers: they never go down, and migrated and "
            "revoked together cannot exceed the certificates to hand over."
        ),
    )


@router.post("/self/withdrawal/{case_id}/offer", response_class=HTMLResponse)
def offer_business(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    receiving_party_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """ECS-7.3: offer the business to another CA."""

    def act(session: Session, a: Actor) -> None:
        target = int(receiving_party_id) if receiving_party_id.isdigit() else 0
        withdrawal.offer(session, ctx, a, case_id, {"receiving_party_id": target})

    return _exit_action(
        request, ctx, actor, case_id, act, N_("Choose the CA to offer your business to.")
    )


@router.post("/self/withdrawal/{case_id}/answer", response_class=HTMLResponse)
def answer_offer(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    accept: Annotated[str, Form(max_length=8)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """ECS-7.3: the CA offered the business accepts or declines it."""

    def act(session: Session, a: Actor) -> None:
        body: dict[str, Any] = {"accept": accept == "yes"}
        if note.strip():
            body["note"] = note.strip()
        withdrawal.respond(session, ctx, a, case_id, body)

    return _exit_action(
        request,
        ctx,
        actor,
        case_id,
        act,
        N_("The offer could not be answered: it may have been answered already."),
    )
