"""OCSP (ECS-3.5 responder probing, SYS-5): requests by CertID hashes, responses checked for
signature, responder authorisation, status and freshness; fuzzing of the response reader."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgov.pki import OcspAnswer, ProblemCode, build_request, check_response
from unit.pki.factory import DAY, NOW, Issued, hierarchy, issue, make_key, mutate, mutation

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def _pki() -> tuple[Issued, Issued]:
    pki = hierarchy("p256", slot=70)
    return pki.root, pki.intermediate


def _response(
    *,
    status: ocsp.OCSPCertStatus = ocsp.OCSPCertStatus.GOOD,
    signer: Issued | None = None,
    embed: bool = False,
    next_update: dt.datetime | None = None,
    reason: x509.ReasonFlags = x509.ReasonFlags.superseded,
) -> bytes:
    root, sub = _pki()
    by = signer or root
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=sub.cert.x509,
        issuer=root.cert.x509,
        algorithm=hashes.SHA1(),
        cert_status=status,
        this_update=NOW - DAY,
        next_update=next_update or NOW + DAY,
        revocation_time=NOW - DAY if status is ocsp.OCSPCertStatus.REVOKED else None,
        revocation_reason=reason if status is ocsp.OCSPCertStatus.REVOKED else None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.NAME, by.cert.x509)
    if embed:
        builder = builder.certificates([by.cert.x509])
    signed = builder.sign(by.key, hashes.SHA256())  # type: ignore[arg-type]
    return signed.public_bytes(serialization.Encoding.DER)


def _check(data: bytes) -> OcspAnswer:
    root, sub = _pki()
    return check_response(data, sub.cert, root.cert, NOW)


def test_ecs_3_5_request_names_the_certificate_by_its_issuer_hashes() -> None:
    root, sub = _pki()
    request = ocsp.load_der_ocsp_request(build_request(sub.cert, root.cert))
    assert request.serial_number == sub.cert.summary.serial
    expected = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(sub.cert.x509, root.cert.x509, hashes.SHA1())
        .build()
    )
    assert request.issuer_key_hash == expected.issuer_key_hash
    assert request.issuer_name_hash == expected.issuer_name_hash


def test_ecs_3_5_good_revoked_and_stale_answers() -> None:
    good = _check(_response())
    assert good.status == "good" and not good.problems and good.responder == _pki()[0].cert.subject
    revoked = _check(_response(status=ocsp.OCSPCertStatus.REVOKED))
    assert revoked.status == "revoked" and revoked.reason == "superseded"
    assert revoked.revoked_at == NOW - DAY
    stale = _check(_response(next_update=NOW - dt.timedelta(hours=1)))
    assert [p.code for p in stale.problems] == [ProblemCode.OCSP_STALE]


def test_sys_5_evidence_of_an_answer_and_whether_it_is_usable() -> None:
    """SYS-5: a relying party's evidence: producedAt, the verifying key's SHA-1 (a ResponderID
    byKey), the response's SHA-256 (also of an unusable one); the reason is the RFC 5280 name
    a CRL entry has; only a fresh, verified good or revoked answer is usable."""
    data = _response(status=ocsp.OCSPCertStatus.REVOKED)
    answer = _check(data)
    response = ocsp.load_der_ocsp_response(data)
    assert answer.produced_at == response.produced_at_utc
    key = _pki()[0].cert.x509.public_key()  # RFC 5280 §4.2.1.2 method (1) is the same SHA-1
    assert answer.responder_key_hash == x509.SubjectKeyIdentifier.from_public_key(key).digest.hex()
    assert answer.sha256 == hashlib.sha256(data).hexdigest()
    assert answer.reason == "superseded" == x509.ReasonFlags.superseded.value
    assert answer.usable
    facts = answer.as_dict()
    assert (
        facts["sha256"] == answer.sha256 and facts["produced_at"] == answer.produced_at.isoformat()
    )
    compromised = _check(
        _response(status=ocsp.OCSPCertStatus.REVOKED, reason=x509.ReasonFlags.key_compromise)
    )
    assert compromised.reason == "keyCompromise"
    assert _check(_response()).usable
    assert not _check(_response(status=ocsp.OCSPCertStatus.UNKNOWN)).usable
    stale = _check(_response(next_update=NOW - dt.timedelta(hours=1)))
    assert stale.status == "good" and not stale.usable
    forged = _check(_response(signer=issue("stranger", make_key("p256", 78))))
    assert not forged.usable and forged.responder_key_hash is None
    assert forged.sha256 is not None and forged.as_dict()["produced_at"] is None


def test_ecs_3_5_delegated_responder_must_be_authorised_by_the_issuer() -> None:
    root, _ = _pki()
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING])
    delegated = issue(
        "ocsp responder", make_key("p256", 75), root, ca=False, extensions=[(eku, False)]
    )
    answer = _check(_response(signer=delegated, embed=True))
    assert answer.status == "good" and answer.responder == delegated.cert.subject
    plain = issue("not a responder", make_key("p256", 76), root, ca=False)
    refused = _check(_response(signer=plain, embed=True))
    assert refused.status is None
    assert [p.code for p in refused.problems] == [ProblemCode.OCSP_BAD_SIGNATURE]
    assert "did not authorise" in refused.problems[0].message
    stranger = _check(_response(signer=issue("stranger", make_key("p256", 77))))
    assert [p.code for p in stranger.problems] == [ProblemCode.OCSP_BAD_SIGNATURE]


def test_ecs_3_5_error_status_and_garbage() -> None:
    try_later = ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.TRY_LATER)
    answer = _check(try_later.public_bytes(serialization.Encoding.DER))
    assert [p.code for p in answer.problems] == [ProblemCode.OCSP_ERROR_STATUS]
    assert "TRY_LATER" in answer.problems[0].message
    assert [p.code for p in _check(b"<html>").problems] == [ProblemCode.OCSP_MALFORMED]


@FUZZ
@given(st.binary(max_size=800))
def test_fuzz_random_bytes_give_an_answer_never_an_exception(data: bytes) -> None:
    answer = _check(data)
    assert answer.status is None and answer.problems


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4))
def test_fuzz_mutated_responses_never_raise_nor_verify_silently(
    mutations: list[tuple[str, int, int]],
) -> None:
    original = _response()
    data = mutate(original, mutations)
    answer = _check(data)
    assert isinstance(answer, OcspAnswer)
    if data != original and answer.status is not None and not answer.problems:
        # Accepted after a change: the signed part must be unchanged.
        assert (
            ocsp.load_der_ocsp_response(data).tbs_response_bytes
            == ocsp.load_der_ocsp_response(original).tbs_response_bytes
        )
