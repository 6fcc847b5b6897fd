"""Relying parties validate signed documents against the registry (SYS-5 "or signed data").

:mod:`certgov.docsig` establishes what a document alone can tell (integrity, what each
signature covers, the signing time, claimed or proven by a timestamp); the question it leaves
to a :class:`~certgov.docsig.TrustEvaluator` — may the signer be trusted at that time? — is
answered here from the registry, as :mod:`certgov.verification.chains` answers it for a chain:

- the signer's chain (its certificate, the certificates the signature embeds, and the filed
  CA certificates) to a CA certificate **filed** with the regulator (ECS-3.4) *by* the time
  judged, else to a recognised foreign CA certificate whose recognition was in force then and
  covers the certificate type and scenario asked about (ECS-8);
- the filing CA's **licence** at that time (ECS-2.3);
- **revocation** of every certificate of the path (the issuers' CRLs, else the OCSP
  responders, as ``/api/v1/verify`` does);
- as evidence, the filing with its **inclusion proof** and the signed **checkpoint** of the
  ``filings`` log, the licence, and the CRL or OCSP response used.

How the registry's answers map to EN 319 102-1 (``docs/document-validation.md``):

=====================================================  ======================================
no filed (nor recognised) CA certificate on the chain   INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
the CA certificate was filed after the time judged      INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
no licence then, or suspended / revoked / expired /     INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE
withdrawn then; a recognition out of force or scope
a certificate revoked before a *proven* signing time    TOTAL_FAILED/REVOKED
revoked (before the validation time), time not proven   INDETERMINATE/REVOKED_NO_POE (signer),
                                                        REVOKED_CA_NO_POE (a CA certificate)
revocation status unobtainable (CRL and OCSP down)      INDETERMINATE/TRY_LATER
=====================================================  ======================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from certgov.context import Context
from certgov.docsig import (
    DocumentReport,
    Reason,
    ReasonCode,
    SubIndication,
    TimeBasis,
    TrustRequest,
    TrustResult,
    validate_document,
)
from certgov.docsig.trust import problem_reasons, result_of
from certgov.errors import InvalidInput, NotFound
from certgov.filings import revocation
from certgov.filings.models import FiledCertificate
from certgov.filings.services import FILINGS_LOG, subject_hash
from certgov.licensing.models import LicenceStatus
from certgov.licensing.services import licence_at
from certgov.logs.models import TLog
from certgov.parties.models import Party
from certgov.pki import Certificate, ChainVerifier
from certgov.recognition.services import recognition_evidence
from certgov.store.engine import unit_of_work
from certgov.tlog.note import Signer
from certgov.verification.chains import (
    _SIGNATURES,
    _candidates,
    _filed_certificate,
    _proof,
    apply_deferred,
)

__all__ = [
    "REPORT_KEY",
    "RegistryTrustEvaluator",
    "report_signer",
    "validate_signed_document",
]

#: The name of the platform's report-signing key among the per-log keys
#: (``<CERTGOV_LOG_KEY_DIR>/docsig-reports.key``; key name ``<CERTGOV_LOG_ORIGIN>/docsig-reports``).
#: Its own key, not a log's: a log key signs only that log's checkpoints.
REPORT_KEY = "docsig-reports"

_STATUS_ZH = {
    LicenceStatus.VALID.value: "有效",
    LicenceStatus.SUSPENDED.value: "暂停",
    LicenceStatus.REVOKED.value: "吊销",
    LicenceStatus.EXPIRED.value: "过期",
    LicenceStatus.WITHDRAWN.value: "注销",
}


def report_signer(ctx: Context) -> Signer:
    """The platform's Ed25519 key that signs validation reports (created on first use, kept
    like the log keys: mode 0600 in the log key directory)."""
    return ctx.logs.keys.signer(REPORT_KEY, ctx.logs.origin_for(REPORT_KEY))


@dataclass(frozen=True, slots=True)
class _Scope:
    certificate_type: str | None = None
    scenario: str | None = None


class RegistryTrustEvaluator:
    """A :class:`~certgov.docsig.TrustEvaluator` over the registry, for one validation: reads
    in ``session`` (read-only is enough); what verification learns that is worth keeping (a
    revocation source met for the first time, a CRL fetched now) is appended to
    ``deferred`` for a short writing unit of work afterwards
    (:func:`certgov.verification.chains.apply_deferred`)."""

    def __init__(
        self,
        session: Session,
        ctx: Context,
        deferred: revocation.Deferred,
        *,
        certificate_type: str | None = None,
        scenario: str | None = None,
    ) -> None:
        self._session = session
        self._ctx = ctx
        self._deferred = deferred
        self._scope = _Scope(certificate_type, scenario)
        try:
            self._log: TLog | None = ctx.logs.get(session, FILINGS_LOG)
        except NotFound:  # nothing filed yet
            self._log = None

    def evaluate(self, request: TrustRequest) -> TrustResult:
        session, ctx = self._session, self._ctx
        target = request.certificate
        presented = [target, *request.embedded]
        hashes = frozenset(
            {subject_hash(c.summary.issuer_der) for c in presented}
            | {subject_hash(c.summary.subject_der) for c in presented}
        )
        log_ = self._log
        candidates = _candidates(session, ctx, log_.size, hashes) if log_ is not None else {}
        loaded = {sha: _filed_certificate(row) for sha, row in candidates.items()}
        anchors = [loaded[sha] for sha, row in candidates.items() if row.role == "root"]
        intermediates = [loaded[sha] for sha, row in candidates.items() if row.role != "root"]
        result = ChainVerifier(anchors, intermediates, signatures=_SIGNATURES).verify(
            target, request.at, intermediates=request.embedded
        )
        chain = tuple(c.fingerprint for c in result.path)
        filed = [candidates[c.fingerprint] for c in result.path if c.fingerprint in candidates]
        if not result.anchored or not filed:
            return self._foreign(request, presented, chain)
        assert log_ is not None
        reasons = list(problem_reasons(result.problems))
        first = filed[0]
        party = session.get(Party, first.party_id)
        assert party is not None
        evidence: dict[str, Any] = {
            "registry": "filed",
            "path": [{"subject": c.subject, "sha256": c.fingerprint} for c in result.path],
            "filed": {
                "sha256": first.sha256,
                "subject": first.subject,
                "role": first.role,
                "filed_at": first.filed_at.isoformat(),
                "log": FILINGS_LOG,
                "inclusion": _proof(session, ctx, log_, first),
            },
            "ca": {"party_id": party.id, "name": party.name, "uscc": party.uscc},
            "licence": None,
            "revocation": None,
            "recognition": None,
        }
        reasons += _filed_in_time(filed, request.at)
        licence_reasons, evidence["licence"] = _licence(session, party, request.at)
        reasons += licence_reasons
        checked = revocation.check_path(
            session, ctx, party.id, list(result.path), request.at, self._deferred
        )
        evidence["revocation"] = checked
        reasons += _revocation_reasons(checked, request)
        return result_of(reasons, chain, evidence)

    def _foreign(
        self, request: TrustRequest, presented: list[Certificate], chain: tuple[str, ...]
    ) -> TrustResult:
        """No filed CA certificate on the chain: a recognised foreign CA's (ECS-8), or none."""
        found = recognition_evidence(
            self._session,
            presented,
            request.at,
            certificate_type=self._scope.certificate_type,
            scenario=self._scope.scenario,
        )
        target = request.certificate
        if found is None:
            reason = Reason(
                ReasonCode.CA_NOT_FILED,
                SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                {"certificate": target.subject, "issuer": target.summary.issuer},
            )
            evidence: dict[str, Any] = {"registry": "none", "recognition": None}
            return result_of([reason], chain, evidence)
        evidence = {
            "registry": "recognised",
            "recognition": found,
            "revocation": {
                "checked": False,
                "reason": "revocation of foreign certificates is not checked",
            },
        }
        reasons = []
        if not found["recognised"]:
            reasons.append(
                Reason(
                    ReasonCode.RECOGNITION_NOT_ACCEPTED,
                    SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                    {"detail": "; ".join(found["reasons"])},
                )
            )
        return result_of(reasons, chain, evidence)


def _filed_in_time(filed: list[FiledCertificate], at: dt.datetime) -> list[Reason]:
    """SYS-5: the CA certificates on the path must have been filed by the time judged; the
    log proves when (a filing's time is in its logged entry)."""
    late = [row for row in filed if row.filed_at > at]
    return [
        Reason(
            ReasonCode.CA_FILED_LATER,
            SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
            {
                "ca_certificate": row.subject,
                "filed_at": row.filed_at.isoformat(),
                "at": at.isoformat(),
            },
        )
        for row in late[:1]
    ]


def _licence(
    session: Session, party: Party, at: dt.datetime
) -> tuple[list[Reason], dict[str, Any] | None]:
    standing = licence_at(session, party.id, at)
    if standing is None:
        reason = Reason(
            ReasonCode.NO_LICENCE,
            SubIndication.CHAIN_CONSTRAINTS_FAILURE,
            {"ca": party.name, "at": at.isoformat()},
        )
        return [reason], None
    licence = standing.licence
    evidence = {
        "number": licence.number,
        "status_at": standing.status,
        "since": standing.since.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat(),
        "status_now": licence.status,
    }
    if standing.status == LicenceStatus.VALID:
        return [], evidence
    reason = Reason(
        ReasonCode.LICENCE_NOT_VALID,
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
        {
            "number": licence.number,
            "ca": party.name,
            "status": standing.status,
            "status_zh": _STATUS_ZH.get(standing.status, standing.status),
            "at": at.isoformat(),
            "since": standing.since.isoformat(),
        },
    )
    return [reason], evidence


def _revocation_reasons(checked: dict[str, Any], request: TrustRequest) -> list[Reason]:
    """EN 319 102-1 outcomes of the path's revocation statuses (position 0: the signer).

    A revocation before a *proven* signing time fails the signature (REVOKED); one after it
    is a note. Without proof of the signing time, any revocation up to the validation time
    is REVOKED_NO_POE (REVOKED_CA_NO_POE for a CA certificate): the claimed time proves
    nothing. A status no CRL nor OCSP responder gives is TRY_LATER."""
    reasons: list[Reason] = []
    proven = request.basis is TimeBasis.PROVEN
    for position, entry in enumerate(checked["certificates"]):
        subject = entry["subject"]
        status = entry["status"]
        if status == "unknown":
            reasons.append(
                Reason(
                    ReasonCode.REVOCATION_UNKNOWN,
                    SubIndication.TRY_LATER,
                    {"certificate": subject, "detail": entry["reason"]},
                )
            )
            continue
        if status == "not_checked":
            reasons.append(
                Reason(
                    ReasonCode.REVOCATION_NOT_CHECKED,
                    None,
                    {"certificate": subject, "detail": entry["reason"]},
                )
            )
            continue
        revoked_text = entry.get("revoked_at")
        if revoked_text is None:
            continue
        revoked_at = dt.datetime.fromisoformat(revoked_text)
        params = {
            "certificate": subject,
            "revoked_at": revoked_text,
            "reason": entry.get("reason") or "unspecified",
            "method": str(entry.get("method", "")).upper(),
            "source": entry.get("source"),
            "at": request.at.isoformat(),
        }
        if proven and revoked_at <= request.at:
            reasons.append(Reason(ReasonCode.REVOKED, SubIndication.REVOKED, params))
        elif proven or revoked_at > request.validation_time:
            reasons.append(Reason(ReasonCode.REVOKED_AFTER_SIGNING, None, params))
        else:
            sub = SubIndication.REVOKED_NO_POE if position == 0 else SubIndication.REVOKED_CA_NO_POE
            reasons.append(Reason(ReasonCode.REVOKED_NO_POE, sub, params))
    return reasons


def validate_signed_document(
    ctx: Context,
    document: bytes,
    content: bytes | None = None,
    at: dt.datetime | None = None,
    *,
    certificate_type: str | None = None,
    scenario: str | None = None,
) -> DocumentReport:
    """SYS-5 for signed data: validate every signature of ``document`` (a PDF, or CMS /
    PKCS #7 with its detached ``content``) at validation time ``at`` (aware; default now)
    against the registry (:class:`RegistryTrustEvaluator`).

    One use case in two units of work: the validation reads in a read-only one (it may fetch
    a CRL or ask an OCSP responder: SQLite's write lock is never held meanwhile), then what it
    learnt is kept in a short writing one (:func:`~certgov.verification.chains.apply_deferred`;
    a failure there is logged, the report stands). Raises the
    :class:`~certgov.docsig.DocumentError` of a file that is not a document."""
    if at is not None and (at.tzinfo is None or at.utcoffset() is None):
        raise InvalidInput(
            "give the validation time with its offset, not {found}",
            found=at.isoformat(),
            hint="e.g. 2026-01-05T10:00:00+08:00",
        )
    when = at or ctx.clock.now()
    deferred: revocation.Deferred = []
    with unit_of_work(ctx.sessions, readonly=True) as session:
        evaluator = RegistryTrustEvaluator(
            session, ctx, deferred, certificate_type=certificate_type, scenario=scenario
        )
        report = validate_document(
            document, content=content, evaluator=evaluator, validation_time=when
        )
    apply_deferred(ctx, deferred)
    return report
