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
            f"the application names USCC {application.legal_person.uscc}, but the applicant "
            f"{party.name} is registered with {party.uscc}",
            details={"field": "legal_person.uscc"},
        )
    live = live_licence(session, party.id)
    if live is not None:
        raise Conflict(
            f"{party.name} already holds licence {live.number} ({live.status}, valid until "
            f"{live.valid_until.isoformat()})",
            hint="apply for its renewal or modification instead",
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
            or f"Licence application of {application.legal_person.name}",
            subject_party_id=party.id,
            relevant_date=day,
            data={"application": application.as_dict(), "evaluation": evaluation.as_dict()},
        ),
    )
    return Submitted(case, evaluation)


def _application_case(session: Session, ctx: Context, actor: Actor, case_id: int) -> Case:
    case = cases.get_case(session, ctx, actor, case_id)
    if case.process_id != PROCESS:
        raise NotFound(f"case {case_id} is not a licence application")
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
        raise Forbidden(f"a {actor.role} may not judge an application's items")
    case = _application_case(session, ctx, actor, case_id)
    if case.state not in REVIEW_STATES:
        raise Conflict(
            f"items are judged during review ({', '.join(sorted(REVIEW_STATES))}); "
            f"case {case.id} is {case.state}"
        )
    note = (note or "").strip()
    if not note:
        raise InvalidInput("a judgement needs a note saying what the reviewer saw")
    if len(note) > MAX_TEXT:
        raise InvalidInput(f"the note is longer than {MAX_TEXT} characters")
    evaluation = case.data.get("evaluation")
    if not isinstance(evaluation, dict):
        raise Conflict(f"case {case.id} holds no evaluated application")
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
