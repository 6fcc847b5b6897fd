"""Revocation services of CAs: monitored by the worker (ECS-3.5, ECS-4.2), read by relying-party
verification (SYS-5).

Every CRL distribution point and OCSP responder named by a filed CA certificate is a
:class:`~certgov.filings.models.RevocationSource`; so is every CRL distribution point of a
certificate whose chain verification led to a filed CA certificate (the CA's own CRLs for its
subscribers). The worker checks each source every ``revocation_check_interval_seconds``:

- CRL: fetched, parsed, its signature checked against the issuer of the certificate that
  names it, its freshness against now. Findings: ``crl-unreachable``, ``crl-unparsable``,
  ``crl-bad-signature`` (signature, issuer name, cRLSign), ``crl-stale`` (nextUpdate passed,
  none, or thisUpdate ahead), ``crl-nonconforming`` (another problem, e.g. an unknown critical
  extension). The last good CRL is kept for verification.
- OCSP: the status of the certificate that names the responder is asked for. Findings:
  ``ocsp-unreachable``, ``ocsp-malformed``, ``ocsp-error``, ``ocsp-bad-signature``,
  ``ocsp-stale``.
- A filed CA certificate that its issuer's CRL or OCSP responder says is revoked is a finding
  too (``filed-ca-certificate-revoked``).

One finding per source (its key names the source), so a problem seen again moves its
``last_seen``; a good check closes it. Network I/O happens outside any database transaction:
the sources due are claimed in one transaction (``SKIP LOCKED`` on PostgreSQL, so several
workers share the work), fetched, and each result is recorded in its own transaction.

Verification (:func:`check_path`) asks, for each certificate of the verified path, its
issuer's CRL first and the certificate's OCSP responder only when no CRL answers (none named,
unreachable, stale, wrongly signed, out of scope). CRL first because the CRL the worker keeps
answers without any network exchange and for every certificate of the issuer, so the usual
request stays local; it is also kept in the database, the same evidence for every relying
party; and asking a responder tells the CA which certificate is being relied on. OCSP covers
the certificates that name no CRL and the CRL outages. A usable OCSP answer (good or revoked,
issuer-signed or signed by a delegated responder with id-kp-OCSPSigning, fresh now) is kept in
process memory until its nextUpdate, or ``revocation_ocsp_cache_seconds`` when it has none; it
is per certificate, so it is not stored with the source. A CRL distribution point or OCSP
responder that verification meets for the first time is registered as a source, so the worker
monitors it from then on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import SYSTEM_ACTOR
from certgov.context import Context
from certgov.filings.fetch import FetchError, UnsupportedScheme, http_get, http_post
from certgov.filings.models import RevocationSource
from certgov.findings.services import Problem, close_finding, raise_finding
from certgov.lru import Lru
from certgov.parties.models import Party
from certgov.pki import (
    Certificate,
    Crl,
    CrlScopeError,
    OcspAnswer,
    PkiError,
    ProblemCode,
    build_request,
    check_crl,
    check_response,
    parse_crl,
    revocation_status,
)
from certgov.store.engine import unit_of_work

__all__ = [
    "RevocationReport",
    "check_path",
    "register_sources",
    "sweep_revocation",
]

REQUIREMENT = "ECS-3.5"

_SIGNATURE_CODES = frozenset(
    {
        ProblemCode.CRL_BAD_SIGNATURE,
        ProblemCode.CRL_ISSUER_MISMATCH,
        ProblemCode.INVALID_KEY,
        ProblemCode.UNSUPPORTED_ALGORITHM,
        ProblemCode.KEY_USAGE,
    }
)
_FRESHNESS_CODES = frozenset(
    {ProblemCode.CRL_STALE, ProblemCode.CRL_NO_NEXT_UPDATE, ProblemCode.CRL_NOT_YET_VALID}
)
_OCSP_CODES = {
    ProblemCode.OCSP_MALFORMED: "ocsp-malformed",
    ProblemCode.OCSP_ERROR_STATUS: "ocsp-error",
    ProblemCode.OCSP_BAD_SIGNATURE: "ocsp-bad-signature",
    ProblemCode.OCSP_STALE: "ocsp-stale",
}
_SEVERITY = {
    "crl-stale": "medium",
    "ocsp-stale": "medium",
    "crl-nonconforming": "low",
}
_TITLES = {
    "crl-unreachable": "CRL unreachable",
    "crl-unparsable": "CRL unparsable",
    "crl-bad-signature": "CRL wrongly signed",
    "crl-stale": "CRL stale",
    "crl-nonconforming": "CRL does not conform",
    "ocsp-unreachable": "OCSP responder unreachable",
    "ocsp-malformed": "OCSP response unusable",
    "ocsp-error": "OCSP responder answers with an error",
    "ocsp-bad-signature": "OCSP response wrongly signed",
    "ocsp-stale": "OCSP response stale",
}


def _http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


# -- registration ---------------------------------------------------------------------------


def register_sources(
    session: Session,
    ctx: Context,
    party_id: int,
    pairs: Iterable[tuple[Certificate, Certificate]],
    *,
    kinds: tuple[str, ...] = ("crl", "ocsp"),
) -> list[RevocationSource]:
    """Register the CRL distribution points (and OCSP responders) named by each certificate of
    ``pairs`` (certificate, its issuer) as sources of ``party_id``; known ones are kept."""
    now = ctx.clock.now()
    wanted: dict[tuple[str, str], tuple[Certificate, Certificate]] = {}
    for certificate, issuer in pairs:
        urls = {"crl": certificate.summary.crl_urls, "ocsp": certificate.summary.ocsp_urls}
        for kind in kinds:
            for url in urls[kind]:
                if len(url) <= 1000:
                    wanted.setdefault((kind, url), (certificate, issuer))
    if not wanted:
        return []
    known = {
        (row.kind, row.url)
        for row in session.scalars(
            select(RevocationSource).where(
                RevocationSource.party_id == party_id,
                RevocationSource.url.in_(sorted({url for _, url in wanted})),
            )
        )
    }
    added = []
    for (kind, url), (certificate, issuer) in wanted.items():
        if (kind, url) in known:
            continue
        source = RevocationSource(
            party_id=party_id,
            kind=kind,
            url=url,
            subject_sha256=certificate.fingerprint,
            subject_der=certificate.der,
            issuer_der=issuer.der,
            registered_at=now,
            status="pending" if _http(url) else "unsupported",
            next_check_at=now,
            details={},
        )
        if not _http(url):
            source.message = "certgov fetches http and https URLs only"
        session.add(source)
        added.append(source)
    session.flush()
    return added


# -- checking -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one check of a source found: ``problem`` is a finding code, or None when good."""

    problem: str | None
    message: str
    crl_der: bytes | None = None
    this_update: dt.datetime | None = None
    next_update: dt.datetime | None = None
    revoked: dict[str, Any] | None = None
    unsupported: bool = False
    facts: dict[str, Any] = field(default_factory=dict)


def _check_crl_source(
    url: str, subject: Certificate, issuer: Certificate, now: dt.datetime, ctx: Context
) -> Outcome:
    settings = ctx.settings
    try:
        data = http_get(
            url,
            timeout=settings.revocation_timeout_seconds,
            max_bytes=settings.revocation_max_bytes,
        )
    except UnsupportedScheme as exc:
        return Outcome(None, str(exc), unsupported=True)
    except FetchError as exc:
        return Outcome("crl-unreachable", f"the CRL at {url} could not be fetched: {exc}")
    try:
        crl = parse_crl(data)
    except PkiError as exc:
        return Outcome("crl-unparsable", f"the CRL at {url} is not a CRL: {exc.message}")
    problems = check_crl(crl, issuer, now)
    summary = crl.summary
    facts = {
        "crl_number": summary.crl_number,
        "this_update": summary.this_update.isoformat(),
        "next_update": summary.next_update.isoformat() if summary.next_update else None,
        "revoked": len(summary.revoked),
        "sha256": crl.fingerprint,
    }
    signature = [p for p in problems if p.code in _SIGNATURE_CODES]
    if signature:
        return Outcome(
            "crl-bad-signature", f"the CRL at {url}: {signature[0].message}", facts=facts
        )
    revoked = None
    try:
        entry = revocation_status(crl, subject)
    except CrlScopeError:
        entry = None
    if entry is not None:
        revoked = {"revoked_at": entry.revocation_date.isoformat(), "reason": entry.reason}
    good = Outcome(
        None,
        f"the CRL at {url} verifies with {issuer.describe()}",
        crl_der=crl.der,
        this_update=summary.this_update,
        next_update=summary.next_update,
        revoked=revoked,
        facts=facts,
    )
    stale = [p for p in problems if p.code in _FRESHNESS_CODES]
    other = [p for p in problems if p.code not in _FRESHNESS_CODES]
    if stale:
        good.problem, good.message = "crl-stale", f"the CRL at {url}: {stale[0].message}"
    elif other:
        good.problem, good.message = "crl-nonconforming", f"the CRL at {url}: {other[0].message}"
    return good


def _ask_ocsp(ctx: Context, url: str, subject: Certificate, issuer: Certificate) -> bytes:
    """The responder's answer about ``subject`` (POST, within the settings' time and size
    limits); raises :class:`FetchError`."""
    return http_post(
        url,
        build_request(subject, issuer),
        timeout=ctx.settings.revocation_timeout_seconds,
        max_bytes=ctx.settings.revocation_max_bytes,
    )


def _check_ocsp_source(
    url: str, subject: Certificate, issuer: Certificate, now: dt.datetime, ctx: Context
) -> Outcome:
    try:
        data = _ask_ocsp(ctx, url, subject, issuer)
    except UnsupportedScheme as exc:
        return Outcome(None, str(exc), unsupported=True)
    except FetchError as exc:
        return Outcome("ocsp-unreachable", f"the OCSP responder {url} did not answer: {exc}")
    answer = check_response(data, subject, issuer, now)
    facts = answer.as_dict()
    revoked = None
    if answer.status == "revoked" and answer.revoked_at is not None:
        revoked = {"revoked_at": answer.revoked_at.isoformat(), "reason": answer.reason}
    if answer.problems:
        first = answer.problems[0]
        return Outcome(
            _OCSP_CODES.get(first.code, "ocsp-malformed"),
            f"the OCSP responder {url}: {first.message}",
            revoked=revoked if first.code is ProblemCode.OCSP_STALE else None,
            facts=facts,
        )
    return Outcome(
        None,
        f"the OCSP responder {url} says {answer.status} for {subject.describe()}",
        this_update=answer.this_update,
        next_update=answer.next_update,
        revoked=revoked,
        facts=facts,
    )


def _source_key(source: RevocationSource) -> str:
    digest = hashlib.sha256(source.url.encode()).hexdigest()[:24]
    return f"revocation:{source.party_id}:{source.kind}:{digest}"


def _revoked_key(source: RevocationSource) -> str:
    return f"filed-ca-revoked:{source.party_id}:{source.subject_sha256}"


def _record(
    session: Session, ctx: Context, source: RevocationSource, outcome: Outcome, now: dt.datetime
) -> None:
    party = session.get(Party, source.party_id)
    assert party is not None
    source.checked_at = now
    source.message = outcome.message[:2000]
    source.details = {**outcome.facts}
    if outcome.unsupported:
        source.status, source.problem = "unsupported", None
        return
    if outcome.crl_der is not None:
        source.crl_der = outcome.crl_der
        source.crl_sha256 = hashlib.sha256(outcome.crl_der).hexdigest()
    if outcome.this_update is not None:
        source.this_update = outcome.this_update
        source.next_update = outcome.next_update
    key = _source_key(source)
    what = "CRL distribution point" if source.kind == "crl" else "OCSP responder"
    if outcome.problem is None:
        source.status, source.problem, source.ok_at = "ok", None, now
        close_finding(session, ctx, SYSTEM_ACTOR, key, f"{outcome.message} ({now.isoformat()})")
    else:
        source.status, source.problem = "problem", outcome.problem
        raise_finding(
            session,
            ctx,
            SYSTEM_ACTOR,
            Problem(
                code=outcome.problem,
                key=key,
                severity=_SEVERITY.get(outcome.problem, "high"),
                title=f"{_TITLES[outcome.problem]}: {party.name}",
                message=f"{outcome.message}.",
                requirement=REQUIREMENT,
                party_id=party.id,
                jurisdiction=party.home_province,
                details={
                    "kind": source.kind,
                    "url": source.url,
                    "source": source.id,
                    "certificate": source.subject_sha256,
                    "checked_at": now.isoformat(),
                    "rule": {
                        "requirement": REQUIREMENT,
                        "text": f"the CA keeps its {what} available and current",
                    },
                    **{k: v for k, v in outcome.facts.items() if k != "problems"},
                },
            ),
        )
    if outcome.revoked is not None:
        raise_finding(
            session,
            ctx,
            SYSTEM_ACTOR,
            Problem(
                code="filed-ca-certificate-revoked",
                key=_revoked_key(source),
                severity="high",
                title=f"Filed CA certificate revoked: {party.name}",
                message=(
                    f"The {what} {source.url} lists the filed CA certificate "
                    f"{source.subject_sha256[:16]}… as revoked at "
                    f"{outcome.revoked['revoked_at']} (reason: "
                    f"{outcome.revoked['reason'] or 'unspecified'})."
                ),
                requirement=REQUIREMENT,
                party_id=party.id,
                jurisdiction=party.home_province,
                details={"certificate": source.subject_sha256, **outcome.revoked},
            ),
        )


@dataclass
class RevocationReport:
    checked: int = 0
    problems: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "problems": self.problems}


Checker = Callable[[str, Certificate, Certificate, dt.datetime, Context], Outcome]
_CHECKERS: dict[str, Checker] = {"crl": _check_crl_source, "ocsp": _check_ocsp_source}


def sweep_revocation(ctx: Context, *, limit: int | None = None) -> RevocationReport:
    """Check the sources that are due (ECS-3.5): claim them, fetch outside any transaction,
    record each result in its own transaction."""
    now = ctx.clock.now()
    interval = dt.timedelta(seconds=ctx.settings.revocation_check_interval_seconds)
    batch = limit or ctx.settings.revocation_batch
    with unit_of_work(ctx.sessions) as session:
        query = (
            select(RevocationSource)
            .where(RevocationSource.next_check_at <= now, RevocationSource.status != "unsupported")
            .order_by(RevocationSource.next_check_at, RevocationSource.id)
            .limit(batch)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        jobs = []
        for row in session.scalars(query):
            row.next_check_at = now + interval  # claimed until the next interval
            jobs.append((row.id, row.kind, row.url, row.subject_der, row.issuer_der))
    report = RevocationReport()
    for source_id, kind, url, subject_der, issuer_der in jobs:
        subject = Certificate.from_der(subject_der)
        issuer = Certificate.from_der(issuer_der)
        outcome = _CHECKERS[kind](url, subject, issuer, now, ctx)
        with unit_of_work(ctx.sessions) as session:
            source = session.get(RevocationSource, source_id)
            if source is None:
                continue
            _record(session, ctx, source, outcome, now)
        report.checked += 1
        if outcome.problem:
            report.problems[outcome.problem] = report.problems.get(outcome.problem, 0) + 1
    return report


# -- verification ---------------------------------------------------------------------------


#: Parsed CRLs by SHA-256, a few per process, each with whether it verified against the
#: issuers it was checked with: verification reads the same CRLs all day, so each is parsed and
#: its signature checked once, not per request.
_CRLS: Lru[str, tuple[Crl, dict[str, bool]]] = Lru(64)


def _verified_crl(sha256: str, issuer: Certificate, load: Callable[[], bytes | None]) -> Crl | None:
    """The CRL, when it verifies with ``issuer`` (timeless checks: signature, issuer name,
    cRLSign, critical extensions); freshness is the caller's."""
    entry = _CRLS.get(sha256)
    if entry is None:
        der = load()
        if der is None:
            return None
        entry = _CRLS.put(sha256, (parse_crl(der), {}))
    crl, verdicts = entry
    good = verdicts.get(issuer.fingerprint)
    if good is None:
        at = crl.summary.this_update
        good = not [p for p in check_crl(crl, issuer, at) if p.code not in _FRESHNESS_CODES]
        verdicts[issuer.fingerprint] = good
    return crl if good else None


def _stored_crl(
    session: Session, source: RevocationSource, issuer: Certificate, now: dt.datetime
) -> Crl | None:
    """The source's last good CRL, when it is current now and verifies with ``issuer``."""
    if (
        source.crl_sha256 is None
        or source.next_update is None
        or source.next_update < now
        or (source.this_update is not None and source.this_update > now)
    ):
        return None

    def load() -> bytes | None:
        return session.scalar(
            select(RevocationSource.crl_der).where(RevocationSource.id == source.id)
        )

    return _verified_crl(source.crl_sha256, issuer, load)


def _sources(
    session: Session, party_id: int, urls: list[str]
) -> dict[tuple[str, str], RevocationSource]:
    """The party's known sources among ``urls``, by (kind, url)."""
    return {
        (row.kind, row.url): row
        for row in session.scalars(
            select(RevocationSource).where(
                RevocationSource.party_id == party_id, RevocationSource.url.in_(urls)
            )
        )
    }


#: Usable OCSP answers (good or revoked, signature and freshness checked) by responder,
#: certificate and issuer, each with when it expires (its nextUpdate, or a set period when it
#: has none): verification asks a responder once per certificate and period, not per request.
_OCSP: Lru[tuple[str, str, str], tuple[OcspAnswer, dt.datetime]] = Lru(4096)


def _kept_ocsp(key: tuple[str, str, str], now: dt.datetime) -> OcspAnswer | None:
    item = _OCSP.get(key)
    if item is None:
        return None
    answer, until = item
    if now > until or (answer.this_update is not None and answer.this_update > now):
        _OCSP.pop(key, None)
        return None
    return answer


@dataclass
class _Answer:
    """A revocation status from one method, with its evidence for the path entry."""

    evidence: dict[str, Any]
    revoked_at: dt.datetime | None = None
    reason: str | None = None


def _from_crl(
    session: Session,
    ctx: Context,
    party_id: int,
    sources: dict[tuple[str, str], RevocationSource],
    urls: list[str],
    pair: tuple[Certificate, Certificate],
    reasons: list[str],
    deferred: Deferred,
) -> _Answer | None:
    """The status from the issuer's CRL: the one kept while current, else fetched now (and
    kept, by a deferred write); None, with the reasons added to ``reasons``, when no CRL
    answers."""
    certificate, issuer = pair
    now = ctx.clock.now()
    for url in urls:
        source = sources.get(("crl", url))
        crl = _stored_crl(session, source, issuer, now) if source is not None else None
        if crl is None:
            # No current CRL stored: fetch it now, as a relying party would, and keep it.
            outcome = _check_crl_source(url, certificate, issuer, now, ctx)
            der = outcome.crl_der
            if der is not None and outcome.problem is None:
                crl = _verified_crl(hashlib.sha256(der).hexdigest(), issuer, partial(bytes, der))
                deferred.append(
                    partial(
                        _keep_crl, ctx=ctx, party_id=party_id, pair=pair, url=url, outcome=outcome
                    )
                )
            else:
                reasons.append(outcome.message)
        if crl is None:
            continue
        try:
            entry = revocation_status(crl, certificate)
        except CrlScopeError as exc:
            reasons.append(exc.message)
            continue
        summary = crl.summary
        evidence = {
            "method": "crl",
            "source": url,
            "crl_sha256": crl.fingerprint,
            "crl_number": summary.crl_number,
            "this_update": summary.this_update.isoformat(),
            "next_update": summary.next_update.isoformat() if summary.next_update else None,
        }
        if entry is None:
            return _Answer(evidence)
        return _Answer(evidence, entry.revocation_date, entry.reason)
    return None


def _from_ocsp(
    ctx: Context,
    urls: list[str],
    certificate: Certificate,
    issuer: Certificate,
    reasons: list[str],
) -> _Answer | None:
    """The status from the certificate's OCSP responders: a usable answer kept from before,
    else asked now (and kept until it expires); None, with the reasons added to ``reasons``,
    when no responder answers usably."""
    settings = ctx.settings
    now = ctx.clock.now()
    for url in urls:
        key = (url, certificate.fingerprint, issuer.fingerprint)
        answer = _kept_ocsp(key, now)
        if answer is None:
            try:
                data = _ask_ocsp(ctx, url, certificate, issuer)
            except FetchError as exc:
                reasons.append(f"the OCSP responder {url} did not answer: {exc}")
                continue
            answer = check_response(data, certificate, issuer, now)
            if answer.problems:
                reasons.append(f"the OCSP responder {url}: {answer.problems[0].message}")
                continue
            if not answer.usable:
                reasons.append(
                    f"the OCSP responder {url} says {answer.status} for {certificate.describe()}"
                )
                continue
            cached_for = dt.timedelta(seconds=settings.revocation_ocsp_cache_seconds)
            _OCSP[key] = (answer, answer.next_update or now + cached_for)
        evidence = {
            "method": "ocsp",
            "source": url,
            "responder": answer.responder,
            "responder_key_hash": answer.responder_key_hash,
            "produced_at": answer.produced_at.isoformat() if answer.produced_at else None,
            "this_update": answer.this_update.isoformat() if answer.this_update else None,
            "next_update": answer.next_update.isoformat() if answer.next_update else None,
            "response_sha256": answer.sha256,
        }
        return _Answer(evidence, answer.revoked_at, answer.reason)
    return None


#: Writes a verification defers to a writing unit of work: each takes its session.
Deferred = list[Callable[[Session], None]]


def _register(
    session: Session, *, ctx: Context, party_id: int, pair: tuple[Certificate, Certificate]
) -> None:
    register_sources(session, ctx, party_id, [pair])


def _keep_crl(
    session: Session,
    *,
    ctx: Context,
    party_id: int,
    pair: tuple[Certificate, Certificate],
    url: str,
    outcome: Outcome,
) -> None:
    """Keep a CRL verification fetched as its source's current one (registering the source
    when it is new)."""
    query = select(RevocationSource).where(
        RevocationSource.party_id == party_id,
        RevocationSource.kind == "crl",
        RevocationSource.url == url,
    )
    source = session.scalar(query)
    if source is None:
        register_sources(session, ctx, party_id, [pair], kinds=("crl",))
        source = session.scalar(query)
    if source is not None:
        _record(session, ctx, source, outcome, ctx.clock.now())


def _fetchable(urls: Iterable[str]) -> list[str]:
    return [url for url in urls if _http(url) and len(url) <= 1000]


def _entry_for(
    session: Session,
    ctx: Context,
    party_id: int,
    certificate: Certificate,
    issuer: Certificate,
    at: dt.datetime,
    deferred: Deferred,
) -> dict[str, Any]:
    crl_urls = _fetchable(certificate.summary.crl_urls)
    ocsp_urls = _fetchable(certificate.summary.ocsp_urls)
    base: dict[str, Any] = {"certificate": certificate.fingerprint, "subject": certificate.subject}
    if not crl_urls and not ocsp_urls:
        return {
            **base,
            "status": "not_checked",
            "reason": "the certificate names no http CRL distribution point nor OCSP responder",
        }
    sources = _sources(session, party_id, crl_urls + ocsp_urls)
    named = {("crl", url) for url in crl_urls} | {("ocsp", url) for url in ocsp_urls}
    if not named <= sources.keys():
        # New to certgov: registered (by a deferred write), so the worker monitors them too
        # (ECS-3.5).
        deferred.append(partial(_register, ctx=ctx, party_id=party_id, pair=(certificate, issuer)))
    crl_reasons: list[str] = []
    answer = _from_crl(
        session, ctx, party_id, sources, crl_urls, (certificate, issuer), crl_reasons, deferred
    )
    ocsp_reasons: list[str] = []
    if answer is None and ocsp_urls:
        answer = _from_ocsp(ctx, ocsp_urls, certificate, issuer, ocsp_reasons)
        if answer is not None and crl_reasons:
            answer.evidence["crl_unavailable"] = "; ".join(crl_reasons)
    if answer is None:
        if not crl_urls:
            crl_reasons.append("the certificate names no http CRL distribution point")
        if not ocsp_urls:
            ocsp_reasons.append("the certificate names no http OCSP responder")
        return {**base, "status": "unknown", "reason": "; ".join(crl_reasons + ocsp_reasons)}
    entry = {**base, **answer.evidence}
    if answer.revoked_at is None:
        return {**entry, "status": "good"}
    entry |= {"revoked_at": answer.revoked_at.isoformat(), "reason": answer.reason}
    if answer.revoked_at <= at:
        return {**entry, "status": "revoked"}
    return {**entry, "status": "good", "note": "revoked after the time asked about"}


_METHODS = ("crl", "ocsp")


def check_path(
    session: Session,
    ctx: Context,
    party_id: int,
    path: list[Certificate],
    at: dt.datetime,
    deferred: Deferred,
) -> dict[str, Any]:
    """The revocation status at ``at`` of each certificate of a verified ``path`` (target
    first, trust anchor last), from its issuer's CRL or else its OCSP responder (SYS-5).
    ``method`` lists the methods that answered for at least one certificate.

    Reads only: what is worth keeping (sources met for the first time, CRLs fetched now) is
    added to ``deferred``, writes the caller runs in a writing unit of work afterwards, so
    verification runs in a read-only transaction and never holds SQLite's write lock, least
    of all while fetching a CRL."""
    entries = [
        _entry_for(session, ctx, party_id, certificate, issuer, at, deferred)
        for certificate, issuer in pairwise(path)
    ]
    used = {entry["method"] for entry in entries if entry["status"] in ("good", "revoked")}
    return {
        "checked": bool(used),
        "method": [method for method in _METHODS if method in used],
        "certificates": entries,
    }
