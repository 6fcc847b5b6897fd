"""Demonstration filed CA hierarchies (RSA, ECDSA, SM2) and a published penalty, for the public portal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.context import Context
from certgov.demo.common import _step
from certgov.parties.models import Party

#: DER of the AlgorithmIdentifier ecdsa-with-SHA256 and SM2-with-SM3 (GM/T 0006): same length.
_ECDSA_SHA256 = bytes.fromhex("300a06082a8648ce3d040302")


_SM2_SM3 = bytes.fromhex("300a06082a811ccf55018375")


def _demo_name(cn: str, organisation: str) -> Any:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _demo_ca_certificate(
    subject: Any, key: Any, issuer: tuple[Any, Any] | None, now: dt.datetime, years: int
) -> bytes:
    """A CA certificate (DER) for ``key`` signed by ``issuer`` (name, key), self-signed when
    None, with a CRL distribution point on the demo CA's (unreachable) example domain."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
        .add_extension(x509.BasicConstraints(True, None if issuer is None else 0), True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), True
        )
    )
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _der_element(tag: int, value: bytes) -> bytes:
    length = len(value)
    if length < 0x80:
        return bytes([tag, length]) + value
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(octets)]) + octets + value


def _sm2_ca_certificates(now: dt.datetime, organisation: str) -> list[bytes]:
    """An SM2 root and subordinate CA (SM2 keys, SM2-with-SM3 signatures, default SM2 ID).
    pyca/cryptography cannot hold SM2 keys: each certificate is built around a P-256 stand-in
    key, whose SubjectPublicKeyInfo is replaced by the SM2 key's (same length, the curve OID
    differs) and whose AlgorithmIdentifiers become SM2-with-SM3 (same length); tongsuopy signs
    the TBS. The key identifiers are the stand-ins' (nothing chains by them)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from tongsuopy.crypto import hashes as sm_hashes
    from tongsuopy.crypto import serialization as sm_serialization
    from tongsuopy.crypto.asymciphers import ec as sm_ec

    from certgov.pki import _der

    def sm2_certificate(
        subject: Any, sm2_key: Any, stand_in: Any, issuer: tuple[Any, Any, Any] | None, years: int
    ) -> bytes:
        issuer_pair = (issuer[0], issuer[2]) if issuer else None
        der = _demo_ca_certificate(subject, stand_in, issuer_pair, now, years)
        outer = _der.read_tlv(der)
        tbs_element, _algorithm, _signature = _der.children(der, outer)
        tbs = der[tbs_element.start : tbs_element.end]
        stand_in_spki = stand_in.public_key().public_bytes(
            Encoding.DER, PublicFormat.SubjectPublicKeyInfo
        )
        sm2_spki = sm2_key.public_key().public_bytes(
            sm_serialization.Encoding.DER, sm_serialization.PublicFormat.SubjectPublicKeyInfo
        )
        assert len(stand_in_spki) == len(sm2_spki) and tbs.count(stand_in_spki) == 1
        tbs = tbs.replace(stand_in_spki, sm2_spki).replace(_ECDSA_SHA256, _SM2_SM3)
        signer = issuer[1] if issuer else sm2_key
        signature = signer.sign(tbs, sm_ec.ECDSA(sm_hashes.SM3()))
        return _der_element(0x30, tbs + _SM2_SM3 + _der_element(0x03, b"\x00" + signature))

    root_key, sub_key = (
        sm_ec.generate_private_key(sm_ec.SM2()),
        sm_ec.generate_private_key(sm_ec.SM2()),
    )
    root_stand_in = ec.generate_private_key(ec.SECP256R1())
    sub_stand_in = ec.generate_private_key(ec.SECP256R1())
    root_name = _demo_name("示例 SM2 根 CA", organisation)
    root = sm2_certificate(root_name, root_key, root_stand_in, None, 20)
    sub = sm2_certificate(
        _demo_name("示例 SM2 签名服务 CA", organisation),
        sub_key,
        sub_stand_in,
        (root_name, root_key, root_stand_in),
        10,
    )
    return [root, sub]


def _demo_hierarchy(now: dt.datetime, organisation: str, kind: str) -> list[bytes]:
    """A root and two subordinate CAs with ``kind`` keys (``rsa`` or ``ecdsa``)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    def key() -> Any:
        if kind == "rsa":
            return rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return ec.generate_private_key(ec.SECP384R1())

    label = "RSA" if kind == "rsa" else "ECC"
    root_key = key()
    root_name = _demo_name(f"Example {label} Root CA", organisation)
    certificates = [_demo_ca_certificate(root_name, root_key, None, now, 20)]
    for purpose in ("Signing", "Server"):
        certificates.append(
            _demo_ca_certificate(
                _demo_name(f"Example {label} {purpose} CA", organisation),
                key(),
                (root_name, root_key),
                now,
                10,
            )
        )
    return certificates


def _pem_bundle(certificates: list[bytes]) -> bytes:
    import base64

    out = []
    for der in certificates:
        body = base64.b64encode(der).decode("ascii")
        lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        out.append(f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n")
    return "".join(out).encode("ascii")


def load_portal_scenarios(
    session: Session, ctx: Context, actors: dict[str, Actor], parties: list[Party]
) -> None:
    """What the public portal shows (issue 16): Beijing files an RSA and an ECC hierarchy,
    Guangdong an SM2 one (SM2 keys, SM2-with-SM3 signatures); Guangdong's outsourced critical
    function is confirmed as a violation and a published penalty (a warning and a fine)."""
    from certgov.enforcement import services as enforcement
    from certgov.filings import services as filings
    from certgov.findings.models import Finding

    now = ctx.clock.now()
    beijing, guangdong = parties[0], parties[2]
    filings.submit_filing(
        session,
        ctx,
        actors["ca-beijing"],
        _pem_bundle(_demo_hierarchy(now, beijing.name_en or "", "rsa")),
    )
    filings.submit_filing(
        session,
        ctx,
        actors["ca-beijing"],
        _pem_bundle(_demo_hierarchy(now, beijing.name_en or "", "ecdsa")),
    )
    filings.submit_filing(
        session,
        ctx,
        actors["ca-guangdong"],
        _pem_bundle(_sm2_ca_certificates(now, guangdong.name_en or "")),
    )

    regulator = actors["miit"]
    finding = session.scalars(
        select(Finding)
        .where(Finding.party_id == guangdong.id, Finding.requirement == "ECS-3.2")
        .order_by(Finding.id)
    ).first()
    if finding is None:
        return
    case = enforcement.open_from_finding(
        session,
        ctx,
        regulator,
        {
            "finding_id": finding.id,
            "violation": "critical_operation_delegated",
            "summary": "identity vetting decisions made by an outside RA service",
        },
    )
    case = _step(session, ctx, regulator, case, "notify", reason="notice of the intended penalty")
    case = _step(
        session,
        ctx,
        actors["ca-guangdong"],
        case,
        "submit_statement",
        reason="we will bring vetting in-house",
    )
    case = _step(
        session,
        ctx,
        regulator,
        case,
        "decide",
        reason="identity vetting decisions were outsourced for six months",
        payload={"outcomes": ["warning", "fine"], "fine_yuan": 20_000},
    )
    _step(session, ctx, regulator, case, "publish")
