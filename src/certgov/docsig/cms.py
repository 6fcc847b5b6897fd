"""Reading CMS / PKCS #7 SignedData (RFC 5652; GB/T 35275 for SM2) with asn1crypto, and the
cryptographic checks of one signer: the message digest over the content and the signature
value (RFC 5652 §5.4, §11.2), through :func:`certgov.pki.signature.verify_data` (RSA, ECDSA,
EdDSA with pyca/cryptography, SM2 with SM3 with tongsuopy).

Both families of object identifiers are read: PKCS #7 ``data`` (1.2.840.113549.1.7.1) and
``signedData`` (…7.2), and GB/T 35275 ``data`` (1.2.156.10197.6.1.4.2.1) and ``signedData``
(…4.2.2); SM2 signatures as ``SM2-with-SM3`` (1.2.156.10197.1.501) or GB/T 35275 ``sm2-1``
(1.2.156.10197.1.301.1), SM3 digests as 1.2.156.10197.1.401.

Every parse is preceded by a bounded BER scan (:mod:`certgov.docsig._ber`) and every failure
is a :class:`CmsFormatError` carrying a :class:`~certgov.docsig.indications.Reason`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes

from certgov.docsig._ber import BerError, scan
from certgov.docsig.indications import Reason, ReasonCode, SubIndication
from certgov.docsig.limits import Limits
from certgov.errors import CertgovError
from certgov.lru import Lru
from certgov.pki import Certificate
from certgov.pki.signature import verify_data

__all__ = [
    "ASN1_ERRORS",
    "GM_DATA",
    "GM_SIGNED_DATA",
    "ID_DATA",
    "ID_SIGNED_DATA",
    "CmsFormatError",
    "SignedData",
    "SignerInfo",
    "check_signer",
    "digest",
    "find_signer_certificate",
    "format_failure",
    "parse_signed_data",
]

ID_DATA = "1.2.840.113549.1.7.1"
ID_SIGNED_DATA = "1.2.840.113549.1.7.2"
GM_DATA = "1.2.156.10197.6.1.4.2.1"
GM_SIGNED_DATA = "1.2.156.10197.6.1.4.2.2"
ID_TST_INFO = "1.2.840.113549.1.9.16.1.4"
DATA_TYPES = frozenset({ID_DATA, GM_DATA})
SIGNED_DATA_TYPES = frozenset({ID_SIGNED_DATA, GM_SIGNED_DATA})

_CONTENT_TYPE = "1.2.840.113549.1.9.3"
_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_SIGNING_TIME = "1.2.840.113549.1.9.5"
_SIGNATURE_TIMESTAMP = "1.2.840.113549.1.9.16.2.14"

#: Digest algorithm OID → hashlib name.
DIGESTS: dict[str, str] = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.7": "sha3-224",
    "2.16.840.1.101.3.4.2.8": "sha3-256",
    "2.16.840.1.101.3.4.2.9": "sha3-384",
    "2.16.840.1.101.3.4.2.10": "sha3-512",
    "1.2.156.10197.1.401": "sm3",
}
#: Digests accepted for integrity but too weak to rely on (EN 319 102-1 crypto constraints).
WEAK_DIGESTS = frozenset({"sha1"})

_RSA_PKCS1: dict[str, str | None] = {
    "1.2.840.113549.1.1.1": None,  # rsaEncryption: the hash is the digest algorithm's
    "1.2.840.113549.1.1.5": "sha1",
    "1.2.840.113549.1.1.14": "sha224",
    "1.2.840.113549.1.1.11": "sha256",
    "1.2.840.113549.1.1.12": "sha384",
    "1.2.840.113549.1.1.13": "sha512",
}
_ECDSA: dict[str, str | None] = {
    "1.2.840.10045.2.1": None,  # id-ecPublicKey, as some signers write it
    "1.2.840.10045.4.1": "sha1",
    "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
}
_SM2 = frozenset({"1.2.156.10197.1.501", "1.2.156.10197.1.301.1", "1.2.156.10197.1.301"})
_RSA_PSS = "1.2.840.113549.1.1.10"
_EDDSA = {"1.3.101.112": "ed25519", "1.3.101.113": "ed448"}

#: Parsed certificates by DER: signers, CAs and TSAs recur from document to document, and a
#: certificate parsed from the same bytes is the same (its issuer-key cache included).
_CERTIFICATES: Lru[bytes, Certificate] = Lru(2048)

#: Encodings asn1crypto has read whole (``.native`` without an error), by ASN.1 type and
#: SHA-256: reading a value whole checks every element of it, and whether it succeeds depends
#: on its bytes only, so a signer's embedded certificates (the same in all its documents)
#: and a signature's attributes are read whole once per process, not per request.
_READ_WHOLE: Lru[tuple[str, bytes], bool] = Lru(4096)

#: BER shapes of CMS that passed the bounded scan, by SHA-256 and the limits: a pure function of
#: the bytes (a signature validated again is not walked again).
_SCANNED: Lru[tuple[bytes, int, int], int] = Lru(1024)
#: Whether two encodings of a name are the same name once normalised (RFC 5280 §7.1, by
#: asn1crypto): a pure function of the two encodings, slow to compute (string preparation).
_SAME_NAME: Lru[tuple[bytes, bytes], bool] = Lru(1024)

ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


class CmsFormatError(CertgovError):
    """CMS that cannot be processed; ``reason`` says why (a FORMAT_FAILURE reason)."""

    code = "docsig_cms_format"

    def __init__(self, reason: Reason) -> None:
        super().__init__(str(reason.code), details=dict(reason.params))
        self.reason = reason


def format_failure(code: ReasonCode, **params: Any) -> CmsFormatError:
    return CmsFormatError(Reason(code, SubIndication.FORMAT_FAILURE, params))


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """What the checks need of one SignerInfo, read eagerly."""

    index: int
    issuer: asn1_x509.Name | None
    serial: int | None
    subject_key_identifier: bytes | None
    digest_oid: str
    signature_oid: str
    signature_parameters: Any
    #: The signed attributes as signed (DER SET OF), None when absent.
    signed_attributes: bytes | None
    content_type: str | None
    message_digest: bytes | None
    signing_time: datetime | None
    signature: bytes
    #: RFC 3161 timestamp tokens (DER ContentInfo) of the signature-time-stamp attribute.
    timestamp_tokens: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class SignedData:
    """A parsed SignedData: content types, attached content, certificates, signers."""

    outer_type: str
    content_type: str
    content: bytes | None
    certificates: tuple[Certificate, ...]
    #: Embedded certificates that did not parse (their index among the certificates).
    unreadable_certificates: tuple[int, ...]
    signers: tuple[SignerInfo, ...]
    #: Length of the DER/BER element read (a PDF's /Contents is zero-padded after it).
    length: int


def digest(name: str, data: bytes | memoryview) -> bytes:
    """The ``name`` (hashlib name, ``sm3`` included) digest of ``data``."""
    try:
        return hashlib.new(name, data).digest()
    except ValueError:
        if name != "sm3":
            raise
        hasher = hashes.Hash(hashes.SM3())  # OpenSSL builds without SM3 in hashlib
        hasher.update(bytes(data))
        return hasher.finalize()


def _scan(data: bytes, limits: Limits, what: str) -> int:
    if len(data) > limits.max_cms_bytes:
        raise format_failure(ReasonCode.CMS_TOO_LARGE, size=len(data), limit=limits.max_cms_bytes)
    key = (hashlib.sha256(data).digest(), limits.max_der_depth, limits.max_der_elements)
    known = _SCANNED.get(key)
    if known is not None:
        return known
    try:
        shape = scan(data, max_depth=limits.max_der_depth, max_elements=limits.max_der_elements)
    except BerError as exc:
        if exc.limit == "depth":
            raise format_failure(ReasonCode.CMS_TOO_DEEP, limit=limits.max_der_depth) from exc
        if exc.limit == "elements":
            raise format_failure(
                ReasonCode.CMS_MALFORMED,
                what=what,
                error=f"more than {limits.max_der_elements} elements",
            ) from exc
        raise format_failure(ReasonCode.CMS_MALFORMED, what=what, error=str(exc)) from exc
    return _SCANNED.put(key, shape.end)


def _absent(value: Any) -> bool:
    """``value.native is None`` (an optional element absent), raising what reading ``value``
    whole raises: each encoding once per process (:data:`_READ_WHOLE`)."""
    if isinstance(value, core.Void):
        return True
    kind = type(value)
    key = (f"{kind.__module__}.{kind.__qualname__}", hashlib.sha256(value.dump()).digest())
    if key in _READ_WHOLE:
        return False
    absent = value.native is None
    if not absent:
        _READ_WHOLE[key] = True
    return absent


def _attribute_values(attributes: Any) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for attribute in attributes:
        oid = attribute["type"].dotted
        if oid in found:
            raise format_failure(
                ReasonCode.SIGNED_ATTRIBUTES_MALFORMED, error=f"attribute {oid} twice"
            )
        found[oid] = [value.dump() for value in attribute["values"]]
    return found


def _single(values: dict[str, list[bytes]], oid: str) -> bytes | None:
    if oid not in values:
        return None
    if len(values[oid]) != 1:
        raise format_failure(
            ReasonCode.SIGNED_ATTRIBUTES_MALFORMED,
            error=f"attribute {oid} has {len(values[oid])} values, expected 1",
        )
    return values[oid][0]


def _signer(index: int, info: cms.SignerInfo) -> SignerInfo:
    sid = info["sid"]
    issuer = serial = ski = None
    if sid.name == "issuer_and_serial_number":
        issuer = sid.chosen["issuer"]
        serial = sid.chosen["serial_number"].native
    else:
        ski = sid.chosen.native
    algorithm = info["signature_algorithm"]
    signed = info["signed_attrs"]
    signed_der = content_type = message_digest = signing_time = None
    if not _absent(signed) and len(signed) > 0:
        raw = signed.dump()
        signed_der = b"\x31" + raw[1:]  # [0] IMPLICIT → SET OF, as signed (RFC 5652 §5.4)
        values = _attribute_values(signed)
        value = _single(values, _CONTENT_TYPE)
        content_type = core.ObjectIdentifier.load(value).dotted if value else None
        value = _single(values, _MESSAGE_DIGEST)
        message_digest = core.OctetString.load(value).native if value else None
        value = _single(values, _SIGNING_TIME)
        signing_time = cms.Time.load(value).native if value else None
    tokens: list[bytes] = []
    unsigned = info["unsigned_attrs"]
    if not _absent(unsigned):
        for attribute in unsigned:
            if attribute["type"].dotted == _SIGNATURE_TIMESTAMP:
                tokens += [value.dump() for value in attribute["values"]]
    return SignerInfo(
        index=index,
        issuer=issuer,
        serial=serial,
        subject_key_identifier=ski,
        digest_oid=info["digest_algorithm"]["algorithm"].dotted,
        signature_oid=algorithm["algorithm"].dotted,
        signature_parameters=algorithm["parameters"],
        signed_attributes=signed_der,
        content_type=content_type,
        message_digest=message_digest,
        signing_time=signing_time,
        signature=info["signature"].native,
        timestamp_tokens=tuple(tokens),
    )


def _content_bytes(field: Any) -> bytes | None:
    """The encapsulated content: the value of its OCTET STRING (CMS, and PKCS #7 ``data``);
    for other PKCS #7 content, the contents octets of its encoding (RFC 2315 §9.3). asn1crypto
    reads SignedData version 1 content as PKCS #7 ContentInfo: an unknown content type (GB/T
    35275 ``data``) arrives as Any."""
    if field.native is None:
        return None
    value = field.parse() if isinstance(field, core.Any) else field
    if value.tag == 4 and value.class_ == 0:
        native = value.native
        return native if isinstance(native, bytes) else bytes(value.contents)
    return bytes(value.contents)


def parse_signed_data(data: bytes, limits: Limits, *, what: str = "the CMS") -> SignedData:
    """Parse ContentInfo(SignedData) from ``data`` (trailing bytes ignored: a PDF pads its
    /Contents with zeros). Raises :class:`CmsFormatError`."""
    end = _scan(bytes(data), limits, what)
    data = bytes(data[:end])
    try:
        info = cms.ContentInfo.load(data)
        outer = info["content_type"].dotted
        if outer not in SIGNED_DATA_TYPES:
            raise format_failure(ReasonCode.CMS_NOT_SIGNED_DATA, content_type=outer)
        content = info["content"]
        signed = content if isinstance(content, cms.SignedData) else content.parse(cms.SignedData)
        encapsulated = signed["encap_content_info"]
        content_type = encapsulated["content_type"].dotted
        attached = encapsulated["content"]
        attached_bytes = _content_bytes(attached)
        certificates: list[Certificate] = []
        unreadable: list[int] = []
        choices = signed["certificates"]
        count = len(choices) if not _absent(choices) else 0
        if count > limits.max_certificates:
            raise format_failure(
                ReasonCode.CMS_TOO_MANY_CERTIFICATES, count=count, limit=limits.max_certificates
            )
        for position in range(count):
            choice = choices[position]
            if choice.name != "certificate":
                continue  # attribute certificates and others: not used for signers
            der = choice.chosen.dump()
            found = _CERTIFICATES.get(der)
            if found is None:
                try:
                    found = Certificate.from_der(der, where=f"certificate {position + 1}")
                except CertgovError:
                    unreadable.append(position)
                    continue
                _CERTIFICATES.put(der, found)
            certificates.append(found)
        infos = signed["signer_infos"]
        if len(infos) > limits.max_signatures:
            raise format_failure(
                ReasonCode.CMS_MALFORMED,
                what=what,
                error=f"{len(infos)} signers, more than {limits.max_signatures}",
            )
        signers = tuple(_signer(index, infos[index]) for index in range(len(infos)))
    except CmsFormatError:
        raise
    except ASN1_ERRORS as exc:
        raise format_failure(
            ReasonCode.CMS_MALFORMED, what=what, error=str(exc) or type(exc).__name__
        ) from exc
    if not signers:
        raise format_failure(ReasonCode.CMS_NO_SIGNER)
    return SignedData(
        outer_type=outer,
        content_type=content_type,
        content=attached_bytes,
        certificates=tuple(certificates),
        unreadable_certificates=tuple(unreadable),
        signers=signers,
        length=end,
    )


def find_signer_certificate(
    signer: SignerInfo, certificates: tuple[Certificate, ...]
) -> Certificate | None:
    """The certificate ``signer`` names (issuer and serial, or subject key identifier)."""
    if signer.subject_key_identifier is not None:
        wanted = signer.subject_key_identifier.hex()
        return next((c for c in certificates if c.summary.subject_key_identifier == wanted), None)
    if signer.issuer is None:
        return None
    issuer_der = signer.issuer.dump()
    for certificate in certificates:
        if certificate.summary.serial != signer.serial:
            continue
        if certificate.summary.issuer_der == issuer_der:
            return certificate
        key = (certificate.summary.issuer_der, issuer_der)
        same = _SAME_NAME.get(key)
        if same is None:
            try:  # same name, another encoding: compare the normalised names
                same = asn1_x509.Name.load(certificate.summary.issuer_der) == signer.issuer
            except ASN1_ERRORS:
                same = False
            _SAME_NAME[key] = same
        if same:
            return certificate
    return None


@dataclass(frozen=True, slots=True)
class SignerCheck:
    """The cryptographic checks of one signer: ``digest_ok`` (messageDigest, or None when
    there are no signed attributes and the signature covers the content directly) and
    ``signature_ok``; ``reasons`` say what failed."""

    digest_name: str | None
    digest_ok: bool | None
    signature_ok: bool
    scheme: str | None
    reasons: tuple[Reason, ...]


def _scheme(signer: SignerInfo, digest_name: str) -> tuple[str, str | None, int | None]:
    """(scheme, hash name, PSS salt length) of the signer's signature algorithm."""
    oid = signer.signature_oid
    if oid in _RSA_PKCS1:
        return "rsa-pkcs1", _RSA_PKCS1[oid] or digest_name, None
    if oid in _ECDSA:
        return "ecdsa", _ECDSA[oid] or digest_name, None
    if oid in _SM2:
        if digest_name != "sm3":
            raise format_failure(
                ReasonCode.UNSUPPORTED_SIGNATURE_ALGORITHM,
                algorithm=oid,
                error=f"SM2 with digest {digest_name}",
            )
        return "sm2", "sm3", None
    if oid in _EDDSA:
        return _EDDSA[oid], None, None
    if oid == _RSA_PSS:
        parameters = signer.signature_parameters
        try:
            pss = (
                parameters.parse(cms.RSASSAPSSParams)
                if isinstance(parameters, core.Any)
                else parameters
            )
            hash_oid = pss["hash_algorithm"]["algorithm"].dotted
            salt = int(pss["salt_length"].native)
        except ASN1_ERRORS as exc:
            raise format_failure(
                ReasonCode.UNSUPPORTED_SIGNATURE_ALGORITHM, algorithm=oid, error=str(exc)
            ) from exc
        return "rsa-pss", DIGESTS.get(hash_oid, hash_oid), salt
    raise format_failure(ReasonCode.UNSUPPORTED_SIGNATURE_ALGORITHM, algorithm=oid, error="unknown")


def check_signer(
    signer: SignerInfo,
    certificate: Certificate,
    content: bytes | memoryview,
    encapsulated_type: str,
) -> SignerCheck:
    """Check ``signer``'s message digest over ``content`` and its signature with
    ``certificate``'s key (RFC 5652 §5.4). Raises :class:`CmsFormatError` for an unusable
    SignerInfo (unknown digest or signature algorithm, missing messageDigest)."""
    digest_name = DIGESTS.get(signer.digest_oid)
    if digest_name is None:
        raise format_failure(ReasonCode.UNSUPPORTED_DIGEST, algorithm=signer.digest_oid)
    scheme, hash_name, salt = _scheme(signer, digest_name)
    reasons: list[Reason] = []
    digest_ok: bool | None = None
    if signer.signed_attributes is not None:
        if signer.message_digest is None:
            raise format_failure(ReasonCode.MESSAGE_DIGEST_MISSING)
        if signer.content_type is not None and signer.content_type != encapsulated_type:
            raise format_failure(
                ReasonCode.CONTENT_TYPE_MISMATCH,
                signed=signer.content_type,
                encapsulated=encapsulated_type,
            )
        computed = digest(digest_name, content)
        digest_ok = computed == signer.message_digest
        if not digest_ok:
            reasons.append(
                Reason(
                    ReasonCode.MESSAGE_DIGEST_MISMATCH,
                    SubIndication.HASH_FAILURE,
                    {
                        "algorithm": digest_name,
                        "expected": signer.message_digest.hex(),
                        "computed": computed.hex(),
                    },
                )
            )
        signed_bytes: bytes | memoryview = signer.signed_attributes
    else:
        signed_bytes = content
    failure = verify_data(
        certificate,
        bytes(signed_bytes),
        signer.signature,
        scheme=scheme,
        hash_name=hash_name,
        pss_salt_length=salt,
    )
    if failure is not None:
        code, message = failure
        reasons.append(
            Reason(
                ReasonCode.SIGNATURE_INVALID,
                SubIndication.SIG_CRYPTO_FAILURE,
                {"scheme": scheme, "problem": code.value, "detail": f"the signature {message}"},
            )
        )
    if digest_name in WEAK_DIGESTS:
        reasons.append(
            Reason(
                ReasonCode.WEAK_DIGEST,
                SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
                {"algorithm": digest_name},
            )
        )
    return SignerCheck(digest_name, digest_ok, failure is None, scheme, tuple(reasons))
