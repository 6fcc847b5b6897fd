"""Reading certificate bundles: PEM (RFC 7468, any text around the blocks), DER (one
certificate or several back to back), PKCS #7 / CMS certificate bags (``.p7b``, PEM or DER)
and bare base64 of a DER certificate.

Everything that is not a certificate is refused with a :class:`~certgov.pki.errors.PkiError`
naming the block and what it holds instead: a private key or a CSR pasted by mistake is
reported, never silently skipped.
"""

from __future__ import annotations

import base64
import binascii
import re
import warnings

from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from certgov.pki import _der
from certgov.pki.certificate import PARSE_ERRORS, Certificate
from certgov.pki.errors import (
    EmptyBundleError,
    MalformedBundleError,
    NotACertificateError,
    PkiError,
    TooManyCertificatesError,
)

__all__ = ["DEFAULT_MAX_CERTIFICATES", "parse_bundle", "parse_certificate"]

#: Bundles larger than this are refused unless the caller allows more.
DEFAULT_MAX_CERTIFICATES = 1000

_CERTIFICATE_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
_PKCS7_LABELS = frozenset({"PKCS7", "PKCS #7 SIGNED DATA", "CMS"})
_BEGIN = re.compile(rb"-----BEGIN ([\x20-\x2c\x2e-\x7e]*)-----")
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/=\s]+")
# 1.2.840.113549.1.7.2 (id-signedData), as DER value bytes.
_SIGNED_DATA_OID = bytes.fromhex("2a864886f70d010702")


def parse_bundle(
    data: bytes | str, *, max_certificates: int = DEFAULT_MAX_CERTIFICATES
) -> tuple[Certificate, ...]:
    """The certificates of a PEM, DER or PKCS #7 bundle, in the order they appear.

    Raises :class:`EmptyBundleError` for empty input, :class:`MalformedBundleError` for input
    that is neither PEM nor DER or has broken PEM framing, :class:`NotACertificateError` for a
    block that is not a certificate, :class:`TooManyCertificatesError` past
    ``max_certificates``.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if not raw.strip():
        raise EmptyBundleError(
            "expected one or more certificates, found an empty bundle",
            hint="send the CA certificates in PEM or DER",
        )
    if b"-----BEGIN" in raw:
        certificates = _parse_pem(raw)
    elif raw.lstrip()[:1] == b"\x30":
        certificates = _parse_der(raw.lstrip(), "DER element")
    elif raw.lstrip().startswith(b"MI") and _BASE64_TEXT.fullmatch(raw):
        # "MI" is how the base64 of a DER SEQUENCE (a certificate) starts.
        try:
            decoded = base64.b64decode(b"".join(raw.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedBundleError(
                "expected PEM or DER certificates, found text that is not valid base64: {error}",
                error=str(exc),
            ) from exc
        certificates = _parse_der(decoded, "base64 element")
    else:
        raise _unrecognised(raw)
    if not certificates:
        raise EmptyBundleError("expected one or more certificates, found none in the bundle")
    if len(certificates) > max_certificates:
        raise TooManyCertificatesError(
            "expected at most {expected} certificates, found {found}",
            expected=max_certificates,
            found=len(certificates),
            details={"expected": max_certificates, "found": len(certificates)},
        )
    return tuple(certificates)


def parse_certificate(data: bytes | str) -> Certificate:
    """Exactly one certificate (PEM or DER); :class:`PkiError` for none or several."""
    certificates = parse_bundle(data)
    if len(certificates) != 1:
        raise PkiError(
            "expected exactly one certificate, found {found}",
            found=len(certificates),
            details={"expected": 1, "found": len(certificates)},
        )
    return certificates[0]


def _unrecognised(raw: bytes) -> MalformedBundleError:
    """The refusal of input that is neither PEM nor DER, naming how it starts."""
    head = raw.lstrip()[:16]
    if all(0x20 <= byte < 0x7F for byte in head):
        return MalformedBundleError(
            "expected PEM blocks ('-----BEGIN CERTIFICATE-----') or DER (starting with byte "
            "0x30), found text starting {start!r}",
            start=head.decode("ascii"),
            hint="send the certificates as PEM text or as a binary .cer/.der/.p7b file",
        )
    return MalformedBundleError(
        "expected PEM blocks ('-----BEGIN CERTIFICATE-----') or DER (starting with byte "
        "0x30), found bytes {start}",
        start=head.hex(" "),
        hint="send the certificates as PEM text or as a binary .cer/.der/.p7b file",
    )


def _parse_pem(raw: bytes) -> list[Certificate]:
    certificates: list[Certificate] = []
    position = 0
    number = 0
    while (begin := _BEGIN.search(raw, position)) is not None:
        number += 1
        label = begin.group(1).decode("ascii")
        where = f"block {number} ({label})"
        end_marker = b"-----END " + begin.group(1) + b"-----"
        end = raw.find(end_marker, begin.end())
        if end < 0:
            raise MalformedBundleError(
                "block {number} ({label}) has no '-----END {label}-----' line",
                number=number,
                label=label,
                hint="the bundle was cut short or the block's END line was changed",
                details={"block": number},
            )
        body = raw[begin.end() : end]
        position = end + len(end_marker)
        if label not in _CERTIFICATE_LABELS and label not in _PKCS7_LABELS:
            if "PRIVATE KEY" in label:
                raise NotACertificateError(
                    "block {number} is not a certificate: it is a {label}",
                    number=number,
                    label=label,
                    hint="never send a private key; remove the block and replace the key if "
                    "it left your control",
                    details={"block": number, "label": label},
                )
            raise NotACertificateError(
                "block {number} is not a certificate: it is a {label}",
                number=number,
                label=label,
                hint="remove the block: only certificates are accepted",
                details={"block": number, "label": label},
            )
        try:
            der = base64.b64decode(b"".join(body.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedBundleError(
                "block {number} ({label}) is not valid base64: {error}",
                number=number,
                label=label,
                error=str(exc),
                details={"block": number},
            ) from exc
        if label in _PKCS7_LABELS:
            certificates += _parse_pkcs7(der, where)
        elif label == "TRUSTED CERTIFICATE":
            # OpenSSL's trusted form: the certificate followed by its trust settings.
            certificates.append(Certificate.from_der(_first_element(der, where), where=where))
        else:
            certificates.append(Certificate.from_der(der, where=where))
    if number == 0:
        raise MalformedBundleError("found '-----BEGIN' but no complete PEM BEGIN line")
    return certificates


def _first_element(der: bytes, where: str) -> bytes:
    try:
        element = _der.read_tlv(der)
    except _der.DerError as exc:
        raise NotACertificateError(
            "{where} is not a certificate: {error}", where=where, error=str(exc)
        ) from exc
    return der[element.start : element.end]


def _is_pkcs7(element: bytes) -> bool:
    try:
        outer = _der.read_tlv(element)
        first = _der.read_tlv(element[: outer.end], outer.content)
    except _der.DerError:
        return False
    return (
        first.tag == _der.OBJECT_IDENTIFIER
        and element[first.content : first.end] == _SIGNED_DATA_OID
    )


def _parse_pkcs7(der: bytes, where: str) -> list[Certificate]:
    with warnings.catch_warnings():
        # Certificates re-parsed below report their own warnings.
        warnings.simplefilter("ignore")
        try:
            bag = pkcs7.load_der_pkcs7_certificates(der)
        except PARSE_ERRORS as exc:
            raise NotACertificateError(
                "{where} is not a PKCS #7 certificate bag: {error}",
                where=where,
                error=str(exc),
                details={"where": where},
            ) from exc
    return [
        Certificate.from_der(certificate.public_bytes(Encoding.DER), where=f"{where} #{index}")
        for index, certificate in enumerate(bag, start=1)
    ]


def _parse_der(raw: bytes, kind: str) -> list[Certificate]:
    try:
        elements = _der.split_concatenated(raw)
    except _der.DerError as exc:
        raise MalformedBundleError(
            "expected DER certificates, found bytes that are not DER: {error}",
            error=str(exc),
            hint="a DER bundle is one or more certificates back to back, with nothing else",
        ) from exc
    certificates: list[Certificate] = []
    for number, element in enumerate(elements, start=1):
        where = f"{kind} {number}"
        if _is_pkcs7(element):
            certificates += _parse_pkcs7(element, where)
        else:
            certificates.append(Certificate.from_der(element, where=where))
    return certificates
