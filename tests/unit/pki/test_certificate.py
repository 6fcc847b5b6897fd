"""The typed summary of a certificate, for SM2 and for generated RSA/ECDSA/Ed25519 ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from certgov.pki import KeyAlgorithm
from unit.pki.factory import (
    NOW,
    aia,
    crl_distribution_points,
    hierarchy,
    issue,
    make_key,
    sm2,
    sm2_chain,
)


def test_sm2_root_and_sub_ca_summaries() -> None:
    root, sub = sm2_chain()
    s = sub.summary
    assert (s.subject, s.issuer) == ("CN=sub ca,OU=DD,O=CC,ST=BB,C=AA", root.subject)
    assert (s.key_algorithm, s.key_size, s.curve) == (KeyAlgorithm.EC, 256, "sm2p256v1")
    assert (s.signature_algorithm, s.signature_algorithm_oid, s.signature_hash) == (
        "SM2-with-SM3",
        "1.2.156.10197.1.501",
        "sm3",
    )
    assert (s.is_ca, s.path_length, s.is_self_issued) == (True, 0, False)
    assert s.key_usage == ("digitalSignature", "keyCertSign", "cRLSign")
    assert s.subject_key_identifier == "ac61eb22806259083e96c8d17fce745c02af3c99"
    assert s.authority_key_identifier == root.summary.subject_key_identifier
    assert s.issuer_der == root.summary.subject_der
    assert s.not_before == dt.datetime(2023, 2, 22, 2, 30, 13, tzinfo=dt.UTC)
    assert s.not_before.utcoffset() == dt.timedelta(0)
    assert s.critical_extensions == ("2.5.29.19", "2.5.29.15")
    assert root.summary.is_self_issued and root.summary.path_length is None


def test_a_serial_of_zero_is_kept_with_cryptographys_warning() -> None:
    root, _ = sm2_chain()
    assert root.summary.serial == 0
    assert any("serial number" in warning for warning in root.summary.parse_warnings)


def test_sm2_leaves_carry_signing_or_encryption_usage() -> None:
    assert sm2("client_sign.crt").summary.key_usage == ("digitalSignature", "nonRepudiation")
    enc = sm2("client_enc.crt").summary
    assert enc.key_usage == ("keyEncipherment", "dataEncipherment", "keyAgreement")
    assert not enc.is_ca


@pytest.mark.parametrize(
    ("kind", "curve", "size", "signature", "hash_name"),
    [
        ("p256", "secp256r1", 256, "ecdsa-with-SHA256", "sha256"),
        ("p384", "secp384r1", 384, "ecdsa-with-SHA384", "sha384"),
        ("p521", "secp521r1", 521, "ecdsa-with-SHA512", "sha512"),
    ],
)
def test_ecdsa_curves_and_signature_names(
    kind: str, curve: str, size: int, signature: str, hash_name: str
) -> None:
    cert = issue("ec", make_key(kind), hash_name=hash_name).cert
    s = cert.summary
    assert (s.key_algorithm, s.curve, s.key_size) == (KeyAlgorithm.EC, curve, size)
    assert (s.signature_algorithm, s.signature_hash) == (signature, hash_name)


def test_rsa_pkcs1_pss_and_ed25519_names() -> None:
    rsa = issue("rsa", make_key("rsa2048")).cert.summary
    assert (rsa.key_algorithm, rsa.key_size, rsa.curve) == (KeyAlgorithm.RSA, 2048, None)
    assert (rsa.signature_algorithm, rsa.signature_hash) == ("sha256WithRSAEncryption", "sha256")
    pss = issue("pss", make_key("rsa2048"), hash_name="sha384", pss=True).cert.summary
    assert (pss.signature_algorithm, pss.signature_hash) == ("rsassaPss", "sha384")
    ed = issue("ed", make_key("ed25519")).cert.summary
    assert (ed.key_algorithm, ed.curve, ed.key_size) == (KeyAlgorithm.ED25519, "ed25519", 256)
    assert (ed.signature_algorithm, ed.signature_hash) == ("ED25519", None)


def test_urls_extended_key_usage_identifiers_and_fingerprint() -> None:
    h = hierarchy("p256")
    leaf = issue(
        "signer",
        make_key("p256", 9),
        h.intermediate,
        ca=False,
        extensions=[
            (crl_distribution_points("http://crl.example.cn/sub.crl"), False),
            (aia("http://ocsp.example.cn", "http://ca.example.cn/sub.cer"), False),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), False),
        ],
    ).cert
    s = leaf.summary
    assert s.crl_urls == ("http://crl.example.cn/sub.crl",)
    assert s.ocsp_urls == ("http://ocsp.example.cn",)
    assert s.ca_issuer_urls == ("http://ca.example.cn/sub.cer",)
    assert s.extended_key_usage == ("1.3.6.1.5.5.7.3.3",)
    assert s.fingerprint_sha256 == hashlib.sha256(leaf.der).hexdigest() == leaf.fingerprint
    assert s.authority_key_identifier == h.intermediate.cert.summary.subject_key_identifier
    assert s.subject_der == leaf.x509.subject.public_bytes()
    assert s.issuer_der == h.intermediate.cert.summary.subject_der
    assert (s.version, s.is_ca, s.path_length) == (3, False, None)
    assert s.not_after == NOW + dt.timedelta(days=365)


def test_missing_extensions_read_as_none_and_empty() -> None:
    bare = issue("bare", make_key("p256"), ca=None, key_usage={}).cert.summary
    assert (bare.is_ca, bare.key_usage, bare.extended_key_usage) == (False, None, None)
    assert (bare.crl_urls, bare.ocsp_urls) == ((), ())


def test_summaries_serialise_to_json() -> None:
    for cert in (*sm2_chain(), hierarchy("rsa2048").leaf.cert):
        body = json.loads(json.dumps(cert.summary.as_dict()))
        assert body["fingerprint_sha256"] == cert.fingerprint
        assert dt.datetime.fromisoformat(body["not_after"]) == cert.summary.not_after
    assert sm2_chain()[1].summary.as_dict()["serial"] == "1"


def test_certificates_compare_by_der_and_describe_themselves() -> None:
    first, again = sm2_chain()[1], sm2_chain()[1]
    assert first == again and hash(first) == hash(again) and first is not again
    assert first.describe() == "'CN=sub ca,OU=DD,O=CC,ST=BB,C=AA' (sha256 ce47c534de916901)"
