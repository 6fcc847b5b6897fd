"""Standards lints of filed CA certificates (ECS-3.4, ECS-4.2), run by the worker.

Filing checks what the filing needs (a CA certificate, its chain, signatures, validity, the
algorithm policy) and answers at once; the profile lints of pkilint
(:func:`certgov.pki.lint.lint_certificate`, RFC 5280) run afterwards in the worker:
:func:`sweep_lints` lints each filed certificate not yet linted (or linted by another pkilint
version), stores the report as a :class:`~certgov.filings.models.CertificateLint`, and raises
one ``certificate-lint`` finding per pkilint code per certificate whose pkilint severity the
rule set's ``certificate_lint_findings`` lists, with the finding severity it gives. A
certificate pkilint cannot decode at all is recorded as not linted, with the reason, and raises
nothing. Re-linted by a new pkilint version, the findings of codes that no longer appear close.

Batches of certificates are claimed and linted each in its own transaction (``SKIP LOCKED`` on
PostgreSQL, so several workers share the work).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certgov.actors import SYSTEM_ACTOR
from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs.citation import cite, cited
from certgov.errors import ConfigurationError
from certgov.filings.models import CertificateLint, FiledCertificate
from certgov.filings.monitor import certificate_words
from certgov.filings.schemas import lint_out
from certgov.findings.services import (
    Problem,
    close_finding,
    open_findings_with_prefix,
    raise_finding,
)
from certgov.i18n import N_
from certgov.parties.models import Party
from certgov.pki.lint import LINTER, LintFinding, LintReport, LintSeverity, lint_certificate
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime, RuleSet
from certgov.store.engine import unit_of_work
from certgov.text import Term, Text
from certgov.workflow.definition import Severity

__all__ = [
    "FINDING_CODE",
    "PARAMETER",
    "LintSweepReport",
    "finding_severities",
    "lint_key",
    "lint_of",
    "lint_out",
    "sweep_lints",
]

FINDING_CODE = "certificate-lint"
REQUIREMENT = "ECS-3.4"
#: The rule parameter: which pkilint severities are findings, and of which finding severity.
PARAMETER = "certificate_lint_findings"
#: Certificates one worker run lints at most, and per transaction (~2 ms each).
DEFAULT_LIMIT = 500
DEFAULT_BATCH = 50


@dataclass
class LintSweepReport:
    linted: int = 0
    not_linted: int = 0
    #: Findings raised (opened, reopened or seen again) and closed.
    findings: int = 0
    closed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "linted": self.linted,
            "not_linted": self.not_linted,
            "findings": self.findings,
            "closed": self.closed,
        }


def lint_key(party_id: int, sha256: str, code: str) -> str:
    """The finding key of lint ``code`` on a CA's filed certificate."""
    return f"{_prefix(party_id, sha256)}{code[:150]}"


def _prefix(party_id: int, sha256: str) -> str:
    return f"lint:{party_id}:{sha256}:"


def finding_severities(rule_set: RuleSet) -> dict[LintSeverity, str]:
    """The rule set's ``certificate_lint_findings``: ``<pkilint severity>=<finding severity>``
    entries as a mapping; :class:`ConfigurationError` naming a malformed entry."""
    mapping: dict[LintSeverity, str] = {}
    for entry in rule_set.items(PARAMETER):
        lint, _, finding = entry.partition("=")
        try:
            mapping[LintSeverity(lint.strip().lower())] = Severity(finding.strip().lower()).value
        except ValueError:
            raise ConfigurationError(
                "rule set {rule_set!r} parameter {parameter!r}: {entry!r} is not "
                "'<pkilint severity>=<finding severity>'",
                rule_set=rule_set.id,
                parameter=PARAMETER,
                entry=entry,
                lint_severities=", ".join(s.value for s in LintSeverity),
                finding_severities=", ".join(s.value for s in Severity),
                hint="pkilint severities: {lint_severities}; finding severities: "
                "{finding_severities}",
                details={"rule_set": rule_set.id, "key": PARAMETER, "entry": entry},
            ) from None
    return mapping


def sweep_lints(
    ctx: Context, *, limit: int = DEFAULT_LIMIT, batch: int = DEFAULT_BATCH
) -> LintSweepReport:
    """Lint up to ``limit`` filed certificates not yet linted by this pkilint version, in
    batches of ``batch``, each batch in its own transaction."""
    report = LintSweepReport()
    remaining = max(limit, 0)
    while remaining > 0:
        with unit_of_work(ctx.sessions) as session:
            claimed = _lint_batch(session, ctx, min(batch, remaining), report)
        if claimed == 0:
            break
        remaining -= claimed
    return report


def _lint_batch(session: Session, ctx: Context, size: int, report: LintSweepReport) -> int:
    """Claim up to ``size`` certificates due for a lint and lint them; how many were claimed."""
    query = (
        select(FiledCertificate)
        .outerjoin(CertificateLint, CertificateLint.filed_certificate_id == FiledCertificate.id)
        .where(or_(CertificateLint.id.is_(None), CertificateLint.linter != LINTER))
        .order_by(FiledCertificate.id)
        .limit(size)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=FiledCertificate)
    rows = list(session.scalars(query))
    if not rows:
        return 0
    # Read again once the rows are locked: another worker may have linted one meanwhile.
    previous = {
        lint.filed_certificate_id: lint
        for lint in session.scalars(
            select(CertificateLint).where(
                CertificateLint.filed_certificate_id.in_([row.id for row in rows])
            )
        )
    }
    now = ctx.clock.now()
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, china_date(now))
    severities = finding_severities(rule_set)
    for row in rows:
        stored = previous.get(row.id)
        if stored is not None and stored.linter == LINTER:
            continue
        result = lint_certificate(row.der)
        relint = stored is not None
        if stored is None:
            stored = CertificateLint(filed_certificate_id=row.id)
            session.add(stored)
        _store(stored, result, now)
        if not result.linted:
            report.not_linted += 1
            continue
        report.linted += 1
        _raise_findings(session, ctx, row, result, rule_set, severities, report, relint=relint)
    session.flush()
    return len(rows)


def _store(stored: CertificateLint, result: LintReport, now: dt.datetime) -> None:
    stored.linted_at = now
    stored.linter = result.linter
    stored.profile = result.profile
    stored.linted = result.linted
    stored.reason = result.reason
    stored.results = [finding.as_dict() for finding in result.findings]
    stored.fatal_count = result.counts.get(LintSeverity.FATAL.value, 0)
    stored.error_count = result.counts.get(LintSeverity.ERROR.value, 0)
    stored.warning_count = result.counts.get(LintSeverity.WARNING.value, 0)
    stored.notice_count = result.counts.get(LintSeverity.NOTICE.value, 0)
    stored.info_count = result.counts.get(LintSeverity.INFO.value, 0)


def _raise_findings(
    session: Session,
    ctx: Context,
    row: FiledCertificate,
    result: LintReport,
    rule_set: RuleSet,
    severities: dict[LintSeverity, str],
    report: LintSweepReport,
    *,
    relint: bool,
) -> None:
    """One finding per failing lint code (its occurrences in the details); when re-linting,
    close the findings of codes that no longer fail."""
    by_code: dict[str, list[LintFinding]] = {}
    for finding in result.findings:
        if finding.severity in severities:
            by_code.setdefault(finding.code, []).append(finding)
    keys = set()
    party = session.get(Party, row.party_id) if by_code else None
    citation = cite(rule_set, PARAMETER)
    for code, occurrences in by_code.items():
        assert party is not None
        worst = min(occurrences, key=lambda f: f.severity.rank)
        key = lint_key(row.party_id, row.sha256, code)
        keys.add(key)
        where = ", ".join(sorted({f.path for f in occurrences}))
        raise_finding(
            session,
            ctx,
            SYSTEM_ACTOR,
            Problem(
                code=FINDING_CODE,
                key=key,
                severity=severities[worst.severity],
                title=Text(
                    "Filed CA certificate fails lint {code}: {party}", code=code, party=party.name
                ),
                # The linter's own words (English) stay a parameter.
                message=Text(
                    N_(
                        "The filed {certificate} {subject} (SHA-256 {sha256}…) fails the "
                        "{linter} RFC 5280 lint {code} ({severity}) at {where}: {said} "
                        "({citation})."
                    )
                    if worst.message
                    else N_(
                        "The filed {certificate} {subject} (SHA-256 {sha256}…) fails the "
                        "{linter} RFC 5280 lint {code} ({severity}) at {where} ({citation})."
                    ),
                    certificate=certificate_words(row.role),
                    subject=row.subject,
                    sha256=row.sha256[:16],
                    linter=result.linter,
                    code=code,
                    severity=Term("lint_severity", worst.severity.value),
                    where=where,
                    said=worst.message or "",
                    citation=cited(citation),
                ),
                requirement=REQUIREMENT,
                party_id=party.id,
                jurisdiction=party.home_province,
                details={
                    "lint": {
                        "code": code,
                        "severity": worst.severity.value,
                        "occurrences": [
                            {"path": f.path, "message": f.message, "validator": f.validator}
                            for f in occurrences
                        ],
                    },
                    "linter": result.linter,
                    "profile": result.profile,
                    "certificate": {
                        "sha256": row.sha256,
                        "subject": row.subject,
                        "role": row.role,
                        "filed_certificate_id": row.id,
                        "log_index": row.log_index,
                    },
                    "rule": {"requirement": REQUIREMENT, **citation.as_dict()},
                    "rule_set": rule_set.id,
                },
            ),
        )
        report.findings += 1
    if not relint:
        return
    for stale in open_findings_with_prefix(session, _prefix(row.party_id, row.sha256)):
        if stale.dedup_key not in keys:
            close_finding(
                session,
                ctx,
                SYSTEM_ACTOR,
                stale.dedup_key,
                f"no longer reported by {result.linter}",
            )
            report.closed += 1


# -- views ----------------------------------------------------------------------------------


def lint_of(session: Session, filed_certificate_id: int) -> dict[str, Any] | None:
    """The stored lint of a filed certificate, JSON-ready; None when not linted yet."""
    return lint_out(
        session.scalar(
            select(CertificateLint).where(
                CertificateLint.filed_certificate_id == filed_certificate_id
            )
        )
    )
