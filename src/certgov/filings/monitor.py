"""Monitoring of filed CA certificates (ECS-3.5, ECS-4.2): a filed CA certificate expiring
within the rule set's ``ca_certificate_expiry_warning`` without a filed successor (a later
certificate of the same CA with the same subject), or expired without one, is a finding."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs.citation import cite
from certgov.filings.models import FiledCertificate
from certgov.identity.roles import SYSTEM_ACTOR
from certgov.registry.models import Party
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime
from certgov.supervision.services import Problem, close_finding, raise_finding
from certgov.workflow.clocks import date_after


@dataclass
class ExpiryReport:
    expiring: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)


def sweep_expiring(session: Session, ctx: Context) -> ExpiryReport:
    now = ctx.clock.now()
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, china_date(now))
    warning = rule_set.duration("ca_certificate_expiry_warning")
    horizon = dt.datetime.combine(date_after(china_date(now), warning), dt.time(0), tzinfo=dt.UTC)
    report = ExpiryReport()
    rows = session.scalars(
        select(FiledCertificate).where(FiledCertificate.not_after <= horizon)
    ).all()
    for row in rows:
        successor = session.scalar(
            select(FiledCertificate.id).where(
                FiledCertificate.party_id == row.party_id,
                FiledCertificate.subject_hash == row.subject_hash,
                FiledCertificate.not_after > row.not_after,
            )
        )
        key = f"ca-certificate-expiry:{row.party_id}:{row.sha256}"
        if successor is not None:
            close_finding(session, ctx, SYSTEM_ACTOR, key, "a successor was filed")
            continue
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
                key=key,
                severity="high" if expired else "medium",
                title=(
                    f"CA certificate {'expired' if expired else 'expiring'} without a filed "
                    f"successor: {party.name}"
                ),
                message=(
                    f"The filed {row.role} CA certificate {row.subject} (SHA-256 "
                    f"{row.sha256[:16]}…) {'expired' if expired else 'expires'} at {when} and no "
                    f"successor with the same subject is filed "
                    f"({cite(rule_set, 'ca_certificate_expiry_warning')})."
                ),
                requirement="ECS-3.5",
                party_id=party.id,
                jurisdiction=party.home_province,
                details={"sha256": row.sha256, "not_after": when, "log_index": row.log_index},
            ),
        )
        (report.expired if expired else report.expiring).append(row.sha256)
    return report
