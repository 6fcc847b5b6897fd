"""Changes of a CA's business registration and their filing within the period (ECS-2.4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import SYSTEM_ACTOR, Actor, Role
from certgov.context import Context
from certgov.ecs.citation import cite
from certgov.errors import Conflict, InvalidInput
from certgov.findings.services import Problem, raise_finding
from certgov.history.dates import state_date
from certgov.i18n import N_
from certgov.licensing.models import (
    RegistrationChange,
)
from certgov.licensing.services.common import MAX_TEXT, china_today, ecs_rules
from certgov.parties.models import Party
from certgov.parties.services import check_party_scope, get_ca
from certgov.rules.model import RuleSet
from certgov.text import Term, Text


def _registration_item(rule_set: RuleSet, item: object) -> str:
    items = rule_set.items("registration_change_items")
    name = item.strip().replace("_", " ").lower() if isinstance(item, str) else None
    if name not in items:
        raise InvalidInput(
            "item: {item!r} is not a business-registration change to file",
            hint="one of: {items} ({citation})",
            details={"field": "item"},
            item=item,
            items=", ".join(items),
            citation=str(cite(rule_set, "registration_change_items")),
        )
    return name


def _late_problem(change: RegistrationChange, party: Party, rule_set_id: str) -> Problem:
    filed = change.filed_on
    item = Term("message", change.item)
    message = (
        Text(
            "The change of {item} registered on {changed_on} was due for filing by {due_on} "
            "({rule_set}: {parameter}); filed on {filed_on}, {late_by} day(s) after the last "
            "day.",
            item=item,
            changed_on=change.changed_on,
            due_on=change.due_on,
            rule_set=rule_set_id,
            parameter="registration_change_filing_period",
            filed_on=filed,
            late_by=(filed - change.due_on).days,
        )
        if filed
        else Text(
            "The change of {item} registered on {changed_on} was due for filing by {due_on} "
            "({rule_set}: {parameter}); not filed.",
            item=item,
            changed_on=change.changed_on,
            due_on=change.due_on,
            rule_set=rule_set_id,
            parameter="registration_change_filing_period",
        )
    )
    return Problem(
        code="registration-change-filed-late" if filed else "registration-change-not-filed",
        key=f"registration-change:{change.id}",
        severity="medium",
        title=Text(
            "Late business-registration change filing: {party} ({item})",
            party=party.name,
            item=item,
        ),
        message=message,
        requirement="ECS-2.4",
        party_id=party.id,
        jurisdiction=party.home_province,
        details={
            "change": change.id,
            "item": change.item,
            "changed_on": change.changed_on.isoformat(),
            "due_on": change.due_on.isoformat(),
            "filed_on": filed.isoformat() if filed else None,
        },
    )


@dataclass(frozen=True)
class ChangeRecorded:
    change: RegistrationChange
    finding_key: str | None


def record_registration_change(
    session: Session, ctx: Context, actor: Actor, party_id: int, body: Mapping[str, Any]
) -> ChangeRecorded:
    """File a business-registration change (the CA) or record one learnt of (a regulator),
    ECS-2.4. The filing is due ``registration_change_filing_period`` after the change (rolled
    to a business day, Civil Code Art. 203); a filing after that day is a finding."""
    party = get_ca(session, party_id)
    check_party_scope(actor, party, N_("file a business-registration change"))
    rule_set = ecs_rules(session, ctx, china_today(ctx))
    strict_json.json_object(
        body,
        "",
        (),
        ("item", "changed_on", "new_value", "old_value", "document_sha256", "filed_on"),
    )
    item = _registration_item(rule_set, body.get("item"))
    changed_on = strict_json.iso_date(body.get("changed_on"), "changed_on")
    today = china_today(ctx)
    if changed_on > today:
        raise InvalidInput(
            "changed_on {day} is in the future; file a change once it is registered",
            details={"field": "changed_on"},
            day=changed_on,
        )
    new_value = strict_json.text(body.get("new_value"), "new_value", limit=MAX_TEXT).strip()
    old_value = strict_json.optional_text(body.get("old_value"), "old_value", limit=MAX_TEXT)
    digest = body.get("document_sha256")
    if digest is not None:
        digest = strict_json.sha256_hex(digest, "document_sha256")
    period = rule_set.duration("registration_change_filing_period")
    due = ctx.calendar.add_calendar_days(changed_on, period.amount).due
    by_ca = actor.role is Role.CA_OPERATOR
    now = ctx.clock.now()
    # SYS-8: a regulator recording a filing that arrived on paper states the day it arrived.
    stated = (
        state_date(
            body["filed_on"],
            "filed_on",
            actor=actor,
            now=now,
            rule_set=rule_set,
            not_before=changed_on,
            what=N_("the change"),
        )
        if body.get("filed_on") is not None
        else None
    )
    change = session.scalar(
        select(RegistrationChange).where(
            RegistrationChange.party_id == party.id,
            RegistrationChange.item == item,
            RegistrationChange.changed_on == changed_on,
        )
    )
    if change is not None and (change.filed_at is not None or not by_ca):
        if change.filed_at is not None:
            raise Conflict(
                "the change of {item} of {day} is already recorded (#{change}, filed)",
                item=item,
                day=changed_on,
                change=change.id,
            )
        raise Conflict(
            "the change of {item} of {day} is already recorded (#{change})",
            item=item,
            day=changed_on,
            change=change.id,
        )
    if change is None:
        change = RegistrationChange(
            party_id=party.id,
            item=item,
            old_value=old_value if old_value is not None else _current_value(party, item),
            new_value=new_value,
            changed_on=changed_on,
            due_on=due,
            rule_set_id=rule_set.id,
            recorded_at=now,
            recorded_by=actor.name,
        )
        session.add(change)
    if stated is not None:
        change.filed_at = now
        change.filed_on = stated.day
        change.filed_on_stated_by = stated.stated_by
        change.late = stated.day > change.due_on
        change.document_sha256 = digest
    if by_ca:
        change.new_value = new_value
        change.filed_at = now
        change.filed_on = today
        change.late = today > change.due_on
        change.document_sha256 = digest
        if item == "name":
            party.name = new_value
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "registration_change.filed" if by_ca else "registration_change.recorded",
        subject={"party": party.id, "change": change.id, "item": item},
        after={"value": new_value, "changed_on": changed_on.isoformat()},
        details={
            "due_on": change.due_on.isoformat(),
            "late": change.late,
            **({"filed_on": stated.as_dict()} if stated is not None else {}),
        },
    )
    key = None
    if change.late:
        key = raise_finding(
            session, ctx, actor, _late_problem(change, party, rule_set.id)
        ).dedup_key
    return ChangeRecorded(change, key)


def _current_value(party: Party, item: str) -> str | None:
    return party.name if item == "name" else None


def registration_changes(session: Session, party_id: int) -> list[RegistrationChange]:
    return list(
        session.scalars(
            select(RegistrationChange)
            .where(RegistrationChange.party_id == party_id)
            .order_by(RegistrationChange.changed_on, RegistrationChange.id)
        )
    )


def sweep_registration_changes(session: Session, ctx: Context) -> list[str]:
    """Worker job (ECS-2.4, ECS-4.2): a recorded change still unfiled after its last day is a
    finding. Returns the finding keys raised."""
    today = china_today(ctx)
    keys = []
    for change in session.scalars(
        select(RegistrationChange).where(
            RegistrationChange.filed_at.is_(None), RegistrationChange.due_on < today
        )
    ):
        party = get_ca(session, change.party_id)
        problem = _late_problem(change, party, change.rule_set_id)
        keys.append(raise_finding(session, ctx, SYSTEM_ACTOR, problem).dedup_key)
    return keys
