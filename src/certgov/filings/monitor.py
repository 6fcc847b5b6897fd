"""Monitoring of filed CA certificates (ECS-3.5, ECS-4.2): a filed CA certificate expiring
within the rule set's ``ca_certificate_expiry_warning`` without a filed successor (a later
certificate of the same CA with the same subject), or expired without one, is a finding."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, case, cast, exists, literal, select
from sqlalchemy.orm import Session, aliased

from certgov.actors import SYSTEM_ACTOR, Actor
from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs.citation import cite, cited
from certgov.filings.models import FiledCertificate
from certgov.findings.models import Finding, FindingStatus
from certgov.findings.services import Problem, close_finding, raise_finding
from certgov.i18n import N_
from certgov.parties.models import Party
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime
from certgov.text import Term, Text
from certgov.workflow.clocks import date_after

#: A filed CA certificate by its role, as the findings about it name it.
_CERTIFICATES = {
    "root": N_("root CA certificate"),
    "subordinate": N_("subordinate CA certificate"),
}


def certificate_words(role: str) -> Term | str:
    """``root CA certificate`` or ``subordinate CA certificate``, in the reader's words."""
    found = _CERTIFICATES.get(role)
    return Term("message", found) if found else f"{role} CA certificate"


@dataclass
class ExpiryReport:
    expiring: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)


def expiry_key(party_id: int, sha256: str) -> str:
    return f"ca-certificate-expiry:{party_id}:{sha256}"


def sweep_expiring(session: Session, ctx: Context) -> ExpiryReport:
    """Raise the finding of each filed CA certificate past the warning horizon with no filed
    successor, unless the same finding is already open. One query finds exactly those, so a
    run costs what the new problems cost, not the number of certificates ever expired; the
    findings close when the successor is filed (:func:`close_for_successor`)."""
    now = ctx.clock.now()
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, china_date(now))
    warning = rule_set.duration("ca_certificate_expiry_warning")
    horizon = dt.datetime.combine(date_after(china_date(now), warning), dt.time(0), tzinfo=dt.UTC)
    successor = aliased(FiledCertificate)
    key = literal("ca-certificate-expiry:") + cast(FiledCertificate.party_id, String) + ":"
    key = key + FiledCertificate.sha256
    code = case(
        (FiledCertificate.not_after <= now, "ca-certificate-expired"),
        else_="ca-certificate-expiring",
    )
    rows = session.scalars(
        select(FiledCertificate).where(
            FiledCertificate.not_after <= horizon,
            ~exists().where(
                successor.party_id == FiledCertificate.party_id,
                successor.subject_hash == FiledCertificate.subject_hash,
                successor.not_after > FiledCertificate.not_after,
            ),
            ~exists().where(
                Finding.dedup_key == key,
                Finding.status == FindingStatus.OPEN,
                Finding.code == code,
            ),
        )
    ).all()
    report = ExpiryReport()
    citation = cited(cite(rule_set, "ca_certificate_expiry_warning"))
    for row in rows:
        party = session.get(Party, row.party_id)
        assert party is not None
        expired = row.not_after <= now
        when = row.not_after.isoformat()
        raise_finding(
            session,
            ctx,
            SYSTEM_ACTOR,
            Problem(
                code="ca-certificate-expired" if expired else "ca-certificate-expiring",
                key=expiry_key(row.party_id, row.sha256),
                severity="high" if expired else "medium",
                title=Text(
                    N_("CA certificate expired without a filed successor: {party}")
                    if expired
                    else N_("CA certificate expiring without a filed successor: {party}"),
                    party=party.name,
                ),
                message=Text(
                    N_(
                        "The filed {certificate} {subject} (SHA-256 {sha256}…) expired at {when} "
                        "and no successor with the same subject is filed ({citation})."
                    )
                    if expired
                    else N_(
                        "The filed {certificate} {subject} (SHA-256 {sha256}…) expires at {when} "
                        "and no successor with the same subject is filed ({citation})."
                    ),
                    certificate=certificate_words(row.role),
                    subject=row.subject,
                    sha256=row.sha256[:16],
                    when=when,
                    citation=citation,
                ),
                requirement="ECS-3.5",
                party_id=party.id,
                jurisdiction=party.home_province,
                details={"sha256": row.sha256, "not_after": when, "log_index": row.log_index},
            ),
        )
        (report.expired if expired else report.expiring).append(row.sha256)
    return report


def close_for_successor(
    session: Session, ctx: Context, actor: Actor, filed: list[dict[str, Any]]
) -> None:
    """Newly ``filed`` certificates (their new rows' columns) succeed the CA's filed ones with the same subject that
    expire before them: their expiry findings close (ECS-3.5). One query per filing."""
    if not filed:
        return
    party_id = filed[0]["party_id"]
    latest: dict[str, dict[str, Any]] = {}
    for row in filed:
        subject = row["subject_hash"]
        if subject not in latest or row["not_after"] > latest[subject]["not_after"]:
            latest[subject] = row
    subjects = sorted(latest)
    for first in range(0, len(subjects), 500):
        # By the subject index alone, the CA filtered here (see filings.filed_ancestors).
        predecessors = session.execute(
            select(
                FiledCertificate.sha256, FiledCertificate.subject_hash, FiledCertificate.party_id
            ).where(FiledCertificate.subject_hash.in_(subjects[first : first + 500]))
        ).all()
        for sha256, subject, owner in predecessors:
            successor = latest[subject]
            if owner != party_id or sha256 == successor["sha256"]:
                continue
            close_finding(
                session,
                ctx,
                actor,
                expiry_key(party_id, sha256),
                f"successor {successor['sha256'][:16]}… filed at log index {successor['log_index']}",
            )
