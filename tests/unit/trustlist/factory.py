"""A generated signer and a small list for the writer's tests."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from certgov.trustlist import (
    SERVICE_TYPE_CA_PKC,
    STATUS_GRANTED,
    STATUS_WITHDRAWN,
    ServiceHistoryEntry,
    TrustedList,
    TrustService,
    TrustServiceProvider,
)

NOW = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)


def make_signer(
    cn: str = "test trust list signer",
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def sample_list(ca: bytes) -> TrustedList:
    service = TrustService(
        SERVICE_TYPE_CA_PKC,
        "Example Root CA",
        STATUS_GRANTED,
        NOW,
        (ca,),
        (
            ServiceHistoryEntry(
                SERVICE_TYPE_CA_PKC,
                "Example Root CA",
                STATUS_WITHDRAWN,
                NOW - dt.timedelta(days=30),
                (ca,),
            ),
        ),
        (("urn:certgov:recognition:scenario", "e-government"),),
    )
    return TrustedList(
        scheme_operator="Test operator",
        scheme_name="CN: test list",
        territory="CN",
        sequence_number=7,
        issued_at=NOW,
        next_update=NOW + dt.timedelta(days=180),
        providers=(TrustServiceProvider("Example CA", (service,), ("示例",)),),
        tsl_type="http://uri.etsi.org/TrstSvc/TrustedList/TSLType/CNlist",
        information_uri="https://example.invalid/registry",
        operator_uri="https://example.invalid/",
        status_determination_approach="http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/CNappropriate",
    )
