"""X.509 certificates as the library sees them: the parsed certificate, the raw parts chaining
needs, and a typed summary (RFC 5280 §4.1 and §4.2).

pyca/cryptography parses every certificate, SM2 ones included; what it cannot do for SM2 (load
the key, name the signature algorithm) is read here from the DER (:mod:`certgov.pki._der`) and
the OID tables (:mod:`certgov.pki._oids`).
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.x509.oid import AuthorityInformationAccessOID

from certgov.pki import _der
from certgov.pki._oids import (
    CURVES,
    KEY_ALGORITHMS,
    KEY_USAGE_NAMES,
    SIGNATURE_ALGORITHMS,
    SM2_CURVE_OID,
    KeyAlgorithm,
)
from certgov.pki.errors import NotACertificateError
from certgov.pki.names import NameKey, name_key

__all__ = ["Certificate", "CertificateSummary", "KeyAlgorithm"]

_RSASSA_PSS = "1.2.840.113549.1.1.10"

#: What parsing untrusted bytes can raise in pyca/cryptography and in :mod:`_der`. LookupError:
#: pyca/cryptography 46 raises KeyError for a name attribute with an unknown string tag.
PARSE_ERRORS = (
    ValueError,
    LookupError,
    TypeError,
    OverflowError,
    UnsupportedAlgorithm,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
)


@dataclass(frozen=True, slots=True)
class CertificateSummary:
    """What a filing or a verification report shows of one certificate.

    Names follow the rule sets: ``key_algorithm`` ``rsa`` with ``key_size`` in bits, ``ec`` with
    ``curve`` ``secp256r1``/``secp384r1``/``secp521r1``/``sm2p256v1``, ``ed25519``;
    ``signature_algorithm`` is the OpenSSL long name (``sha256WithRSAEncryption``,
    ``ecdsa-with-SHA256``, ``SM2-with-SM3``, ``rsassaPss``, ``ED25519``; the dotted OID when
    unknown) and ``signature_hash`` the hash name (``sha256``, ``sm3``; None for EdDSA).
    ``key_usage`` is None when the certificate has no KeyUsage extension.
    """

    version: int
    subject: str
    issuer: str
    subject_der: bytes
    issuer_der: bytes
    serial: int
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    key_algorithm: KeyAlgorithm
    key_size: int | None
    curve: str | None
    signature_algorithm: str
    signature_algorithm_oid: str
    signature_hash: str | None
    is_ca: bool
    path_length: int | None
    key_usage: tuple[str, ...] | None
    extended_key_usage: tuple[str, ...] | None
    subject_key_identifier: str | None
    authority_key_identifier: str | None
    crl_urls: tuple[str, ...]
    ocsp_urls: tuple[str, ...]
    ca_issuer_urls: tuple[str, ...]
    critical_extensions: tuple[str, ...]
    is_self_issued: bool
    #: Warnings pyca/cryptography gave while parsing (e.g. a serial number that is not positive).
    parse_warnings: tuple[str, ...]

    @property
    def serial_hex(self) -> str:
        """The serial number in hex (a minus sign before a negative one)."""
        return format(self.serial, "x") if self.serial >= 0 else f"-{-self.serial:x}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes in ISO 8601, raw names in hex, the serial in hex."""
        return {
            "version": self.version,
            "subject": self.subject,
            "issuer": self.issuer,
            "subject_der": self.subject_der.hex(),
            "issuer_der": self.issuer_der.hex(),
            "serial": self.serial_hex,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "fingerprint_sha256": self.fingerprint_sha256,
            "key_algorithm": self.key_algorithm.value,
            "key_size": self.key_size,
            "curve": self.curve,
            "signature_algorithm": self.signature_algorithm,
            "signature_algorithm_oid": self.signature_algorithm_oid,
            "signature_hash": self.signature_hash,
            "is_ca": self.is_ca,
            "path_length": self.path_length,
            "key_usage": list(self.key_usage) if self.key_usage is not None else None,
            "extended_key_usage": (
                list(self.extended_key_usage) if self.extended_key_usage is not None else None
            ),
            "subject_key_identifier": self.subject_key_identifier,
            "authority_key_identifier": self.authority_key_identifier,
            "crl_urls": list(self.crl_urls),
            "ocsp_urls": list(self.ocsp_urls),
            "ca_issuer_urls": list(self.ca_issuer_urls),
            "critical_extensions": list(self.critical_extensions),
            "is_self_issued": self.is_self_issued,
            "parse_warnings": list(self.parse_warnings),
        }


class Certificate:
    """One parsed certificate: its DER, the pyca/cryptography object, the raw parts chaining
    needs and its :class:`CertificateSummary`, all computed once.

    Build with :meth:`from_der` or :func:`certgov.pki.bundle.parse_bundle`. Treat as immutable;
    the only state that changes is the cache of the loaded public key (used when this
    certificate is an issuer), so reuse the objects for the issuers of many certificates.
    Equality and hashing are by DER bytes.
    """

    __slots__ = (
        "_public_key",
        "der",
        "issuer_key",
        "name_constraints",
        "signature",
        "spki",
        "subject_key",
        "summary",
        "tbs",
        "x509",
    )

    def __init__(
        self,
        der: bytes,
        certificate: x509.Certificate,
        summary: CertificateSummary,
        spki: bytes,
        subject_key: NameKey,
        issuer_key: NameKey,
        name_constraints: x509.NameConstraints | None = None,
    ) -> None:
        self.der = der
        self.x509 = certificate
        self.summary = summary
        self.tbs: bytes = certificate.tbs_certificate_bytes
        self.signature: bytes = certificate.signature
        #: The SubjectPublicKeyInfo as encoded (what an SM2 key is loaded from).
        self.spki = spki
        self.subject_key = subject_key
        self.issuer_key = issuer_key
        self.name_constraints = name_constraints
        #: Cache of :func:`certgov.pki.signature.load_public_key`: the key, or why it fails.
        self._public_key: object = None

    @classmethod
    def from_der(cls, der: bytes, *, where: str = "the input") -> Certificate:
        """Parse one DER certificate; ``where`` names it in errors ("block 2").

        Raises :class:`NotACertificateError` saying what was found instead.
        """
        der = bytes(der)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                certificate = x509.load_der_x509_certificate(der)
            except PARSE_ERRORS as exc:
                raise NotACertificateError(
                    "{where} is not a certificate: {error}",
                    where=where,
                    error=str(exc),
                    hint="send X.509 certificates in PEM ('-----BEGIN CERTIFICATE-----') or DER",
                    details={"where": where},
                ) from exc
            try:
                serial = certificate.serial_number
                parts = _der.tbs_parts(certificate.tbs_certificate_bytes)
                subject, subject_key = _NAMES.facts(parts.subject, lambda: certificate.subject)
                issuer, issuer_key = _NAMES.facts(parts.issuer, lambda: certificate.issuer)
                summary, constraints = _summarise(
                    certificate, der, parts, serial, (subject, issuer), subject_key == issuer_key
                )
            except PARSE_ERRORS as exc:
                raise NotACertificateError(
                    "{where} is not a valid certificate: {error}",
                    where=where,
                    error=str(exc),
                    hint="the certificate decodes but one of its fields or extensions is malformed",
                    details={"where": where},
                ) from exc
        messages = tuple(dict.fromkeys(str(warning.message) for warning in caught))
        if messages:
            summary = replace(summary, parse_warnings=messages)
        return cls(der, certificate, summary, parts.spki, subject_key, issuer_key, constraints)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the DER, lower-case hex."""
        return self.summary.fingerprint_sha256

    @property
    def subject(self) -> str:
        return self.summary.subject

    def describe(self) -> str:
        """How messages name this certificate: its subject and the start of its fingerprint."""
        subject = self.summary.subject or "(empty subject)"
        return f"'{subject}' (sha256 {self.fingerprint[:16]})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Certificate) and other.der == self.der

    def __hash__(self) -> int:
        return hash(self.der)

    def __repr__(self) -> str:
        return f"Certificate({self.describe()})"


class _NameCache:
    """The RFC 4514 string and comparison key of names by their DER, a few thousand per
    process: the certificates of a filing or a chain share their issuers, so each name is
    decoded once. A plain dict (its operations are atomic), emptied when full. A name whose
    decoding warns is not kept, so every certificate carrying it reports the warning."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: dict[bytes, tuple[str, NameKey]] = {}

    def facts(self, der: bytes, name: Callable[[], x509.Name]) -> tuple[str, NameKey]:
        found = self._items.get(der)
        if found is None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                value = name()
                found = (value.rfc4514_string(), name_key(value))
            for warning in caught:
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
            if caught:
                return found
            if len(self._items) >= self._size:
                self._items.clear()
            self._items[der] = found
        return found


_NAMES = _NameCache()


def _key_facts(
    certificate: x509.Certificate, spki: bytes
) -> tuple[KeyAlgorithm, int | None, str | None]:
    parts = _der.spki_parts(spki)
    family = KEY_ALGORITHMS.get(parts.algorithm, KeyAlgorithm.UNKNOWN)
    if family is KeyAlgorithm.RSA:
        return family, _der.rsa_modulus_bits(parts.key), None
    if family is KeyAlgorithm.EC:
        curve_oid = SM2_CURVE_OID if parts.algorithm == SM2_CURVE_OID else parts.parameter_oid
        if curve_oid is None:
            return family, None, "explicit"
        name, size = CURVES.get(curve_oid, (curve_oid, 0))
        return family, size or None, name
    if family is KeyAlgorithm.ED25519:
        return family, 256, "ed25519"
    if family is KeyAlgorithm.ED448:
        return family, 448, "ed448"
    if family is KeyAlgorithm.DSA:
        try:
            key = certificate.public_key()
        except PARSE_ERRORS:
            return family, None, None
        dsa_size = getattr(key, "key_size", None)
        return family, dsa_size if isinstance(dsa_size, int) else None, None
    return family, None, None


def signature_facts(
    signed: x509.Certificate | x509.CertificateRevocationList,
) -> tuple[str, str, str | None]:
    """(name, OID, hash name) of the signature algorithm of a certificate or a CRL."""
    oid = signed.signature_algorithm_oid.dotted_string
    entry = SIGNATURE_ALGORITHMS.get(oid)
    if entry is None:
        return oid, oid, None
    name, hash_name, _ = entry
    if oid == _RSASSA_PSS:
        try:
            algorithm = signed.signature_hash_algorithm
        except PARSE_ERRORS:
            algorithm = None
        hash_name = algorithm.name if algorithm is not None else None
    return name, oid, hash_name


def _key_usage(value: x509.KeyUsage) -> tuple[str, ...]:
    bits = [
        value.digital_signature,
        value.content_commitment,
        value.key_encipherment,
        value.data_encipherment,
        value.key_agreement,
        value.key_cert_sign,
        value.crl_sign,
    ]
    usage = [name for name, bit in zip(KEY_USAGE_NAMES[:7], bits, strict=True) if bit]
    # encipherOnly/decipherOnly are only defined (and only readable) with keyAgreement.
    if value.key_agreement:
        usage += [
            name
            for name, bit in zip(
                KEY_USAGE_NAMES[7:], (value.encipher_only, value.decipher_only), strict=True
            )
            if bit
        ]
    return tuple(usage)


def _uris(names: list[x509.GeneralName] | None) -> list[str]:
    return [name.value for name in names or () if isinstance(name, x509.UniformResourceIdentifier)]


def _summarise(
    certificate: x509.Certificate,
    der: bytes,
    parts: _der.TbsParts,
    serial: int,
    names: tuple[str, str],
    self_issued: bool,
) -> tuple[CertificateSummary, x509.NameConstraints | None]:
    key_algorithm, key_size, curve = _key_facts(certificate, parts.spki)
    signature_name, signature_oid, signature_hash = signature_facts(certificate)
    is_ca, path_length = False, None
    key_usage: tuple[str, ...] | None = None
    extended_key_usage: tuple[str, ...] | None = None
    ski = aki = None
    crl_urls: list[str] = []
    ocsp_urls: list[str] = []
    ca_issuer_urls: list[str] = []
    critical: list[str] = []
    name_constraints = None
    for extension in certificate.extensions:
        value = extension.value
        if extension.critical:
            critical.append(extension.oid.dotted_string)
        if isinstance(value, x509.BasicConstraints):
            is_ca, path_length = value.ca, value.path_length
        elif isinstance(value, x509.KeyUsage):
            key_usage = _key_usage(value)
        elif isinstance(value, x509.NameConstraints):
            name_constraints = value
        elif isinstance(value, x509.ExtendedKeyUsage):
            extended_key_usage = tuple(oid.dotted_string for oid in value)
        elif isinstance(value, x509.SubjectKeyIdentifier):
            ski = value.digest.hex()
        elif isinstance(value, x509.AuthorityKeyIdentifier):
            aki = value.key_identifier.hex() if value.key_identifier is not None else None
        elif isinstance(value, x509.CRLDistributionPoints):
            for point in value:
                crl_urls += _uris(point.full_name)
        elif isinstance(value, x509.AuthorityInformationAccess):
            for description in value:
                uris = _uris([description.access_location])
                if description.access_method == AuthorityInformationAccessOID.OCSP:
                    ocsp_urls += uris
                elif description.access_method == AuthorityInformationAccessOID.CA_ISSUERS:
                    ca_issuer_urls += uris
    summary = CertificateSummary(
        version=certificate.version.value + 1,
        subject=names[0],
        issuer=names[1],
        subject_der=parts.subject,
        issuer_der=parts.issuer,
        serial=serial,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        key_algorithm=key_algorithm,
        key_size=key_size,
        curve=curve,
        signature_algorithm=signature_name,
        signature_algorithm_oid=signature_oid,
        signature_hash=signature_hash,
        is_ca=is_ca,
        path_length=path_length,
        key_usage=key_usage,
        extended_key_usage=extended_key_usage,
        subject_key_identifier=ski,
        authority_key_identifier=aki,
        crl_urls=tuple(crl_urls),
        ocsp_urls=tuple(ocsp_urls),
        ca_issuer_urls=tuple(ca_issuer_urls),
        critical_extensions=tuple(critical),
        is_self_issued=self_issued,
        parse_warnings=(),
    )
    return summary, name_constraints
