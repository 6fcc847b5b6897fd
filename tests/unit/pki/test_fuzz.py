"""Fuzzing the parsers: random bytes, random PEM framing, and real certificates (SM2 and
generated ones) with bytes flipped, cut or inserted. The only outcomes allowed are parsed
certificates (whose summary, signature check and chain verification then also work) or a
:class:`PkiError`; no other exception may escape."""

from __future__ import annotations

import base64
import os
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgov.pki import Certificate, ChainVerifier, PkiError, check_signature, parse_bundle
from unit.pki.factory import (
    NOW,
    SM2_DIR,
    hierarchy,
    issue,
    make_key,
    mutate,
    mutation,
    sm2,
    sm2_chain,
    sm2_file,
)

#: Modest by default; ``CERTGOV_FUZZ_EXAMPLES=5000`` for a longer hunt.
FUZZ = settings(
    max_examples=int(os.environ.get("CERTGOV_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@cache
def seeds() -> tuple[tuple[Certificate, Certificate], ...]:
    """(certificate, its issuer) pairs to mutate; the shared SM2 ones when present."""
    rsa = hierarchy("rsa2048")
    ec = hierarchy("p384")
    ed = hierarchy("ed25519")
    pss_root = issue("pss root", make_key("rsa2048"), pss=True)
    sm2_pairs: tuple[tuple[Certificate, Certificate], ...] = ()
    if SM2_DIR.is_dir():
        root, sub = sm2_chain()
        sm2_pairs = (
            (root, root),
            (sub, root),
            (sm2("server_sign.crt"), sub),
            (sm2("server_sign2.crt"), sub),
        )
    return (
        *sm2_pairs,
        (rsa.leaf.cert, rsa.intermediate.cert),
        (ec.leaf.cert, ec.intermediate.cert),
        (ed.intermediate.cert, ed.root.cert),
        (pss_root.cert, pss_root.cert),
    )


def _exercise(data: bytes | str) -> None:
    """Parse; on success use every parsed certificate the ways a filing would."""
    try:
        certificates = parse_bundle(data)
    except PkiError:
        return
    issuers = [issuer for _, issuer in seeds()]
    verifier = ChainVerifier([issuers[0]], issuers[1:])
    for certificate in certificates:
        certificate.summary.as_dict()
        for issuer in issuers:
            check_signature(certificate, issuer)
            check_signature(issuer, certificate)
        verifier.verify(certificate, NOW, required_key_usage=["digitalSignature"])


@FUZZ
@given(st.binary(max_size=1500))
def test_random_bytes(data: bytes) -> None:
    _exercise(data)


@FUZZ
@given(
    st.sampled_from(["CERTIFICATE", "PKCS7", "TRUSTED CERTIFICATE", "X509 CRL", ""]),
    st.binary(max_size=600),
    st.text(max_size=40),
)
def test_random_pem_blocks(label: str, body: bytes, noise: str) -> None:
    text = (
        f"{noise}-----BEGIN {label}-----\n{base64.b64encode(body).decode()}\n-----END {label}-----"
    )
    _exercise(text)
    _exercise(text[: len(text) // 2])


@FUZZ
@given(st.integers(0, 7), st.lists(mutation, min_size=1, max_size=4))
def test_mutated_der_of_real_certificates(seed: int, mutations: list[tuple[str, int, int]]) -> None:
    certificate, _ = seeds()[seed % len(seeds())]
    _exercise(mutate(certificate.der, mutations))


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_pem_of_the_sm2_chain(mutations: list[tuple[str, int, int]]) -> None:
    pem = sm2_file("chain-ca.crt")
    _exercise(mutate(pem, mutations))


@FUZZ
@given(st.integers(0, 7), st.integers(0, 4000), st.integers(1, 255))
def test_flipped_signature_or_tbs_bytes_never_verify_silently(
    seed: int, position: int, value: int
) -> None:
    certificate, issuer = seeds()[seed % len(seeds())]
    data = bytearray(certificate.der)
    data[position % len(data)] ^= value
    try:
        parsed = parse_bundle(bytes(data))
    except PkiError:
        return
    if len(parsed) != 1:
        return
    mutated = parsed[0]
    if mutated.tbs == certificate.tbs and mutated.signature == certificate.signature:
        return  # the flip hit the outer framing or the outer algorithm identifier only
    assert check_signature(mutated, issuer) is not None
