"""Signature verification of certificates and CRLs: RSA (PKCS #1 v1.5 and RSASSA-PSS), ECDSA, Ed25519,
Ed448, DSA through pyca/cryptography, and SM2 with SM3 (GM/T 0003, GM/T 0015) through
tongsuopy.

SM2 signatures are verified with the default signer ID ``1234567812345678`` (GM/T 0009 §10,
GB/T 35276): that is what tongsuopy (Tongsuo/OpenSSL) uses when none is set and what CAs use
when they sign certificates. A certificate signed with another ID does not verify here.

An issuer's public key is loaded once and cached on its :class:`Certificate`, so one issuer
object verifying many certificates pays for the key once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa

from certgov.pki._oids import SIGNATURE_ALGORITHMS, SM2_CURVE_NAME, SM2_WITH_SM3_OID, KeyAlgorithm
from certgov.pki.certificate import PARSE_ERRORS, Certificate
from certgov.pki.problems import Problem, ProblemCode

try:  # tongsuopy is a declared dependency; without it SM2 is reported as unsupported.
    from tongsuopy.crypto import exceptions as _sm_exceptions
    from tongsuopy.crypto import hashes as _sm_hashes
    from tongsuopy.crypto.asymciphers import ec as _sm_ec
    from tongsuopy.crypto.serialization import load_der_public_key as _sm_load_der_public_key
except ImportError:  # pragma: no cover - exercised only where tongsuopy is missing
    _sm_load_der_public_key = None

__all__ = [
    "SM2_DEFAULT_ID",
    "SignedObject",
    "check_signature",
    "load_public_key",
    "signature_failure",
    "sm2_available",
    "verify_data",
]

#: The SM2 signer ID used for certificate signatures (GM/T 0009 default).
SM2_DEFAULT_ID = b"1234567812345678"


_KEY_WORDS = {
    KeyAlgorithm.RSA: "an RSA key",
    KeyAlgorithm.EC: "an EC key",
    KeyAlgorithm.ED25519: "an Ed25519 key",
    KeyAlgorithm.ED448: "an Ed448 key",
    KeyAlgorithm.DSA: "a DSA key",
    KeyAlgorithm.UNKNOWN: "a key of unknown type",
}


def sm2_available() -> bool:
    """Whether SM2 signatures can be verified here (tongsuopy is importable)."""
    return _sm_load_der_public_key is not None


@dataclass(frozen=True, slots=True)
class LoadedKey:
    """A certificate's public key ready to verify with, or why it is not."""

    family: KeyAlgorithm
    is_sm2: bool
    key: Any
    error_code: ProblemCode | None = None
    error: str | None = None


def load_public_key(certificate: Certificate) -> LoadedKey:
    """The public key of ``certificate`` (cached on the object after the first call)."""
    cached = certificate._public_key
    if isinstance(cached, LoadedKey):
        return cached
    loaded = _load(certificate)
    certificate._public_key = loaded
    return loaded


def _load(certificate: Certificate) -> LoadedKey:
    summary = certificate.summary
    family = summary.key_algorithm
    if family is KeyAlgorithm.EC and summary.curve == SM2_CURVE_NAME:
        if _sm_load_der_public_key is None:  # pragma: no cover
            return LoadedKey(
                family,
                True,
                None,
                ProblemCode.UNSUPPORTED_ALGORITHM,
                "is an SM2 key and tongsuopy (needed for SM2) is not installed",
            )
        try:
            key = _sm_load_der_public_key(certificate.spki)
        except Exception as exc:  # tongsuopy raises its own error types for bad key bytes
            return LoadedKey(family, True, None, ProblemCode.INVALID_KEY, f"does not load: {exc}")
        return LoadedKey(family, True, key)
    try:
        key = certificate.x509.public_key()
    except UnsupportedAlgorithm as exc:
        return LoadedKey(
            family, False, None, ProblemCode.UNSUPPORTED_ALGORITHM, f"is not supported: {exc}"
        )
    except PARSE_ERRORS as exc:
        return LoadedKey(family, False, None, ProblemCode.INVALID_KEY, f"does not load: {exc}")
    return LoadedKey(family, False, key)


class SignedObject(Protocol):
    """What verification reads from a pyca/cryptography certificate or CRL."""

    @property
    def signature_algorithm_parameters(self) -> Any: ...

    @property
    def signature_hash_algorithm(self) -> hashes.HashAlgorithm | None: ...


def check_signature(subject: Certificate, issuer: Certificate) -> Problem | None:
    """None when ``issuer``'s key verifies ``subject``'s signature; otherwise the problem
    (``bad_signature``, ``unsupported_algorithm`` or ``invalid_key``) about ``subject``.

    Names are not compared here; chaining does that.
    """
    failure = signature_failure(
        subject.summary.signature_algorithm_oid,
        subject.tbs,
        subject.signature,
        subject.x509,
        issuer,
    )
    if failure is None:
        return None
    code, message = failure
    return Problem.about(code, subject, message)


def signature_failure(
    oid: str, tbs: bytes, signature: bytes, signed: SignedObject, issuer: Certificate
) -> tuple[ProblemCode, str] | None:
    """None when ``issuer``'s key verifies ``signature`` (algorithm ``oid``) over ``tbs``;
    otherwise the code (``bad_signature``, ``unsupported_algorithm``, ``invalid_key``) and a
    message completing "<what was signed> …". ``signed`` (a certificate or a CRL of
    pyca/cryptography) gives the RSA padding, ECDSA parameters and hash of the signature.
    """
    entry = SIGNATURE_ALGORITHMS.get(oid)
    if entry is None:
        return (
            ProblemCode.UNSUPPORTED_ALGORITHM,
            f"is signed with algorithm {oid}, which certgov cannot verify",
        )
    name, _, needed = entry
    key = load_public_key(issuer)
    if key.error_code is not None:
        return (
            key.error_code,
            f"cannot be checked: the public key of its issuer {issuer.describe()} {key.error}",
        )
    is_sm2_signature = oid == SM2_WITH_SM3_OID
    if key.family is not needed or key.is_sm2 != is_sm2_signature:
        found = "an SM2 key" if key.is_sm2 else _KEY_WORDS[key.family]
        return (
            ProblemCode.BAD_SIGNATURE,
            f"is signed with {name}, but its issuer {issuer.describe()} has {found}",
        )
    try:
        valid = (
            _verify_sm2(tbs, signature, key.key)
            if is_sm2_signature
            else _verify(tbs, signature, signed, key)
        )
    except (UnsupportedAlgorithm, ValueError, TypeError) as exc:
        return (
            ProblemCode.UNSUPPORTED_ALGORITHM,
            f"is signed with {name} in a form certgov cannot verify: {exc}",
        )
    if valid:
        return None
    return (
        ProblemCode.BAD_SIGNATURE,
        f"has a {name} signature that does not verify with the key of {issuer.describe()}",
    )


def _verify_sm2(data: bytes, signature: bytes, key: Any) -> bool:
    try:
        key.verify(signature, data, _sm_ec.ECDSA(_sm_hashes.SM3()))
    except (_sm_exceptions.InvalidSignature, _sm_exceptions.InternalError, ValueError):
        # InternalError: the signature is not a DER SM2 signature at all.
        return False
    return True


def _verify(data: bytes, signature: bytes, signed: SignedObject, loaded: LoadedKey) -> bool:
    key = loaded.key
    try:
        if isinstance(key, rsa.RSAPublicKey):
            parameters = signed.signature_algorithm_parameters
            hash_algorithm = signed.signature_hash_algorithm
            if not isinstance(parameters, padding.PKCS1v15 | padding.PSS) or hash_algorithm is None:
                raise ValueError(f"RSA signature with parameters {parameters!r}")
            key.verify(signature, data, parameters, hash_algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            parameters = signed.signature_algorithm_parameters
            if not isinstance(parameters, ec.ECDSA):
                raise ValueError(f"ECDSA signature with parameters {parameters!r}")
            key.verify(signature, data, parameters)
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, data)
        elif isinstance(key, dsa.DSAPublicKey):
            hash_algorithm = signed.signature_hash_algorithm
            if hash_algorithm is None:
                raise ValueError("DSA signature without a hash")
            key.verify(signature, data, hash_algorithm)
        else:
            raise UnsupportedAlgorithm(f"public key type {type(key).__name__}")
    except InvalidSignature:
        return False
    return True


#: Hash names of :func:`verify_data` and the pyca/cryptography algorithms behind them.
_DATA_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3-224": hashes.SHA3_224,
    "sha3-256": hashes.SHA3_256,
    "sha3-384": hashes.SHA3_384,
    "sha3-512": hashes.SHA3_512,
}


@dataclass(frozen=True, slots=True)
class _DataSignature:
    """The padding and hash of a signature over raw data, in the shape of :class:`SignedObject`."""

    signature_algorithm_parameters: Any
    signature_hash_algorithm: hashes.HashAlgorithm | None


def verify_data(
    certificate: Certificate,
    data: bytes,
    signature: bytes,
    *,
    scheme: str,
    hash_name: str | None,
    pss_salt_length: int | None = None,
) -> tuple[ProblemCode, str] | None:
    """None when the public key of ``certificate`` verifies ``signature`` over ``data``;
    otherwise the code (``bad_signature``, ``unsupported_algorithm``, ``invalid_key``) and a
    message completing "the signature …".

    For signatures over arbitrary data (CMS SignerInfo, RFC 5652 §5.4), where the algorithm
    comes from the signed object rather than from a certificate. ``scheme`` is ``rsa-pkcs1``,
    ``rsa-pss`` (``pss_salt_length`` bytes of salt, MGF1 with the same hash), ``ecdsa``,
    ``sm2`` (SM3 with the default signer ID, GM/T 0009), ``ed25519`` or ``ed448``;
    ``hash_name`` a hashlib name (``sha256``; ignored for SM2 and EdDSA).
    """
    key = load_public_key(certificate)
    if key.error_code is not None:
        return key.error_code, f"cannot be checked: the key of {certificate.describe()} {key.error}"
    wanted = {
        "rsa-pkcs1": (KeyAlgorithm.RSA, False),
        "rsa-pss": (KeyAlgorithm.RSA, False),
        "ecdsa": (KeyAlgorithm.EC, False),
        "sm2": (KeyAlgorithm.EC, True),
        "ed25519": (KeyAlgorithm.ED25519, False),
        "ed448": (KeyAlgorithm.ED448, False),
    }.get(scheme)
    if wanted is None:
        return ProblemCode.UNSUPPORTED_ALGORITHM, f"uses scheme {scheme!r}, unknown to certgov"
    if (key.family, key.is_sm2) != wanted:
        found = "an SM2 key" if key.is_sm2 else _KEY_WORDS[key.family]
        return (
            ProblemCode.BAD_SIGNATURE,
            f"is a {scheme} signature, but {certificate.describe()} has {found}",
        )
    if scheme == "sm2":
        if _verify_sm2(data, signature, key.key):
            return None
        return (
            ProblemCode.BAD_SIGNATURE,
            f"does not verify with the SM2 key of {certificate.describe()}",
        )
    algorithm: hashes.HashAlgorithm | None = None
    if scheme in ("rsa-pkcs1", "rsa-pss", "ecdsa"):
        hash_type = _DATA_HASHES.get(hash_name or "")
        if hash_type is None:
            return ProblemCode.UNSUPPORTED_ALGORITHM, f"uses hash {hash_name!r}, unknown to certgov"
        algorithm = hash_type()
    parameters: Any = None
    if scheme == "rsa-pkcs1":
        parameters = padding.PKCS1v15()
    elif scheme == "rsa-pss":
        assert algorithm is not None
        salt = padding.PSS.DIGEST_LENGTH if pss_salt_length is None else pss_salt_length
        parameters = padding.PSS(mgf=padding.MGF1(algorithm), salt_length=salt)
    elif scheme == "ecdsa":
        assert algorithm is not None
        parameters = ec.ECDSA(algorithm)
    try:
        valid = _verify(data, signature, _DataSignature(parameters, algorithm), key)
    except (UnsupportedAlgorithm, ValueError, TypeError) as exc:
        return ProblemCode.UNSUPPORTED_ALGORITHM, f"is in a form certgov cannot verify: {exc}"
    if valid:
        return None
    return ProblemCode.BAD_SIGNATURE, f"does not verify with the key of {certificate.describe()}"
