"""Licence applications (ECS-2.1, ECS-2.2): submitted, judged item by item under the rule set
in force on the application date, and reviewed on the ``ca-licence-application`` process (its
45-day decision clock starts at acceptance and stops while documents are requested)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs import Evaluation, evaluate, parse_application
from certgov.errors import Forbidden, InvalidInput, NotFound
from certgov.identity.roles import Actor, Role
from certgov.registry.models import Party, PartyKind
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime

PROCESS = "ca-licence-application"


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
    party = session.get(Party, party_id)
    if party is None:
        raise NotFound(f"no party with id {party_id}")
    if party.kind is not PartyKind.CA:
        raise InvalidInput(f"party {party.id} is a {party.kind}, not a CA")
    application = parse_application(dict(application_json))
    if party.uscc is not None and application.legal_person.uscc != party.uscc:
        raise InvalidInput(
            f"the application names USCC {application.legal_person.uscc}, but the applicant "
            f"{party.name} is registered with {party.uscc}",
            details={"field": "legal_person.uscc"},
        )
    day = china_date(ctx.clock.now())
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, day)
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
