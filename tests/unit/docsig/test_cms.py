"""CMS / PKCS #7 SignedData: SM2/SM3 signed here with the shared SM2 test keys (GB/T 35275
and PKCS #7 object identifiers, attached and detached), RSA and ECDSA from pyca/cryptography's
PKCS #7 builder, and a test TSA's timestamp tokens."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes

from certgov.docsig import (
    AnchorTrustEvaluator,
    Indication,
    ReasonCode,
    SubIndication,
    TimeBasis,
    validate_cms,
    validate_document,
)
from certgov.docsig.cms import parse_signed_data
from certgov.docsig.limits import DEFAULT_LIMITS
from certgov.docsig.messages import render_reason
from unit.docsig.builders import (
    SM2_SIGN_GBT35275,
    Tsa,
    cms_signed_data,
    corrupt_signature_value,
    pkcs7_signed,
    sm2_signer,
)
from unit.docsig.conftest import SM2_NOW
from unit.pki.factory import NOW, hierarchy, issue, make_key

CONTRACT = "甲方与乙方签订的合同。".encode() * 20


def _signature_of(der: bytes) -> bytes:
    return parse_signed_data(der, DEFAULT_LIMITS).signers[0].signature


@pytest.mark.parametrize("gbt_oids", [True, False], ids=["gbt35275", "pkcs7"])
@pytest.mark.parametrize("attached", [True, False], ids=["attached", "detached"])
def test_sm2_signature_passes(
    gbt_oids: bool, attached: bool, sm2_evaluator: AnchorTrustEvaluator
) -> None:
    certificate, sign = sm2_signer()
    der = cms_signed_data(
        CONTRACT,
        certificate,
        sign,
        attached=attached,
        gbt_oids=gbt_oids,
        signing_time=SM2_NOW - dt.timedelta(hours=1),
    )
    report = validate_cms(
        der,
        content=None if attached else CONTRACT,
        evaluator=sm2_evaluator,
        validation_time=SM2_NOW,
    )
    (signature,) = report.signatures
    assert signature.indication is Indication.TOTAL_PASSED, [
        render_reason(r) for r in signature.reasons
    ]
    assert signature.format == ("cms-attached" if attached else "cms-detached")
    assert (
        signature.integrity.signature_scheme == "sm2"
        and signature.integrity.digest_algorithm == "sm3"
    )
    assert signature.signing_time is not None and signature.signing_time.basis is TimeBasis.CLAIMED
    assert signature.trust is not None and len(signature.trust.chain) == 3


def test_sm2_with_the_gbt35275_signature_oid_and_no_signed_attributes(
    sm2_evaluator: AnchorTrustEvaluator,
) -> None:
    certificate, sign = sm2_signer()
    der = cms_signed_data(
        CONTRACT, certificate, sign, signature_oid=SM2_SIGN_GBT35275, signed_attributes=False
    )
    (signature,) = validate_cms(der, evaluator=sm2_evaluator, validation_time=SM2_NOW).signatures
    assert signature.indication is Indication.TOTAL_PASSED
    assert signature.integrity.message_digest_ok is None
    assert (
        signature.signing_time is not None and signature.signing_time.basis is TimeBasis.VALIDATION
    )


@pytest.mark.parametrize("attached", [True, False], ids=["attached", "detached"])
def test_corrupted_sm2_signature_fails(attached: bool, sm2_evaluator: AnchorTrustEvaluator) -> None:
    certificate, sign = sm2_signer()
    der = cms_signed_data(CONTRACT, certificate, sign, attached=attached)
    corrupted = corrupt_signature_value(der, _signature_of(der))
    report = validate_cms(
        corrupted,
        content=None if attached else CONTRACT,
        evaluator=sm2_evaluator,
        validation_time=SM2_NOW,
    )
    assert report.indication is Indication.TOTAL_FAILED
    assert report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE
    assert report.signatures[0].integrity.message_digest_ok is True


def test_sm2_detached_with_other_content_is_hash_failure(
    sm2_evaluator: AnchorTrustEvaluator,
) -> None:
    certificate, sign = sm2_signer()
    der = cms_signed_data(CONTRACT, certificate, sign, attached=False)
    report = validate_cms(
        der, content=CONTRACT + b"!", evaluator=sm2_evaluator, validation_time=SM2_NOW
    )
    assert report.sub_indication is SubIndication.HASH_FAILURE
    reason = report.signatures[0].reasons[0]
    assert reason.code == ReasonCode.MESSAGE_DIGEST_MISMATCH and reason.params["algorithm"] == "sm3"
    assert "被修改" in render_reason(reason, "zh")


def test_detached_without_content_is_signed_data_not_found(
    sm2_evaluator: AnchorTrustEvaluator,
) -> None:
    certificate, sign = sm2_signer()
    der = cms_signed_data(CONTRACT, certificate, sign, attached=False)
    report = validate_cms(der, evaluator=sm2_evaluator, validation_time=SM2_NOW)
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.SIGNED_DATA_NOT_FOUND


def test_pem_cms_is_read(sm2_evaluator: AnchorTrustEvaluator) -> None:
    certificate, sign = sm2_signer()
    der = cms_signed_data(CONTRACT, certificate, sign)
    pem = b"-----BEGIN PKCS7-----\n" + base64.encodebytes(der) + b"-----END PKCS7-----\n"
    report = validate_document(pem, evaluator=sm2_evaluator, validation_time=SM2_NOW)
    assert report.kind == "cms" and report.indication is Indication.TOTAL_PASSED


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "p384"])
@pytest.mark.parametrize("detached", [False, True], ids=["attached", "detached"])
def test_rsa_and_ecdsa_from_the_pkcs7_builder_pass(kind: str, detached: bool) -> None:
    pki = hierarchy(kind)
    der = pkcs7_signed(CONTRACT, pki.leaf.cert, pki.leaf.key, detached=detached)
    evaluator = AnchorTrustEvaluator([pki.root.cert], [pki.intermediate.cert])
    report = validate_cms(
        der, content=CONTRACT if detached else None, evaluator=evaluator, validation_time=NOW
    )
    (signature,) = report.signatures
    assert signature.indication is Indication.TOTAL_PASSED, [
        render_reason(r) for r in signature.reasons
    ]
    assert signature.integrity.signature_scheme == (
        "rsa-pkcs1" if kind.startswith("rsa") else "ecdsa"
    )
    assert (
        signature.signing_time is not None
        and signature.signing_time.claimed_source == "signing_time_attribute"
    )


def test_rsa_without_attributes_and_sha512() -> None:
    pki = hierarchy("rsa2048")
    der = pkcs7_signed(
        CONTRACT,
        pki.leaf.cert,
        pki.leaf.key,
        detached=False,
        attributes=False,
        hash_algorithm=hashes.SHA512(),
    )
    evaluator = AnchorTrustEvaluator([pki.root.cert], [pki.intermediate.cert])
    (signature,) = validate_cms(der, evaluator=evaluator, validation_time=NOW).signatures
    assert signature.indication is Indication.TOTAL_PASSED
    assert signature.integrity.digest_algorithm == "sha512"


def test_ecdsa_corrupted_signature_and_changed_content() -> None:
    pki = hierarchy("p256")
    evaluator = AnchorTrustEvaluator([pki.root.cert], [pki.intermediate.cert])
    der = pkcs7_signed(CONTRACT, pki.leaf.cert, pki.leaf.key, detached=True)
    changed = validate_cms(der, content=CONTRACT[:-1], evaluator=evaluator, validation_time=NOW)
    assert changed.sub_indication is SubIndication.HASH_FAILURE
    corrupted = validate_cms(
        corrupt_signature_value(der, _signature_of(der)),
        content=CONTRACT,
        evaluator=evaluator,
        validation_time=NOW,
    )
    assert corrupted.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_signer_outside_the_trust_anchors_has_no_chain() -> None:
    pki, other = hierarchy("p256"), hierarchy("p256", slot=10)
    der = pkcs7_signed(CONTRACT, pki.leaf.cert, pki.leaf.key, detached=False)
    report = validate_cms(
        der, evaluator=AnchorTrustEvaluator([other.root.cert]), validation_time=NOW
    )
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_signer_certificate_missing_from_the_cms(sm2_evaluator: AnchorTrustEvaluator) -> None:
    certificate, sign = sm2_signer()
    other = hierarchy("p256").leaf.cert
    der = cms_signed_data(
        CONTRACT, certificate, sign, embed_signer=False, extra_certificates=(other,)
    )
    report = validate_cms(der, evaluator=sm2_evaluator, validation_time=SM2_NOW)
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.NO_SIGNING_CERTIFICATE_FOUND


def _tsa_hierarchy() -> tuple[Tsa, AnchorTrustEvaluator, object]:
    pki = hierarchy("p256", slot=20)
    tsa_key = make_key("p256", 30)
    tsa = issue("test TSA", tsa_key, pki.root, ca=False)
    return (
        Tsa(tsa.cert, tsa_key),
        AnchorTrustEvaluator([pki.root.cert], [pki.intermediate.cert]),
        pki,
    )  # type: ignore[arg-type]


def test_trusted_timestamp_is_proof_after_the_signer_expired() -> None:
    tsa, evaluator, pki = _tsa_hierarchy()
    signer = pki.leaf  # type: ignore[attr-defined]
    stamped_at = NOW - dt.timedelta(days=30)
    from cryptography.hazmat.primitives.asymmetric import ec

    der = cms_signed_data(
        CONTRACT,
        signer.cert,
        lambda data: signer.key.sign(data, ec.ECDSA(hashes.SHA256())),
        digest_name="sha256",
        digest_oid="2.16.840.1.101.3.4.2.1",
        signature_oid="1.2.840.10045.4.3.2",
        gbt_oids=False,
        extra_certificates=(pki.intermediate.cert,),  # type: ignore[attr-defined]
        timestamp_token=lambda signature: tsa.token(signature, stamped_at),
    )
    long_after = signer.cert.summary.not_after + dt.timedelta(days=400)
    (signature,) = validate_cms(der, evaluator=evaluator, validation_time=long_after).signatures
    assert signature.indication is Indication.TOTAL_PASSED, [
        render_reason(r) for r in signature.reasons
    ]
    assert signature.signing_time is not None and signature.signing_time.basis is TimeBasis.PROVEN
    assert signature.timestamp is not None and signature.timestamp.trust is not None
    # The same signature without its timestamp: no proof, the signer has expired.
    plain = cms_signed_data(
        CONTRACT,
        signer.cert,
        lambda data: signer.key.sign(data, ec.ECDSA(hashes.SHA256())),
        digest_name="sha256",
        digest_oid="2.16.840.1.101.3.4.2.1",
        signature_oid="1.2.840.10045.4.3.2",
        gbt_oids=False,
        extra_certificates=(pki.intermediate.cert,),  # type: ignore[attr-defined]
        signing_time=stamped_at,
    )
    report = validate_cms(plain, evaluator=evaluator, validation_time=long_after)
    assert report.sub_indication is SubIndication.OUT_OF_BOUNDS_NO_POE


def test_timestamp_over_another_value_is_ignored() -> None:
    tsa, evaluator, pki = _tsa_hierarchy()
    signer = pki.leaf  # type: ignore[attr-defined]
    from cryptography.hazmat.primitives.asymmetric import ec

    der = cms_signed_data(
        CONTRACT,
        signer.cert,
        lambda data: signer.key.sign(data, ec.ECDSA(hashes.SHA256())),
        digest_name="sha256",
        digest_oid="2.16.840.1.101.3.4.2.1",
        signature_oid="1.2.840.10045.4.3.2",
        gbt_oids=False,
        extra_certificates=(pki.intermediate.cert,),  # type: ignore[attr-defined]
        timestamp_token=lambda signature: tsa.token(b"something else", NOW),
    )
    (signature,) = validate_cms(der, evaluator=evaluator, validation_time=NOW).signatures
    assert signature.indication is Indication.TOTAL_PASSED
    assert signature.timestamp is not None and signature.timestamp.imprint_ok is False
    assert (
        signature.signing_time is not None and signature.signing_time.basis is TimeBasis.VALIDATION
    )
    assert ReasonCode.TIMESTAMP_INVALID in {reason.code for reason in signature.reasons}
