"""Publication (SYS-4): our own ETSI TS 119 612 trusted list — licensed CAs and recognised
foreign CAs with their CA certificates and status history — signed with the trust-list key,
and JSON / CSV exports of the public registry.

The trust-list signing key (ECDSA P-256) and its self-signed certificate are created on first
use in ``<data_dir>/trust-list-key/`` (key file mode 0600), like the logs' keys: never in the
repository or the database. Relying parties pin the certificate (``GET
/api/v1/trust-list/signer.pem``, ``certgov trustlist signer``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certgov.clock import china_date
from certgov.context import Context
from certgov.errors import ConfigurationError
from certgov.filings.models import FiledCertificate
from certgov.licensing.models import Licence, LicenceEvent, LicenceStatus
from certgov.licensing.services import licence_history
from certgov.parties.models import Party
from certgov.publication.registry import ca_registry
from certgov.recognition import services as recognition
from certgov.recognition.models import RecognitionEvent, RecognitionStatus
from certgov.recognition.schemas import recognition_out
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime
from certgov.trustlist import (
    SERVICE_TYPE_CA_PKC,
    STATUS_DEPRECATED,
    STATUS_GRANTED,
    STATUS_RECOGNISED,
    STATUS_WITHDRAWN,
    ServiceHistoryEntry,
    TrustedList,
    TrustService,
    TrustServiceProvider,
    write_trusted_list,
)
from certgov.workflow.clocks import date_after

KEY_DIR = "trust-list-key"
_KEY_FILE = "trust-list.key"
_CERT_FILE = "trust-list.crt"
#: Our list's identifiers (TS 119 612 clause 5.3.3, 5.3.8, 5.3.9 for a non-EU scheme).
TSL_TYPE = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/CNlist"
STATUS_DETERMINATION = "http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/CNappropriate"
COMMUNITY_RULES = "http://uri.etsi.org/TrstSvc/TrustedList/schemerules/CN"
#: AdditionalServiceInformation URIs carrying a recognition's scope.
SCOPE_TYPE_URI = "urn:certgov:recognition:certificate-type"
SCOPE_SCENARIO_URI = "urn:certgov:recognition:scenario"
RECOGNITION_URI = "urn:certgov:recognition:number"
LICENCE_URI = "urn:certgov:licence:number"

_lock = threading.Lock()


@dataclass(frozen=True)
class TrustListSigner:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def key_dir(ctx: Context) -> Path:
    return ctx.settings.data_dir / KEY_DIR


def _write_private(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)


def signer(ctx: Context) -> TrustListSigner:
    """The trust-list signer, created once (key mode 0600, certificate beside it)."""
    directory = key_dir(ctx)
    key_path, cert_path = directory / _KEY_FILE, directory / _CERT_FILE
    with _lock:
        if not key_path.exists():
            directory.mkdir(parents=True, exist_ok=True)
            key = ec.generate_private_key(ec.SECP256R1())
            _write_private(
                key_path,
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
            )
            cert_path.unlink(missing_ok=True)
        try:
            loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigurationError(
                "cannot read the trust-list signing key {path}: {error}",
                path=str(key_path),
                error=str(exc),
                hint="restore the key file; never replace it without publishing the new certificate",
            ) from exc
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ConfigurationError("{path} does not hold an ECDSA key", path=str(key_path))
        if not cert_path.exists():
            now = ctx.clock.now()
            name = x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certgov"),
                    x509.NameAttribute(NameOID.COMMON_NAME, "certgov trusted list signer"),
                ]
            )
            certificate = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(loaded.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=True,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .sign(loaded, hashes.SHA256())
            )
            cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return TrustListSigner(loaded, certificate)


# --- Our trusted list ---------------------------------------------------------------------------


def _licence_status_uri(status: str) -> str:
    return STATUS_GRANTED if status == LicenceStatus.VALID else STATUS_WITHDRAWN


def _recognition_status_uri(status: str) -> str:
    return STATUS_RECOGNISED if status == RecognitionStatus.IN_FORCE else STATUS_DEPRECATED


def _timeline(events: Iterable[tuple[dt.datetime, str]]) -> list[tuple[dt.datetime, str]]:
    """Status changes oldest first, consecutive repeats folded."""
    timeline: list[tuple[dt.datetime, str]] = []
    for at, uri in events:
        if not timeline or timeline[-1][1] != uri:
            timeline.append((at, uri))
    return timeline


def _services(
    certificates: list[tuple[str, bytes]],
    timeline: list[tuple[dt.datetime, str]],
    extra: tuple[tuple[str, str], ...],
) -> list[TrustService]:
    current_at, current = timeline[-1]
    services = []
    for name, der in certificates:
        history = tuple(
            ServiceHistoryEntry(SERVICE_TYPE_CA_PKC, name, uri, at, (der,))
            for at, uri in reversed(timeline[:-1])
        )
        services.append(
            TrustService(SERVICE_TYPE_CA_PKC, name, current, current_at, (der,), history, extra)
        )
    return services


def _licensed_providers(session: Session) -> list[TrustServiceProvider]:
    providers = []
    holders = session.scalars(
        select(Licence.holder_party_id).distinct().order_by(Licence.holder_party_id)
    )
    for party_id in holders:
        party = session.get(Party, party_id)
        filed = list(
            session.scalars(
                select(FiledCertificate)
                .where(FiledCertificate.party_id == party_id)
                .order_by(FiledCertificate.id)
            )
        )
        if party is None or not filed:
            continue  # TS 119 612: a provider is listed with at least one service
        licences = list(
            session.scalars(
                select(Licence)
                .where(Licence.holder_party_id == party_id)
                .order_by(Licence.issued_at)
            )
        )
        events = [
            (e.at, _licence_status_uri(e.to_status))
            for licence in licences
            for e in licence_history(session, licence)
        ]
        events.sort(key=lambda pair: pair[0])
        timeline = _timeline(events)
        if not timeline:
            continue
        certificates = [(row.subject, row.der) for row in filed]
        extra = ((LICENCE_URI, licences[-1].number),)
        providers.append(
            TrustServiceProvider(
                name=party.name_en or party.name,
                trade_names=(party.name,) if party.name_en else (),
                services=tuple(_services(certificates, timeline, extra)),
            )
        )
    return providers


def _recognised_providers(session: Session) -> list[TrustServiceProvider]:
    by_party: dict[int, list[TrustService]] = {}
    for item in recognition.list_recognitions(session):
        timeline = _timeline(
            (e.at, _recognition_status_uri(e.to_status)) for e in recognition.history(session, item)
        )
        if not timeline:
            continue
        extra = (
            (RECOGNITION_URI, item.number),
            *((SCOPE_TYPE_URI, t) for t in item.certificate_types),
            *((SCOPE_SCENARIO_URI, s) for s in item.scenarios),
        )
        certificates = [(c.subject, c.der) for c in recognition.certificates_of(session, item)]
        by_party.setdefault(item.foreign_party_id, []).extend(
            _services(certificates, timeline, extra)
        )
    providers = []
    for party_id, services in by_party.items():
        party = session.get(Party, party_id)
        assert party is not None
        providers.append(
            TrustServiceProvider(
                name=party.name_en or party.name,
                trade_names=(party.name,) if party.name_en else (),
                services=tuple(services),
            )
        )
    return providers


def _revision(session: Session) -> tuple[int, dt.datetime | None]:
    """The list's sequence number and issue time, derived from the append-only records the
    list is made of (licence and recognition events, filed certificates): the number grows
    whenever the content can have changed, and the same content is always the same list."""
    counts = 0
    latest: list[dt.datetime] = []
    for column, at in (
        (LicenceEvent.id, LicenceEvent.at),
        (RecognitionEvent.id, RecognitionEvent.at),
        (FiledCertificate.id, FiledCertificate.filed_at),
    ):
        count, last = session.execute(select(func.count(column), func.max(at))).one()
        counts += int(count or 0)
        if last is not None:
            latest.append(last if last.tzinfo else last.replace(tzinfo=dt.UTC))
    return counts + 1, max(latest) if latest else None


def our_trusted_list(session: Session, ctx: Context) -> TrustedList:
    """The content of our list (SYS-4, ECS-8.2)."""
    now = ctx.clock.now()
    sequence, last_change = _revision(session)
    issued = last_change or now
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, china_date(now))
    next_day = date_after(china_date(now), rule_set.duration("trust_list_next_update"))
    base = f"https://{ctx.settings.log_origin}"
    return TrustedList(
        scheme_operator="Ministry of Industry and Information Technology (certgov)",
        scheme_name="CN: Trusted list of licensed and recognised electronic certification service providers",
        territory="CN",
        sequence_number=sequence,
        issued_at=issued,
        next_update=dt.datetime.combine(next_day, dt.time(), tzinfo=dt.UTC),
        providers=(*_licensed_providers(session), *_recognised_providers(session)),
        tsl_type=TSL_TYPE,
        operator_address=("13 West Chang'an Avenue", "Beijing", "CN"),
        operator_uri=base + "/",
        information_uri=base + "/registry",
        distribution_point=base + "/trust-list.xml",
        legal_notice=(
            "Electronic certification service providers licensed under the PRC Electronic "
            "Signature Law and foreign CAs recognised under its Article 26."
        ),
        status_determination_approach=STATUS_DETERMINATION,
        community_rules=COMMUNITY_RULES,
    )


def export_trust_list(session: Session, ctx: Context) -> bytes:
    """Our list as signed TS 119 612 XML (enveloped XAdES signature)."""
    content = our_trusted_list(session, ctx)
    keys = signer(ctx)
    return write_trusted_list(content, keys.key, keys.certificate, signing_time=ctx.clock.now())


# --- Registry exports ------------------------------------------------------------------------------

#: Columns of the CSV export: one row per credential.
CSV_COLUMNS = (
    "kind",
    "number",
    "holder",
    "holder_en",
    "jurisdiction",
    "status",
    "valid_from",
    "valid_until",
    "scope",
)


@dataclass(frozen=True)
class RegistrySection:
    """One section of the registry export: its JSON entries and its CSV rows."""

    entries: Callable[[Session, Context], list[dict[str, Any]]]
    rows: Callable[[list[dict[str, Any]]], Iterable[dict[str, str]]]


def _licence_rows(entries: list[dict[str, Any]]) -> Iterable[dict[str, str]]:
    for ca in entries:
        for licence in ca["licences"]:
            yield {
                "kind": "licence",
                "number": licence["number"],
                "holder": ca["name"],
                "holder_en": ca.get("name_en") or "",
                "jurisdiction": ca.get("home_province") or "",
                "status": licence["status"],
                "valid_from": licence["valid_from"],
                "valid_until": licence["valid_until"],
                "scope": "; ".join(licence["scope"]),
            }


def _recognitions(session: Session, _ctx: Context) -> list[dict[str, Any]]:
    return [recognition_out(session, r) for r in recognition.list_recognitions(session)]


def _recognition_rows(entries: list[dict[str, Any]]) -> Iterable[dict[str, str]]:
    for item in entries:
        yield {
            "kind": "recognition",
            "number": item["number"],
            "holder": item["foreign_ca"]["name"],
            "holder_en": item["foreign_ca"].get("name_en") or "",
            "jurisdiction": item["foreign_ca"]["country"],
            "status": item["status"],
            "valid_from": item["valid_from"],
            "valid_until": item["valid_until"],
            "scope": "; ".join(item["scope"]["certificate_types"] + item["scope"]["scenarios"]),
        }


def registry_sections() -> dict[str, RegistrySection]:
    """The sections of the public registry export, by name (SYS-4).

    EXTENSION POINT: app security certifications and published penalties belong here too;
    their domains add a :class:`RegistrySection` entry (JSON entries plus CSV rows with
    :data:`CSV_COLUMNS`) when they publish them.
    """
    return {
        "licensed_cas": RegistrySection(lambda s, c: ca_registry(s, c), _licence_rows),
        "recognised_foreign_cas": RegistrySection(_recognitions, _recognition_rows),
    }


def registry_export(session: Session, ctx: Context) -> dict[str, Any]:
    document: dict[str, Any] = {"generated_at": ctx.clock.now().isoformat()}
    for name, section in registry_sections().items():
        document[name] = section.entries(session, ctx)
    return document


def registry_csv(session: Session, ctx: Context) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for section in registry_sections().values():
        for row in section.rows(section.entries(session, ctx)):
            writer.writerow({k: _cell(row.get(k, "")) for k in CSV_COLUMNS})
    return buffer.getvalue()


def _cell(value: str) -> str:
    """Defuse spreadsheet formulas (CSV injection): a cell never starts with = + - @."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
