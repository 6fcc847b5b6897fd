"""Notifications of deadlines, decisions and findings for the parties concerned (SYS-7).

The domains know nothing of this package: a worker job (:func:`sweep`) reads what happened
since its last run through indexed cursors (case events and findings by id) and the running
deadlines, and writes one notification per event and party (a unique key makes a second look
harmless). :func:`send_pending` e-mails the unsent ones through the configured SMTP server.
The words are made when read, in the reader's language (:func:`words`)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certgov.cases.models import Case, CaseDeadline, CaseEvent
from certgov.clock import CHINA_TZ
from certgov.context import Context
from certgov.errors import InvalidInput, NotFound
from certgov.findings.models import Finding
from certgov.i18n import formatting, texts, translate
from certgov.notifications.models import Notification, NotificationAddress, NotificationCursor
from certgov.settings import Settings
from certgov.text import Text

log = logging.getLogger("certgov.notifications")

KINDS = ("deadline_started", "deadline_approaching", "decision", "finding")
#: Events read per source per run.
BATCH = 500


@dataclass
class SweepReport:
    created: int = 0
    sent: int = 0
    failed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "sent": self.sent, "failed": self.failed, **self.by_kind}


def _cursor(session: Session, name: str) -> NotificationCursor:
    row = session.get(NotificationCursor, name)
    if row is None:
        row = NotificationCursor(name=name, last_id=0)
        session.add(row)
        session.flush()
    return row


def _parties(case: Case) -> set[int]:
    """The parties concerned by a case: the party it is about and the one it is assigned to."""
    return {p for p in (case.subject_party_id, case.assignee_party_id) if p is not None}


def _case_params(ctx: Context, case: Case) -> dict[str, Any]:
    process = ctx.processes.get(case.process_id)
    return {
        "case_id": case.id,
        "case_title": case.title,
        # The title as a template when the system named the case, said in the reader's words.
        "case_title_text": case.title_text,
        "process": process.title if process else case.process_id,
        "state": (
            process.states[case.state].title
            if process and case.state in process.states
            else case.state
        ),
    }


def _deadline_params(ctx: Context, case: Case, row: CaseDeadline) -> dict[str, Any]:
    process = ctx.processes.get(case.process_id)
    titles = {d.name: d.title for d in process.deadlines} if process else {}
    due = row.due_on.isoformat() if row.due_on else None
    if due is None and row.due_at is not None:
        due = row.due_at.astimezone(CHINA_TZ).date().isoformat()
    return {
        "deadline": titles.get(row.name, row.name),
        "due_on": due,
        "due_at": row.due_at.isoformat() if row.due_at else None,
    }


def _add(
    session: Session,
    ctx: Context,
    report: SweepReport,
    *,
    party_id: int,
    kind: str,
    key: str,
    params: dict[str, Any],
    case_id: int | None = None,
    finding_id: int | None = None,
) -> None:
    full_key = f"{party_id}:{key}"
    if session.scalar(select(Notification.id).where(Notification.dedup_key == full_key)):
        return
    try:
        with session.begin_nested():
            session.add(
                Notification(
                    party_id=party_id,
                    kind=kind,
                    dedup_key=full_key,
                    case_id=case_id,
                    finding_id=finding_id,
                    params=params,
                    created_at=ctx.clock.now(),
                )
            )
    except IntegrityError:  # another worker wrote it meanwhile
        return
    report.created += 1
    report.by_kind[kind] = report.by_kind.get(kind, 0) + 1


def sweep(session: Session, ctx: Context) -> SweepReport:
    """Notifications for what happened since the last run (case events and findings read
    from their cursors) and for the deadlines that come within ``notify_days_before``
    business days."""
    report = SweepReport()
    events = _cursor(session, "case_events")
    rows = session.execute(
        select(CaseEvent, Case)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.id > events.last_id)
        .order_by(CaseEvent.id)
        .limit(BATCH)
    ).all()
    seen_cases: dict[int, Case] = {}
    for event, case in rows:
        events.last_id = event.id
        seen_cases[case.id] = case
        process = ctx.processes.get(case.process_id)
        final = bool(
            process
            and event.to_state
            and event.to_state in process.states
            and process.states[event.to_state].final
        )
        if final and event.transition:
            for party in _parties(case):
                _add(
                    session,
                    ctx,
                    report,
                    party_id=party,
                    kind="decision",
                    key=f"decision:{event.id}",
                    params={
                        **_case_params(ctx, case),
                        "state": process.states[event.to_state].title  # type: ignore[union-attr]
                        if event.to_state
                        else "",
                        "decided_at": event.at.isoformat(),
                    },
                    case_id=case.id,
                )
    # Every deadline running on a case that changed: a start (or restart) notifies once.
    for case in seen_cases.values():
        for row in session.scalars(
            select(CaseDeadline).where(
                CaseDeadline.case_id == case.id, CaseDeadline.status == "running"
            )
        ):
            for party in _parties(case):
                _add(
                    session,
                    ctx,
                    report,
                    party_id=party,
                    kind="deadline_started",
                    key=f"started:{row.id}:{row.started_at.isoformat()}",
                    params={**_case_params(ctx, case), **_deadline_params(ctx, case, row)},
                    case_id=case.id,
                )
    _approaching(session, ctx, report)
    findings = _cursor(session, "findings")
    for finding in session.scalars(
        select(Finding).where(Finding.id > findings.last_id).order_by(Finding.id).limit(BATCH)
    ):
        findings.last_id = finding.id
        if finding.party_id is None:
            continue
        _add(
            session,
            ctx,
            report,
            party_id=finding.party_id,
            kind="finding",
            key=f"finding:{finding.id}",
            params={
                "finding_title": finding.title,
                "finding_title_text": finding.title_text,
                "severity": finding.severity,
                "requirement": finding.requirement,
                "case_id": finding.case_id,
            },
            case_id=finding.case_id,
            finding_id=finding.id,
        )
    session.flush()
    return report


def _approaching(session: Session, ctx: Context, report: SweepReport) -> None:
    today = ctx.clock.now().astimezone(CHINA_TZ).date()
    before = ctx.settings.notify_days_before
    horizon = ctx.calendar.add_calendar_days(today, before * 2 + 14, roll_to_business_day=False).due
    rows = session.execute(
        select(CaseDeadline, Case)
        .join(Case, Case.id == CaseDeadline.case_id)
        .where(
            CaseDeadline.status == "running",
            CaseDeadline.due_on.is_not(None),
            CaseDeadline.due_on >= today,
            CaseDeadline.due_on <= horizon,
        )
    ).all()
    for row, case in rows:
        assert row.due_on is not None
        left = ctx.calendar.business_days_between(today, row.due_on)
        if left > before:
            continue
        for party in _parties(case):
            _add(
                session,
                ctx,
                report,
                party_id=party,
                kind="deadline_approaching",
                key=f"approaching:{row.id}:{row.due_on.isoformat()}",
                params={
                    **_case_params(ctx, case),
                    **_deadline_params(ctx, case, row),
                    "days_left": left,
                },
                case_id=case.id,
            )


# --- reading ---------------------------------------------------------------------------------


def _tr(lang: str, value: object) -> str:
    """A title the record keeps (an English msgid of the process files) in ``lang``."""
    return translate(lang, value) if isinstance(value, str) and value else ""


def _title(p: dict[str, Any], field: str, lang: str) -> str:
    """A case's or a finding's title in ``lang`` where the payload keeps its template and the
    catalogue has it, else the English title as recorded."""
    text = Text.of_record(p.get(f"{field}_text"))
    if text is not None and texts.translated(text.template, lang):
        return texts.say(text, lang)
    return str(p.get(field) or "")


def words(row: Notification, lang: str) -> tuple[str, str]:
    """The notification's subject and text in ``lang``: it names the case and the deadline."""
    p = row.params

    case = (
        translate(lang, "Case {id}: {title} ({process})").format(
            id=p.get("case_id"),
            title=_title(p, "case_title", lang),
            process=_tr(lang, p.get("process")),
        )
        if p.get("case_title")
        else ""
    )
    due = formatting.date(p.get("due_on"), lang) if p.get("due_on") else ""
    if row.kind == "deadline_started":
        subject = translate(lang, "A deadline has started: {deadline}").format(
            deadline=_tr(lang, p.get("deadline"))
        )
        text = translate(
            lang, "{case}. The deadline “{deadline}” has started; it ends on {due}."
        ).format(case=case, deadline=_tr(lang, p.get("deadline")), due=due)
    elif row.kind == "deadline_approaching":
        subject = translate(lang, "A deadline is approaching: {deadline}").format(
            deadline=_tr(lang, p.get("deadline"))
        )
        text = translate(lang, "{case}. The deadline “{deadline}” ends on {due} ({left}).").format(
            case=case,
            deadline=_tr(lang, p.get("deadline")),
            due=due,
            left=formatting.business_days_left(p.get("days_left"), lang),
        )
    elif row.kind == "decision":
        subject = translate(lang, "A decision was made: {state}").format(
            state=_tr(lang, p.get("state"))
        )
        text = translate(lang, "{case}. Decided on {at}: {state}.").format(
            case=case,
            at=formatting.beijing_datetime(p.get("decided_at"), lang),
            state=_tr(lang, p.get("state")),
        )
    else:
        subject = translate(lang, "A finding about you was recorded")
        text = translate(lang, "Finding: {title}. Requirement {requirement}.").format(
            title=_title(p, "finding_title", lang), requirement=p.get("requirement") or "—"
        )
        if p.get("case_id"):
            text += " " + translate(lang, "Case {id}.").format(id=p["case_id"])
    return subject, text


def notifications_of(session: Session, party_id: int, limit: int = 100) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.party_id == party_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, party_id: int | None) -> int:
    if party_id is None:
        return 0
    return int(
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.party_id == party_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(session: Session, ctx: Context, party_id: int) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.party_id == party_id, Notification.read_at.is_(None))
        .values(read_at=ctx.clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def addresses_of(session: Session, party_id: int) -> list[NotificationAddress]:
    return list(
        session.scalars(
            select(NotificationAddress)
            .where(NotificationAddress.party_id == party_id)
            .order_by(NotificationAddress.id)
        )
    )


def add_address(
    session: Session, ctx: Context, party_id: int, email: str, lang: str
) -> NotificationAddress:
    email = email.strip()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise InvalidInput(
            "{email!r} is not an e-mail address", email=email, details={"field": "email"}
        )
    if any(a.email.lower() == email.lower() for a in addresses_of(session, party_id)):
        raise InvalidInput(
            "{email} is already on the list", email=email, details={"field": "email"}
        )
    row = NotificationAddress(
        party_id=party_id,
        email=email,
        lang=lang if lang in ("zh", "en") else "zh",
        created_at=ctx.clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def remove_address(session: Session, party_id: int, address_id: int) -> None:
    row = session.get(NotificationAddress, address_id)
    if row is None or row.party_id != party_id:
        raise NotFound("no address {id}", id=address_id)
    session.delete(row)
    session.flush()


# --- e-mail ----------------------------------------------------------------------------------


def message_for(settings: Settings, row: Notification, to: str, lang: str) -> EmailMessage:
    subject, text = words(row, lang)
    other = "en" if lang == "zh" else "zh"
    _, other_text = words(row, other)
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = f"[certgov] {subject}"
    message.set_content(f"{text}\n\n{other_text}\n")
    return message


def send_pending(ctx: Context, limit: int = 200) -> SweepReport:
    """E-mail every notification not yet sent to its party's addresses (each in the address's
    language, with the other language below). Without an SMTP host nothing is sent."""
    from certgov.store.engine import unit_of_work

    report = SweepReport()
    settings = ctx.settings
    if not settings.smtp_host:
        return report
    with unit_of_work(ctx.sessions, readonly=True) as session:
        pending = [
            (row.id, [(a.email, a.lang) for a in addresses_of(session, row.party_id)], row)
            for row in session.scalars(
                select(Notification)
                .where(Notification.emailed_at.is_(None), Notification.email_error.is_(None))
                .order_by(Notification.id)
                .limit(limit)
            )
        ]
        messages = [
            (nid, [message_for(settings, row, to, lang) for to, lang in targets])
            for nid, targets, row in pending
            if targets
        ]
    if not messages:
        return report
    results: dict[int, str | None] = {}
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            for nid, batch in messages:
                try:
                    for message in batch:
                        smtp.send_message(message)
                    results[nid] = None
                except smtplib.SMTPException as exc:
                    results[nid] = str(exc)[:500]
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("notifications: SMTP server %s not usable: %s", settings.smtp_host, exc)
        report.failed = len(messages)
        return report  # nothing marked: the next run tries again
    now = ctx.clock.now()
    with unit_of_work(ctx.sessions) as session:
        for nid, error in results.items():
            row = session.get(Notification, nid)
            if row is None:
                continue
            if error is None:
                row.emailed_at = now
                report.sent += 1
            else:
                row.email_error = error
                report.failed += 1
    return report


def today_in_china(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA_TZ).date()
