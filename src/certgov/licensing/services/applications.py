"""Licence applications (ECS-2.1, ECS-2.2): submission judged on arrival, the evaluation and reviewers' judgements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.context import Context
from certgov.ecs import Evaluation, evaluate, parse_application
from certgov.ecs.review import check_judgement, with_reviews
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.licensing.models import (
    Licence,
)
from certgov.licensing.services.common import MAX_TEXT, PROCESS, china_today, ecs_rules
from certgov.licensing.services.licences import live_licence
from certgov.parties.services import get_ca
from certgov.text import Term, Text


@dataclass(frozen=True)
class Submitted:
    case: Case
    evaluation: Evaluation


def submit_application(
    session: Session,
    ctx: Context,
    actor: Actor,
    application_json: Mapping[str, Any],
    *,
    party_id: int | None = None,
    title: str | None = None,
) -> Submitted:
    """Open a licence application case for the applicant with its evaluation (ECS-2.1).

    A CA operator applies for its own organisation; the application's USCC must be the
    organisation's. The evaluation is stored with the case and shown item by item; an
    application with unmet items is still received (the review decides), as the law requires
    a decision on every application.
    """
    if actor.role is not Role.CA_OPERATOR:
        raise Forbidden("a CA operator submits its own licence application")
    party_id = party_id if party_id is not None else actor.party_id
    if party_id != actor.party_id:
        raise Forbidden("you may apply only for your own organisation")
    if party_id is None:
        raise Forbidden("your credentials name no organisation")
    party = get_ca(session, party_id)
    application = parse_application(dict(application_json))
    if party.uscc is not None and application.legal_person.uscc != party.uscc:
        raise InvalidInput(
            "the application names USCC {uscc}, but the applicant {party} is registered with "
            "{registered}",
            details={"field": "legal_person.uscc"},
            uscc=application.legal_person.uscc,
            party=party.name,
            registered=party.uscc,
        )
    live = live_licence(session, party.id)
    if live is not None:
        raise Conflict(
            "{party} already holds licence {number} ({status}, valid until {valid_until})",
            hint="apply for its renewal or modification instead",
            party=party.name,
            number=live.number,
            status=Term("licence_status", live.status),
            valid_until=live.valid_until,
        )
    day = china_today(ctx)
    rule_set = ecs_rules(session, ctx, day)
    evaluation = evaluate(application, rule_set)
    case = cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=PROCESS,
            title=(title or "").strip()
            or Text("Licence application of {name}", name=application.legal_person.name),
            subject_party_id=party.id,
            relevant_date=day,
            data={"application": application.as_dict(), "evaluation": evaluation.as_dict()},
        ),
    )
    return Submitted(case, evaluation)


def _application_case(session: Session, ctx: Context, actor: Actor, case_id: int) -> Case:
    case = cases.get_case(session, ctx, actor, case_id)
    if case.process_id != PROCESS:
        raise NotFound("case {case} is not a licence application", case=case_id)
    return case


def application_view(session: Session, ctx: Context, actor: Actor, case_id: int) -> dict[str, Any]:
    """The application, its automatic evaluation with the reviewers' judgements, and what
    still stands between it and a grant (ECS-2.2)."""
    case = _application_case(session, ctx, actor, case_id)
    evaluation = case.data.get("evaluation")
    reviews = case.data.get("reviews") or {}
    licence = session.scalar(select(Licence).where(Licence.application_case_id == case.id))
    return {
        "case": {
            "id": case.id,
            "state": case.state,
            "version": case.version,
            "title": case.title,
            "closed": case.closed,
            "rule_sets": case.rule_set_ids,
        },
        "application": case.data.get("application"),
        "evaluation": with_reviews(evaluation, reviews) if isinstance(evaluation, dict) else None,
        "licence": licence.number if licence else None,
    }


#: Case states in which reviewers judge items.
REVIEW_STATES = frozenset({"document_review", "expert_evaluation", "onsite_evaluation"})


def review_item(
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    *,
    item: str,
    status: str,
    note: str,
    expected_version: int | None,
) -> Case:
    """A reviewer's judgement on one item of the evaluation, with a note (ECS-2.2)."""
    if actor.role not in (Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR):
        raise Forbidden(
            "a {role} may not judge an application's items", role=Term("role", actor.role)
        )
    case = _application_case(session, ctx, actor, case_id)
    if case.state not in REVIEW_STATES:
        raise Conflict(
            "items are judged during review ({states}); case {case} is {state}",
            states=", ".join(sorted(REVIEW_STATES)),
            case=case.id,
            state=cases.state_title(cases.process_of(ctx, case.process_id), case.state),
        )
    note = (note or "").strip()
    if not note:
        raise InvalidInput("a judgement needs a note saying what the reviewer saw")
    if len(note) > MAX_TEXT:
        raise InvalidInput("the note is longer than {most} characters", most=MAX_TEXT)
    evaluation = case.data.get("evaluation")
    if not isinstance(evaluation, dict):
        raise Conflict("case {case} holds no evaluated application", case=case.id)
    automatic = check_judgement(evaluation, item, status)
    review = {
        "status": status,
        "note": note,
        "by": actor.name,
        "role": actor.role.value,
        "at": ctx.clock.now().isoformat(),
        "stage": case.state,
        "automatic_status": automatic.get("status"),
    }
    reviews = {**(case.data.get("reviews") or {}), item: review}
    return cases.annotate(
        session,
        ctx,
        actor,
        case,
        "item_reviewed",
        changes={"reviews": reviews},
        expected_version=expected_version,
        reason=note,
        details={"item": item, "status": status, "automatic_status": automatic.get("status")},
    )
