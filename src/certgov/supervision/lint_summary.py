"""A CA's lint summary for its regulators (issue 17; ECS-3.4, ECS-4.2), like crt.sh's: each
pkilint code found in the CA certificates it filed, with its severity, how many certificates
have it (and what share of those linted) and a few of them to open; and how many of its
certificates were linted, could not be read by the linter, are not linted yet, or have a
finding of each severity.

Scoped like the dashboard (SYS-6): the national regulator sees every CA, a provincial one the
CAs of its province. The stored lints (:class:`certgov.filings.models.CertificateLint`) are
read once per CA: the counts from their per-severity columns, the codes only from the lints
that found something.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.context import Context
from certgov.errors import NotFound
from certgov.filings import months
from certgov.filings.models import CertificateLint, FiledCertificate
from certgov.parties.models import Party, PartyKind
from certgov.pki.lint import LintSeverity
from certgov.supervision.dashboard import scope_of

__all__ = ["EXAMPLES", "SEVERITIES", "lint_summary"]

#: The severities counted, most severe first (pkilint's ``debug`` is never stored as a problem).
SEVERITIES = (
    LintSeverity.FATAL,
    LintSeverity.ERROR,
    LintSeverity.WARNING,
    LintSeverity.NOTICE,
    LintSeverity.INFO,
)
#: Certificates listed per lint code (the rest: the CA's filtered certificate search).
EXAMPLES = 5
_COUNT = {
    LintSeverity.FATAL: CertificateLint.fatal_count,
    LintSeverity.ERROR: CertificateLint.error_count,
    LintSeverity.WARNING: CertificateLint.warning_count,
    LintSeverity.NOTICE: CertificateLint.notice_count,
    LintSeverity.INFO: CertificateLint.info_count,
}


def _rank(severity: str) -> int:
    try:
        return LintSeverity(severity).rank
    except ValueError:
        return len(LintSeverity)


def lint_summary(session: Session, ctx: Context, actor: Actor, party_id: int) -> dict[str, Any]:
    """The lint summary of the CA ``party_id`` (NotFound for a CA outside the actor's remit,
    Forbidden for anyone but a regulator)."""
    scope = scope_of(actor)
    party = session.get(Party, party_id)
    if (
        party is None
        or party.kind is not PartyKind.CA
        or (scope is not None and party.home_province != scope)
    ):
        raise NotFound(
            "No CA with number {party} in your remit",
            party=party_id,
            hint="a provincial regulator sees the CAs of its own province",
        )
    mine = FiledCertificate.party_id == party_id
    filed, _last = months.totals(session, [party_id]).get(party_id, (0, None))
    counts = session.execute(
        select(
            func.count(),
            func.sum(case((CertificateLint.linted.is_(False), 1), else_=0)),
            *(func.sum(case((column > 0, 1), else_=0)) for column in _COUNT.values()),
            func.max(CertificateLint.linter),
            # A certificate with a problem: anything above "for information".
            func.sum(case((or_(*(c > 0 for c in list(_COUNT.values())[:4])), 1), else_=0)),
        )
        .select_from(CertificateLint)
        .join(FiledCertificate, FiledCertificate.id == CertificateLint.filed_certificate_id)
        .where(mine)
    ).one()
    stored, unreadable = int(counts[0] or 0), int(counts[1] or 0)
    with_severity = {
        severity.value: int(n or 0) for severity, n in zip(SEVERITIES, counts[2:7], strict=True)
    }
    with_problem = int(counts[8] or 0)
    codes: dict[str, dict[str, Any]] = {}
    listed = or_(*(column > 0 for column in _COUNT.values()))
    for sha256, subject, role, results in session.execute(
        select(
            FiledCertificate.sha256,
            FiledCertificate.subject,
            FiledCertificate.role,
            CertificateLint.results,
        )
        .join(CertificateLint, CertificateLint.filed_certificate_id == FiledCertificate.id)
        .where(mine, CertificateLint.linted.is_(True), listed)
        .order_by(FiledCertificate.id)
    ):
        seen: dict[str, str] = {}
        for finding in results or []:
            code = str(finding.get("code") or "")
            severity = str(finding.get("severity") or "")
            if not code or _rank(severity) >= LintSeverity.DEBUG.rank:
                continue
            if code not in seen or _rank(severity) < _rank(seen[code]):
                seen[code] = severity
        for code, severity in seen.items():
            entry = codes.setdefault(
                code, {"code": code, "severity": severity, "certificates": 0, "examples": []}
            )
            entry["certificates"] += 1
            if _rank(severity) < _rank(entry["severity"]):
                entry["severity"] = severity
            if len(entry["examples"]) < EXAMPLES:
                entry["examples"].append({"sha256": sha256, "subject": subject, "role": role})
    linted = stored - unreadable
    for entry in codes.values():
        entry["share"] = entry["certificates"] / linted if linted else 0.0
    return {
        "party_id": party.id,
        "name": party.name,
        "province": party.home_province,
        "filed": int(filed),
        "linted": linted,
        "unreadable": unreadable,
        "not_yet_linted": max(int(filed) - stored, 0),
        "clean": max(linted - with_problem, 0),
        "with_severity": with_severity,
        "linter": counts[7],
        "codes": sorted(
            codes.values(), key=lambda e: (_rank(e["severity"]), -e["certificates"], e["code"])
        ),
    }
