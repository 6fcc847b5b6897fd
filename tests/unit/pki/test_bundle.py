"""Reading PEM, DER and PKCS #7 bundles, and refusing what is not a certificate."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from certgov.errors import InvalidInput
from certgov.pki import (
    EmptyBundleError,
    MalformedBundleError,
    NotACertificateError,
    PkiError,
    TooManyCertificatesError,
    parse_bundle,
    parse_certificate,
)
from unit.pki.factory import hierarchy, make_key, sm2_file


def _pem(der: bytes, label: str = "CERTIFICATE") -> bytes:
    body = base64.encodebytes(der).replace(b"\n", b"")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return (
        b"\n".join([f"-----BEGIN {label}-----".encode(), *lines, f"-----END {label}-----".encode()])
        + b"\n"
    )


def test_the_sm2_chain_file_gives_root_then_sub_ca() -> None:
    chain = parse_bundle(sm2_file("chain-ca.crt"))
    assert [c.subject for c in chain] == [
        "CN=root ca,OU=DD,O=CC,ST=BB,C=AA",
        "CN=sub ca,OU=DD,O=CC,ST=BB,C=AA",
    ]


def test_pem_with_text_around_and_between_blocks_keeps_order() -> None:
    h = hierarchy("p256")
    text = (
        b"Our CA chain, as filed:\r\n"
        + _pem(h.leaf.cert.der)
        + b"\nsubject=intermediate\n"
        + _pem(h.intermediate.cert.der)
        + b"trailing words"
    )
    assert parse_bundle(text) == (h.leaf.cert, h.intermediate.cert)
    assert parse_bundle(text.decode()) == (h.leaf.cert, h.intermediate.cert)


def test_der_single_concatenated_and_with_a_trailing_newline() -> None:
    h = hierarchy("p256")
    assert parse_bundle(h.root.cert.der) == (h.root.cert,)
    assert parse_bundle(h.root.cert.der + h.leaf.cert.der) == (h.root.cert, h.leaf.cert)
    assert parse_bundle(h.root.cert.der + b"\r\n") == (h.root.cert,)


def test_pkcs7_bags_in_der_and_pem_and_bare_base64() -> None:
    h = hierarchy("p256")
    certs = [h.intermediate.cert.x509, h.root.cert.x509]
    der = pkcs7.serialize_certificates(certs, serialization.Encoding.DER)
    pem = pkcs7.serialize_certificates(certs, serialization.Encoding.PEM)
    # A PKCS #7 bag is a SET OF: DER sorts it, so only membership is kept.
    expected = {h.intermediate.cert, h.root.cert}
    assert set(parse_bundle(der)) == expected
    assert set(parse_bundle(pem)) == expected
    assert parse_bundle(base64.b64encode(h.leaf.cert.der)) == (h.leaf.cert,)


def test_trusted_certificate_blocks_are_read_without_their_trust_settings() -> None:
    h = hierarchy("p256")
    trust_settings = bytes.fromhex("3000")
    bundle = _pem(h.root.cert.der + trust_settings, "TRUSTED CERTIFICATE")
    assert parse_bundle(bundle) == (h.root.cert,)


@pytest.mark.parametrize("data", [b"", b"  \n\t", ""])
def test_empty_bundles_are_refused(data: bytes | str) -> None:
    with pytest.raises(EmptyBundleError, match="found an empty bundle"):
        parse_bundle(data)


def test_garbage_names_what_was_expected_and_found() -> None:
    with pytest.raises(
        MalformedBundleError, match=r"expected PEM blocks .* found text starting 'hello"
    ):
        parse_bundle(b"hello, here is our certificate")
    with pytest.raises(MalformedBundleError, match="found text starting 'hello world'"):
        parse_bundle("hello world")
    with pytest.raises(MalformedBundleError, match="text that is not valid base64"):
        parse_bundle("MIIBxyz")
    with pytest.raises(MalformedBundleError, match="found bytes ff d8 ff"):
        parse_bundle(b"\xff\xd8\xff\xe0 a JPEG")
    with pytest.raises(MalformedBundleError, match="not DER"):
        parse_bundle(b"\x30\x82\x05\x00 truncated")


def test_a_private_key_block_is_refused_by_number_with_advice() -> None:
    h = hierarchy("p256")
    key = make_key("p256").private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(
        NotACertificateError, match="block 2 is not a certificate: it is a PRIVATE KEY"
    ) as caught:
        parse_bundle(_pem(h.leaf.cert.der) + key)
    assert caught.value.hint is not None and "private key" in caught.value.hint
    assert key.split(b"\n")[1].decode() not in caught.value.message  # the key is not echoed


def test_a_certificate_block_holding_something_else_says_so() -> None:
    spki = (
        make_key("p256")
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(
        NotACertificateError, match=r"block 1 \(CERTIFICATE\) is not a certificate: "
    ):
        parse_bundle(_pem(spki))
    with pytest.raises(NotACertificateError, match="DER element 1 is not a certificate"):
        parse_bundle(spki)


def test_broken_pem_framing() -> None:
    h = hierarchy("p256")
    pem = _pem(h.leaf.cert.der)
    with pytest.raises(
        MalformedBundleError,
        match=r"block 1 \(CERTIFICATE\) has no '-----END CERTIFICATE-----' line",
    ):
        parse_bundle(pem.replace(b"-----END CERTIFICATE-----", b""))
    with pytest.raises(MalformedBundleError, match=r"block 1 \(CERTIFICATE\) is not valid base64"):
        parse_bundle(pem.replace(b"M", b"*", 1))
    with pytest.raises(MalformedBundleError, match="no complete PEM BEGIN line"):
        parse_bundle(b"-----BEGIN")


def test_limits_and_single_certificate_parsing() -> None:
    h = hierarchy("p256")
    bundle = h.leaf.cert.der + h.intermediate.cert.der
    with pytest.raises(TooManyCertificatesError, match="expected at most 1 certificates, found 2"):
        parse_bundle(bundle, max_certificates=1)
    with pytest.raises(PkiError, match="expected exactly one certificate, found 2"):
        parse_certificate(bundle)
    assert parse_certificate(_pem(h.leaf.cert.der)) == h.leaf.cert


def test_every_bundle_error_is_invalid_input_with_a_code() -> None:
    for data in (b"", b"junk", b"-----BEGIN X-----\n-----END X-----"):
        with pytest.raises(InvalidInput) as caught:
            parse_bundle(data)
        assert caught.value.code.startswith("pki_")
