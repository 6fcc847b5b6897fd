"""The verdict on one signature: what this library establishes (integrity, the signing time,
the signer's validity then and now) composed with the trust evaluator's answer, in the terms
of ETSI EN 319 102-1 (clause 5.3, validation of basic signatures, and the past-signature
validation of clause 5.6.2.4 in its simplest form: a trusted timestamp is proof of existence
at its time).

The time a signature is judged at (:class:`~certgov.docsig.trust.TimeBasis`):

- ``proven``: the time of a signature timestamp that verifies and whose TSA the evaluator
  trusts — the chain, licence and revocation are judged then;
- ``claimed``: the signer's signingTime (or a PDF's /M), when no trusted timestamp exists —
  the registry questions of SYS-5 are asked at that time, but since a claim proves nothing
  the signer's certificate must also be within its validity at the validation time, else
  INDETERMINATE/OUT_OF_BOUNDS_NO_POE;
- ``validation``: no time at all, or a claimed time after the validation time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from certgov.docsig.cms import (
    CmsFormatError,
    SignedData,
    SignerInfo,
    check_signer,
    find_signer_certificate,
)
from certgov.docsig.indications import Reason, ReasonCode, SubIndication, worst
from certgov.docsig.limits import Limits
from certgov.docsig.report import (
    Coverage,
    Integrity,
    SignatureReport,
    SigningTime,
    TimestampReport,
)
from certgov.docsig.timestamp import check_timestamp
from certgov.docsig.trust import (
    Purpose,
    TimeBasis,
    TrustEvaluator,
    TrustRequest,
    TrustResult,
    TrustStatus,
)
from certgov.pki import Certificate

__all__ = ["failed_format", "judge_signer"]

_SIGNING_USAGES = frozenset({"digitalSignature", "nonRepudiation"})


def failed_format(
    identifier: str,
    format_name: str,
    reason: Reason,
    *,
    sub_filter: str | None = None,
    coverage: Coverage | None = None,
) -> SignatureReport:
    """The report of a signature that cannot be processed (TOTAL_FAILED/FORMAT_FAILURE, or
    whatever ``reason`` leads to)."""
    verdict = worst([reason])
    return SignatureReport(
        id=identifier,
        format=format_name,
        indication=verdict.indication,
        sub_indication=verdict.sub_indication,
        reasons=(reason,),
        integrity=Integrity(),
        sub_filter=sub_filter,
        coverage=coverage,
    )


def evaluate(evaluator: TrustEvaluator, request: TrustRequest) -> TrustResult:
    """Ask ``evaluator``; an exception becomes INDETERMINATE (the verdict must not depend on
    an evaluator's bug being caught by the caller)."""
    try:
        return evaluator.evaluate(request)
    except Exception as exc:  # any evaluator failure is an answer, not a crash
        reason = Reason(
            ReasonCode.TRUST_EVALUATION_FAILED,
            SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
            {"error": f"{type(exc).__name__}: {exc}"},
        )
        return TrustResult(
            TrustStatus.INDETERMINATE,
            SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
            (reason,),
        )


def trust_reasons(result: TrustResult) -> list[Reason]:
    """The reasons an evaluator's answer adds to a verdict (none when it passed)."""
    if result.status is TrustStatus.PASSED:
        return []
    sub = result.sub_indication or SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE
    reasons = [reason for reason in result.reasons if reason.sub_indication is not None]
    if not any(reason.sub_indication is sub for reason in reasons):
        reasons.append(Reason(ReasonCode.CHAIN_PROBLEM, sub, {"problem": sub.value}))
    return reasons


def _timestamp(
    signer: SignerInfo,
    embedded: tuple[Certificate, ...],
    evaluator: TrustEvaluator,
    validation_time: datetime,
    limits: Limits,
) -> tuple[TimestampReport | None, datetime | None, list[Reason]]:
    """The first signature timestamp that verifies (or the last failure), the time it
    proves (None unless its TSA is trusted) and the notes about it."""
    notes: list[Reason] = []
    report: TimestampReport | None = None
    for token in signer.timestamp_tokens:
        try:
            checked = check_timestamp(token, signer.signature, limits)
        except CmsFormatError as exc:
            notes.append(
                Reason(ReasonCode.TIMESTAMP_INVALID, None, {"problem": str(exc.reason.code)})
            )
            continue
        if checked.reasons:
            notes += checked.reasons
            report = TimestampReport(
                checked.gen_time,
                checked.imprint_ok,
                checked.signature_ok,
                checked.certificate,
                None,
                checked.policy,
                checked.serial,
            )
            continue
        assert checked.certificate is not None
        trust = evaluate(
            evaluator,
            TrustRequest(
                checked.certificate,
                checked.certificates + embedded,
                checked.gen_time,
                Purpose.TIMESTAMP,
                validation_time,
                TimeBasis.PROVEN,
            ),
        )
        report = TimestampReport(
            checked.gen_time, True, True, checked.certificate, trust, checked.policy, checked.serial
        )
        if trust.status is not TrustStatus.PASSED:
            notes.append(
                Reason(
                    ReasonCode.TIMESTAMP_UNTRUSTED,
                    None,
                    {
                        "tsa": checked.certificate.subject,
                        "sub_indication": str(trust.sub_indication or trust.status),
                    },
                )
            )
            continue
        return report, checked.gen_time, notes
    return report, None, notes


def _times(
    signer_certificate: Certificate,
    claimed: datetime | None,
    proven: datetime | None,
    validation_time: datetime,
) -> tuple[datetime, TimeBasis, list[Reason]]:
    """The time to judge at, its basis, and the reasons about the signer's validity."""
    reasons: list[Reason] = []
    summary = signer_certificate.summary
    if proven is not None and proven <= validation_time:
        at, basis = proven, TimeBasis.PROVEN
        if claimed is not None and claimed > proven:
            reasons.append(
                Reason(
                    ReasonCode.TIMESTAMP_BEFORE_CLAIMED_TIME,
                    None,
                    {"claimed": claimed.isoformat(), "proven": proven.isoformat()},
                )
            )
    elif claimed is not None and claimed <= validation_time:
        at, basis = claimed, TimeBasis.CLAIMED
    else:
        at, basis = validation_time, TimeBasis.VALIDATION
        if claimed is not None:
            reasons.append(
                Reason(
                    ReasonCode.CLAIMED_TIME_AFTER_VALIDATION,
                    None,
                    {
                        "claimed": claimed.isoformat(),
                        "validation_time": validation_time.isoformat(),
                    },
                )
            )
    proven_basis = basis is TimeBasis.PROVEN
    if at < summary.not_before:
        reasons.append(
            Reason(
                ReasonCode.SIGNED_BEFORE_VALIDITY,
                SubIndication.NOT_YET_VALID if proven_basis else SubIndication.NOT_YET_VALID_NO_POE,
                {
                    "at": at.isoformat(),
                    "basis": basis.value,
                    "not_before": summary.not_before.isoformat(),
                },
            )
        )
    elif at > summary.not_after:
        reasons.append(
            Reason(
                ReasonCode.SIGNED_AFTER_EXPIRY,
                SubIndication.EXPIRED if proven_basis else SubIndication.OUT_OF_BOUNDS_NO_POE,
                {
                    "at": at.isoformat(),
                    "basis": basis.value,
                    "not_after": summary.not_after.isoformat(),
                },
            )
        )
    elif not proven_basis:
        # No proof of existence: the certificate must also hold at the validation time.
        if validation_time > summary.not_after:
            reasons.append(
                Reason(
                    ReasonCode.SIGNER_EXPIRED_NO_POE,
                    SubIndication.OUT_OF_BOUNDS_NO_POE,
                    {
                        "not_after": summary.not_after.isoformat(),
                        "validation_time": validation_time.isoformat(),
                    },
                )
            )
        elif validation_time < summary.not_before:
            reasons.append(
                Reason(
                    ReasonCode.SIGNER_NOT_YET_VALID_NO_POE,
                    SubIndication.NOT_YET_VALID_NO_POE,
                    {
                        "not_before": summary.not_before.isoformat(),
                        "validation_time": validation_time.isoformat(),
                    },
                )
            )
    return at, basis, reasons


def judge_signer(
    *,
    identifier: str,
    format_name: str,
    signed: SignedData,
    signer: SignerInfo,
    content: bytes | memoryview | None,
    evaluator: TrustEvaluator,
    validation_time: datetime,
    limits: Limits,
    sub_filter: str | None = None,
    coverage: Coverage | None = None,
    extra_reasons: Iterable[Reason] = (),
    claimed_fallback: datetime | None = None,
) -> SignatureReport:
    """The verdict on ``signer`` of ``signed`` over ``content`` (None: the signed content is
    missing). ``extra_reasons`` come from the container (PDF coverage); ``claimed_fallback``
    is a signing time the container claims (a PDF's /M) when the CMS has none."""
    reasons = list(extra_reasons)
    embedded = signed.certificates

    def report(
        integrity: Integrity,
        signer: Certificate | None = None,
        signing_time: SigningTime | None = None,
        timestamp: TimestampReport | None = None,
        trust: TrustResult | None = None,
    ) -> SignatureReport:
        verdict = worst(reasons)
        return SignatureReport(
            id=identifier,
            format=format_name,
            indication=verdict.indication,
            sub_indication=verdict.sub_indication,
            reasons=tuple(reasons),
            integrity=integrity,
            sub_filter=sub_filter,
            coverage=coverage,
            signing_time=signing_time,
            timestamp=timestamp,
            signer=signer,
            embedded=embedded,
            trust=trust,
        )

    certificate = find_signer_certificate(signer, embedded)
    if signed.unreadable_certificates:
        reasons.append(
            Reason(
                ReasonCode.SIGNER_CERTIFICATE_MALFORMED,
                None,
                {"count": len(signed.unreadable_certificates)},
            )
        )
    if certificate is None:
        reasons.append(
            Reason(
                ReasonCode.SIGNER_CERTIFICATE_NOT_FOUND,
                SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
            )
        )
        return report(integrity=Integrity())
    if content is None:
        reasons.append(
            Reason(ReasonCode.DETACHED_CONTENT_MISSING, SubIndication.SIGNED_DATA_NOT_FOUND)
        )
        return report(integrity=Integrity(), signer=certificate)
    try:
        checked = check_signer(signer, certificate, content, signed.content_type)
    except CmsFormatError as exc:
        reasons.append(exc.reason)
        return report(integrity=Integrity(), signer=certificate)
    integrity = Integrity(
        checked.digest_name, checked.digest_ok, checked.scheme, checked.signature_ok
    )
    reasons += checked.reasons
    if checked.digest_ok is False or not checked.signature_ok:
        return report(integrity=integrity, signer=certificate)

    usage = certificate.summary.key_usage
    if usage is not None and not _SIGNING_USAGES & set(usage):
        reasons.append(
            Reason(
                ReasonCode.SIGNER_KEY_USAGE,
                SubIndication.SIG_CONSTRAINTS_FAILURE,
                {"key_usage": ", ".join(usage) or "none"},
            )
        )
    claimed, claimed_source = signer.signing_time, "signing_time_attribute"
    if claimed is None and claimed_fallback is not None:
        claimed, claimed_source = claimed_fallback, "pdf_m_entry"
    timestamp, proven, notes = _timestamp(signer, embedded, evaluator, validation_time, limits)
    reasons += notes
    at, basis, time_reasons = _times(certificate, claimed, proven, validation_time)
    reasons += time_reasons
    signing_time = SigningTime(
        judged_at=at,
        basis=basis,
        claimed=claimed,
        claimed_source=claimed_source if claimed is not None else None,
        proven=proven,
    )
    trust = evaluate(
        evaluator,
        TrustRequest(certificate, embedded, at, Purpose.SIGNATURE, validation_time, basis),
    )
    reasons += trust_reasons(trust)
    return report(
        integrity=integrity,
        signer=certificate,
        signing_time=signing_time,
        timestamp=timestamp,
        trust=trust,
    )
