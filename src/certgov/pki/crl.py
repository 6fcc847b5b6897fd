"""Certificate revocation lists (RFC 5280 §5): reading a CRL into a typed summary, checking it
against the certificate of its issuer at a given time, and looking certificates up in it.

For supervision monitors (ECS-3.5: a CRL whose nextUpdate has passed is a finding) and for
relying-party verification (SYS-5: is the certificate revoked). Pure: bytes and datetimes in,
dataclasses and :class:`~certgov.pki.problems.Problem` values out.

pyca/cryptography parses every CRL, SM2-signed ones included; the signature is verified with
the machinery of :mod:`certgov.pki.signature` (SM2 with SM3 through tongsuopy).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import warnings
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography import x509

from certgov.pki import _der
from certgov.pki.certificate import PARSE_ERRORS, Certificate, signature_facts
from certgov.pki.errors import PkiError
from certgov.pki.names import NameKey, name_key
from certgov.pki.policy import AlgorithmPolicy
from certgov.pki.problems import Problem, ProblemCode
from certgov.pki.signature import signature_failure
from certgov.text import Text

__all__ = [
    "RECOGNISED_CRL_EXTENSIONS",
    "Crl",
    "CrlScopeError",
    "CrlSummary",
    "MalformedCrlError",
    "Revoked",
    "check_crl",
    "parse_crl",
    "revocation_status",
]


class MalformedCrlError(PkiError):
    """The input is not one X.509 CRL in PEM or DER, or the CRL does not decode."""

    code = "pki_malformed_crl"


class CrlScopeError(PkiError):
    """The CRL cannot answer for this certificate: another issuer's CRL, a CRL limited to CA
    (or to end-entity) certificates, or a delta CRL on its own."""

    code = "pki_crl_scope"


#: CRL and CRL entry extensions a critical flag does not make a problem (RFC 5280 §5.2, §5.3).
RECOGNISED_CRL_EXTENSIONS = frozenset(
    {
        "2.5.29.18",  # issuerAltName
        "2.5.29.20",  # cRLNumber
        "2.5.29.21",  # reasonCode (entry)
        "2.5.29.23",  # holdInstructionCode (entry)
        "2.5.29.24",  # invalidityDate (entry)
        "2.5.29.27",  # deltaCRLIndicator
        "2.5.29.28",  # issuingDistributionPoint (scope enforced for user/CA certificates)
        "2.5.29.29",  # certificateIssuer (entry, indirect CRLs)
        "2.5.29.35",  # authorityKeyIdentifier
        "2.5.29.46",  # freshestCRL
        "1.3.6.1.5.5.7.1.1",  # authorityInfoAccess
    }
)

_CRL_LABELS = frozenset({"X509 CRL", "CRL"})
_BEGIN = re.compile(rb"-----BEGIN ([\x20-\x2c\x2e-\x7e]*)-----")
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/=\s]+")
_REMOVE_FROM_CRL = "removeFromCRL"


@dataclass(frozen=True, slots=True)
class Revoked:
    """One revoked certificate of a CRL. ``reason`` is the RFC 5280 §5.3.1 name
    (``keyCompromise``, ``cACompromise``, ``superseded``, ``certificateHold``, ...; None without
    a reasonCode); ``certificate_issuer`` is set in an indirect CRL whose entry is for a
    certificate of another issuer (RFC 5280 §5.3.3)."""

    serial: int
    revocation_date: datetime
    reason: str | None = None
    invalidity_date: datetime | None = None
    certificate_issuer: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "serial": _hex(self.serial),
            "revocation_date": self.revocation_date.isoformat(),
            "reason": self.reason,
            "invalidity_date": (
                self.invalidity_date.isoformat() if self.invalidity_date is not None else None
            ),
            "certificate_issuer": self.certificate_issuer,
        }


@dataclass(frozen=True, slots=True)
class CrlSummary:
    """What a monitor or a verification report shows of a CRL, named as for certificates
    (:class:`~certgov.pki.certificate.CertificateSummary`): the issuer as an RFC 4514 string
    and as DER, times aware UTC (``next_update`` None when the CRL has none), the signature
    algorithm by OpenSSL long name and its hash. ``delta_base`` is the base CRL number of a
    delta CRL (None for a complete CRL). ``critical_extensions`` lists the critical
    extensions of the CRL and of its entries."""

    version: int
    issuer: str
    issuer_der: bytes
    this_update: datetime
    next_update: datetime | None
    crl_number: int | None
    delta_base: int | None
    signature_algorithm: str
    signature_algorithm_oid: str
    signature_hash: str | None
    authority_key_identifier: str | None
    distribution_point_urls: tuple[str, ...]
    only_user_certificates: bool
    only_ca_certificates: bool
    indirect: bool
    revoked: tuple[Revoked, ...]
    critical_extensions: tuple[str, ...]
    fingerprint_sha256: str
    #: Warnings pyca/cryptography gave while parsing.
    parse_warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes in ISO 8601, the raw name in hex, serials and numbers in hex
        (CRL numbers and serials can be up to 20 octets)."""
        return {
            "version": self.version,
            "issuer": self.issuer,
            "issuer_der": self.issuer_der.hex(),
            "this_update": self.this_update.isoformat(),
            "next_update": self.next_update.isoformat() if self.next_update is not None else None,
            "crl_number": _hex(self.crl_number) if self.crl_number is not None else None,
            "delta_base": _hex(self.delta_base) if self.delta_base is not None else None,
            "signature_algorithm": self.signature_algorithm,
            "signature_algorithm_oid": self.signature_algorithm_oid,
            "signature_hash": self.signature_hash,
            "authority_key_identifier": self.authority_key_identifier,
            "distribution_point_urls": list(self.distribution_point_urls),
            "only_user_certificates": self.only_user_certificates,
            "only_ca_certificates": self.only_ca_certificates,
            "indirect": self.indirect,
            "revoked": [entry.as_dict() for entry in self.revoked],
            "critical_extensions": list(self.critical_extensions),
            "fingerprint_sha256": self.fingerprint_sha256,
            "parse_warnings": list(self.parse_warnings),
        }


class Crl:
    """One parsed CRL: its DER, the pyca/cryptography object, the signed bytes and its
    :class:`CrlSummary`, all computed once. Build with :func:`parse_crl` or :meth:`from_der`.
    Equality and hashing are by DER bytes."""

    __slots__ = ("_entries", "der", "issuer_key", "signature", "summary", "tbs", "x509")

    def __init__(
        self,
        der: bytes,
        crl: x509.CertificateRevocationList,
        summary: CrlSummary,
        issuer_key: NameKey,
        entries: dict[int, list[tuple[NameKey, Revoked]]],
    ) -> None:
        self.der = der
        self.x509 = crl
        self.summary = summary
        self.tbs: bytes = crl.tbs_certlist_bytes
        self.signature: bytes = crl.signature
        self.issuer_key = issuer_key
        #: serial → (issuer of the revoked certificate, entry), in CRL order.
        self._entries = entries

    @classmethod
    def from_der(cls, der: bytes, *, where: str = "the input") -> Crl:
        """Parse one DER CRL; ``where`` names it in errors. Raises :class:`MalformedCrlError`."""
        der = bytes(der)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                crl = x509.load_der_x509_crl(der)
            except PARSE_ERRORS as exc:
                raise MalformedCrlError(
                    "{where} is not a CRL: {error}",
                    where=where,
                    error=str(exc),
                    hint="send an X.509 CRL in PEM ('-----BEGIN X509 CRL-----') or DER",
                    details={"where": where},
                ) from exc
            try:
                issuer_key = name_key(crl.issuer)
                summary, entries = _summarise(crl, der, issuer_key)
            except (*PARSE_ERRORS, _der.DerError) as exc:
                raise MalformedCrlError(
                    "{where} is not a valid CRL: {error}",
                    where=where,
                    error=str(exc),
                    hint="the CRL decodes but one of its fields, entries or extensions is "
                    "malformed",
                    details={"where": where},
                ) from exc
        messages = tuple(dict.fromkeys(str(warning.message) for warning in caught))
        if messages:
            summary = replace(summary, parse_warnings=messages)
        return cls(der, crl, summary, issuer_key, entries)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the DER, lower-case hex."""
        return self.summary.fingerprint_sha256

    @property
    def issuer(self) -> str:
        return self.summary.issuer

    @property
    def revoked(self) -> tuple[Revoked, ...]:
        return self.summary.revoked

    def describe(self) -> str:
        """How messages name this CRL: its issuer, its number and the start of its fingerprint."""
        issuer = self.summary.issuer or "(empty issuer)"
        number = self.summary.crl_number
        numbered = f"number {_hex(number)}, " if number is not None else ""
        return f"CRL of '{issuer}' ({numbered}sha256 {self.fingerprint[:16]})"

    def lookup(self, serial: int, issuer_key: NameKey | None = None) -> Revoked | None:
        """The entry for ``serial`` of a certificate issued by ``issuer_key`` (default: this
        CRL's issuer), ignoring ``removeFromCRL`` entries; no scope check (see
        :func:`revocation_status`)."""
        wanted = self.issuer_key if issuer_key is None else issuer_key
        for entry_issuer, entry in self._entries.get(serial, ()):
            if entry_issuer == wanted and entry.reason != _REMOVE_FROM_CRL:
                return entry
        return None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Crl) and other.der == self.der

    def __hash__(self) -> int:
        return hash(self.der)

    def __repr__(self) -> str:
        return f"Crl({self.describe()})"


# -- parsing --------------------------------------------------------------------------------


def parse_crl(data: bytes | str) -> Crl:
    """One CRL from PEM (``X509 CRL`` block, any text around it), DER (trailing white space
    allowed) or bare base64 of the DER. Anything else raises :class:`MalformedCrlError`."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if not raw.strip():
        raise MalformedCrlError(
            "expected a CRL, found an empty input", hint="send an X.509 CRL in PEM or DER"
        )
    if b"-----BEGIN" in raw:
        der, where = _from_pem(raw)
    elif raw.lstrip()[:1] == b"\x30":
        der, where = _single_element(raw.lstrip()), "DER input"
    elif raw.lstrip().startswith(b"MI") and _BASE64_TEXT.fullmatch(raw):
        try:
            decoded = base64.b64decode(b"".join(raw.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedCrlError(
                "expected a PEM or DER CRL, found text that is not valid base64: {error}",
                error=str(exc),
            ) from exc
        der, where = _single_element(decoded), "base64 input"
    else:
        raise _unrecognised(raw)
    return Crl.from_der(der, where=where)


def _unrecognised(raw: bytes) -> MalformedCrlError:
    """The refusal of input that is neither PEM nor DER, naming how it starts."""
    head = raw.lstrip()[:16]
    if all(0x20 <= byte < 0x7F for byte in head):
        return MalformedCrlError(
            "expected a PEM block ('-----BEGIN X509 CRL-----') or DER (starting with byte "
            "0x30), found text starting {start!r}",
            start=head.decode("ascii"),
            hint="send the CRL as PEM text or as a binary .crl file",
        )
    return MalformedCrlError(
        "expected a PEM block ('-----BEGIN X509 CRL-----') or DER (starting with byte "
        "0x30), found bytes {start}",
        start=head.hex(" "),
        hint="send the CRL as PEM text or as a binary .crl file",
    )


def _single_element(raw: bytes) -> bytes:
    try:
        elements = _der.split_concatenated(raw)
    except _der.DerError as exc:
        raise MalformedCrlError(
            "expected a DER CRL, found bytes that are not DER: {error}", error=str(exc)
        ) from exc
    if len(elements) != 1:
        raise MalformedCrlError(
            "expected exactly one DER CRL, found {found} DER elements",
            found=len(elements),
            details={"expected": 1, "found": len(elements)},
        )
    return elements[0]


def _from_pem(raw: bytes) -> tuple[bytes, str]:
    found: list[tuple[bytes, str]] = []
    position = 0
    number = 0
    while (begin := _BEGIN.search(raw, position)) is not None:
        number += 1
        label = begin.group(1).decode("ascii")
        end_marker = b"-----END " + begin.group(1) + b"-----"
        end = raw.find(end_marker, begin.end())
        if end < 0:
            raise MalformedCrlError(
                "block {number} ({label}) has no '-----END {label}-----' line",
                number=number,
                label=label,
                hint="the file was cut short or the block's END line was changed",
                details={"block": number},
            )
        body = raw[begin.end() : end]
        position = end + len(end_marker)
        if label not in _CRL_LABELS:
            if "PRIVATE KEY" in label:
                raise MalformedCrlError(
                    "block {number} is not a CRL: it is a {label}",
                    number=number,
                    label=label,
                    hint="never send a private key; remove the block and replace the key if "
                    "it left your control",
                    details={"block": number, "label": label},
                )
            raise MalformedCrlError(
                "block {number} is not a CRL: it is a {label}",
                number=number,
                label=label,
                hint="send the CRL alone ('-----BEGIN X509 CRL-----')",
                details={"block": number, "label": label},
            )
        try:
            der = base64.b64decode(b"".join(body.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedCrlError(
                "block {number} ({label}) is not valid base64: {error}",
                number=number,
                label=label,
                error=str(exc),
                details={"block": number},
            ) from exc
        found.append((der, f"block {number} ({label})"))
    if number == 0:
        raise MalformedCrlError("found '-----BEGIN' but no complete PEM BEGIN line")
    if len(found) != 1:
        raise MalformedCrlError(
            "expected exactly one CRL, found {found} PEM blocks",
            found=len(found),
            details={"expected": 1, "found": len(found)},
        )
    return found[0]


def _hex(value: int) -> str:
    return format(value, "x") if value >= 0 else f"-{-value:x}"


def _tbs_facts(tbs: bytes) -> tuple[int, bytes]:
    """Version and issuer Name (as encoded) of a TBSCertList (RFC 5280 §5.1.2)."""
    outer = _der.read_tlv(tbs)
    if outer.tag != _der.SEQUENCE:
        raise _der.DerError("TBSCertList is not a SEQUENCE")
    fields = _der.children(tbs, outer)
    version = 1
    if fields and fields[0].tag == _der.INTEGER:
        version = int.from_bytes(tbs[fields[0].content : fields[0].end], "big") + 1
        fields = fields[1:]
    # signature, issuer, thisUpdate, ...
    if len(fields) < 3:
        raise _der.DerError(f"TBSCertList has {len(fields)} fields after the version, expected 3+")
    issuer = fields[1]
    return version, tbs[issuer.start : issuer.end]


def _uris(names: list[x509.GeneralName] | None) -> list[str]:
    return [name.value for name in names or () if isinstance(name, x509.UniformResourceIdentifier)]


def _directory_name(names: x509.CertificateIssuer) -> x509.Name | None:
    for name in names:
        if isinstance(name, x509.DirectoryName):
            return name.value
    return None


def _summarise(
    crl: x509.CertificateRevocationList, der: bytes, issuer_key: NameKey
) -> tuple[CrlSummary, dict[int, list[tuple[NameKey, Revoked]]]]:
    version, issuer_der = _tbs_facts(crl.tbs_certlist_bytes)
    signature_name, signature_oid, signature_hash = signature_facts(crl)
    critical: list[str] = []
    crl_number = delta_base = aki = None
    urls: list[str] = []
    only_user = only_ca = indirect = False
    for extension in crl.extensions:
        value = extension.value
        if extension.critical:
            critical.append(extension.oid.dotted_string)
        if isinstance(value, x509.CRLNumber):
            crl_number = value.crl_number
        elif isinstance(value, x509.DeltaCRLIndicator):
            delta_base = value.crl_number
        elif isinstance(value, x509.AuthorityKeyIdentifier):
            aki = value.key_identifier.hex() if value.key_identifier is not None else None
        elif isinstance(value, x509.IssuingDistributionPoint):
            urls += _uris(value.full_name)
            only_user = value.only_contains_user_certs
            only_ca = value.only_contains_ca_certs
            indirect = value.indirect_crl
    revoked: list[Revoked] = []
    entries: dict[int, list[tuple[NameKey, Revoked]]] = {}
    # In an indirect CRL a certificateIssuer entry extension names the issuer of that entry
    # and of the entries after it, until the next one (RFC 5280 §5.3.3).
    entry_issuer_key, entry_issuer = issuer_key, None
    for item in crl:
        reason = invalidity = None
        for extension in item.extensions:
            value = extension.value
            if extension.critical:
                critical.append(extension.oid.dotted_string)
            if isinstance(value, x509.CRLReason):
                reason = value.reason.value
            elif isinstance(value, x509.InvalidityDate):
                invalidity = value.invalidity_date_utc
            elif isinstance(value, x509.CertificateIssuer):
                directory = _directory_name(value)
                if directory is not None:
                    entry_issuer_key = name_key(directory)
                    entry_issuer = directory.rfc4514_string()
        entry = Revoked(
            serial=item.serial_number,
            revocation_date=item.revocation_date_utc,
            reason=reason,
            invalidity_date=invalidity,
            certificate_issuer=entry_issuer,
        )
        revoked.append(entry)
        entries.setdefault(entry.serial, []).append((entry_issuer_key, entry))
    summary = CrlSummary(
        version=version,
        issuer=crl.issuer.rfc4514_string(),
        issuer_der=issuer_der,
        this_update=crl.last_update_utc,
        next_update=crl.next_update_utc,
        crl_number=crl_number,
        delta_base=delta_base,
        signature_algorithm=signature_name,
        signature_algorithm_oid=signature_oid,
        signature_hash=signature_hash,
        authority_key_identifier=aki,
        distribution_point_urls=tuple(urls),
        only_user_certificates=only_user,
        only_ca_certificates=only_ca,
        indirect=indirect,
        revoked=tuple(revoked),
        critical_extensions=tuple(dict.fromkeys(critical)),
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        parse_warnings=(),
    )
    return summary, entries


# -- checking -------------------------------------------------------------------------------


def check_crl(
    crl: Crl, issuer: Certificate, at: datetime, *, policy: AlgorithmPolicy | None = None
) -> list[Problem]:
    """Every problem of ``crl`` as published by ``issuer`` (the certificate whose key signs it)
    at time ``at`` (aware), empty when none:

    - ``crl_issuer_mismatch``: the CRL's issuer name is not ``issuer``'s subject;
    - ``crl_bad_signature``: ``issuer``'s key does not verify the signature, or is of another
      type (``unsupported_algorithm`` / ``invalid_key`` when it cannot be checked at all);
    - ``key_usage``: ``issuer`` has a keyUsage without cRLSign (RFC 5280 §6.3.3 (f));
    - ``crl_not_yet_valid`` (thisUpdate after ``at``), ``crl_stale`` (nextUpdate before
      ``at``), ``crl_no_next_update``;
    - ``unhandled_critical_extension``: a critical CRL or entry extension certgov does not know;
    - with ``policy``: ``algorithm_not_allowed`` / ``hash_not_allowed`` for the CRL's
      signature.

    The issuer certificate itself (its validity, its chain) is not checked here.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise PkiError(
            "expected a timezone-aware time to check the CRL at, found naive {at}",
            at=at.isoformat(),
            hint="pass datetime.now(UTC) or the clock's now()",
        )
    summary = crl.summary
    problems: list[Problem] = []

    def problem(code: ProblemCode, message: str) -> None:
        problems.append(
            Problem(
                code, f"{crl.describe()} {message}", subject=summary.issuer, crl=crl.fingerprint
            )
        )

    if crl.issuer_key != issuer.subject_key:
        problem(
            ProblemCode.CRL_ISSUER_MISMATCH,
            f"names issuer '{summary.issuer}' but was checked against {issuer.describe()}",
        )
    failure = signature_failure(
        summary.signature_algorithm_oid, crl.tbs, crl.signature, crl.x509, issuer
    )
    if failure is not None:
        code, message = failure
        problem(
            ProblemCode.CRL_BAD_SIGNATURE if code is ProblemCode.BAD_SIGNATURE else code, message
        )
    usage = issuer.summary.key_usage
    if usage is not None and "cRLSign" not in usage:
        problem(
            ProblemCode.KEY_USAGE,
            f"is signed by {issuer.describe()}, whose keyUsage ({', '.join(usage) or 'none'}) "
            "lacks cRLSign",
        )
    if summary.this_update > at:
        problem(
            ProblemCode.CRL_NOT_YET_VALID,
            f"is not valid before its thisUpdate {summary.this_update.isoformat()} "
            f"(checked at {at.isoformat()})",
        )
    if summary.next_update is None:
        problem(
            ProblemCode.CRL_NO_NEXT_UPDATE,
            "has no nextUpdate, so nobody can tell when it is stale (RFC 5280 §5.1.2.5)",
        )
    elif summary.next_update < at:
        problem(
            ProblemCode.CRL_STALE,
            f"is stale: its nextUpdate {summary.next_update.isoformat()} has passed "
            f"(checked at {at.isoformat()})",
        )
    for oid in summary.critical_extensions:
        if oid not in RECOGNISED_CRL_EXTENSIONS:
            problem(
                ProblemCode.UNHANDLED_CRITICAL_EXTENSION,
                f"has critical extension {oid}, which certgov does not process",
            )
    if policy is not None:
        if summary.signature_algorithm not in policy.allowed_signature_algorithms:
            problem(
                ProblemCode.ALGORITHM_NOT_ALLOWED,
                f"is signed with {summary.signature_algorithm}; the policy allows "
                f"{_listing(policy.allowed_signature_algorithms)}",
            )
        if (
            summary.signature_hash is not None
            and summary.signature_hash not in policy.allowed_hashes
        ):
            problem(
                ProblemCode.HASH_NOT_ALLOWED,
                f"is signed with hash {summary.signature_hash}; the policy allows "
                f"{_listing(policy.allowed_hashes)}",
            )
    return problems


def _listing(names: frozenset[str]) -> str:
    return ", ".join(sorted(names)) if names else "none"


def revocation_status(crl: Crl, certificate: Certificate) -> Revoked | None:
    """The entry revoking ``certificate`` in ``crl``, None when the CRL does not list it (an
    entry with reason ``removeFromCRL`` does not count).

    Raises :class:`CrlScopeError` when the CRL cannot answer for the certificate: its issuer
    name is not the certificate's issuer, its issuingDistributionPoint limits it to CA
    certificates (or to end-entity ones) and the certificate is not one, or it is a delta CRL
    (whose silence says nothing). The CRL itself is not checked here: call :func:`check_crl`
    first (signature, freshness).
    """
    summary = crl.summary
    if crl.issuer_key != certificate.issuer_key:
        raise CrlScopeError(
            "{crl} cannot tell whether {certificate} is revoked: the certificate's issuer is "
            "'{issuer}'",
            crl=crl.describe(),
            certificate=certificate.describe(),
            issuer=certificate.summary.issuer,
            hint="use a CRL published by the certificate's issuer",
        )
    is_ca = certificate.summary.is_ca
    if (summary.only_ca_certificates and not is_ca) or (summary.only_user_certificates and is_ca):
        covered = (
            Text(
                "{crl} covers only CA certificates, so it cannot tell whether {certificate} is "
                "revoked"
            )
            if summary.only_ca_certificates
            else Text(
                "{crl} covers only end-entity certificates, so it cannot tell whether "
                "{certificate} is revoked"
            )
        )
        raise CrlScopeError(
            covered,
            crl=crl.describe(),
            certificate=certificate.describe(),
            hint="use the issuer's CRL that covers this kind of certificate",
        )
    if summary.delta_base is not None:
        raise CrlScopeError(
            "{crl} is a delta CRL (base CRL number {base}); on its own it cannot tell that a "
            "certificate is not revoked",
            crl=crl.describe(),
            base=_hex(summary.delta_base),
            hint="check the complete CRL",
        )
    return crl.lookup(certificate.summary.serial, certificate.issuer_key)
