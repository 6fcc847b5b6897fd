"""Hostile input: byte ranges that overlap, leave gaps or point outside the file, CMS with
garbage, too many certificates, deep nesting, sizes past the limits — each a clear answer."""

from __future__ import annotations

import re

import pytest

from certgov.docsig import (
    AnchorTrustEvaluator,
    DocumentTooLargeError,
    Indication,
    Limits,
    ReasonCode,
    SubIndication,
    UnsupportedDocumentError,
    validate_cms,
    validate_pdf,
)
from certgov.docsig._ber import BerError, scan
from certgov.docsig.messages import render_reason
from certgov.errors import InvalidInput
from unit.docsig.builders import cms_signed_data, sm2_signer
from unit.docsig.conftest import IN_2020, SM2_NOW, pdf
from unit.pki.factory import hierarchy

PADES = "pades-with-old-style-signing-cert-attr.pdf"
ORIGINAL = b"/ByteRange [ 00000000 00001253 00011905 00000450 ]"


def _with_byte_range(replacement: bytes) -> bytes:
    data = pdf(PADES)
    assert len(replacement) == len(ORIGINAL) and ORIGINAL in data
    return data.replace(ORIGINAL, replacement)


@pytest.mark.parametrize(
    ("byte_range", "code"),
    [
        (b"/ByteRange [ 00000000 00001253 00011905 00099999 ]", ReasonCode.BYTE_RANGE_OUTSIDE_FILE),
        (b"/ByteRange [ 00000000 00001253 00001000 00000450 ]", ReasonCode.BYTE_RANGE_OVERLAP),
        (b"/ByteRange [ 00000000 00001200 00011905 00000450 ]", ReasonCode.BYTE_RANGE_GAP),
        (b"/ByteRange [ 00000005 00001248 00011905 00000450 ]", ReasonCode.BYTE_RANGE_GAP),
        (b"/ByteRange [ 00000000 00001253 00011905          ]", ReasonCode.BYTE_RANGE_MALFORMED),
        (b"/ByteRange [ 00000000 -0001253 00011905 00000450 ]", ReasonCode.BYTE_RANGE_MALFORMED),
    ],
    ids=["outside", "overlap", "gap", "not-from-start", "three-numbers", "negative"],
)
def test_bad_byte_range_is_format_failure(
    byte_range: bytes, code: ReasonCode, pdf_evaluator: AnchorTrustEvaluator
) -> None:
    report = validate_pdf(
        _with_byte_range(byte_range), evaluator=pdf_evaluator, validation_time=IN_2020
    )
    (signature,) = report.signatures
    assert signature.indication is Indication.TOTAL_FAILED
    assert signature.sub_indication is SubIndication.FORMAT_FAILURE
    assert [reason.code for reason in signature.reasons] == [code]
    assert render_reason(signature.reasons[0], "zh")


def test_garbage_in_the_signature_contents_is_format_failure(
    pdf_evaluator: AnchorTrustEvaluator,
) -> None:
    data = pdf(PADES)
    match = re.search(rb"/Contents <([0-9a-fA-F]+)>", data)
    assert match is not None
    garbage = b"3082ffff" + b"41" * ((len(match.group(1)) - 8) // 2)
    changed = data[: match.start(1)] + garbage + data[match.end(1) :]
    report = validate_pdf(changed, evaluator=pdf_evaluator, validation_time=IN_2020)
    assert report.signatures[0].sub_indication is SubIndication.FORMAT_FAILURE
    assert report.signatures[0].reasons[0].code == ReasonCode.CMS_MALFORMED


@pytest.mark.parametrize(
    "data",
    [
        b"\x30\x03\x02\x01\x01",
        b"\x30\x80\x02\x01\x01\x00\x00",
        b"\x30\x82\xff\xff" + b"A" * 10,
        b"\x30\x00",
    ],
    ids=["sequence-of-integer", "indefinite", "overlong", "empty"],
)
def test_cms_garbage_is_format_failure(data: bytes, sm2_evaluator: AnchorTrustEvaluator) -> None:
    report = validate_cms(data, evaluator=sm2_evaluator, validation_time=SM2_NOW)
    assert report.indication is Indication.TOTAL_FAILED
    assert report.sub_indication is SubIndication.FORMAT_FAILURE


def test_text_is_not_cms(sm2_evaluator: AnchorTrustEvaluator) -> None:
    with pytest.raises(UnsupportedDocumentError):
        validate_cms(b"not a signature", evaluator=sm2_evaluator, validation_time=SM2_NOW)


def test_deep_nesting_is_refused_before_parsing(sm2_evaluator: AnchorTrustEvaluator) -> None:
    deep = b"\x30\x80" * 100_000 + b"\x00\x00" * 100_000
    report = validate_cms(deep, evaluator=sm2_evaluator, validation_time=SM2_NOW)
    assert report.signatures[0].reasons[0].code == ReasonCode.CMS_TOO_DEEP


def test_too_many_embedded_certificates(sm2_evaluator: AnchorTrustEvaluator) -> None:
    certificate, sign = sm2_signer()
    others = tuple(hierarchy("p256").leaf.cert for _ in range(10))
    der = cms_signed_data(b"x", certificate, sign, extra_certificates=others)
    report = validate_cms(
        der, evaluator=sm2_evaluator, validation_time=SM2_NOW, limits=Limits(max_certificates=5)
    )
    reason = report.signatures[0].reasons[0]
    assert reason.code == ReasonCode.CMS_TOO_MANY_CERTIFICATES and reason.params == {
        "count": 11,
        "limit": 5,
    }


def test_documents_past_the_size_limit_are_refused(pdf_evaluator: AnchorTrustEvaluator) -> None:
    with pytest.raises(DocumentTooLargeError):
        validate_pdf(
            pdf(PADES),
            evaluator=pdf_evaluator,
            validation_time=IN_2020,
            limits=Limits(max_document_bytes=1000),
        )
    with pytest.raises(DocumentTooLargeError):
        validate_cms(
            b"\x30\x00",
            content=b"x" * 2000,
            evaluator=pdf_evaluator,
            validation_time=IN_2020,
            limits=Limits(max_document_bytes=1000),
        )


def test_cms_past_its_size_limit_is_format_failure(pdf_evaluator: AnchorTrustEvaluator) -> None:
    report = validate_pdf(
        pdf(PADES),
        evaluator=pdf_evaluator,
        validation_time=IN_2020,
        limits=Limits(max_cms_bytes=100),
    )
    assert report.signatures[0].reasons[0].code == ReasonCode.CMS_TOO_LARGE


def test_naive_validation_time_is_refused(pdf_evaluator: AnchorTrustEvaluator) -> None:
    with pytest.raises(InvalidInput):
        validate_pdf(
            pdf(PADES), evaluator=pdf_evaluator, validation_time=IN_2020.replace(tzinfo=None)
        )


def test_ber_scan_bounds() -> None:
    assert scan(b"\x30\x03\x02\x01\x05trailing", max_depth=4, max_elements=10).end == 5
    assert scan(b"\x30\x80\x04\x01a\x00\x00", max_depth=4, max_elements=10).end == 7
    with pytest.raises(BerError) as too_deep:
        scan(b"\x30\x02\x30\x00", max_depth=1, max_elements=10)
    assert too_deep.value.limit == "depth"
    with pytest.raises(BerError) as too_many:
        scan(b"\x30\x06" + b"\x05\x00" * 3, max_depth=4, max_elements=3)
    assert too_many.value.limit == "elements"
    with pytest.raises(BerError):
        scan(b"\x30\x05\x04\x09aaaa", max_depth=4, max_elements=10)
