"""Enforcement cases and penalties (ECS-6): opened from a confirmed finding or a complaint,
decided against the rule set's violation catalogue, recorded and published.

Every function is one use case inside the caller's unit of work; none commits. The decision
itself is the ``decide`` transition of an ``ecs-enforcement`` case: its guard
(``penalty_decision_valid``) refuses outcomes the violation does not allow and fines outside
the range, and its effect :func:`record_penalty` stores the penalty and revokes the licence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import REGULATORS, Actor, ActorKind
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.enforcement import catalogue
from certgov.enforcement.models import Penalty
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.findings.models import Finding
from certgov.i18n import N_
from certgov.licensing import services as licensing
from certgov.parties.services import check_party_scope, get_ca
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime, RuleSet
from certgov.text import Term, Text

PROCESS = "ecs-enforcement"
_MAX_TEXT = 5000


def ecs_rules(session: Session, ctx: Context, day: dt.date | None = None) -> RuleSet:
    return in_force(session, ctx.rule_sets, Regime.ECS, day or china_date(ctx.clock.now()))


@dataclass(frozen=True)
class OpenEnforcement:
    party_id: int
    violation: str
    summary: str
    finding_id: int | None = None
    complaint_case_id: int | None = None


def open_enforcement(session: Session, ctx: Context, actor: Actor, new: OpenEnforcement) -> Case:
    """Open an ``ecs-enforcement`` case against a CA for a catalogue violation (ECS-6.2)."""
    if actor.kind is not ActorKind.SYSTEM and actor.role not in REGULATORS:
        raise Forbidden("a {role} may not open an enforcement case", role=Term("role", actor.role))
    party = get_ca(session, new.party_id)
    check_party_scope(actor, party, N_("open an enforcement case"))
    rule_set = ecs_rules(session, ctx)
    entry = catalogue.violation(rule_set, new.violation)
    data: dict[str, Any] = {
        "violation": entry.id,
        "violation_title": entry.title,
        "legal_basis": entry.basis,
        "summary": new.summary,
        "grounds": "finding" if new.finding_id else "complaint" if new.complaint_case_id else "",
    }
    if new.finding_id is not None:
        data["finding_id"] = new.finding_id
    if new.complaint_case_id is not None:
        data["complaint_case_id"] = new.complaint_case_id
    return cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=PROCESS,
            title=Text(
                "Enforcement: {violation} — {party}",
                violation=Term("message", entry.title),
                party=party.name,
            ),
            subject_party_id=party.id,
            data=data,
        ),
    )


def open_from_finding(
    session: Session, ctx: Context, actor: Actor, body: Mapping[str, Any]
) -> Case:
    """A regulator confirms a finding as a violation of the catalogue and opens the
    enforcement case (ECS-6.2): ``{"finding_id", "violation", "summary"}`` — or, without a
    finding, ``{"party_id", "violation", "summary"}``."""
    strict_json.json_object(body, "", ("violation", "summary"), ("finding_id", "party_id"))
    summary = strict_json.text(body.get("summary"), "summary", limit=_MAX_TEXT).strip()
    finding_id = body.get("finding_id")
    if finding_id is not None:
        finding_id = strict_json.whole_number(finding_id, "finding_id", minimum=1)
        finding = session.get(Finding, finding_id)
        if finding is None:
            raise NotFound("no finding with id {finding}", finding=finding_id)
        if finding.party_id is None:
            raise InvalidInput(
                "finding {finding} names no party to act against", finding=finding_id
            )
        party_id = finding.party_id
        if body.get("party_id") not in (None, party_id):
            raise InvalidInput(
                "party_id: finding {finding} is about party {party}",
                details={"field": "party_id"},
                finding=finding_id,
                party=party_id,
            )
    else:
        party_id = strict_json.whole_number(body.get("party_id"), "party_id", minimum=1)
    case = open_enforcement(
        session,
        ctx,
        actor,
        OpenEnforcement(
            party_id=party_id,
            violation=str(body.get("violation")) if isinstance(body.get("violation"), str) else "",
            summary=summary,
            finding_id=finding_id,
        ),
    )
    if finding_id is not None:
        ctx.audit.record(
            session,
            actor,
            "finding.confirmed",
            case_id=case.id,
            subject={"finding": finding_id, "violation": case.data["violation"]},
            reason=summary,
        )
    return case


def record_penalty(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of ``decide``: the penalty enters the record (and the CA's credit, ECS-7.1); a
    revocation revokes the licence and opens the forced exit (ECS-7.2)."""
    if case.subject_party_id is None:
        raise InvalidInput("case {case} names no CA", case=case.id)
    rule_set = ctx.rule_sets[case.rule_set_ids[0]]
    entry = catalogue.violation(rule_set, case.data.get("violation"))
    decision = catalogue.parse_decision(case.data)
    now = ctx.clock.now()
    penalty = Penalty(
        case_id=case.id,
        party_id=case.subject_party_id,
        jurisdiction=case.jurisdiction,
        violation_id=entry.id,
        violation_title=entry.title,
        legal_basis=entry.basis,
        outcomes=list(decision.outcomes),
        fine_yuan=decision.fine_yuan,
        illegal_gains_yuan=decision.illegal_gains_yuan,
        reasons=reason or "",
        rule_set_id=rule_set.id,
        decided_at=now,
        decided_on=china_date(now),
        decided_by=actor.name,
    )
    session.add(penalty)
    session.flush()
    if catalogue.REVOCATION in decision.outcomes:
        live = licensing.live_licence(session, case.subject_party_id)
        if live is None:
            raise Conflict("the CA holds no valid or suspended licence to revoke")
        licensing.change_status(
            session,
            ctx,
            actor,
            live.number,
            "revoke",
            reason=f"penalty decision of case {case.id} ({entry.id}): {reason}",
            expected_version=None,
        )
        # The forced exit that follows (ECS-7.2) is the credit domain's effect
        # ``open_forced_exit``, listed after this one in the process file.
        penalty.licence_number = live.number
    ctx.audit.record(
        session,
        actor,
        "penalty.decided",
        at=now,
        case_id=case.id,
        subject={"party": penalty.party_id, "violation": entry.id},
        after=decision.as_dict(),
        reason=reason,
    )
    case.data = {**case.data, "penalty_id": penalty.id}


def publish_penalty(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of ``publish``: the penalty becomes public (SYS-4, ECS-7.1)."""
    penalty = session.scalar(select(Penalty).where(Penalty.case_id == case.id))
    if penalty is None:
        raise Conflict("case {case} has no penalty to publish", case=case.id)
    penalty.published_at = ctx.clock.now()
    ctx.audit.record(
        session,
        actor,
        "penalty.published",
        case_id=case.id,
        subject={"party": penalty.party_id, "penalty": penalty.id},
        reason=reason,
    )


def published_penalties(session: Session, party_id: int | None = None) -> list[Penalty]:
    """Published penalties, newest first (public, SYS-4)."""
    query = select(Penalty).where(Penalty.published_at.is_not(None))
    if party_id is not None:
        query = query.where(Penalty.party_id == party_id)
    return list(session.scalars(query.order_by(Penalty.decided_at.desc(), Penalty.id.desc())))


def enforcement_view(session: Session, ctx: Context, actor: Actor, case_id: int) -> dict[str, Any]:
    """What an enforcement case is about, for its case page (ECS-6.2): the violation with its
    legal basis, the outcomes allowed and the fine range from the catalogue of the rule set
    the case is judged under, and the penalty once decided."""
    case = cases.get_case(session, ctx, actor, case_id)
    if case.process_id != PROCESS:
        raise NotFound("case {case} is not an enforcement case", case=case_id)
    rule_set = ctx.rule_sets[case.rule_set_ids[0]]
    entry = catalogue.violation(rule_set, case.data.get("violation"))
    fixed = catalogue.fine_range(rule_set, entry, None)
    gains_rule = None
    if entry.gains_threshold and entry.gains_multiplier:
        multiplier = rule_set.int_range(entry.gains_multiplier)
        gains_rule = {
            "threshold_yuan": rule_set.money(entry.gains_threshold).amount,
            "multiplier_low": multiplier.low,
            "multiplier_high": multiplier.high,
        }
    penalty = session.scalar(select(Penalty).where(Penalty.case_id == case.id))
    return {
        "rule_set": rule_set.id,
        "violation": entry.id,
        "violation_title": entry.title,
        "legal_basis": entry.basis,
        "summary": case.data.get("summary", ""),
        "grounds": case.data.get("grounds", ""),
        "finding_id": case.data.get("finding_id"),
        "complaint_case_id": case.data.get("complaint_case_id"),
        "outcomes": list(entry.outcomes),
        "fine_range": {"low": fixed.low.amount, "high": fixed.high.amount} if fixed else None,
        "gains_rule": gains_rule,
        "penalty": {
            "outcomes": list(penalty.outcomes),
            "fine_yuan": penalty.fine_yuan,
            "illegal_gains_yuan": penalty.illegal_gains_yuan,
            "reasons": penalty.reasons,
            "decided_on": penalty.decided_on,
            "decided_by": penalty.decided_by,
            "published_at": penalty.published_at,
            "licence_number": penalty.licence_number,
        }
        if penalty
        else None,
    }
