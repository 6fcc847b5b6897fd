"""Who may see and act on which case (SYS-6, ECS-4.3)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, true

from certgov.actors import Actor, ActorKind, Role
from certgov.cases.models import Case
from certgov.rules.model import Regime


def can_view(actor: Actor, case: Case, regime: str) -> bool:
    """National regulators and the system see every case; a provincial regulator the CA
    cases of its province (not app certification); the certification body the app-certification cases; a testing agency
    the cases assigned to it; a CA or app operator its own; the public none."""
    if actor.kind is ActorKind.SYSTEM or actor.role is Role.NATIONAL_REGULATOR:
        return True
    if actor.role is Role.PROVINCIAL_REGULATOR:
        # Provincial regulators supervise CAs of their province (ECS-4.3); app certification
        # is the certification body's scheme, outside their remit (SYS-6).
        return regime != Regime.APP and case.jurisdiction == actor.jurisdiction
    if actor.role is Role.CERTIFICATION_BODY:
        return regime == Regime.APP
    if actor.role is Role.TESTING_AGENCY:
        return actor.party_id is not None and case.assignee_party_id == actor.party_id
    if actor.role in (Role.CA_OPERATOR, Role.APP_OPERATOR):
        return actor.party_id is not None and case.subject_party_id == actor.party_id
    return False


def visible_cases(actor: Actor, app_process_ids: set[str]) -> ColumnElement[bool]:
    """The SQL condition equivalent to :func:`can_view`, for listings."""
    if actor.kind is ActorKind.SYSTEM or actor.role is Role.NATIONAL_REGULATOR:
        return true()
    if actor.role is Role.PROVINCIAL_REGULATOR:
        provincial = Case.jurisdiction == actor.jurisdiction
        if app_process_ids:
            return and_(provincial, Case.process_id.not_in(sorted(app_process_ids)))
        return provincial
    if actor.role is Role.CERTIFICATION_BODY:
        return Case.process_id.in_(sorted(app_process_ids)) if app_process_ids else false()
    if actor.role is Role.TESTING_AGENCY and actor.party_id is not None:
        return Case.assignee_party_id == actor.party_id
    if actor.role in (Role.CA_OPERATOR, Role.APP_OPERATOR) and actor.party_id is not None:
        return Case.subject_party_id == actor.party_id
    return false()
