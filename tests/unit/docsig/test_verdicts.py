"""Composition of the verdict with a trust evaluator's answer (EN 319 102-1 clause 5.1.3),
and the report: JSON, both languages, the platform's detached signature."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from certgov.docsig import (
    INDICATION_LABELS,
    MESSAGES,
    SUB_INDICATION_LABELS,
    Indication,
    Reason,
    ReasonCode,
    ReportSignatureError,
    SubIndication,
    TimeBasis,
    TrustRequest,
    TrustResult,
    TrustStatus,
    report_json,
    sign_report,
    validate_cms,
    validate_pdf,
    verify_report,
)
from certgov.docsig.indications import INDICATION_OF, worst
from certgov.docsig.messages import render_reason
from certgov.tlog.note import Signer
from unit.docsig.builders import cms_signed_data, sm2_signer
from unit.docsig.conftest import IN_2020, SM2_NOW, pdf


@dataclass
class Registry:
    """A stand-in for the registry's evaluator: answers as told, records the questions."""

    answer: TrustResult
    asked: list[TrustRequest] = field(default_factory=list)

    def evaluate(self, request: TrustRequest) -> TrustResult:
        self.asked.append(request)
        return self.answer


class Broken:
    def evaluate(self, request: TrustRequest) -> TrustResult:
        raise RuntimeError("database is down")


def _sm2_cms() -> bytes:
    certificate, sign = sm2_signer()
    return cms_signed_data(b"contract", certificate, sign, signing_time=SM2_NOW.replace(year=2024))


@pytest.mark.parametrize(
    ("answer", "indication", "sub"),
    [
        (
            TrustResult(TrustStatus.PASSED, evidence={"licence": "ECS-1"}),
            Indication.TOTAL_PASSED,
            None,
        ),
        (
            TrustResult(
                TrustStatus.FAILED,
                SubIndication.REVOKED,
                (
                    Reason(
                        ReasonCode.REVOKED,
                        SubIndication.REVOKED,
                        {"certificate": "CN=a", "revoked_at": "2024-01-01"},
                    ),
                ),
            ),
            Indication.TOTAL_FAILED,
            SubIndication.REVOKED,
        ),
        (
            TrustResult(TrustStatus.INDETERMINATE, SubIndication.TRY_LATER),
            Indication.INDETERMINATE,
            SubIndication.TRY_LATER,
        ),
        (
            TrustResult(TrustStatus.INDETERMINATE),
            Indication.INDETERMINATE,
            SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
        ),
    ],
    ids=["passed", "revoked", "try-later", "no-sub-indication"],
)
def test_trust_answer_composes_into_the_verdict(
    answer: TrustResult, indication: Indication, sub: SubIndication | None
) -> None:
    registry = Registry(answer)
    report = validate_cms(_sm2_cms(), evaluator=registry, validation_time=SM2_NOW)
    assert (report.indication, report.sub_indication) == (indication, sub)
    (request,) = registry.asked
    assert request.basis is TimeBasis.CLAIMED and request.at == SM2_NOW.replace(year=2024)
    assert request.validation_time == SM2_NOW and request.embedded


def test_evaluator_exception_is_indeterminate() -> None:
    report = validate_cms(_sm2_cms(), evaluator=Broken(), validation_time=SM2_NOW)
    assert report.sub_indication is SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE
    assert report.signatures[0].reasons[0].code == ReasonCode.TRUST_EVALUATION_FAILED


def test_integrity_failures_outrank_trust_failures() -> None:
    reasons = [
        Reason(ReasonCode.REVOKED, SubIndication.REVOKED),
        Reason(ReasonCode.MESSAGE_DIGEST_MISMATCH, SubIndication.HASH_FAILURE),
        Reason(ReasonCode.NO_CHAIN_TO_ANCHOR, SubIndication.NO_CERTIFICATE_CHAIN_FOUND),
    ]
    verdict = worst(reasons)
    assert (verdict.indication, verdict.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.HASH_FAILURE,
    )
    assert worst([Reason(ReasonCode.TIMESTAMP_INVALID)]).indication is Indication.TOTAL_PASSED
    assert INDICATION_OF[SubIndication.FORMAT_FAILURE] is Indication.TOTAL_FAILED
    assert INDICATION_OF[SubIndication.OUT_OF_BOUNDS_NO_POE] is Indication.INDETERMINATE


def test_every_reason_code_and_sub_indication_has_both_languages() -> None:
    for code in ReasonCode:
        assert set(MESSAGES[code]) == {"en", "zh"}, code
    for sub in SubIndication:
        assert set(SUB_INDICATION_LABELS[sub]) == {"en", "zh"}
    for indication in Indication:
        assert set(INDICATION_LABELS[indication]) == {"en", "zh"}
    assert render_reason(Reason("registry_custom", None, {"x": 1}), "zh") == "registry_custom (x=1)"
    assert (
        render_reason(Reason(ReasonCode.WEAK_DIGEST)) == "digest algorithm ? is too weak to rely on"
    )


def test_report_json_is_canonical_and_complete(pdf_evaluator: object) -> None:
    report = validate_pdf(
        pdf("pades-with-old-style-signing-cert-attr.pdf"),
        evaluator=pdf_evaluator,
        validation_time=IN_2020,
    )  # type: ignore[arg-type]
    data = report_json(report)
    assert data.endswith(b"\n") and b"\n" not in data[:-1]
    body = json.loads(data)
    assert body == json.loads(json.dumps(report.as_dict()))
    assert body["indication"] == "TOTAL_PASSED"
    signature = body["signatures"][0]
    assert signature["coverage"]["extent"] == "whole_file"
    assert signature["signer"]["sha256"] and signature["trust"]["status"] == "passed"
    assert signature["signing_time"]["basis"] == "validation"


def test_report_signature_verifies_and_detects_changes(pdf_evaluator: object) -> None:
    report = validate_pdf(
        pdf("sig-no-signed-attrs.pdf"), evaluator=pdf_evaluator, validation_time=IN_2020
    )  # type: ignore[arg-type]
    data = report_json(report)
    signer = Signer.generate("certgov.local/reports")
    line = sign_report(data, signer)
    assert line.startswith("\u2014 certgov.local/reports ")
    verify_report(data, line, signer.verifier())
    with pytest.raises(ReportSignatureError, match="does not verify"):
        verify_report(data.replace(b"TOTAL_PASSED", b"TOTAL_FAILED"), line, signer.verifier())
    with pytest.raises(ReportSignatureError, match="signed by key"):
        verify_report(data, line, Signer.generate("someone.else").verifier())
    with pytest.raises(ReportSignatureError):
        verify_report(data, "not a signature", signer.verifier())
