"""Revocation status of a presented path for relying-party verification (SYS-5): each certificate against its issuer's CRL (kept or fetched) and, when that gives no answer, its OCSP responder; per-process caches of verified CRLs and OCSP answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.context import Context
from certgov.filings.fetch import FetchError
from certgov.filings.models import RevocationSource
from certgov.filings.revocation.monitoring import (
    FRESHNESS_CODES,
    Outcome,
    ask_ocsp,
    check_crl_source,
    is_http,
    record_outcome,
    register_sources,
)
from certgov.lru import Lru
from certgov.pki import (
    Certificate,
    Crl,
    CrlScopeError,
    OcspAnswer,
    check_crl,
    check_response,
    parse_crl,
    revocation_status,
)

#: Parsed CRLs by SHA-256, a few per process, each with whether it verified against the
#: issuers it was checked with: verification reads the same CRLs all day, so each is parsed and
#: its signature checked once, not per request.
_CRLS: Lru[str, tuple[Crl, dict[str, bool]]] = Lru(64)


#: Usable OCSP answers (good or revoked, signature and freshness checked) by responder,
#: certificate and issuer, each with when it expires (its nextUpdate, or a set period when it
#: has none): verification asks a responder once per certificate and period, not per request.
_OCSP: Lru[tuple[str, str, str], tuple[OcspAnswer, dt.datetime]] = Lru(4096)


#: Revocation sources (CRL distribution points, OCSP responders) whose last fetch in
#: verification failed (unreachable, timed out, an HTTP error), by (kind, URL), each with
#: until when (``time.monotonic``) and the failure: for ``revocation_failure_cache_seconds``
#: a server process answers "unknown" (TRY_LATER) from here instead of waiting for the same
#: timeout on every request. Per context (``ctx.cache``), bounded; 0 seconds turns it off.
_Failures = Lru[tuple[str, str], tuple[float, str]]
_FAILURES_CAPACITY = 1024
#: The clock of the failure cache (real elapsed time, not the registry's clock: a deployment
#: whose clock is fixed still retries a source).
_monotonic = time.monotonic


def _failures(ctx: Context) -> _Failures:
    return ctx.cache("revocation.failures", lambda: Lru(_FAILURES_CAPACITY))


def _failed_recently(ctx: Context, kind: str, url: str) -> str | None:
    """The remembered failure of the source, while it is remembered; None otherwise."""
    if ctx.settings.revocation_failure_cache_seconds <= 0:
        return None
    failures = _failures(ctx)
    item = failures.get((kind, url))
    if item is None:
        return None
    until, message = item
    left = until - _monotonic()
    if left <= 0:
        failures.pop((kind, url), None)
        return None
    return f"{message} (a recent attempt; not asked again for {left:.0f} s)"


def _remember_failure(ctx: Context, kind: str, url: str, message: str) -> None:
    seconds = ctx.settings.revocation_failure_cache_seconds
    if seconds > 0:
        _failures(ctx)[(kind, url)] = (_monotonic() + seconds, message)


#: Writes a verification defers to a writing unit of work: each takes its session.
Deferred = list[Callable[[Session], None]]


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
        good = not [p for p in check_crl(crl, issuer, at) if p.code not in FRESHNESS_CODES]
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
            remembered = _failed_recently(ctx, "crl", url)
            if remembered is not None:
                reasons.append(remembered)
                continue
            # No current CRL stored: fetch it now, as a relying party would, and keep it.
            outcome = check_crl_source(url, certificate, issuer, now, ctx)
            der = outcome.crl_der
            if outcome.problem == "crl-unreachable":
                _remember_failure(ctx, "crl", url, outcome.message)
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
            remembered = _failed_recently(ctx, "ocsp", url)
            if remembered is not None:
                reasons.append(remembered)
                continue
            try:
                data = ask_ocsp(ctx, url, certificate, issuer)
            except FetchError as exc:
                message = f"the OCSP responder {url} did not answer: {exc}"
                _remember_failure(ctx, "ocsp", url, message)
                reasons.append(message)
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
        record_outcome(session, ctx, source, outcome, ctx.clock.now())


def _fetchable(urls: Iterable[str]) -> list[str]:
    return [url for url in urls if is_http(url) and len(url) <= 1000]


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
