"""Licences (ECS-2.3): issue, status changes, renewal, modification, the status at a time, and the expiry monitor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import SYSTEM_ACTOR, Actor
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs.citation import cite
from certgov.errors import Conflict, InvalidInput, NotFound, Prohibited
from certgov.history.dates import StatedDate, state_date
from certgov.history.services import record_status_change
from certgov.i18n import N_
from certgov.licensing.models import (
    Licence,
    LicenceEvent,
    LicenceStatus,
)
from certgov.licensing.services.common import (
    MAX_TEXT,
    MODIFICATION_PROCESS,
    RENEWAL_PROCESS,
    china_today,
    ecs_rules,
)
from certgov.parties.services import check_party_scope, get_ca, require_national
from certgov.store.engine import stale_write_is_conflict
from certgov.text import Term, Text, listed
from certgov.workflow.clocks import date_after, date_before


def live_licence(session: Session, party_id: int) -> Licence | None:
    """The party's licence that is valid or suspended, if any."""
    return session.scalar(
        select(Licence).where(
            Licence.holder_party_id == party_id,
            Licence.status.in_([LicenceStatus.VALID, LicenceStatus.SUSPENDED]),
        )
    )


def _licence_event(
    session: Session,
    ctx: Context,
    licence: Licence,
    actor: Actor,
    kind: str,
    *,
    from_status: str | None,
    reason: str | None = None,
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
    stated: StatedDate | None = None,
) -> None:
    record_status_change(
        session,
        ctx,
        actor,
        LicenceEvent(
            licence_id=licence.id,
            kind=kind,
            from_status=from_status,
            to_status=licence.status,
            valid_until=licence.valid_until,
            case_id=case_id,
            reason=reason,
            details=details or {},
        ),
        action=f"licence.{kind}",
        subject={"licence": licence.number, "holder": licence.holder_party_id},
        after={"valid_until": licence.valid_until.isoformat()},
        stated=stated,
    )


def _next_number(session: Session, jurisdiction: str, year: int) -> str:
    prefix = f"ECP{jurisdiction}{year}"
    taken = session.scalar(
        select(func.count()).select_from(Licence).where(Licence.number.startswith(prefix))
    )
    return f"{prefix}{(taken or 0) + 1:03d}"


def issue_licence(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of approving an application: the licence, valid from the decision date for the
    rule set's ``licence_validity`` (the rule set the application was judged under)."""
    if case.subject_party_id is None:
        raise InvalidInput("case {case} names no applicant to license", case=case.id)
    party = get_ca(session, case.subject_party_id)
    live = live_licence(session, party.id)
    if live is not None:
        raise Conflict(
            "{party} already holds licence {number} ({status})",
            party=party.name,
            number=live.number,
            status=Term("licence_status", live.status),
        )
    rule_set = ctx.rule_sets[case.rule_set_ids[0]]
    today = china_today(ctx)
    validity = rule_set.duration("licence_validity")
    jurisdiction = party.home_province or case.jurisdiction
    now = ctx.clock.now()
    licence = Licence(
        number=_next_number(session, jurisdiction, today.year),
        holder_party_id=party.id,
        jurisdiction=jurisdiction,
        scope=list(rule_set.items("licence_scope")),
        status=LicenceStatus.VALID,
        valid_from=today,
        valid_until=date_after(today, validity) - dt.timedelta(days=1),
        issued_at=now,
        application_case_id=case.id,
        rule_set_id=rule_set.id,
        updated_at=now,
    )
    session.add(licence)
    session.flush()
    _licence_event(
        session,
        ctx,
        licence,
        actor,
        "issued",
        from_status=None,
        reason=reason,
        case_id=case.id,
        details={"validity": str(validity), "rule_set": rule_set.id, "scope": licence.scope},
    )
    case.data = {**case.data, "licence": licence.number}


def get_licence(session: Session, number: str) -> Licence:
    licence = session.scalar(select(Licence).where(Licence.number == number))
    if licence is None:
        raise NotFound("no licence numbered {number!r}", number=number)
    return licence


def licence_history(session: Session, licence: Licence) -> list[LicenceEvent]:
    return list(
        session.scalars(
            select(LicenceEvent)
            .where(LicenceEvent.licence_id == licence.id)
            .order_by(LicenceEvent.id)
        )
    )


@dataclass(frozen=True)
class LicenceAt:
    """A licence as it stood at an instant: its status then and the event that set it."""

    licence: Licence
    status: str
    since: dt.datetime


def licence_at(session: Session, party_id: int, at: dt.datetime) -> LicenceAt | None:
    """The party's licence in force (or most recently issued) at instant ``at``, with its
    status then (SYS-5): replays the status history up to ``at``; past the last day of validity
    it was expired whatever came later. None when no licence had been issued by then."""
    # One query (this is on the path of every relying-party verification): the licences
    # issued by then, latest first, each with its events up to ``at`` in order.
    # A change counts from when it took effect: the day an official stated (SYS-8), else when
    # it was entered.
    took_effect = func.coalesce(LicenceEvent.effective_at, LicenceEvent.at)
    rows = session.execute(
        select(Licence, LicenceEvent)
        .join(LicenceEvent, LicenceEvent.licence_id == Licence.id)
        .where(Licence.holder_party_id == party_id, Licence.issued_at <= at, took_effect <= at)
        .order_by(Licence.issued_at.desc(), Licence.id.desc(), took_effect, LicenceEvent.id)
    ).all()
    if not rows:
        return None
    licence = rows[0][0]
    events = [event for holder, event in rows if holder is licence]
    last = events[-1]
    if china_date(at) > max(e.valid_until for e in events):
        return LicenceAt(licence, LicenceStatus.EXPIRED.value, last.effective)
    return LicenceAt(licence, last.to_status, last.effective)


@dataclass(frozen=True)
class StatusAt:
    status: str
    since: dt.datetime


def licence_status_at(session: Session, licence: Licence, at: dt.datetime) -> StatusAt | None:
    """This licence's status at instant ``at`` (SYS-8): its history replayed up to ``at``, each
    change counted from when it took effect; past its last day of validity it was expired.
    None before it was issued."""
    events = sorted(
        (e for e in licence_history(session, licence) if e.effective <= at),
        key=lambda e: (e.effective, e.id),
    )
    if not events:
        return None
    last = events[-1]
    if china_date(at) > max(e.valid_until for e in events):
        return StatusAt(LicenceStatus.EXPIRED.value, last.effective)
    return StatusAt(last.to_status, last.effective)


def list_licences(
    session: Session,
    *,
    holder_party_id: int | None = None,
    status: str | None = None,
    jurisdiction: str | None = None,
) -> list[Licence]:
    query = select(Licence).order_by(Licence.id)
    if holder_party_id is not None:
        query = query.where(Licence.holder_party_id == holder_party_id)
    if status is not None:
        if status not in {s.value for s in LicenceStatus}:
            raise InvalidInput(
                "unknown licence status {status!r}",
                hint="one of {statuses}",
                status=status,
                statuses=", ".join(s.value for s in LicenceStatus),
            )
        query = query.where(Licence.status == status)
    if jurisdiction is not None:
        query = query.where(Licence.jurisdiction == jurisdiction)
    return list(session.scalars(query))


#: A regulator's action on a licence, as a refusal names it.
_ACTION_WHAT = {
    "suspend": N_("suspend a licence"),
    "reinstate": N_("reinstate a licence"),
    "revoke": N_("revoke a licence"),
    "withdraw": N_("withdraw a licence"),
}
#: A regulator's action on a licence: the statuses it starts from and the one it leads to.
STATUS_ACTIONS: dict[str, tuple[frozenset[LicenceStatus], LicenceStatus, str]] = {
    "suspend": (frozenset({LicenceStatus.VALID}), LicenceStatus.SUSPENDED, "suspended"),
    "reinstate": (frozenset({LicenceStatus.SUSPENDED}), LicenceStatus.VALID, "reinstated"),
    "revoke": (
        frozenset({LicenceStatus.VALID, LicenceStatus.SUSPENDED}),
        LicenceStatus.REVOKED,
        "revoked",
    ),
    "withdraw": (
        frozenset({LicenceStatus.VALID, LicenceStatus.SUSPENDED}),
        LicenceStatus.WITHDRAWN,
        "withdrawn",
    ),
}


def _check_version(licence: Licence, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != licence.version:
        raise Conflict(
            "licence {number} changed since you loaded it (you acted on version {expected}, it "
            "is now at version {version}, {status})",
            hint="reload the licence and decide again",
            details={"current_version": licence.version, "current_status": licence.status},
            number=licence.number,
            expected=expected_version,
            version=licence.version,
            status=Term("licence_status", licence.status),
        )


def change_status(
    session: Session,
    ctx: Context,
    actor: Actor,
    number: str,
    action: str,
    *,
    reason: str,
    expected_version: int | None,
    effective_on: object = None,
) -> Licence:
    """Suspend, reinstate, revoke or withdraw a licence, with a reason (ECS-2.3). A decision
    taken earlier (on paper) is recorded with ``effective_on``, the day it took effect (SYS-8):
    the licence's status at any later time counts from that day."""
    spec = STATUS_ACTIONS.get(action)
    if spec is None:
        raise InvalidInput(
            "unknown licence action {action!r}",
            hint="one of {actions}",
            action=action,
            actions=", ".join(STATUS_ACTIONS),
        )
    require_national(actor, _ACTION_WHAT[action])
    licence = get_licence(session, number)
    sources, target, kind = spec
    _check_version(licence, expected_version)
    if licence.status not in sources:
        first, *others = sorted(sources)
        if others:
            raise Conflict(
                "licence {number} is {status}; {action} applies to a {source} or {other} licence",
                number=licence.number,
                status=Term("licence_status", licence.status),
                action=action,
                source=Term("licence_status", first),
                other=Term("licence_status", " or ".join(others)),
            )
        raise Conflict(
            "licence {number} is {status}; {action} applies to a {source} licence",
            number=licence.number,
            status=Term("licence_status", licence.status),
            action=action,
            source=Term("licence_status", first),
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "to {action} a licence needs a reason, recorded in its history", action=action
        )
    stated = None
    if effective_on is not None:
        stated = state_date(
            effective_on,
            "effective_on",
            actor=actor,
            now=ctx.clock.now(),
            rule_set=ctx.rule_sets.get(licence.rule_set_id)
            or ecs_rules(session, ctx, china_date(ctx.clock.now())),
            not_before=max(licence.valid_from, _last_change_day(session, licence)),
            what=N_("the licence's last status change"),
        )
    before = licence.status
    with stale_write_is_conflict(f"licence {licence.number}"):
        licence.status = target
        licence.updated_at = ctx.clock.now()
        session.flush()
    _licence_event(
        session, ctx, licence, actor, kind, from_status=before, reason=reason, stated=stated
    )
    return licence


def _last_change_day(session: Session, licence: Licence) -> dt.date:
    """The day the licence's latest recorded status change took effect."""
    latest = max(
        (event.effective for event in licence_history(session, licence)),
        default=licence.issued_at,
    )
    return china_date(latest)


def refuse_transfer(
    session: Session, ctx: Context, actor: Actor, number: str, kind: str, to_party_id: int | None
) -> None:
    """A licence cannot be transferred, rented or lent (ECS-2.3, M2015 Art. 11): the request is
    refused as :class:`Prohibited`, naming the rule. Nothing is stored."""
    if kind not in ("transfer", "rent", "lend"):
        raise InvalidInput(
            "unknown request {kind!r}", hint="one of transfer, rent, lend", kind=kind
        )
    licence = get_licence(session, number)
    rule_set = ecs_rules(session, ctx, china_today(ctx))
    if not rule_set.flag("licence_transfer_allowed"):
        citation = cite(rule_set, "licence_transfer_allowed")
        done = Term("message", _PARTICIPLES[kind])
        if to_party_id is not None:
            raise Prohibited(
                "licence {number} may not be {done} to party {party}: a licence cannot be "
                "transferred, rented or lent ({citation})",
                details={"rule": citation.as_dict()},
                number=licence.number,
                done=done,
                party=to_party_id,
                citation=str(citation),
            )
        raise Prohibited(
            "licence {number} may not be {done}: a licence cannot be transferred, rented or "
            "lent ({citation})",
            details={"rule": citation.as_dict()},
            number=licence.number,
            done=done,
            citation=str(citation),
        )
    raise Conflict(  # pragma: no cover - no shipped rule set allows it
        "rule set {rule_set} allows transfers, but certgov has no transfer procedure",
        rule_set=rule_set.id,
    )


#: What a request would do to the licence, in words of the catalogue.
_PARTICIPLES = {"transfer": N_("transferred"), "rent": N_("rented"), "lend": N_("lent")}


def _live_for(session: Session, actor: Actor, number: str, what: str) -> Licence:
    licence = get_licence(session, number)
    holder = get_ca(session, licence.holder_party_id)
    check_party_scope(actor, holder, what)
    if licence.status not in (LicenceStatus.VALID, LicenceStatus.SUSPENDED):
        raise Conflict(
            "licence {number} is {status}; you cannot {what}",
            number=licence.number,
            status=Term("licence_status", licence.status),
            what=Term("message", what),
        )
    return licence


def _open_case_for(session: Session, process_id: str, licence: Licence) -> Case | None:
    return session.scalar(
        select(Case).where(
            Case.process_id == process_id,
            Case.closed.is_(False),
            Case.subject_party_id == licence.holder_party_id,
        )
    )


def open_renewal(session: Session, ctx: Context, actor: Actor, number: str) -> Case:
    """Open the renewal case of a licence (ECS-2.3); one at a time."""
    licence = _live_for(session, actor, number, N_("renew a licence"))
    existing = _open_case_for(session, RENEWAL_PROCESS, licence)
    if existing is not None:
        raise Conflict(
            "renewal case {case} of licence {number} is already open",
            case=existing.id,
            number=licence.number,
        )
    return _open_renewal(session, ctx, actor, licence)


def _open_renewal(session: Session, ctx: Context, actor: Actor, licence: Licence) -> Case:
    return cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=RENEWAL_PROCESS,
            title=Text("Renewal of licence {number}", number=licence.number),
            subject_party_id=licence.holder_party_id,
            jurisdiction=licence.jurisdiction,
            data={"licence": licence.number, "valid_until": licence.valid_until.isoformat()},
        ),
    )


def _case_licence(session: Session, case: Case) -> Licence:
    number = case.data.get("licence")
    if not isinstance(number, str):
        raise InvalidInput("case {case} names no licence", case=case.id)
    return get_licence(session, number)


def renew_licence(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of approving a renewal: the licence runs ``licence_validity`` longer, counted
    from the end of its current validity."""
    licence = _case_licence(session, case)
    if licence.status not in (LicenceStatus.VALID, LicenceStatus.SUSPENDED):
        raise Conflict(
            "licence {number} is {status}; it cannot be renewed",
            number=licence.number,
            status=Term("licence_status", licence.status),
        )
    rule_set = ctx.rule_sets[case.rule_set_ids[0]]
    validity = rule_set.duration("licence_validity")
    before = licence.valid_until
    licence.valid_until = date_after(before + dt.timedelta(days=1), validity) - dt.timedelta(days=1)
    licence.updated_at = ctx.clock.now()
    session.flush()
    _licence_event(
        session,
        ctx,
        licence,
        actor,
        "renewed",
        from_status=licence.status,
        reason=reason,
        case_id=case.id,
        details={"valid_until_before": before.isoformat(), "validity": str(validity)},
    )


def open_modification(
    session: Session, ctx: Context, actor: Actor, number: str, body: Mapping[str, Any]
) -> Case:
    """Open a modification case (ECS-2.4) for changes of the kinds the rule set lists
    (``modification_triggers``: organisational structure, technical systems, service capacity)."""
    strict_json.json_object(body, "", (), ("kinds", "description"))
    licence = _live_for(session, actor, number, N_("request a licence modification"))
    rule_set = ecs_rules(session, ctx, china_today(ctx))
    triggers = rule_set.items("modification_triggers")
    kinds = body.get("kinds")
    if (
        not isinstance(kinds, list)
        or not kinds
        or not all(isinstance(k, str) and k.strip() for k in kinds)
    ):
        raise InvalidInput(
            "kinds: give a non-empty list of what changes",
            hint="each one of: {kinds}",
            details={"field": "kinds"},
            kinds=", ".join(triggers),
        )
    normalised = [k.strip().replace("_", " ").lower() for k in kinds]
    unknown = [k for k in normalised if k not in triggers]
    if unknown:
        raise InvalidInput(
            "kinds: {unknown} is not a change needing a modification case under {rule_set}",
            hint="each one of: {kinds} ({citation}); business-registration changes are filed "
            "at /registration-changes",
            details={"field": "kinds"},
            unknown=", ".join(unknown),
            rule_set=rule_set.id,
            kinds=", ".join(triggers),
            citation=str(cite(rule_set, "modification_triggers")),
        )
    description = body.get("description")
    if not isinstance(description, str) or not description.strip():
        raise InvalidInput("description: say what changes", details={"field": "description"})
    if len(description) > MAX_TEXT:
        raise InvalidInput("description: longer than {most} characters", most=MAX_TEXT)
    return cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=MODIFICATION_PROCESS,
            title=Text(
                "Modification of licence {number}: {kinds}",
                number=licence.number,
                kinds=listed([Term("message", kind) for kind in sorted(set(normalised))]),
            ),
            subject_party_id=licence.holder_party_id,
            jurisdiction=licence.jurisdiction,
            data={
                "licence": licence.number,
                "kinds": sorted(set(normalised)),
                "description": description.strip(),
            },
        ),
    )


def record_modification(
    session: Session, ctx: Context, actor: Actor, case: Case, reason: str | None
) -> None:
    """Effect of approving a modification: the licence's history records it."""
    licence = _case_licence(session, case)
    _licence_event(
        session,
        ctx,
        licence,
        actor,
        "modified",
        from_status=licence.status,
        reason=reason,
        case_id=case.id,
        details={"kinds": case.data.get("kinds"), "description": case.data.get("description")},
    )


@dataclass
class LicenceSweep:
    expired: list[str] = field(default_factory=list)
    renewals_opened: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"expired": self.expired, "renewals_opened": self.renewals_opened}


def sweep_licences(session: Session, ctx: Context) -> LicenceSweep:
    """Worker job (ECS-2.3): licences past their last day expire (and their open renewal case
    lapses); licences within the renewal lead of expiry get a renewal case if none is open."""
    report = LicenceSweep()
    today = china_today(ctx)
    live = [LicenceStatus.VALID.value, LicenceStatus.SUSPENDED.value]
    for licence in session.scalars(
        select(Licence).where(Licence.status.in_(live), Licence.valid_until < today)
    ):
        before = licence.status
        licence.status = LicenceStatus.EXPIRED
        licence.updated_at = ctx.clock.now()
        session.flush()
        _licence_event(
            session,
            ctx,
            licence,
            SYSTEM_ACTOR,
            "expired",
            from_status=before,
            reason=f"validity ended on {licence.valid_until.isoformat()}",
        )
        renewal = _open_case_for(session, RENEWAL_PROCESS, licence)
        if renewal is not None:
            cases.transition(
                session,
                ctx,
                SYSTEM_ACTOR,
                renewal.id,
                "lapse",
                expected_version=None,
                reason=f"licence {licence.number} expired on {licence.valid_until.isoformat()}",
            )
        report.expired.append(licence.number)
    for licence in session.scalars(
        select(Licence).where(
            Licence.status == LicenceStatus.VALID.value, Licence.valid_until >= today
        )
    ):
        rule_set = ctx.rule_sets.get(licence.rule_set_id) or ecs_rules(session, ctx, today)
        opens_on = date_before(licence.valid_until, rule_set.duration("licence_renewal_lead"))
        if today < opens_on or _open_case_for(session, RENEWAL_PROCESS, licence) is not None:
            continue
        _open_renewal(session, ctx, SYSTEM_ACTOR, licence)
        report.renewals_opened.append(licence.number)
    return report
