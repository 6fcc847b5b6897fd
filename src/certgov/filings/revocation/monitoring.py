"""Monitoring of the CAs' revocation services (ECS-3.5): the CRL distribution points and OCSP responders named by filed CA certificates are registered as sources, fetched by the worker outside any transaction, and each problem (unreachable, unparsable, wrongly signed, stale, a filed certificate revoked) is a finding, one per source."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import SYSTEM_ACTOR
from certgov.context import Context
from certgov.filings.fetch import FetchError, UnsupportedScheme, http_get, http_post
from certgov.filings.models import RevocationSource
from certgov.findings.services import Problem, close_finding, raise_finding
from certgov.i18n import N_
from certgov.parties.models import Party
from certgov.pki import (
    Certificate,
    CrlScopeError,
    PkiError,
    ProblemCode,
    build_request,
    check_crl,
    check_response,
    parse_crl,
    revocation_status,
)
from certgov.store.engine import unit_of_work
from certgov.text import Term, Text

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


FRESHNESS_CODES = frozenset(
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
    "crl-unreachable": N_("CRL unreachable: {party}"),
    "crl-unparsable": N_("CRL unparsable: {party}"),
    "crl-bad-signature": N_("CRL wrongly signed: {party}"),
    "crl-stale": N_("CRL stale: {party}"),
    "crl-nonconforming": N_("CRL does not conform: {party}"),
    "ocsp-unreachable": N_("OCSP responder unreachable: {party}"),
    "ocsp-malformed": N_("OCSP response unusable: {party}"),
    "ocsp-error": N_("OCSP responder answers with an error: {party}"),
    "ocsp-bad-signature": N_("OCSP response wrongly signed: {party}"),
    "ocsp-stale": N_("OCSP response stale: {party}"),
}


def is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


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
            status="pending" if is_http(url) else "unsupported",
            next_check_at=now,
            details={},
        )
        if not is_http(url):
            source.message = "certgov fetches http and https URLs only"
        session.add(source)
        added.append(source)
    session.flush()
    return added


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
    #: ``message`` as a template and its parameters, for the finding (the problem a library
    #: reports stays its English parameter).
    text: Text | None = None

    def says(self, problem: str | None, text: Text) -> Outcome:
        """This outcome with ``problem`` and ``text`` (``message`` its English)."""
        self.problem, self.message, self.text = problem, str(text), text
        return self


def _outcome(problem: str | None, text: Text, **values: Any) -> Outcome:
    return Outcome(problem, str(text), text=text, **values)


def check_crl_source(
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
        return _outcome(
            "crl-unreachable",
            Text("the CRL at {url} could not be fetched: {problem}", url=url, problem=str(exc)),
        )
    try:
        crl = parse_crl(data)
    except PkiError as exc:
        return _outcome(
            "crl-unparsable",
            Text("the CRL at {url} is not a CRL: {problem}", url=url, problem=exc.text),
        )
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
        return _outcome(
            "crl-bad-signature",
            Text("the CRL at {url}: {problem}", url=url, problem=signature[0].message),
            facts=facts,
        )
    revoked = None
    try:
        entry = revocation_status(crl, subject)
    except CrlScopeError:
        entry = None
    if entry is not None:
        revoked = {"revoked_at": entry.revocation_date.isoformat(), "reason": entry.reason}
    good = _outcome(
        None,
        Text("the CRL at {url} verifies with {issuer}", url=url, issuer=issuer.describe()),
        crl_der=crl.der,
        this_update=summary.this_update,
        next_update=summary.next_update,
        revoked=revoked,
        facts=facts,
    )
    stale = [p for p in problems if p.code in FRESHNESS_CODES]
    other = [p for p in problems if p.code not in FRESHNESS_CODES]
    if stale:
        good.says(
            "crl-stale", Text("the CRL at {url}: {problem}", url=url, problem=stale[0].message)
        )
    elif other:
        good.says(
            "crl-nonconforming",
            Text("the CRL at {url}: {problem}", url=url, problem=other[0].message),
        )
    return good


def ask_ocsp(ctx: Context, url: str, subject: Certificate, issuer: Certificate) -> bytes:
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
        data = ask_ocsp(ctx, url, subject, issuer)
    except UnsupportedScheme as exc:
        return Outcome(None, str(exc), unsupported=True)
    except FetchError as exc:
        return _outcome(
            "ocsp-unreachable",
            Text("the OCSP responder {url} did not answer: {problem}", url=url, problem=str(exc)),
        )
    answer = check_response(data, subject, issuer, now)
    facts = answer.as_dict()
    revoked = None
    if answer.status == "revoked" and answer.revoked_at is not None:
        revoked = {"revoked_at": answer.revoked_at.isoformat(), "reason": answer.reason}
    if answer.problems:
        first = answer.problems[0]
        return _outcome(
            _OCSP_CODES.get(first.code, "ocsp-malformed"),
            Text("the OCSP responder {url}: {problem}", url=url, problem=first.message),
            revoked=revoked if first.code is ProblemCode.OCSP_STALE else None,
            facts=facts,
        )
    return _outcome(
        None,
        Text(
            "the OCSP responder {url} says {status} for {certificate}",
            url=url,
            status=answer.status,
            certificate=subject.describe(),
        ),
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


def record_outcome(
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
    what = N_("CRL distribution point") if source.kind == "crl" else N_("OCSP responder")
    said: Text | str = outcome.text or outcome.message
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
                title=Text(_TITLES[outcome.problem], party=party.name),
                message=Text("{problem}.", problem=said),
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
                title=Text("Filed CA certificate revoked: {party}", party=party.name),
                message=Text(
                    "The {what} {url} lists the filed CA certificate {sha256}… as revoked at "
                    "{revoked_at} (reason: {reason}).",
                    what=Term("message", what),
                    url=source.url,
                    sha256=source.subject_sha256[:16],
                    revoked_at=outcome.revoked["revoked_at"],
                    reason=outcome.revoked["reason"] or Term("message", N_("unspecified")),
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


_CHECKERS: dict[str, Checker] = {"crl": check_crl_source, "ocsp": _check_ocsp_source}


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
            record_outcome(session, ctx, source, outcome, now)
        report.checked += 1
        if outcome.problem:
            report.problems[outcome.problem] = report.problems.get(outcome.problem, 0) + 1
    return report
