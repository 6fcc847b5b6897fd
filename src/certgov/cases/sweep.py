"""The deadline sweep (SYS-1, ECS-4.2): find passed deadlines and act on them.

Passed clocks are found by a range scan of the ``(status, due_at)`` index and handled in
batches with set-based statements, so a sweep over a million open cases costs what the passed
ones cost. Each passed deadline is marked expired, recorded in its case's history, and then
either becomes a finding (deduplicated per case and deadline) or triggers the process's
automatic transition, taken by the system actor through the engine like any other.
On PostgreSQL, rows are claimed with ``FOR UPDATE SKIP LOCKED`` so several workers can sweep
at once without handling a deadline twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from certgov.actors import SYSTEM_ACTOR
from certgov.cases.deadlines import refresh_next_due
from certgov.cases.models import Case, CaseDeadline, CaseEvent
from certgov.cases.services import transition
from certgov.context import Context
from certgov.errors import CertgovError
from certgov.findings.models import Finding, FindingStatus
from certgov.logs.audit import audit_entry
from certgov.text import Term, Text, listed
from certgov.workflow.clocks import ClockStatus
from certgov.workflow.definition import SYSTEM_ROLE, DeadlineDef


@dataclass
class SweepReport:
    expired: int = 0
    findings_opened: int = 0
    findings_seen_again: int = 0
    transitions: int = 0
    transition_failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "expired": self.expired,
            "findings_opened": self.findings_opened,
            "findings_seen_again": self.findings_seen_again,
            "transitions": self.transitions,
            "transition_failures": self.transition_failures,
        }


def _specs(ctx: Context) -> dict[tuple[str, str], DeadlineDef]:
    return {(p.id, d.name): d for p in ctx.processes.values() for d in p.deadlines}


def _expiry_texts(ctx: Context, spec: DeadlineDef, r: Any) -> dict[str, Any]:
    """The title and explanation of a finding for an expired deadline, in English and as
    texts a page says in the reader's language (the deadline and the states by their titles,
    the case by its own title)."""
    process = ctx.processes.get(r.process_id)
    states = [
        Term("message", process.states[s].title) if process and s in process.states else s
        for s in sorted(spec.ends_in)
    ]
    case_title = Text.of_record(r.title_text) or r.title
    title = Text(
        "{deadline} deadline passed: {case}", deadline=Term("message", spec.title), case=case_title
    )
    message = Text(
        "The {deadline} deadline of case {case} ({period} under {rule_set}) ended on {due} "
        "without the case reaching {states}.",
        deadline=Term("message", spec.title),
        case=r.case_id,
        period=r.period,
        rule_set=r.rule_set_id,
        due=r.due_on if r.due_on else "?",
        states=listed(states),
    )
    return {
        "title": str(title)[:300],
        "message": str(message),
        "title_text": title.stored(),
        "message_text": message.stored(),
    }


def sweep(session: Session, ctx: Context, *, batch_size: int = 10_000) -> SweepReport:
    """Handle every deadline passed at ``ctx.clock.now()``; returns what was done."""
    now = ctx.clock.now()
    specs = _specs(ctx)
    report = SweepReport()
    skip_locked = session.get_bind().dialect.name == "postgresql"
    while True:
        query = (
            select(
                CaseDeadline.id,
                CaseDeadline.case_id,
                CaseDeadline.name,
                CaseDeadline.period,
                CaseDeadline.rule_set_id,
                CaseDeadline.due_on,
                Case.process_id,
                Case.subject_party_id,
                Case.jurisdiction,
                Case.title,
                Case.title_text,
            )
            .join(Case, Case.id == CaseDeadline.case_id)
            .where(CaseDeadline.status == ClockStatus.RUNNING.value, CaseDeadline.due_at <= now)
            .order_by(CaseDeadline.due_at)
            .limit(batch_size)
        )
        if skip_locked:
            query = query.with_for_update(skip_locked=True, of=CaseDeadline)
        rows = session.execute(query).all()
        if not rows:
            break
        session.execute(
            update(CaseDeadline)
            .where(CaseDeadline.id.in_([r.id for r in rows]))
            .values(status=ClockStatus.EXPIRED.value, ended_at=now),
            execution_options={"synchronize_session": False},
        )
        # The work queue sorts on each case's nearest running deadline.
        refresh_next_due(session, [r.case_id for r in rows])
        events = []
        new_findings = []
        autos: list[tuple[int, str, str]] = []
        keys = {f"deadline:{r.case_id}:{r.name}": r for r in rows}
        seen = set(
            session.scalars(select(Finding.dedup_key).where(Finding.dedup_key.in_(list(keys))))
        )
        for key, r in keys.items():
            spec = specs.get((r.process_id, r.name))
            due = r.due_on.isoformat() if r.due_on else "?"
            events.append(
                {
                    "case_id": r.case_id,
                    "at": now,
                    "kind": "deadline_expired",
                    "actor_kind": SYSTEM_ACTOR.kind.value,
                    "actor_name": SYSTEM_ACTOR.name,
                    "actor_role": SYSTEM_ROLE,
                    "details": {
                        "deadline": r.name,
                        "period": r.period,
                        "rule_set": r.rule_set_id,
                        "due_on": due,
                    },
                }
            )
            if spec is None:  # the process no longer defines it: record, nothing else to do
                continue
            if spec.on_expiry.finding is not None and key not in seen:
                new_findings.append(
                    {
                        "code": spec.on_expiry.finding,
                        "dedup_key": key,
                        "severity": spec.on_expiry.severity.value,
                        "status": FindingStatus.OPEN.value,
                        **_expiry_texts(ctx, spec, r),
                        "requirement": spec.requirement,
                        "case_id": r.case_id,
                        "party_id": r.subject_party_id,
                        "jurisdiction": r.jurisdiction,
                        "first_seen": now,
                        "last_seen": now,
                        "details": {"deadline": r.name, "due_on": due},
                    }
                )
            if spec.on_expiry.transition is not None:
                autos.append((r.case_id, spec.on_expiry.transition, r.name))
        session.execute(insert(CaseEvent), events)
        # SYS-3: each expiry and each new finding in the audit log, in this transaction.
        ctx.audit.record_many(
            session,
            [
                audit_entry(
                    "case.deadline_expired",
                    SYSTEM_ACTOR,
                    now,
                    case_id=event["case_id"],
                    details=event["details"],
                )
                for event in events
            ]
            + [
                audit_entry(
                    "finding.opened",
                    SYSTEM_ACTOR,
                    now,
                    case_id=finding["case_id"],
                    subject={"finding": finding["dedup_key"], "code": finding["code"]},
                    details={"requirement": finding["requirement"], "title": finding["title"]},
                )
                for finding in new_findings
            ],
        )
        if new_findings:
            session.execute(insert(Finding), new_findings)
        if seen:
            session.execute(
                update(Finding).where(Finding.dedup_key.in_(seen)).values(last_seen=now),
                execution_options={"synchronize_session": False},
            )
        report.expired += len(rows)
        report.findings_opened += len(new_findings)
        report.findings_seen_again += len(seen)
        for case_id, name, deadline in autos:
            try:
                with session.begin_nested():
                    transition(
                        session,
                        ctx,
                        SYSTEM_ACTOR,
                        case_id,
                        name,
                        expected_version=None,
                        reason=f"the {deadline} deadline passed",
                    )
                report.transitions += 1
            except CertgovError as exc:  # a guard refused, or a concurrent change
                report.transition_failures.append(f"case {case_id} {name}: {exc.message}")
        if len(rows) < batch_size:
            break
    return report
