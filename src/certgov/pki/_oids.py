"""Object identifiers the library names, with the names the rule sets use.

Signature algorithms carry their OpenSSL long names (``OBJ_nid2ln``), hashes the names of
hashlib and pyca/cryptography, curves the names of pyca/cryptography (``ec.SECP256R1.name``)
and ``sm2p256v1`` for the SM2 curve (GM/T 0006).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class KeyAlgorithm(StrEnum):
    """The family of a certificate's public key (SM2 keys are ``ec`` on ``sm2p256v1``)."""

    RSA = "rsa"
    EC = "ec"
    ED25519 = "ed25519"
    ED448 = "ed448"
    DSA = "dsa"
    UNKNOWN = "unknown"


SM2_CURVE_OID: Final = "1.2.156.10197.1.301"
SM2_WITH_SM3_OID: Final = "1.2.156.10197.1.501"
SM2_CURVE_NAME: Final = "sm2p256v1"

#: SubjectPublicKeyInfo algorithm OID → key family. An SM2 key is normally ``id-ecPublicKey``
#: with the SM2 curve as parameter; some issuers put the curve OID in the algorithm itself.
KEY_ALGORITHMS: Final[dict[str, KeyAlgorithm]] = {
    "1.2.840.113549.1.1.1": KeyAlgorithm.RSA,  # rsaEncryption
    "1.2.840.113549.1.1.10": KeyAlgorithm.RSA,  # id-RSASSA-PSS (RFC 4055)
    "1.2.840.10045.2.1": KeyAlgorithm.EC,  # id-ecPublicKey
    SM2_CURVE_OID: KeyAlgorithm.EC,
    "1.3.101.112": KeyAlgorithm.ED25519,
    "1.3.101.113": KeyAlgorithm.ED448,
    "1.2.840.10040.4.1": KeyAlgorithm.DSA,
}

#: Named curve OID → (name, key size in bits).
CURVES: Final[dict[str, tuple[str, int]]] = {
    "1.2.840.10045.3.1.1": ("secp192r1", 192),
    "1.3.132.0.33": ("secp224r1", 224),
    "1.2.840.10045.3.1.7": ("secp256r1", 256),
    "1.3.132.0.34": ("secp384r1", 384),
    "1.3.132.0.35": ("secp521r1", 521),
    "1.3.132.0.10": ("secp256k1", 256),
    "1.3.36.3.3.2.8.1.1.7": ("brainpoolP256r1", 256),
    "1.3.36.3.3.2.8.1.1.11": ("brainpoolP384r1", 384),
    "1.3.36.3.3.2.8.1.1.13": ("brainpoolP512r1", 512),
    SM2_CURVE_OID: (SM2_CURVE_NAME, 256),
}

#: Signature algorithm OID → (OpenSSL long name, hash name or None, key family it needs).
#: The hash of RSASSA-PSS is in its parameters and is read from there.
SIGNATURE_ALGORITHMS: Final[dict[str, tuple[str, str | None, KeyAlgorithm]]] = {
    "1.2.840.113549.1.1.2": ("md2WithRSAEncryption", "md2", KeyAlgorithm.RSA),
    "1.2.840.113549.1.1.4": ("md5WithRSAEncryption", "md5", KeyAlgorithm.RSA),
    "1.2.840.113549.1.1.5": ("sha1WithRSAEncryption", "sha1", KeyAlgorithm.RSA),
    "1.3.14.3.2.29": ("sha1WithRSA", "sha1", KeyAlgorithm.RSA),
    "1.2.840.113549.1.1.14": ("sha224WithRSAEncryption", "sha224", KeyAlgorithm.RSA),
    "1.2.840.113549.1.1.11": ("sha256WithRSAEncryption", "sha256", KeyAlgorithm.RSA),
    "1.2.840.113549.1.1.12": ("sha384WithRSAEncryption", "sha384", KeyAlgorithm.RSA),
    "1.2.840.113549.1.1.13": ("sha512WithRSAEncryption", "sha512", KeyAlgorithm.RSA),
    "1.2.840.113549.1.1.10": ("rsassaPss", None, KeyAlgorithm.RSA),
    "2.16.840.1.101.3.4.3.13": ("RSA-SHA3-224", "sha3-224", KeyAlgorithm.RSA),
    "2.16.840.1.101.3.4.3.14": ("RSA-SHA3-256", "sha3-256", KeyAlgorithm.RSA),
    "2.16.840.1.101.3.4.3.15": ("RSA-SHA3-384", "sha3-384", KeyAlgorithm.RSA),
    "2.16.840.1.101.3.4.3.16": ("RSA-SHA3-512", "sha3-512", KeyAlgorithm.RSA),
    "1.2.156.10197.1.504": ("sm3WithRSAEncryption", "sm3", KeyAlgorithm.RSA),
    "1.2.840.10045.4.1": ("ecdsa-with-SHA1", "sha1", KeyAlgorithm.EC),
    "1.2.840.10045.4.3.1": ("ecdsa-with-SHA224", "sha224", KeyAlgorithm.EC),
    "1.2.840.10045.4.3.2": ("ecdsa-with-SHA256", "sha256", KeyAlgorithm.EC),
    "1.2.840.10045.4.3.3": ("ecdsa-with-SHA384", "sha384", KeyAlgorithm.EC),
    "1.2.840.10045.4.3.4": ("ecdsa-with-SHA512", "sha512", KeyAlgorithm.EC),
    "2.16.840.1.101.3.4.3.9": ("ecdsa_with_SHA3-224", "sha3-224", KeyAlgorithm.EC),
    "2.16.840.1.101.3.4.3.10": ("ecdsa_with_SHA3-256", "sha3-256", KeyAlgorithm.EC),
    "2.16.840.1.101.3.4.3.11": ("ecdsa_with_SHA3-384", "sha3-384", KeyAlgorithm.EC),
    "2.16.840.1.101.3.4.3.12": ("ecdsa_with_SHA3-512", "sha3-512", KeyAlgorithm.EC),
    SM2_WITH_SM3_OID: ("SM2-with-SM3", "sm3", KeyAlgorithm.EC),
    "1.3.101.112": ("ED25519", None, KeyAlgorithm.ED25519),
    "1.3.101.113": ("ED448", None, KeyAlgorithm.ED448),
    "1.2.840.10040.4.3": ("dsaWithSHA1", "sha1", KeyAlgorithm.DSA),
    "2.16.840.1.101.3.4.3.1": ("dsa_with_SHA224", "sha224", KeyAlgorithm.DSA),
    "2.16.840.1.101.3.4.3.2": ("dsa_with_SHA256", "sha256", KeyAlgorithm.DSA),
}

#: KeyUsage bits by their RFC 5280 §4.2.1.3 names, in bit order.
KEY_USAGE_NAMES: Final = (
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly",
)
