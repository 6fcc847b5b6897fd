"""Demonstration cross-border recognition: a signed foreign trusted list imported and a foreign CA recognised."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.context import Context
from certgov.demo.certificates import _demo_ca_certificate, _pem_bundle
from certgov.demo.common import _step


def _foreign_name(cn: str) -> Any:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Beispiel Trust GmbH"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _foreign_trusted_list(now: dt.datetime, root: bytes) -> tuple[bytes, bytes]:
    """A German trusted list (ETSI TS 119 612), signed by a generated scheme-operator key,
    listing ``root`` as a CA service granted for 400 days, accredited and under supervision
    before that; and the signer's certificate in PEM (pinned out of band)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from certgov import trustlist
    from certgov.trustlist.model import STATUS_BASE

    key = ec.generate_private_key(ec.SECP256R1())
    name = _foreign_name("Beispiel trusted list signer")
    signer = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    service_name = "Beispiel Qualified Root CA"
    history = tuple(
        trustlist.ServiceHistoryEntry(
            trustlist.SERVICE_TYPE_CA_PKC,
            service_name,
            STATUS_BASE + status,
            now - dt.timedelta(days=days),
            (root,),
        )
        for status, days in (("accredited", 1500), ("undersupervision", 3000))
    )
    service = trustlist.TrustService(
        trustlist.SERVICE_TYPE_CA_PKC,
        service_name,
        trustlist.STATUS_GRANTED,
        now - dt.timedelta(days=400),
        (root,),
        history,
    )
    content = trustlist.TrustedList(
        scheme_operator="Bundesnetzagentur (demonstration)",
        scheme_name="DE: demonstration trusted list",
        territory="DE",
        sequence_number=7,
        issued_at=now - dt.timedelta(days=10),
        next_update=now + dt.timedelta(days=170),
        providers=(trustlist.TrustServiceProvider("Beispiel Trust GmbH", (service,)),),
        tsl_type="http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric",
        status_determination_approach="http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/EUappropriate",
    )
    document = trustlist.write_trusted_list(content, key, signer, signing_time=now)
    return document, signer.public_bytes(serialization.Encoding.PEM)


def load_recognition_scenarios(session: Session, ctx: Context, actors: dict[str, Actor]) -> None:
    """What /trust-lists shows (issue 16, ECS-8): the regulator pins the German scheme
    operator's signer and imports its signed trusted list (a CA service with a status
    history); Beijing CA applies for recognition of the German CA's root and subordinate,
    and the regulator accepts and approves it for signatures in cross-border trade."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from certgov.recognition import services as recognition
    from certgov.recognition import trusted_lists

    now = ctx.clock.now()
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _foreign_name("Beispiel Qualified Root CA")
    root = _demo_ca_certificate(root_name, root_key, None, now - dt.timedelta(days=400), 20)
    sub = _demo_ca_certificate(
        _foreign_name("Beispiel Qualified Signing CA"),
        ec.generate_private_key(ec.SECP256R1()),
        (root_name, root_key),
        now - dt.timedelta(days=400),
        10,
    )
    document, signer = _foreign_trusted_list(now, root)
    regulator = actors["miit"]
    trusted_lists.pin_certificate(
        session, ctx, regulator, "DE", signer, name="Bundesnetzagentur (demonstration)"
    )
    trusted_lists.import_list(session, ctx, regulator, "DE", document)
    case = recognition.submit_application(
        session,
        ctx,
        actors["ca-beijing"],
        {
            "foreign_ca": {"name": "Beispiel Trust GmbH", "country": "DE"},
            "qualification": {"home_scheme": "DE", "supervision_status": "granted"},
            "basis": "reciprocity",
            "certificate_types": ["signature", "seal"],
            "technical_standards": ["ETSI EN 319 411-1"],
            "scenarios": ["cross-border trade", "e-government"],
            "certificates_pem": _pem_bundle([root, sub]).decode("ascii"),
        },
    )
    case = _step(session, ctx, regulator, case, "accept")
    scope = recognition.parse_scope(
        {"certificate_types": ["signature"], "scenarios": ["cross-border trade"]},
        case.data.get("application") or {},
    )
    _step(
        session,
        ctx,
        regulator,
        case,
        "approve",
        reason="reciprocity with the German scheme",
        payload={"scope": scope},
    )
