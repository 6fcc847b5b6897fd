"""Signature verification: SM2/SM3 through tongsuopy, the rest through pyca/cryptography."""

from __future__ import annotations

import pytest

from certgov.pki import (
    SM2_DEFAULT_ID,
    Certificate,
    ProblemCode,
    check_signature,
    parse_certificate,
    sm2_available,
)
from certgov.pki.signature import load_public_key
from unit.pki.factory import hierarchy, issue, make_key, sm2, sm2_chain

SM2_LEAVES = ["client_sign.crt", "client_enc.crt", "server_sign.crt", "server_enc.crt"]


def _tamper(cert: Certificate, old: bytes, new: bytes) -> Certificate:
    """``cert`` with ``old`` replaced by ``new`` (same length) in its TBS."""
    assert len(old) == len(new) and cert.der.count(old) == 1
    return parse_certificate(cert.der.replace(old, new))


def test_tongsuopy_is_installed_and_the_default_sm2_id_is_used() -> None:
    assert sm2_available()
    assert SM2_DEFAULT_ID == b"1234567812345678"


def test_the_sm2_chain_verifies_with_the_default_id() -> None:
    root, sub = sm2_chain()
    assert check_signature(root, root) is None
    assert check_signature(sub, root) is None
    for name in SM2_LEAVES:
        assert check_signature(sm2(name), sub) is None, name


def test_sm2_signatures_fail_against_the_wrong_key_or_after_tampering() -> None:
    root, sub = sm2_chain()
    leaf = sm2("server_sign.crt")
    wrong = check_signature(leaf, root)
    assert wrong is not None and wrong.code is ProblemCode.BAD_SIGNATURE
    assert "CN=server sign" in wrong.message and "CN=root ca" in wrong.message
    tampered = _tamper(leaf, b"server sign", b"server sigm")
    problem = check_signature(tampered, sub)
    assert problem is not None and problem.code is ProblemCode.BAD_SIGNATURE
    # A signature that is not even DER is a bad signature, and leaves tongsuopy usable.
    garbage = parse_certificate(leaf.der[: -len(leaf.signature)] + b"\x00" * len(leaf.signature))
    problem = check_signature(garbage, sub)
    assert problem is not None and problem.code is ProblemCode.BAD_SIGNATURE
    assert check_signature(leaf, sub) is None


@pytest.mark.parametrize(
    ("kind", "pss"), [("rsa2048", False), ("rsa2048", True), ("p384", False), ("ed25519", False)]
)
def test_rsa_pss_ecdsa_and_ed25519_signatures(kind: str, pss: bool) -> None:
    root = issue("root", make_key(kind))
    leaf = issue("leaf", make_key(kind, 1), root, ca=False, pss=pss).cert
    assert check_signature(leaf, root.cert) is None
    assert check_signature(root.cert, root.cert) is None
    other = issue("root", make_key(kind, 2)).cert
    problem = check_signature(leaf, other)
    assert problem is not None and problem.code is ProblemCode.BAD_SIGNATURE


def test_a_signature_algorithm_that_does_not_fit_the_issuer_key_is_named() -> None:
    ec_leaf = hierarchy("p256").leaf.cert
    rsa_issuer = issue("rsa", make_key("rsa2048")).cert
    problem = check_signature(ec_leaf, rsa_issuer)
    assert problem is not None and problem.code is ProblemCode.BAD_SIGNATURE
    assert "is signed with ecdsa-with-SHA256" in problem.message and "an RSA key" in problem.message
    problem = check_signature(sm2("server_sign.crt"), issue("ec", make_key("p256")).cert)
    assert problem is not None and "has an EC key" in problem.message
    problem = check_signature(ec_leaf, sm2_chain()[1])
    assert problem is not None and "has an SM2 key" in problem.message


def test_issuer_keys_are_loaded_once_per_certificate_object() -> None:
    _, sub = sm2_chain()
    first = load_public_key(sub)
    assert load_public_key(sub) is first and first.is_sm2 and first.error is None
