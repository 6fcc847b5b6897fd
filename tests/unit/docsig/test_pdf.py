"""The shared signed PDFs (pyHanko's test files, signed by root → intermediate → signer)
with root.cert.pem as the only trust anchor."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter

from certgov.docsig import (
    AnchorTrustEvaluator,
    EncryptedDocumentError,
    Indication,
    MalformedDocumentError,
    ReasonCode,
    SubIndication,
    TimeBasis,
    UnsupportedDocumentError,
    validate_document,
    validate_pdf,
)
from certgov.docsig.cms import parse_signed_data
from certgov.docsig.limits import DEFAULT_LIMITS
from certgov.docsig.messages import render_reason
from certgov.pki import Certificate
from unit.docsig.builders import flip
from unit.docsig.conftest import IN_2020, IN_2030, pdf

PADES = "pades-with-old-style-signing-cert-attr.pdf"
NO_ATTRIBUTES = "sig-no-signed-attrs.pdf"
TWICE = "minimal-two-fields-signed-twice.pdf"


def codes(signature: object) -> set[str]:
    return {reason.code for reason in signature.reasons}  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", [PADES, NO_ATTRIBUTES])
def test_intact_signature_passes_inside_the_validity(
    name: str, pdf_evaluator: AnchorTrustEvaluator
) -> None:
    report = validate_pdf(pdf(name), evaluator=pdf_evaluator, validation_time=IN_2020)
    assert report.indication is Indication.TOTAL_PASSED
    (signature,) = report.signatures
    assert signature.indication is Indication.TOTAL_PASSED and signature.sub_indication is None
    assert signature.integrity.signature_ok is True
    assert signature.coverage is not None and signature.coverage.extent == "whole_file"
    assert signature.trust is not None and signature.trust.evidence["anchored"] is True
    assert (
        signature.signer is not None and signature.signer.summary.subject.find("Example Inc") >= 0
    )


def test_pades_signature_reports_format_digest_and_embedded_chain(
    pdf_evaluator: AnchorTrustEvaluator,
) -> None:
    (signature,) = validate_pdf(
        pdf(PADES), evaluator=pdf_evaluator, validation_time=IN_2020
    ).signatures
    assert signature.format == "pades" and signature.sub_filter == "/ETSI.CAdES.detached"
    assert signature.integrity.digest_algorithm == "sha256"
    assert signature.integrity.message_digest_ok is True
    assert len(signature.embedded) == 3
    assert signature.trust is not None and len(signature.trust.chain) == 3


def test_claimed_time_is_the_judging_time_when_before_the_validation_time(
    pdf_evaluator: AnchorTrustEvaluator,
) -> None:
    (signature,) = validate_pdf(
        pdf(NO_ATTRIBUTES), evaluator=pdf_evaluator, validation_time=IN_2020
    ).signatures
    assert signature.signing_time is not None
    assert signature.signing_time.basis is TimeBasis.CLAIMED
    assert signature.signing_time.claimed_source == "pdf_m_entry"
    assert signature.signing_time.judged_at == dt.datetime(2020, 11, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize("name", [PADES, NO_ATTRIBUTES])
def test_after_the_signer_expired_without_timestamp_is_out_of_bounds_no_poe(
    name: str, pdf_evaluator: AnchorTrustEvaluator
) -> None:
    report = validate_pdf(pdf(name), evaluator=pdf_evaluator, validation_time=IN_2030)
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.OUT_OF_BOUNDS_NO_POE
    assert ReasonCode.SIGNER_EXPIRED_NO_POE in codes(report.signatures[0])


def test_before_the_signer_was_valid_is_indeterminate(pdf_evaluator: AnchorTrustEvaluator) -> None:
    report = validate_pdf(
        pdf(PADES), evaluator=pdf_evaluator, validation_time=dt.datetime(2019, 6, 1, tzinfo=dt.UTC)
    )
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.NOT_YET_VALID_NO_POE


def test_one_byte_flipped_inside_the_signed_range_is_hash_failure(
    pdf_evaluator: AnchorTrustEvaluator,
) -> None:
    # Byte 10 is inside the binary comment after the header: the PDF still parses.
    report = validate_pdf(flip(pdf(PADES), 10), evaluator=pdf_evaluator, validation_time=IN_2020)
    assert report.indication is Indication.TOTAL_FAILED
    assert report.sub_indication is SubIndication.HASH_FAILURE
    assert report.signatures[0].integrity.message_digest_ok is False


def test_flipped_byte_without_signed_attributes_is_a_signature_failure(
    pdf_evaluator: AnchorTrustEvaluator,
) -> None:
    # Without signed attributes the signature is over the content itself: nothing tells a
    # changed content from a wrong signature.
    report = validate_pdf(
        flip(pdf(NO_ATTRIBUTES), 10), evaluator=pdf_evaluator, validation_time=IN_2020
    )
    assert report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_flipped_signature_value_is_sig_crypto_failure(pdf_evaluator: AnchorTrustEvaluator) -> None:
    data = pdf(PADES)
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", data)
    assert contents is not None
    signed = parse_signed_data(bytes.fromhex(contents.group(1).decode()), DEFAULT_LIMITS)
    hex_signature = signed.signers[0].signature.hex().encode()
    position = data.lower().index(hex_signature) + len(hex_signature) - 1
    changed = bytearray(data)
    changed[position] = ord("0") if changed[position] != ord("0") else ord("1")
    report = validate_pdf(bytes(changed), evaluator=pdf_evaluator, validation_time=IN_2020)
    assert report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE
    assert report.signatures[0].integrity.message_digest_ok is True


def test_two_signatures_each_validated_with_the_later_update_seen_as_form_filling(
    pdf_evaluator: AnchorTrustEvaluator,
) -> None:
    report = validate_pdf(pdf(TWICE), evaluator=pdf_evaluator, validation_time=IN_2020)
    by_id = {signature.id: signature for signature in report.signatures}
    assert set(by_id) == {"Sig1", "Sig2"}
    first, second = by_id["Sig2"], by_id["Sig1"]  # Sig2 was signed first
    assert first.coverage is not None and first.coverage.extent == "revision"
    assert first.coverage.later_changes == "form_filling"
    assert second.coverage is not None and second.coverage.extent == "whole_file"
    # The signer is self-signed, not under root.cert.pem.
    assert {s.sub_indication for s in report.signatures} == {
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    }
    assert all(s.integrity.signature_ok for s in report.signatures)


def test_trusted_timestamp_proves_the_signing_time(pdf_root: Certificate) -> None:
    probe = validate_pdf(
        pdf(TWICE), evaluator=AnchorTrustEvaluator([pdf_root]), validation_time=IN_2030
    )
    signature = probe.signatures[0]
    assert signature.timestamp is not None and signature.timestamp.tsa is not None
    assert signature.timestamp.imprint_ok and signature.timestamp.signature_ok
    assert ReasonCode.TIMESTAMP_UNTRUSTED in codes(signature)
    assert signature.signer is not None
    evaluator = AnchorTrustEvaluator([signature.signer, signature.timestamp.tsa])
    report = validate_pdf(pdf(TWICE), evaluator=evaluator, validation_time=IN_2030)
    assert report.indication is Indication.TOTAL_PASSED
    for checked in report.signatures:
        assert checked.signing_time is not None and checked.signing_time.basis is TimeBasis.PROVEN
        assert checked.signing_time.proven is not None
        assert checked.signing_time.proven.date() == dt.date(2021, 1, 4)


def test_content_changed_in_a_later_update_is_sig_constraints_failure(
    pdf_evaluator: AnchorTrustEvaluator,
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf(PADES)))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    from pyhanko.pdf_utils import generic

    page["/MediaBox"] = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 300, 300)])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = validate_pdf(out.getvalue(), evaluator=pdf_evaluator, validation_time=IN_2020)
    (signature,) = report.signatures
    assert signature.coverage is not None and signature.coverage.extent == "revision"
    assert signature.coverage.later_changes == "content"
    assert signature.sub_indication is SubIndication.SIG_CONSTRAINTS_FAILURE
    assert ReasonCode.MODIFIED_AFTER_SIGNING in codes(signature)
    assert signature.integrity.message_digest_ok is True


def test_unsigned_pdf_is_indeterminate_with_no_signature(
    pdf_evaluator: AnchorTrustEvaluator,
) -> None:
    report = validate_document(
        pdf("unsigned-empty-a4.pdf"), evaluator=pdf_evaluator, validation_time=IN_2020
    )
    assert report.kind == "pdf" and report.signatures == ()
    assert report.indication is Indication.INDETERMINATE
    assert [reason.code for reason in report.reasons] == [ReasonCode.NO_SIGNATURE]
    assert render_reason(report.reasons[0], "zh") == "该文档没有签名"


def test_not_a_pdf_is_refused(pdf_evaluator: AnchorTrustEvaluator) -> None:
    with pytest.raises(UnsupportedDocumentError):
        validate_pdf(b"hello, this is text", evaluator=pdf_evaluator, validation_time=IN_2020)
    with pytest.raises(UnsupportedDocumentError):
        validate_document(b"hello, this is text", evaluator=pdf_evaluator, validation_time=IN_2020)


def test_truncated_pdf_is_malformed(pdf_evaluator: AnchorTrustEvaluator) -> None:
    with pytest.raises(MalformedDocumentError):
        validate_pdf(b"%PDF-1.7\n" + b"\x00" * 40, evaluator=pdf_evaluator, validation_time=IN_2020)


def _encrypted(user_password: str) -> bytes:
    writer = PdfFileWriter()
    writer.encrypt("owner-secret", user_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_password_encrypted_pdf_is_refused(pdf_evaluator: AnchorTrustEvaluator) -> None:
    with pytest.raises(EncryptedDocumentError):
        validate_pdf(_encrypted("user-secret"), evaluator=pdf_evaluator, validation_time=IN_2020)


def test_permissions_only_encrypted_pdf_opens(pdf_evaluator: AnchorTrustEvaluator) -> None:
    report = validate_pdf(_encrypted(""), evaluator=pdf_evaluator, validation_time=IN_2020)
    assert report.signatures == () and report.indication is Indication.INDETERMINATE
