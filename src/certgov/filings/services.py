"""Use cases of certificate filings (ECS-3.4): a CA files its root and subordinate CA
certificates; each is checked, stored and appended to the ``filings`` transparency log, and the
CA gets a receipt it can verify (log index, signed checkpoint, inclusion proof).

A filing is all or nothing: any certificate refused refuses the filing, with every reason of
every certificate. Certificates the CA filed before are reported as such and not logged twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from certgov.actors import Actor, ActorKind, Role
from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs.citation import cite, cited, period_words
from certgov.errors import Forbidden, InvalidInput
from certgov.filings import months, revocation
from certgov.filings.errors import FilingRefused
from certgov.filings.models import FiledCertificate, Filing
from certgov.filings.monitor import close_for_successor
from certgov.findings.services import Problem, raise_finding
from certgov.logs.audit import canonical_json
from certgov.parties.models import Party
from certgov.parties.services import get_ca
from certgov.pki import AlgorithmPolicy, Certificate, ChainVerifier, parse_bundle
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime, RuleSet
from certgov.text import Term, Text

FILINGS_LOG = "filings"
#: The most certificates one filing may carry.
MAX_CERTIFICATES = 1000
KEY_CERT_SIGN = "keyCertSign"


def subject_hash(name_der: bytes) -> str:
    return hashlib.sha256(name_der).hexdigest()


@dataclass(frozen=True)
class FiledEntry:
    #: The new ``filed_certificates`` row's columns (with its ``id``), as inserted: a filing
    #: of a thousand certificates does not build a thousand ORM objects.
    certificate: dict[str, Any]
    inclusion: dict[str, Any]


@dataclass
class Receipt:
    filing: Filing
    entries: list[FiledEntry]
    already_filed: list[FiledCertificate] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


def _filer(session: Session, actor: Actor, party_id: int | None) -> Party:
    if actor.kind is ActorKind.SYSTEM:
        if party_id is None:
            raise InvalidInput("name the CA the filing is for")
    elif actor.role is Role.CA_OPERATOR:
        party_id = party_id if party_id is not None else actor.party_id
        if party_id != actor.party_id:
            raise Forbidden("a CA files only its own certificates")
    else:
        raise Forbidden(
            "a {role} may not file CA certificates; the CA files its own",
            role=Term("role", actor.role),
        )
    assert party_id is not None
    return get_ca(session, party_id)


#: How far up its issuer hierarchy a certificate's filed ancestors are looked for.
MAX_DEPTH = 8


def filed_ancestors(
    session: Session, subject_hashes: Iterable[str], *, party_id: int | None = None
) -> dict[str, FiledCertificate]:
    """Filed certificates (of ``party_id``, or of any CA) whose subject is one of
    ``subject_hashes``, and their filed issuers up to :data:`MAX_DEPTH` levels, by SHA-256: the
    candidates of a path, found with one indexed query per level."""
    found: dict[str, FiledCertificate] = {}
    wanted = set(subject_hashes)
    seen: set[str] = set()
    for _ in range(MAX_DEPTH):
        wanted -= seen
        if not wanted:
            break
        seen |= wanted
        # By subject hash only, the CA filtered here: with the CA in the query a planner that
        # misjudges a CA's size (PostgreSQL before its statistics catch up) scans all of the
        # CA's certificates instead of the subject index.
        query = select(FiledCertificate).where(FiledCertificate.subject_hash.in_(sorted(wanted)))
        wanted = set()
        for row in session.scalars(query):
            if party_id is not None and row.party_id != party_id:
                continue
            if row.sha256 not in found:
                found[row.sha256] = row
                wanted.add(row.issuer_hash)
    return found


def _relevant(
    session: Session, party_id: int, certificates: list[Certificate]
) -> list[FiledCertificate]:
    """The CA's filed certificates a filing of ``certificates`` needs: those it repeats, and
    the filed issuers (and their issuers) of any certificate, so a filing costs what it holds,
    not what the CA filed before."""
    found = filed_ancestors(
        session, {subject_hash(c.summary.issuer_der) for c in certificates}, party_id=party_id
    )
    found.update(_filed(session, party_id, {c.fingerprint for c in certificates} - set(found)))
    return sorted(found.values(), key=lambda row: row.id)


def _filed(
    session: Session, party_id: int, fingerprints: Iterable[str]
) -> dict[str, FiledCertificate]:
    """The CA's filed certificates among ``fingerprints``, by SHA-256 (looked up by the
    fingerprint index alone, the CA filtered here: see :func:`filed_ancestors`)."""
    wanted = sorted(set(fingerprints))
    found: dict[str, FiledCertificate] = {}
    for first in range(0, len(wanted), 500):
        for row in session.scalars(
            select(FiledCertificate).where(FiledCertificate.sha256.in_(wanted[first : first + 500]))
        ):
            if row.party_id == party_id:
                found[row.sha256] = row
    return found


def _loaded(rows: Iterable[FiledCertificate]) -> list[Certificate]:
    return [Certificate.from_der(row.der, where=f"filed certificate {row.id}") for row in rows]


def _check(
    certificate: Certificate,
    verifier: ChainVerifier,
    policy: AlgorithmPolicy,
    now: dt.datetime,
) -> tuple[list[dict[str, Any]], Certificate]:
    """Why ``certificate`` may not be filed (empty when it may), and its issuer on the path
    (itself for a root)."""
    summary = certificate.summary
    problems: list[dict[str, Any]] = []
    if not summary.is_ca:
        problems.append(
            {
                "code": "not_a_ca_certificate",
                "message": f"certificate {certificate.describe()} is not a CA certificate "
                "(basicConstraints cA is not true): only root and subordinate CA certificates "
                "are filed",
            }
        )
    if summary.key_usage is not None and KEY_CERT_SIGN not in summary.key_usage:
        problems.append(
            {
                "code": "key_usage",
                "message": f"certificate {certificate.describe()} has key usage "
                f"{', '.join(summary.key_usage)} without keyCertSign",
            }
        )
    result = verifier.verify(certificate, now)
    problems.extend(problem.as_dict() for problem in result.problems)
    for problem in policy.check(certificate):
        entry = problem.as_dict()
        if entry not in problems:
            problems.append(entry)
    issuer = result.path[1] if len(result.path) > 1 else certificate
    return problems, issuer


def _entry(party: Party, filing: Filing, certificate: Certificate, role: str) -> bytes:
    return canonical_json(
        {
            "v": 1,
            "type": "ca-certificate",
            "filing": filing.id,
            "party": party.id,
            "uscc": party.uscc,
            "role": role,
            "sha256": certificate.fingerprint,
            "filed_at": filing.filed_at.astimezone(dt.UTC).isoformat(),
            "der": base64.b64encode(certificate.der).decode("ascii"),
        }
    )


@dataclass(frozen=True)
class CheckedFiling:
    """A filing whose certificates passed every check (:func:`check_filing`), ready to be
    recorded (:func:`record_filing`)."""

    party_id: int
    rule_set_id: str
    #: Every certificate of the bundle, as parsed.
    certificates: list[Certificate]
    #: The certificates not filed before, each with its issuer on the verified path.
    new: list[Certificate]
    issuers: dict[str, Certificate]
    already: list[FiledCertificate]


def submit_filing(
    session: Session, ctx: Context, actor: Actor, data: bytes, *, party_id: int | None = None
) -> Receipt:
    """File the CA certificates of a PEM/DER/PKCS #7 bundle (ECS-3.4), in one transaction."""
    return record_filing(
        session, ctx, actor, check_filing(session, ctx, actor, data, party_id=party_id)
    )


def check_filing(
    session: Session, ctx: Context, actor: Actor, data: bytes, *, party_id: int | None = None
) -> CheckedFiling:
    """Parse and check a filing, writing nothing: the costly part (parsing, signatures) can
    run in a read-only transaction, beside other filings, and the write transaction of
    :func:`record_filing` holds the write lock only while recording. Raises
    :class:`FilingRefused` with every reason of every certificate."""
    party = _filer(session, actor, party_id)
    certificates = parse_bundle(data, max_certificates=MAX_CERTIFICATES)
    return _checked(session, ctx, party, list(certificates))


def _checked(
    session: Session, ctx: Context, party: Party, certificates: list[Certificate]
) -> CheckedFiling:
    now = ctx.clock.now()
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, china_date(now))
    policy = AlgorithmPolicy.from_rule_set(rule_set)
    existing = _relevant(session, party.id, certificates)
    known = {row.sha256: row for row in existing}
    fresh: dict[str, Certificate] = {}
    already: dict[str, FiledCertificate] = {}
    for certificate in certificates:
        if certificate.fingerprint in known:
            already[certificate.fingerprint] = known[certificate.fingerprint]
        else:
            fresh.setdefault(certificate.fingerprint, certificate)
    new = list(fresh.values())
    pool = _loaded(existing) + new
    # One verifier for the whole filing: the CA's filed certificates and the new ones are its
    # pool, so each certificate costs its own signature check, not a rebuilt pool.
    verifier = ChainVerifier(
        [c for c in pool if c.summary.is_self_issued],
        [c for c in pool if not c.summary.is_self_issued],
    )
    refusals: list[dict[str, Any]] = []
    first = ""
    issuers: dict[str, Certificate] = {}
    for certificate in new:
        problems, issuers[certificate.fingerprint] = _check(certificate, verifier, policy, now)
        if problems:
            first = first or str(problems[0]["message"])
            refusals.append(
                {
                    "sha256": certificate.fingerprint,
                    "subject": certificate.subject,
                    "problems": problems,
                }
            )
    if refusals:
        count = len(refusals)
        raise FilingRefused(
            "the filing was refused: {count} of {total} certificate(s) cannot be filed "
            "(first: {first})",
            count=count,
            total=len(new),
            first=first,
            hint="every reason is in details.certificates; nothing was filed",
            details={"rule_set": rule_set.id, "certificates": refusals},
        )
    return CheckedFiling(party.id, rule_set.id, certificates, new, issuers, list(already.values()))


def record_filing(session: Session, ctx: Context, actor: Actor, checked: CheckedFiling) -> Receipt:
    """Record a checked filing: store the new certificates, append them to the ``filings``
    log and make the receipt. Certificates another filing recorded since the check are
    reported as already filed; a rule set that came into force since the check means the
    filing is checked again under it."""
    party = _filer(session, actor, checked.party_id)
    now = ctx.clock.now()
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, china_date(now))
    if rule_set.id != checked.rule_set_id:
        checked = _checked(session, ctx, party, checked.certificates)
    concurrent = _filed(session, party.id, (c.fingerprint for c in checked.new))
    new = [c for c in checked.new if c.fingerprint not in concurrent]
    receipt = _record(session, ctx, actor, party, new, rule_set, now)
    # The CRL distribution points and OCSP responders the new certificates name are
    # monitored from now on (ECS-3.5).
    revocation.register_sources(
        session, ctx, party.id, [(c, checked.issuers[c.fingerprint]) for c in new]
    )
    receipt.already_filed = checked.already + list(concurrent.values())
    return receipt


def _record(
    session: Session,
    ctx: Context,
    actor: Actor,
    party: Party,
    new: list[Certificate],
    rule_set: RuleSet,
    now: dt.datetime,
) -> Receipt:
    filing = Filing(
        party_id=party.id,
        filed_at=now,
        filed_by=actor.name,
        rule_set_id=rule_set.id,
        log_size=0,
        checkpoint="",
    )
    session.add(filing)
    session.flush()
    roles = ["root" if c.summary.is_self_issued else "subordinate" for c in new]
    sequenced = ctx.logs.sequence(
        session,
        FILINGS_LOG,
        now,
        [_entry(party, filing, c, role) for c, role in zip(new, roles, strict=True)],
        prove=True,
    )
    filing.log_size = sequenced.size
    filing.checkpoint = sequenced.checkpoint
    period = rule_set.duration("subordinate_ca_filing_period")
    today = china_date(now)
    values: list[dict[str, Any]] = []
    for offset, (certificate, role) in enumerate(zip(new, roles, strict=True)):
        summary = certificate.summary
        issued_on = china_date(summary.not_before)
        values.append(
            {
                "filing_id": filing.id,
                "party_id": party.id,
                "role": role,
                "sha256": certificate.fingerprint,
                "subject_hash": subject_hash(summary.subject_der),
                "issuer_hash": subject_hash(summary.issuer_der),
                "subject": summary.subject[:1000],
                "issuer": summary.issuer[:1000],
                "serial": summary.serial_hex[:100],
                "not_before": summary.not_before,
                "not_after": summary.not_after,
                "key": (summary.curve or f"{summary.key_algorithm.value}{summary.key_size or ''}")[
                    :64
                ],
                "signature_algorithm": summary.signature_algorithm[:64],
                "crl_urls": list(summary.crl_urls),
                "ocsp_urls": list(summary.ocsp_urls),
                "der": certificate.der,
                "log_index": sequenced.first_index + offset,
                "filed_at": now,
                "late": role == "subordinate" and (today - issued_on).days > period.amount,
                "details": {"issued_on": issued_on.isoformat()},
            }
        )
    # One executemany, not a unit-of-work flush per row; the ids are read back in one query.
    session.execute(insert(cast(Table, FiledCertificate.__table__)), values)
    months.count_filed(session, party.id, now, len(values))
    ids = dict(
        session.execute(
            select(FiledCertificate.log_index, FiledCertificate.id).where(
                FiledCertificate.filing_id == filing.id
            )
        ).all()
    )
    for value in values:
        value["id"] = ids[value["log_index"]]
    # Neighbouring proofs share most hashes: each is encoded once.
    encoded: dict[bytes, str] = {}

    def b64(node: bytes) -> str:
        text = encoded.get(node)
        if text is None:
            text = encoded[node] = base64.b64encode(node).decode()
        return text

    entries = [
        FiledEntry(value, proof.as_dict(b64))
        for value, proof in zip(values, sequenced.proofs, strict=True)
    ]
    close_for_successor(session, ctx, actor, values)
    findings = []
    for value in values:
        if value["late"]:
            findings.append(_late_finding(session, ctx, actor, party, value, rule_set).dedup_key)
    ctx.audit.record(
        session,
        actor,
        "filing.accepted",
        subject={"party": party.id, "filing": filing.id},
        # The filings log holds every certificate; the audit record names the range and a
        # digest of the fingerprints, so a filing of any size fits one record.
        after={
            "certificates": len(values),
            "log_indices": [values[0]["log_index"], values[-1]["log_index"]] if values else [],
            "sha256_of_fingerprints": hashlib.sha256(
                "".join(value["sha256"] for value in values).encode()
            ).hexdigest(),
        },
        details={"rule_set": rule_set.id, "late": sum(value["late"] for value in values)},
    )
    return Receipt(filing, entries, findings=findings)


def _late_finding(
    session: Session,
    ctx: Context,
    actor: Actor,
    party: Party,
    row: dict[str, Any],
    rule_set: RuleSet,
) -> Any:
    citation = cite(rule_set, "subordinate_ca_filing_period")
    sha256, subject, filed_on = row["sha256"], row["subject"], china_date(row["filed_at"])
    issued_on = china_date(row["not_before"])
    days = (filed_on - issued_on).days
    return raise_finding(
        session,
        ctx,
        actor,
        Problem(
            code="subordinate-filed-late",
            key=f"filing-late:{party.id}:{sha256}",
            severity="medium",
            title=Text("Subordinate CA certificate filed late: {party}", party=party.name),
            message=Text(
                "The subordinate CA certificate {subject} (SHA-256 {sha256}…) valid from "
                "{issued_on} was filed on {filed_on}, {days} days later; it is due within "
                "{period} ({citation}).",
                subject=subject,
                sha256=sha256[:16],
                issued_on=issued_on,
                filed_on=filed_on,
                days=days,
                period=period_words(rule_set.duration("subordinate_ca_filing_period")),
                citation=cited(citation),
            ),
            requirement="ECS-3.4",
            party_id=party.id,
            jurisdiction=party.home_province,
            details={"sha256": sha256, "days": days, "log_index": row["log_index"]},
        ),
    )
