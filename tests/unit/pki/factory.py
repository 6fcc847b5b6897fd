"""Test PKIs built with pyca/cryptography, and the shared SM2 test data.

:func:`issue` and :func:`hierarchy` build root → intermediate → leaf hierarchies of any key type with whatever is wrong
with them (a pathLen, a missing keyCertSign, an expired validity, SHA-1). Keys are generated
once per (kind, slot) for the session, since RSA key generation dominates the run time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from hypothesis import strategies as st

from certgov.pki import Certificate, parse_bundle, parse_certificate

SM2_DIR = Path(__file__).resolve().parents[4] / "shared" / "testdata" / "sm2"
#: The tests' "now" (a Thursday in 2025, as in tests/conftest.py).
NOW = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)
YEAR = dt.timedelta(days=365)

PrivateKey = (
    rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | dsa.DSAPrivateKey
)

_KEYS: dict[tuple[str, int], PrivateKey] = {}


def make_key(kind: str, slot: int = 0) -> PrivateKey:
    """``rsa1024``/``rsa2048``, ``p256``/``p384``/``p521``/``k256``, ``ed25519``, ``dsa2048``."""
    cached = _KEYS.get((kind, slot))
    if cached is not None:
        return cached
    key: PrivateKey
    if kind.startswith("rsa"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    elif kind.startswith("dsa"):
        key = dsa.generate_private_key(int(kind[3:]))
    elif kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        curve = {"p256": ec.SECP256R1, "p384": ec.SECP384R1, "p521": ec.SECP521R1}.get(
            kind, ec.SECP256K1
        )
        key = ec.generate_private_key(curve())
    _KEYS[(kind, slot)] = key
    return key


@dataclass
class Issued:
    """A generated certificate with its private key."""

    cert: Certificate
    key: PrivateKey

    @property
    def name(self) -> x509.Name:
        return self.cert.x509.subject


CA_USAGE = {"key_cert_sign": True, "crl_sign": True, "digital_signature": True}
LEAF_USAGE = {"digital_signature": True, "content_commitment": True}


def _usage(flags: dict[str, bool]) -> x509.KeyUsage:
    names = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    ]
    return x509.KeyUsage(**{name: flags.get(name, False) for name in names})


def _hash_for(key: PrivateKey, hash_name: str | None) -> hashes.HashAlgorithm | None:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    return {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[
        hash_name or "sha256"
    ]


def issue(
    cn: str,
    key: PrivateKey,
    issuer: Issued | None = None,
    *,
    ca: bool | None = True,
    path_length: int | None = None,
    key_usage: dict[str, bool] | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    hash_name: str | None = None,
    pss: bool = False,
    subject: x509.Name | None = None,
    extensions: Iterable[tuple[x509.ExtensionType, bool]] = (),
    serial: int | None = None,
) -> Issued:
    """A certificate for ``key`` signed by ``issuer`` (self-signed when None). ``ca=None``
    leaves basicConstraints out; ``key_usage={}`` leaves keyUsage out."""
    name = subject or x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certgov test"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.name if issuer else name)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(not_before or NOW - YEAR)
        .not_valid_after(not_after or NOW + YEAR)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), False
        )
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca, path_length), True)
    usage = key_usage if key_usage is not None else (CA_USAGE if ca else LEAF_USAGE)
    if usage:
        builder = builder.add_extension(_usage(usage), True)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    algorithm = _hash_for(signer_key, hash_name)
    rsa_padding: Any = None
    if pss and algorithm is not None:
        rsa_padding = padding.PSS(padding.MGF1(algorithm), padding.PSS.DIGEST_LENGTH)
    signed = builder.sign(signer_key, algorithm, rsa_padding=rsa_padding)  # type: ignore[arg-type]
    return Issued(parse_certificate(signed.public_bytes(serialization.Encoding.DER)), key)


def resign_sha1(leaf: Issued, issuer: Issued) -> Certificate:
    """``leaf`` re-signed by ``issuer`` (an RSA key) with sha1WithRSAEncryption, which
    pyca/cryptography no longer produces: the AlgorithmIdentifiers are swapped in place (same
    length) and the TBS is signed again."""
    sha256_rsa = bytes.fromhex("300d06092a864886f70d01010b0500")
    sha1_rsa = bytes.fromhex("300d06092a864886f70d0101050500")
    der = leaf.cert.der
    assert der.count(sha256_rsa) == 2, "expected a sha256WithRSAEncryption certificate"
    tbs = leaf.cert.tbs.replace(sha256_rsa, sha1_rsa)
    assert isinstance(issuer.key, rsa.RSAPrivateKey)
    signature = issuer.key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    body = der.replace(sha256_rsa, sha1_rsa)
    assert len(signature) == len(leaf.cert.signature)
    return parse_certificate(body[: -len(signature)] + signature)


def aia(ocsp: str, ca_issuers: str) -> x509.AuthorityInformationAccess:
    return x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp)
            ),
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(ca_issuers)
            ),
        ]
    )


def crl_distribution_points(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)]
    )


@dataclass
class Hierarchy:
    root: Issued
    intermediate: Issued
    leaf: Issued


def hierarchy(kind: str, *, slot: int = 0, leaf_kind: str | None = None) -> Hierarchy:
    """root → intermediate → leaf, all of key type ``kind`` (the leaf ``leaf_kind``)."""
    root = issue(f"{kind} root", make_key(kind, slot))
    intermediate = issue(f"{kind} intermediate", make_key(kind, slot + 1), root, path_length=0)
    leaf = issue(f"{kind} leaf", make_key(leaf_kind or kind, slot + 2), intermediate, ca=False)
    return Hierarchy(root, intermediate, leaf)


def sm2_file(name: str) -> bytes:
    """A file of the shared SM2 test PKI; the test skips, saying why, when it is absent."""
    path = SM2_DIR / name
    if not path.is_file():
        pytest.skip(f"the shared SM2 test data is not beside this checkout ({path})")
    return path.read_bytes()


def sm2_chain() -> tuple[Certificate, ...]:
    """The SM2 root and sub-CA of the shared test PKI."""
    return parse_bundle(sm2_file("chain-ca.crt"))


def sm2(name: str) -> Certificate:
    return parse_certificate(sm2_file(name))


# --- CRLs -----------------------------------------------------------------------------------

DAY = dt.timedelta(days=1)
#: AlgorithmIdentifiers (DER) swapped in place to make an SM2-signed CRL: same length.
ECDSA_SHA256_ALGORITHM = bytes.fromhex("300a06082a8648ce3d040302")
SM2_SM3_ALGORITHM = bytes.fromhex("300a06082a811ccf55018375")


def revoked(
    serial: int,
    when: dt.datetime | None = None,
    reason: x509.ReasonFlags | None = None,
    *,
    extensions: Iterable[tuple[x509.ExtensionType, bool]] = (),
) -> x509.RevokedCertificate:
    """A CRL entry for ``serial`` revoked at ``when`` (default a day before NOW)."""
    builder = (
        x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when or NOW - DAY)
    )
    if reason is not None:
        builder = builder.add_extension(x509.CRLReason(reason), False)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    return builder.build()


def make_crl(
    issuer: Issued,
    entries: Iterable[x509.RevokedCertificate] = (),
    *,
    this_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
    number: int | None = 1,
    hash_name: str | None = None,
    pss: bool = False,
    issuer_name: x509.Name | None = None,
    signer: PrivateKey | None = None,
    aki: bool = True,
    extensions: Iterable[tuple[x509.ExtensionType, bool]] = (),
) -> bytes:
    """The DER of a CRL of ``issuer`` (signed with its key, or ``signer``) valid from
    ``this_update`` (default a day before NOW) to ``next_update`` (default a week after NOW)."""
    key = signer or issuer.key
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_name or issuer.name)
        .last_update(this_update or NOW - DAY)
        .next_update(next_update or NOW + 7 * DAY)
    )
    if number is not None:
        builder = builder.add_extension(x509.CRLNumber(number), False)
    if aki:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), False
        )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    for entry in entries:
        builder = builder.add_revoked_certificate(entry)
    algorithm = _hash_for(key, hash_name)
    rsa_padding: Any = None
    if pss and algorithm is not None:
        rsa_padding = padding.PSS(padding.MGF1(algorithm), padding.PSS.DIGEST_LENGTH)
    signed = builder.sign(key, algorithm, rsa_padding=rsa_padding)  # type: ignore[arg-type]
    return signed.public_bytes(serialization.Encoding.DER)


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def der_tlv(tag: int, value: bytes) -> bytes:
    """One DER element."""
    return bytes([tag]) + _der_length(len(value)) + value


def _split_signed(der: bytes) -> tuple[bytes, bytes, bytes]:
    """(TBS, AlgorithmIdentifier, signature) of a signed X.509 structure."""
    from certgov.pki import _der

    outer = _der.read_tlv(der)
    tbs, algorithm, signature = _der.children(der, outer)
    return (
        der[tbs.start : tbs.end],
        der[algorithm.start : algorithm.end],
        der[signature.content + 1 : signature.end],
    )


def resign(tbs: bytes, algorithm: bytes, signature: bytes) -> bytes:
    """A signed X.509 structure (certificate or CRL) from its parts."""
    return der_tlv(0x30, tbs + algorithm + der_tlv(0x03, b"\x00" + signature))


def sign_raw(key: PrivateKey, data: bytes, hash_name: str | None = None) -> bytes:
    """``data`` signed as pyca/cryptography signs a TBS with ``key`` (PKCS #1 v1.5 for RSA)."""
    algorithm = _hash_for(key, hash_name)
    if isinstance(key, rsa.RSAPrivateKey):
        assert algorithm is not None
        return key.sign(data, padding.PKCS1v15(), algorithm)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        assert algorithm is not None
        return key.sign(data, ec.ECDSA(algorithm))
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    raise TypeError(f"cannot sign with {type(key).__name__}")


def without_next_update(der: bytes, key: PrivateKey) -> bytes:
    """The CRL ``der`` without its nextUpdate, signed again with ``key``."""
    from certgov.pki import _der

    tbs, algorithm, _ = _split_signed(der)
    outer = _der.read_tlv(tbs)
    fields = _der.children(tbs, outer)
    times = [field for field in fields if field.tag in (0x17, 0x18)]
    assert len(times) == 2, "expected thisUpdate and nextUpdate"
    kept = b"".join(tbs[f.start : f.end] for f in fields if f is not times[1])
    new_tbs = der_tlv(0x30, kept)
    return resign(new_tbs, algorithm, sign_raw(key, new_tbs))


def sm2_signed_crl(
    entries: Iterable[x509.RevokedCertificate] = (),
    *,
    key_file: str = "server_sign.key",
    cert_file: str = "server_sign.crt",
    **options: Any,
) -> tuple[bytes, Certificate]:
    """An SM2-with-SM3 CRL issued under the name of the shared SM2 leaf ``cert_file`` and
    signed with its private key ``key_file`` (the shared test data has no CA private key), and
    that certificate. pyca/cryptography cannot sign with SM2: the CRL is built and signed with
    a P-256 key, its AlgorithmIdentifiers swapped for SM2-with-SM3 (same length) and its TBS
    signed with tongsuopy (default SM2 ID)."""
    from tongsuopy.crypto import hashes as sm_hashes
    from tongsuopy.crypto.asymciphers import ec as sm_ec
    from tongsuopy.crypto.serialization import load_pem_private_key

    certificate = sm2(cert_file)
    sm2_key: Any = load_pem_private_key(sm2_file(key_file), None)
    stand_in = Issued(certificate, make_key("p256", 90))
    der = make_crl(stand_in, entries, aki=False, hash_name="sha256", **options)
    tbs, algorithm, _ = _split_signed(der)
    assert algorithm == ECDSA_SHA256_ALGORITHM and tbs.count(ECDSA_SHA256_ALGORITHM) == 1
    tbs = tbs.replace(ECDSA_SHA256_ALGORITHM, SM2_SM3_ALGORITHM)
    signature = sm2_key.sign(tbs, sm_ec.ECDSA(sm_hashes.SM3()))
    return resign(tbs, SM2_SM3_ALGORITHM, signature), certificate


#: A hypothesis strategy for one change to bytes: flip bits, cut the tail, insert a byte.
mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 4000), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(0, 4000), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 4000), st.integers(0, 255)),
)


def mutate(der: bytes, mutations: list[tuple[str, int, int]]) -> bytes:
    """``der`` with the :data:`mutation` changes applied in turn (for the parsers' fuzzing)."""
    data = bytearray(der)
    for kind, position, value in mutations:
        if not data:
            break
        index = position % len(data)
        if kind == "flip":
            data[index] ^= value
        elif kind == "cut":
            del data[index:]
        else:
            data.insert(index, value)
    return bytes(data)
