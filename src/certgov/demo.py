"""Demonstration data for ``make run``: parties in several provinces, one account per role,
and a few cases in different states. Passwords are generated at load time (none is in the
repository), written to ``<data_dir>/demo-logins.txt`` (mode 600) and printed."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import SYSTEM_ACTOR, Actor, Role
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.conduct import services as conduct
from certgov.context import Context
from certgov.ecs.uscc import check_character
from certgov.errors import Conflict
from certgov.identity import services as identity
from certgov.licensing import services as licensing
from certgov.parties import services as registry
from certgov.parties.models import Party, PartyKind

LOGINS_FILE = "demo-logins.txt"


def demo_uscc(division: str, serial: str) -> str:
    """A well-formed code for a fictional company: authority 9 (market regulation), type 1."""
    body = f"91{division}{serial}"
    return body + check_character(body)


PARTIES = [
    (
        "北京示例数字认证股份有限公司",
        "Beijing Example Digital Certification Co.",
        PartyKind.CA,
        "110000",
        "MA01AAAA1",
    ),
    (
        "上海示例电子认证有限公司",
        "Shanghai Example Electronic Certification Co.",
        PartyKind.CA,
        "310000",
        "MA1BBBB02",
    ),
    (
        "广东示例证书服务有限公司",
        "Guangdong Example Certificate Services Co.",
        PartyKind.CA,
        "440000",
        "MA4CCCC03",
    ),
    (
        "浙江新申请认证有限公司",
        "Zhejiang New Applicant Certification Co.",
        PartyKind.CA,
        "330000",
        "MA2DDDD04",
    ),
    (
        "深圳示例移动科技有限公司",
        "Shenzhen Example Mobile Technology Co.",
        PartyKind.APP_OPERATOR,
        "440000",
        "MA5EEEE05",
    ),
    (
        "示例信息安全测评中心",
        "Example Information Security Testing Centre",
        PartyKind.TESTING_AGENCY,
        "110000",
        "MA0FFFF06",
    ),
    (
        "示例网络安全认证中心",
        "Example Cybersecurity Certification Centre",
        PartyKind.CERTIFICATION_BODY,
        "110000",
        "MA0GGGG07",
    ),
]

ACCOUNTS = [
    ("miit", "National regulator (MIIT)", Role.NATIONAL_REGULATOR, "national", None),
    (
        "shanghai",
        "Shanghai communications administration",
        Role.PROVINCIAL_REGULATOR,
        "310000",
        None,
    ),
    ("ccrc", "Certification body officer", Role.CERTIFICATION_BODY, "national", 6),
    ("testlab", "Testing agency engineer", Role.TESTING_AGENCY, "national", 5),
    ("ca-beijing", "Beijing CA compliance officer", Role.CA_OPERATOR, "national", 0),
    ("ca-shanghai", "Shanghai CA compliance officer", Role.CA_OPERATOR, "national", 1),
    ("ca-guangdong", "Guangdong CA compliance officer", Role.CA_OPERATOR, "national", 2),
    ("ca-zhejiang", "Zhejiang applicant", Role.CA_OPERATOR, "national", 3),
    ("app-shenzhen", "App operator", Role.APP_OPERATOR, "national", 4),
]


def demo_application(party: Party, capital: int, staff: int) -> dict[str, Any]:
    """A licence application of ``party`` (ECS-2.1) with the given capital and staff."""
    return {
        "legal_person": {
            "name": party.name,
            "uscc": party.uscc,
            "independent_legal_person": True,
        },
        "registered_capital_yuan": capital,
        "technical_staff": staff,
        "service_staff": staff + 25,
        "premises": {"fixed_premises": True, "description": f"{party.name_en} data centre"},
        "physical_environment": {
            "fit_for_secure_operation": True,
            "evidence": ["GB/T 22239 level 3 assessment report"],
        },
        "equipment": {
            "meets_national_security_standards": True,
            "certificates": ["commercial cryptography product certificate"],
        },
        "cryptography": {"approved": True, "approval_number": f"SCA-{party.id:04d}"},
        "documents": [
            {
                "kind": "articles_of_association",
                "filename": "articles.pdf",
                "sha256": hashlib.sha256(f"articles {party.uscc}".encode()).hexdigest(),
                "size": 48_213,
            }
        ],
    }


def _step(session: Session, ctx: Context, actor: Actor, case: Case, name: str, **kw: Any) -> Case:
    return cases.transition(session, ctx, actor, case.id, name, expected_version=case.version, **kw)


def _license(
    session: Session, ctx: Context, regulator: Actor, operator: Actor, party: Party
) -> Case:
    """Apply, review every item, evaluate and approve: the licence is issued (ECS-2.3)."""
    case = licensing.submit_application(
        session, ctx, operator, demo_application(party, 120_000_000, 85)
    ).case
    case = _step(session, ctx, regulator, case, "accept")
    for item in case.data["evaluation"]["items"]:
        if item["status"] == "needs_review":
            case = licensing.review_item(
                session,
                ctx,
                regulator,
                case.id,
                item=item["item"],
                status="met",
                note="checked during the document review and on site",
                expected_version=case.version,
            )
    case = _step(session, ctx, regulator, case, "to_expert_evaluation")
    case = _step(session, ctx, regulator, case, "to_onsite_evaluation")
    return _step(session, ctx, regulator, case, "approve", reason="all conditions met")


def load_ca_scenarios(
    session: Session, ctx: Context, actors: dict[str, Actor], parties: list[Party]
) -> None:
    """CAs in four states (issue 4): Beijing licensed and compliant; Guangdong licensed with
    conduct findings; Zhejiang applying; Shanghai applying with RMB 50 million of capital, which
    meets the 2015 Measures in force but not the 2024 draft (see its readiness check)."""
    regulator = actors["miit"]
    beijing, shanghai, guangdong, zhejiang = parties[0], parties[1], parties[2], parties[3]
    today = china_date(ctx.clock.now())

    _license(session, ctx, regulator, actors["ca-beijing"], beijing)
    conduct.file_practice_statement(
        session,
        ctx,
        actors["ca-beijing"],
        beijing.id,
        {
            "label": "V4.2",
            "title": "Certification practice statement",
            "sha256": hashlib.sha256(b"beijing cps 4.2").hexdigest(),
            "size": 312_554,
            "url": "https://ca-beijing.example/cps/4.2.pdf",
            "effective_on": (today - dt.timedelta(days=90)).isoformat(),
        },
    )
    for province, outlet in (("110000", "Haidian"), ("120000", "Binhai")):
        conduct.open_outlet(
            session,
            ctx,
            actors["ca-beijing"],
            beijing.id,
            {"jurisdiction": province, "name": f"{outlet} service hall", "address": outlet},
        )
    conduct.set_operating_provinces(
        session, ctx, actors["ca-beijing"], beijing.id, {"provinces": ["110000", "120000"]}
    )
    conduct.declare_outsourcing(
        session,
        ctx,
        actors["ca-beijing"],
        beijing.id,
        {"functions": [{"function": "customer service hotline", "provider": "Example Call Ltd"}]},
    )

    _license(session, ctx, regulator, actors["ca-guangdong"], guangdong)
    conduct.file_practice_statement(
        session,
        ctx,
        actors["ca-guangdong"],
        guangdong.id,
        {
            "label": "2.0",
            "sha256": hashlib.sha256(b"guangdong cps 2.0").hexdigest(),
            "effective_on": (today - dt.timedelta(days=30)).isoformat(),
        },
    )
    conduct.open_outlet(
        session,
        ctx,
        actors["ca-guangdong"],
        guangdong.id,
        {"jurisdiction": "440000", "name": "Tianhe service hall", "address": "Tianhe, Guangzhou"},
    )
    conduct.set_operating_provinces(  # Guangxi without an outlet: a finding (ECS-3.3)
        session, ctx, actors["ca-guangdong"], guangdong.id, {"provinces": ["440000", "450000"]}
    )
    conduct.declare_outsourcing(  # a critical function outsourced: a finding (ECS-3.2)
        session,
        ctx,
        actors["ca-guangdong"],
        guangdong.id,
        {
            "functions": [
                {"function": "identity vetting decision", "provider": "Example RA Services"},
                {"function": "data centre hosting", "provider": "Example IDC"},
            ]
        },
    )
    licensing.record_registration_change(  # filed 20 days after the change: a finding (ECS-2.4)
        session,
        ctx,
        actors["ca-guangdong"],
        guangdong.id,
        {
            "item": "legal representative",
            "changed_on": (today - dt.timedelta(days=20)).isoformat(),
            "new_value": "Li Si",
        },
    )

    zhejiang_case = licensing.submit_application(
        session, ctx, actors["ca-zhejiang"], demo_application(zhejiang, 100_000_000, 70)
    ).case
    _step(session, ctx, regulator, zhejiang_case, "accept")

    shanghai_case = licensing.submit_application(
        session, ctx, actors["ca-shanghai"], demo_application(shanghai, 50_000_000, 59)
    ).case
    shanghai_case = _step(session, ctx, actors["shanghai"], shanghai_case, "accept")
    _step(
        session,
        ctx,
        actors["shanghai"],
        shanghai_case,
        "request_documents",
        reason="premises security assessment missing",
    )


def load_app_scenarios(
    session: Session, ctx: Context, actors: dict[str, Actor], parties: list[Party]
) -> None:
    """App security certification (issue 6): the Shenzhen operator's apps applying, under
    technical verification with an open deficiency, certified, suspended, and denied with a
    complaint pending; a Hangzhou operator whose certification was revoked (and who is barred
    from applying again for the ban period, APP-2)."""
    import base64

    from certgov.actors import ActorKind
    from certgov.appcert import agencies, applications, certifications, technical_verification
    from certgov.appcert.checklist import checklist

    body_ccrc, lab = actors["ccrc"], actors["testlab"]
    shenzhen = actors["app-shenzhen"]
    rule_set = ctx.rule_sets["ccrc-app-2019"]
    items = [i.code for i in checklist(rule_set)]
    agencies.appoint(
        session, ctx, body_ccrc, {"party_id": parties[5].id, "note": "Android and iOS"}
    )

    def apply(operator: Actor, name: str, system: str) -> Case:
        documents = [
            {
                "kind": kind,
                "filename": f"{kind.replace('/', '').replace(' ', '-')}.pdf",
                "content_base64": base64.b64encode(f"{name} {system}: {kind}".encode()).decode(),
            }
            for kind in rule_set.items("required_documents")
        ]
        body = {"app_name": name, "version_line": "3.x", "operating_systems": [system]}
        return applications.submit(session, ctx, operator, {**body, "documents": documents})[0].case

    def verify(operator: Actor, case: Case, deficient: str | None = None) -> Case:
        case = _step(session, ctx, body_ccrc, case, "accept")
        applications.assign(session, ctx, body_ccrc, case.id, {"agency_party_id": parties[5].id})
        digest = hashlib.sha256(case.title.encode()).hexdigest()
        sample = {"filename": "app.bin", "sha256": digest, "size": 41_000_000, "version": "3.2.1"}
        case = _step(session, ctx, operator, case, "submit_sample", payload={"sample": sample})
        results = [
            {"item": item, "result": "conforms", "note": "tested on the sample"} for item in items
        ]
        if deficient is not None:
            note = "contacts read before the user agrees to the privacy policy"
            results[items.index(deficient)] = {
                "item": deficient,
                "result": "deficient",
                "note": note,
            }
        return technical_verification.record_results(
            session, ctx, lab, case.id, {"results": results}
        )

    def certify(operator: Actor, name: str, system: str) -> str:
        case = verify(operator, apply(operator, name, system))
        case = _step(session, ctx, lab, case, "complete_verification")
        results = [{"item": item, "result": "conforms", "note": "seen on site"} for item in items]
        case = technical_verification.record_results(
            session, ctx, body_ccrc, case.id, {"results": results}
        )
        case = _step(session, ctx, body_ccrc, case, "complete_onsite")
        case = _step(session, ctx, body_ccrc, case, "grant", reason="conforms to GB/T 35273")
        number: str = case.data["certification"]
        return number

    apply(shenzhen, "示例支付 Example Pay", "Android")
    verify(shenzhen, apply(shenzhen, "示例地图 Example Maps", "iOS"), deficient="category-3")
    certify(shenzhen, "示例出行 Example Ride", "Android")
    suspended = certify(shenzhen, "示例出行 Example Ride", "iOS")
    certifications.change_status(
        session,
        ctx,
        body_ccrc,
        suspended,
        {"action": "suspend", "reason": "SDK update collects the device list without consent"},
    )
    denied = _step(
        session, ctx, body_ccrc, apply(shenzhen, "示例聊天 Example Chat", "Android"), "accept"
    )
    denied = _step(session, ctx, body_ccrc, denied, "deny", reason="no account deletion function")
    applications.record_receipt(
        session, ctx, shenzhen, denied.id, {"received_on": china_date(ctx.clock.now()).isoformat()}
    )
    applications.file_complaint(
        session,
        ctx,
        shenzhen,
        {"application_case_id": denied.id, "grounds": "deletion is offered in the web console"},
    )
    hangzhou = registry.create_party(
        session,
        ctx.clock,
        registry.NewParty(
            name="杭州示例应用科技有限公司",
            name_en="Hangzhou Example Apps Co.",
            kind=PartyKind.APP_OPERATOR,
            uscc=demo_uscc("330000", "MA2HHHH08"),
            home_province="330000",
        ),
    )
    operator = Actor(
        ActorKind.USER, Role.APP_OPERATOR, "Hangzhou demo operator", party_id=hangzhou.id
    )
    revoked = certify(operator, "示例相册 Example Photos", "Android")
    certifications.change_status(
        session,
        ctx,
        body_ccrc,
        revoked,
        {"action": "revoke", "reason": "photos uploaded to a third party"},
    )


def load_demo(session: Session, ctx: Context, *, only_if_empty: bool = False) -> str:
    logins = Path(ctx.settings.data_dir) / LOGINS_FILE
    if session.scalar(select(Party.id).limit(1)) is not None:
        if only_if_empty:
            shown = logins.read_text(encoding="utf-8") if logins.exists() else ""
            return "demo data already loaded.\n" + shown
        raise Conflict("the database has parties already; demo data loads into an empty one")
    parties: list[Party] = []
    for name, name_en, kind, province, serial in PARTIES:
        parties.append(
            registry.create_party(
                session,
                ctx.clock,
                registry.NewParty(
                    name=name,
                    name_en=name_en,
                    kind=kind,
                    uscc=demo_uscc(province, serial),
                    home_province=province,
                ),
            )
        )
    lines = ["demo logins (console: http://127.0.0.1:8000/console):"]
    users = {}
    for username, display, role, jurisdiction, party_index in ACCOUNTS:
        password = secrets.token_urlsafe(12)
        users[username] = identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name=display,
            password=password,
            grant=identity.Grant(
                role, jurisdiction, parties[party_index].id if party_index is not None else None
            ),
        )
        lines.append(
            f"  {username:<14} {password}  ({role.value}{'' if jurisdiction == 'national' else ' ' + jurisdiction})"
        )

    actors = {name: identity.user_actor(user) for name, user in users.items()}
    load_ca_scenarios(session, ctx, actors, parties)
    load_app_scenarios(session, ctx, actors, parties)
    load_portal_scenarios(session, ctx, actors, parties)
    load_recognition_scenarios(session, ctx, actors)
    session.flush()
    text = "\n".join(lines) + "\n"
    logins.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(logins, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return text


# --- Public portal (issue 16): filed hierarchies, one SM2; a published penalty ---------------


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


#: DER of the AlgorithmIdentifier ecdsa-with-SHA256 and SM2-with-SM3 (GM/T 0006): same length.
_ECDSA_SHA256 = bytes.fromhex("300a06082a8648ce3d040302")
_SM2_SM3 = bytes.fromhex("300a06082a811ccf55018375")


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


# --- Foreign recognition (issue 16): an imported foreign trusted list, a recognised CA ----------


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
