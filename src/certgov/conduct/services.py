"""Use cases of CA conduct (ECS-3.1–3.3): practice statements filed and versioned, outsourced
functions declared (a critical one is a finding), operating provinces and service outlets kept
(an operating province without an outlet is a finding).

Each function is one use case inside the caller's unit of work; none commits. Findings are
raised and closed as the declarations change, and again by the worker's sweep, so a rule-set
change (``service_outlet_required``, ``critical_outsourced_functions``) takes effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certgov import jurisdictions, strict_json
from certgov.actors import SYSTEM_ACTOR, Actor, Role
from certgov.clock import china_date
from certgov.conduct.models import (
    OperatingProvince,
    OutsourcingDeclaration,
    PracticeStatement,
    ServiceOutlet,
)
from certgov.context import Context
from certgov.ecs.citation import cite, cited
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.findings.services import (
    Problem,
    close_finding,
    open_findings_with_prefix,
    raise_finding,
)
from certgov.i18n import N_
from certgov.parties.models import Party
from certgov.parties.services import check_party_scope, get_ca
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime, RuleSet
from certgov.text import Term, Text

_MAX_TEXT = 2000
_MAX_FUNCTIONS = 100


def _rules(session: Session, ctx: Context) -> RuleSet:
    return in_force(session, ctx.rule_sets, Regime.ECS, china_date(ctx.clock.now()))


def _own_ca(session: Session, actor: Actor, party_id: int, what: str) -> Party:
    """A CA's own declarations are made by its operator."""
    party = get_ca(session, party_id)
    if actor.role is not Role.CA_OPERATOR:
        raise Forbidden(
            "a CA's operator files its own declarations; a {role} may not {what}",
            role=Term("role", actor.role),
            what=Term("message", what),
        )
    check_party_scope(actor, party, what)
    return party


# --- Practice statements (ECS-3.1) ---------------------------------------------------------------


def file_practice_statement(
    session: Session, ctx: Context, actor: Actor, party_id: int, body: Mapping[str, Any]
) -> PracticeStatement:
    """File a new version of the CA's certification practice statement (ESL Art. 19)."""
    strict_json.json_object(
        body, "", (), ("label", "sha256", "effective_on", "title", "size", "url")
    )
    party = _own_ca(session, actor, party_id, N_("file a practice statement"))
    label = strict_json.text(body.get("label"), "label", limit=64).strip()
    title = strict_json.optional_text(body.get("title"), "title", limit=300)
    digest = strict_json.sha256_hex(body.get("sha256"), "sha256")
    size = body.get("size")
    if size is not None and (
        not isinstance(size, int) or isinstance(size, bool) or not 0 < size < 2**40
    ):
        raise InvalidInput("size: give the document's size in bytes", details={"field": "size"})
    url = strict_json.optional_text(body.get("url"), "url", limit=500)
    if url is not None and not url.startswith(("https://", "http://")):
        raise InvalidInput("url: give an http(s) address", details={"field": "url"})
    effective_on = strict_json.iso_date(body.get("effective_on"), "effective_on")
    latest = session.scalar(
        select(PracticeStatement)
        .where(PracticeStatement.party_id == party.id)
        .order_by(PracticeStatement.version.desc())
        .limit(1)
    )
    if latest is not None:
        if latest.sha256 == digest:
            raise Conflict(
                "version {version} ({label}) has the same digest; nothing changed",
                version=latest.version,
                label=latest.label,
            )
        if effective_on < latest.effective_on:
            raise InvalidInput(
                "effective_on {day} is before the effective date of version {version} "
                "({effective_on}); versions take effect in order",
                details={"field": "effective_on"},
                day=effective_on,
                version=latest.version,
                effective_on=latest.effective_on,
            )

    statement = PracticeStatement(
        party_id=party.id,
        version=(latest.version if latest else 0) + 1,
        label=label,
        title=title or "Certification practice statement",
        sha256=digest,
        size=size,
        url=url,
        effective_on=effective_on,
        filed_at=ctx.clock.now(),
        filed_by=actor.name,
    )
    session.add(statement)
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "cps.filed",
        subject={"party": party.id, "version": statement.version},
        after={"sha256": digest, "effective_on": effective_on.isoformat(), "label": label},
    )
    return statement


def practice_statements(session: Session, party_id: int) -> list[PracticeStatement]:
    get_ca(session, party_id)
    return list(
        session.scalars(
            select(PracticeStatement)
            .where(PracticeStatement.party_id == party_id)
            .order_by(PracticeStatement.version)
        )
    )


def statement_in_effect(
    statements: list[PracticeStatement], day: dt.date
) -> PracticeStatement | None:
    """The version in effect on ``day``: the latest whose effective date has come."""
    in_effect = [s for s in statements if s.effective_on <= day]
    return max(in_effect, key=lambda s: s.version) if in_effect else None


# --- Outsourcing (ECS-3.2) -----------------------------------------------------------------------


def _normalise(function: str) -> str:
    return " ".join(function.replace("_", " ").replace("-", " ").lower().split())


def _outsourcing_key(party_id: int, function: str) -> str:
    return f"outsourced-critical:{party_id}:{function}"


@dataclass(frozen=True)
class Declared:
    declaration: OutsourcingDeclaration
    findings: list[str]


def declare_outsourcing(
    session: Session, ctx: Context, actor: Actor, party_id: int, body: Mapping[str, Any]
) -> Declared:
    """Declare the functions the CA outsources (replacing its previous declaration). A critical
    function (the rule set's ``critical_outsourced_functions``) is a finding; a critical
    function no longer declared closes its finding."""
    strict_json.json_object(body, "", (), ("functions",))
    party = _own_ca(session, actor, party_id, N_("declare outsourced functions"))
    rule_set = _rules(session, ctx)
    critical = {_normalise(f): f for f in rule_set.items("critical_outsourced_functions")}
    entries = body.get("functions")
    if not isinstance(entries, list) or len(entries) > _MAX_FUNCTIONS:
        raise InvalidInput(
            "functions: give a list (at most {most}) of {{function, provider[, description]}}; "
            "an empty list declares that nothing is outsourced",
            details={"field": "functions"},
            most=_MAX_FUNCTIONS,
        )
    functions: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise InvalidInput(
                "functions[{index}]: give an object",
                details={"field": f"functions[{index}]"},
                index=index,
            )
        path = f"functions[{index}]"
        function = strict_json.text(entry.get("function"), f"{path}.function", limit=200).strip()
        provider = strict_json.text(entry.get("provider"), f"{path}.provider", limit=200).strip()
        description = strict_json.optional_text(
            entry.get("description"), f"{path}.description", limit=_MAX_TEXT
        )
        name = _normalise(function)
        functions.append(
            {
                "function": function,
                "provider": provider,
                "description": description,
                "critical": name in critical,
            }
        )
    latest = session.scalar(
        select(func.max(OutsourcingDeclaration.version)).where(
            OutsourcingDeclaration.party_id == party.id
        )
    )
    declaration = OutsourcingDeclaration(
        party_id=party.id,
        version=(latest or 0) + 1,
        functions=functions,
        rule_set_id=rule_set.id,
        declared_at=ctx.clock.now(),
        declared_by=actor.name,
    )
    session.add(declaration)
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "outsourcing.declared",
        subject={"party": party.id, "version": declaration.version},
        after={"functions": [f["function"] for f in functions]},
    )
    keys = _outsourcing_findings(session, ctx, actor, party, declaration, rule_set)
    return Declared(declaration, keys)


def _outsourcing_findings(
    session: Session,
    ctx: Context,
    actor: Actor,
    party: Party,
    declaration: OutsourcingDeclaration,
    rule_set: RuleSet,
) -> list[str]:
    critical = {_normalise(f) for f in rule_set.items("critical_outsourced_functions")}
    citation = cited(cite(rule_set, "critical_outsourced_functions"))
    keys = []
    for entry in declaration.functions:
        name = _normalise(entry["function"])
        if name not in critical:
            continue
        key = _outsourcing_key(party.id, name)
        raise_finding(
            session,
            ctx,
            actor,
            Problem(
                code="critical-function-outsourced",
                key=key,
                severity="high",
                title=Text(
                    "Critical function outsourced: {party} ({function})",
                    party=party.name,
                    function=Term("message", name),
                ),
                message=Text(
                    "{party} declares that {provider} performs {function!r}, a critical "
                    "operation that may not be delegated to a third party ({citation}).",
                    party=party.name,
                    provider=entry["provider"],
                    function=Term("message", name),
                    citation=citation,
                ),
                requirement="ECS-3.2",
                party_id=party.id,
                jurisdiction=party.home_province,
                details={
                    "function": entry["function"],
                    "provider": entry["provider"],
                    "declaration": declaration.version,
                },
            ),
        )
        keys.append(key)
    for finding in open_findings_with_prefix(session, f"outsourced-critical:{party.id}:"):
        if finding.dedup_key not in keys:
            close_finding(
                session,
                ctx,
                actor,
                finding.dedup_key,
                f"declaration {declaration.version} no longer outsources it",
            )
    return keys


def outsourcing_declarations(session: Session, party_id: int) -> list[OutsourcingDeclaration]:
    get_ca(session, party_id)
    return list(
        session.scalars(
            select(OutsourcingDeclaration)
            .where(OutsourcingDeclaration.party_id == party_id)
            .order_by(OutsourcingDeclaration.version)
        )
    )


# --- Operating provinces and outlets (ECS-3.3) ---------------------------------------------------


def _province(code: object, field: str) -> str:
    if not isinstance(code, str) or code not in jurisdictions.province_codes():
        raise InvalidInput(
            "{field}: {code!r} is not a GB/T 2260 provincial-level code",
            hint="use a code such as 110000 (Beijing) or 310000 (Shanghai)",
            field=field,
            code=code,
            details={"field": field},
        )
    return code


def set_operating_provinces(
    session: Session, ctx: Context, actor: Actor, party_id: int, body: Mapping[str, Any]
) -> list[str]:
    """Set the provinces where the CA provides its service; returns the provinces that lack
    an outlet (each a finding)."""
    strict_json.json_object(body, "", (), ("provinces",))
    party = get_ca(session, party_id)
    check_party_scope(actor, party, N_("set a CA's operating provinces"))
    codes = body.get("provinces")
    if not isinstance(codes, list) or len(codes) > 64:
        raise InvalidInput(
            "provinces: give a list of provincial-level codes", details={"field": "provinces"}
        )
    wanted = {_province(code, f"provinces[{i}]") for i, code in enumerate(codes)}
    today = china_date(ctx.clock.now())
    current = {
        row.jurisdiction: row
        for row in session.scalars(
            select(OperatingProvince).where(OperatingProvince.party_id == party.id)
        )
    }
    for code, row in current.items():
        if code not in wanted:
            session.delete(row)
    for code in sorted(wanted - set(current)):
        session.add(OperatingProvince(party_id=party.id, jurisdiction=code, since=today))
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "operating_provinces.set",
        subject={"party": party.id},
        before={"provinces": sorted(current)},
        after={"provinces": sorted(wanted)},
    )
    return check_outlets(session, ctx, actor, party)


def open_outlet(
    session: Session, ctx: Context, actor: Actor, party_id: int, body: Mapping[str, Any]
) -> tuple[ServiceOutlet, list[str]]:
    """Register a service outlet; returns it and the provinces still lacking one."""
    strict_json.json_object(body, "", (), ("jurisdiction", "name", "address", "opened_on"))
    party = get_ca(session, party_id)
    check_party_scope(actor, party, N_("register a service outlet"))
    outlet = ServiceOutlet(
        party_id=party.id,
        jurisdiction=_province(body.get("jurisdiction"), "jurisdiction"),
        name=strict_json.text(body.get("name"), "name", limit=200).strip(),
        address=strict_json.text(body.get("address"), "address", limit=_MAX_TEXT).strip(),
        opened_on=strict_json.iso_date(body.get("opened_on"), "opened_on")
        if body.get("opened_on") is not None
        else china_date(ctx.clock.now()),
        closed_on=None,
    )
    session.add(outlet)
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "outlet.opened",
        subject={"party": party.id, "outlet": outlet.id},
        after={"jurisdiction": outlet.jurisdiction, "name": outlet.name},
    )
    return outlet, check_outlets(session, ctx, actor, party)


def close_outlet(
    session: Session, ctx: Context, actor: Actor, party_id: int, outlet_id: int
) -> tuple[ServiceOutlet, list[str]]:
    """Close a service outlet (it stays on record); returns it and the provinces lacking one."""
    party = get_ca(session, party_id)
    check_party_scope(actor, party, N_("close a service outlet"))
    outlet = session.get(ServiceOutlet, outlet_id)
    if outlet is None or outlet.party_id != party.id:
        raise NotFound("{party} has no outlet {outlet}", party=party.name, outlet=outlet_id)
    if outlet.closed_on is not None:
        raise Conflict(
            "outlet {outlet} was closed on {day}", outlet=outlet_id, day=outlet.closed_on
        )
    outlet.closed_on = china_date(ctx.clock.now())
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "outlet.closed",
        subject={"party": party.id, "outlet": outlet.id},
        before={"jurisdiction": outlet.jurisdiction, "name": outlet.name},
    )
    return outlet, check_outlets(session, ctx, actor, party)


def operating_provinces(session: Session, party_id: int) -> list[str]:
    return list(
        session.scalars(
            select(OperatingProvince.jurisdiction)
            .where(OperatingProvince.party_id == party_id)
            .order_by(OperatingProvince.jurisdiction)
        )
    )


def outlets(session: Session, party_id: int, *, include_closed: bool = True) -> list[ServiceOutlet]:
    query = select(ServiceOutlet).where(ServiceOutlet.party_id == party_id)
    if not include_closed:
        query = query.where(ServiceOutlet.closed_on.is_(None))
    return list(session.scalars(query.order_by(ServiceOutlet.jurisdiction, ServiceOutlet.id)))


def check_outlets(session: Session, ctx: Context, actor: Actor, party: Party) -> list[str]:
    """Raise a finding for each operating province with no open outlet, close those that have
    one again; returns the provinces lacking one (none when the rule set does not require
    outlets)."""
    rule_set = _rules(session, ctx)
    required = rule_set.flag("service_outlet_required")
    provinces = operating_provinces(session, party.id)
    covered = {o.jurisdiction for o in outlets(session, party.id, include_closed=False)}
    missing = [p for p in provinces if p not in covered] if required else []
    citation = cited(cite(rule_set, "service_outlet_required"))
    for code in missing:
        province = Term("jurisdiction", code, english=jurisdictions.BY_CODE[code].name_en)
        raise_finding(
            session,
            ctx,
            actor,
            Problem(
                code="outlet-missing",
                key=f"outlet-missing:{party.id}:{code}",
                severity="medium",
                title=Text(
                    "No service outlet in {province}: {party}", province=province, party=party.name
                ),
                message=Text(
                    "{party} operates in {province} but has no open service outlet there "
                    "({citation}).",
                    party=party.name,
                    province=province,
                    citation=citation,
                ),
                requirement="ECS-3.3",
                party_id=party.id,
                jurisdiction=code,
                details={"province": code},
            ),
        )
    for finding in open_findings_with_prefix(session, f"outlet-missing:{party.id}:"):
        code = finding.dedup_key.rsplit(":", 1)[1]
        if code not in missing:
            reason = (
                f"an outlet is open in {code}"
                if code in covered
                else f"no longer operating in {code}"
                if code not in provinces
                else f"{rule_set.id} does not require outlets"
            )
            close_finding(session, ctx, actor, finding.dedup_key, reason)
    return missing


def sweep_outlets(session: Session, ctx: Context) -> int:
    """Worker job (ECS-3.3, ECS-4.2): check every CA that declares operating provinces;
    returns how many provinces lack an outlet."""
    party_ids = session.scalars(select(OperatingProvince.party_id).distinct())
    missing = 0
    for party_id in list(party_ids):
        missing += len(check_outlets(session, ctx, SYSTEM_ACTOR, get_ca(session, party_id)))
    return missing
