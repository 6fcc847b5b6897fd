"""Reference data anyone may read: jurisdictions, code checks, calendar, rule sets, processes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Response

from certgov.api.schemas import ActivationIn
from certgov.ecs.uscc import check_uscc
from certgov.errors import InvalidInput, NotFound
from certgov.http.deps import ContextDep, NationalRegulator, PublicActor, SessionDep
from certgov.jurisdictions import ALL
from certgov.rulebook import services as rulebook
from certgov.rules.model import Regime
from certgov.rules.selection import effective_window
from certgov.workflow.diagram import render_svg

router = APIRouter(tags=["reference"])


@router.get("/jurisdictions")
def jurisdictions(_actor: PublicActor) -> list[dict[str, str]]:
    """National plus the 34 provincial-level divisions (GB/T 2260)."""
    return [
        {"code": j.code, "name_zh": j.name_zh, "name_en": j.name_en, "kind": j.kind.value}
        for j in ALL
    ]


@router.get("/uscc/{code}")
def uscc(code: str, _actor: PublicActor) -> dict[str, Any]:
    """Check a unified social credit code (GB 32100-2015) and say why it is invalid."""
    result = check_uscc(code[:64])
    return {
        "code": result.code,
        "valid": result.valid,
        "reasons": list(result.reasons),
        "expected_check_character": result.expected_check_character,
    }


@router.get("/calendar/add")
def calendar_add(
    ctx: ContextDep,
    _actor: PublicActor,
    start: dt.date = Query(alias="from"),
    business_days: int | None = Query(default=None, ge=0, le=36_600),
    days: int | None = Query(default=None, ge=0, le=36_600),
) -> dict[str, Any]:
    """The date a period ends: business days (official mainland calendar) or calendar days."""
    if (business_days is None) == (days is None):
        raise InvalidInput("give exactly one of business_days and days")
    if business_days is not None:
        result = ctx.calendar.add_business_days(start, business_days)
        unit, amount = "business days", business_days
    else:
        assert days is not None
        result = ctx.calendar.add_calendar_days(start, days)
        unit, amount = "calendar days", days
    return {
        "from": start.isoformat(),
        "due": result.due.isoformat(),
        "unit": unit,
        "days": amount,
        "warnings": list(result.warnings),
    }


def _rule_set_summary(
    ctx: Any, activations: dict[str, dt.date], rule_set_id: str
) -> dict[str, Any]:
    rule_set = ctx.rule_sets[rule_set_id]
    start, until = effective_window(ctx.rule_sets, activations, rule_set_id)
    return {
        "id": rule_set.id,
        "title": rule_set.title,
        "regime": str(rule_set.regime),
        "status": str(rule_set.status),
        "in_force_from": start.isoformat() if start else None,
        "in_force_until": until.isoformat() if until else None,
        "activated_from": activations[rule_set_id].isoformat()
        if rule_set_id in activations
        else None,
    }


@router.get("/rule-sets")
def rule_sets(ctx: ContextDep, session: SessionDep, _actor: PublicActor) -> list[dict[str, Any]]:
    """Every rule set with the window in which it is in force (SYS-2)."""
    activations = rulebook.activations(session)
    return [_rule_set_summary(ctx, activations, i) for i in sorted(ctx.rule_sets)]


@router.get("/rule-sets/in-force")
def rule_set_in_force(
    ctx: ContextDep,
    session: SessionDep,
    _actor: PublicActor,
    regime: Regime,
    on: dt.date,
) -> dict[str, Any]:
    """The rule set of a regime in force on a date."""
    rule_set = rulebook.in_force(session, ctx.rule_sets, regime, on)
    return rule_set.as_dict()


@router.get("/rule-sets/{rule_set_id}")
def rule_set(
    rule_set_id: str, ctx: ContextDep, session: SessionDep, _actor: PublicActor
) -> dict[str, Any]:
    """One rule set with every parameter, its source and whether it is assumed."""
    if rule_set_id not in ctx.rule_sets:
        raise NotFound(f"no rule set {rule_set_id!r}")
    body = ctx.rule_sets[rule_set_id].as_dict()
    body["window"] = _rule_set_summary(ctx, rulebook.activations(session), rule_set_id)
    return body


@router.post("/rule-sets/{rule_set_id}/activations", status_code=201)
def activate_rule_set(
    rule_set_id: str,
    body: ActivationIn,
    ctx: ContextDep,
    session: SessionDep,
    actor: NationalRegulator,
) -> dict[str, Any]:
    """Put a rule set in force from a date (national regulator only)."""
    row = rulebook.activate(
        session, ctx.audit, ctx.rule_sets, actor, rule_set_id, body.effective_from, body.reason
    )
    return {
        "rule_set_id": row.rule_set_id,
        "effective_from": row.effective_from.isoformat(),
        "activated_by": row.activated_by,
        "activated_at": row.activated_at.isoformat(),
    }


@router.get("/processes")
def processes(ctx: ContextDep, _actor: PublicActor) -> list[dict[str, Any]]:
    """The procedures cases follow (SYS-1)."""
    return [
        {"id": p.id, "title": p.title, "regime": p.regime, "requirements": list(p.requirements)}
        for p in sorted(ctx.processes.values(), key=lambda p: p.id)
    ]


@router.get("/processes/{process_id}")
def process(process_id: str, ctx: ContextDep, _actor: PublicActor) -> dict[str, Any]:
    """A process definition: states, transitions with their roles, deadlines."""
    p = ctx.processes.get(process_id)
    if p is None:
        raise NotFound(f"no process {process_id!r}")
    return {
        "id": p.id,
        "title": p.title,
        "regime": p.regime,
        "source": p.source,
        "requirements": list(p.requirements),
        "initial": p.initial,
        "openers": sorted(p.openers),
        "states": [
            {"name": s.name, "title": s.title, "final": s.final, "description": s.description}
            for s in p.states.values()
        ],
        "transitions": [
            {
                "name": t.name,
                "title": t.title,
                "from": sorted(t.sources),
                "to": t.target,
                "roles": sorted(t.roles),
                "reason_required": t.reason_required,
                "guards": list(t.guards),
            }
            for t in p.transitions.values()
        ],
        "deadlines": [
            {
                "name": d.name,
                "title": d.title,
                "period": d.period,
                "starts_in": sorted(d.starts_in),
                "paused_in": sorted(d.paused_in),
                "ends_in": sorted(d.ends_in),
                "on_expiry": {
                    "finding": d.on_expiry.finding,
                    "transition": d.on_expiry.transition,
                    "severity": d.on_expiry.severity.value,
                },
                "extendable_by": sorted(d.extendable_by),
            }
            for d in p.deadlines
        ],
        "digest": p.digest,
    }


@router.get("/processes/{process_id}/diagram.svg", response_class=Response)
def process_diagram(process_id: str, ctx: ContextDep, _actor: PublicActor) -> Response:
    """The process as an SVG diagram."""
    p = ctx.processes.get(process_id)
    if p is None:
        raise NotFound(f"no process {process_id!r}")
    return Response(render_svg(p), media_type="image/svg+xml")
