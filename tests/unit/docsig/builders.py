"""Signed documents the tests make themselves: CMS SignedData with SM2/SM3 (GB/T 35275 or
PKCS #7 object identifiers) built with asn1crypto and signed with tongsuopy, RSA/ECDSA CMS
from pyca/cryptography's PKCS #7 builder, and byte-level corruptions of the shared PDFs.
Each function is named after what it makes."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.serialization import pkcs7

from certgov.docsig.cms import GM_DATA, GM_SIGNED_DATA, ID_DATA, ID_SIGNED_DATA
from certgov.pki import Certificate

SHARED = Path(__file__).resolve().parents[4] / "shared" / "testdata"
SIGNED_DIR = SHARED / "signed"
SM2_DIR = SHARED / "sm2"

SM3 = "1.2.156.10197.1.401"
SM2_WITH_SM3 = "1.2.156.10197.1.501"
SM2_SIGN_GBT35275 = "1.2.156.10197.1.301.1"


def shared(folder: Path, name: str) -> bytes:
    """A file of ``../shared/testdata``; the test skips, saying why, when it is absent."""
    path = folder / name
    if not path.is_file():
        pytest.skip(f"shared test data not beside this checkout ({path})")
    return path.read_bytes()


def sm2_signer() -> tuple[Certificate, Callable[[bytes], bytes]]:
    """The shared SM2 signing certificate and a function signing with its key (SM2 with SM3,
    default signer ID)."""
    from tongsuopy.crypto import hashes as sm_hashes
    from tongsuopy.crypto.asymciphers import ec as sm_ec
    from tongsuopy.crypto.serialization import load_pem_private_key

    certificate = Certificate.from_der(
        asn1_x509.Certificate.load(_pem_der(shared(SM2_DIR, "server_sign.crt"))).dump()
    )
    key = load_pem_private_key(shared(SM2_DIR, "server_sign.key"), None)
    return certificate, lambda data: key.sign(data, sm_ec.ECDSA(sm_hashes.SM3()))


def _pem_der(pem: bytes) -> bytes:
    import base64

    body = pem.split(b"-----")[2]
    return base64.b64decode(b"".join(body.split()))


def cms_signed_data(
    content: bytes,
    certificate: Certificate,
    sign: Callable[[bytes], bytes],
    *,
    digest_name: str = "sm3",
    digest_oid: str = SM3,
    signature_oid: str = SM2_WITH_SM3,
    attached: bool = True,
    gbt_oids: bool = True,
    signed_attributes: bool = True,
    signing_time: dt.datetime | None = None,
    extra_certificates: tuple[Certificate, ...] = (),
    timestamp_token: Callable[[bytes], bytes] | None = None,
    embed_signer: bool = True,
) -> bytes:
    """DER ContentInfo(SignedData) over ``content`` by ``certificate``'s key (``sign``);
    ``embed_signer=False`` leaves the signer's certificate out."""
    data_type = GM_DATA if gbt_oids else ID_DATA
    signed_type = GM_SIGNED_DATA if gbt_oids else ID_SIGNED_DATA
    parsed = asn1_x509.Certificate.load(certificate.der)
    attributes = None
    if signed_attributes:
        values = [
            {"type": "content_type", "values": [data_type]},
            {"type": "message_digest", "values": [hashlib.new(digest_name, content).digest()]},
        ]
        if signing_time is not None:
            values.append(
                {"type": "signing_time", "values": [cms.Time({"utc_time": signing_time})]}
            )
        attributes = cms.CMSAttributes(values)
    info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": parsed.issuer,
                        "serial_number": parsed.serial_number,
                    }
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": digest_oid}),
            "signed_attrs": attributes,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": signature_oid}),
            "signature": b"",
        }
    )
    to_sign = b"\x31" + info["signed_attrs"].dump()[1:] if signed_attributes else content
    signature = sign(to_sign)
    info["signature"] = signature
    if timestamp_token is not None:
        info["unsigned_attrs"] = cms.CMSAttributes(
            [
                {
                    "type": "signature_time_stamp_token",
                    "values": [cms.ContentInfo.load(timestamp_token(signature))],
                }
            ]
        )
    # SignedData version 1 holds its content as PKCS #7 ContentInfo, written by hand.
    encapsulated = cms.ContentInfo.load(
        _content_info(data_type, core.OctetString(content).dump() if attached else None)
    )
    signed = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": digest_oid})],
            "encap_content_info": encapsulated,
            "certificates": ([parsed] if embed_signer else [])
            + [asn1_x509.Certificate.load(c.der) for c in extra_certificates],
            "signer_infos": [info],
        }
    )
    return _content_info(signed_type, signed.dump())


def _content_info(content_type: str, inner: bytes | None) -> bytes:
    """DER ContentInfo, by hand: asn1crypto only builds it for the content types it knows."""
    body = core.ObjectIdentifier(content_type).dump()
    if inner is not None:
        body += _explicit0(inner)
    return b"\x30" + _length(len(body)) + body


def _explicit0(der: bytes) -> bytes:
    """``der`` wrapped in [0] EXPLICIT, as ContentInfo.content is."""
    return b"\xa0" + _length(len(der)) + der


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def pkcs7_signed(
    content: bytes,
    certificate: Certificate,
    key: object,
    *,
    detached: bool,
    attributes: bool = True,
    hash_algorithm: hashes.HashAlgorithm | None = None,
) -> bytes:
    """RSA or ECDSA CMS from pyca/cryptography's PKCS #7 builder (DER)."""
    options = [pkcs7.PKCS7Options.Binary]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    if not attributes:
        options.append(pkcs7.PKCS7Options.NoAttributes)
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(
            certificate.x509,
            key,
            hash_algorithm or hashes.SHA256(),  # type: ignore[arg-type]
        )
    )
    return builder.sign(serialization.Encoding.DER, options)


def flip(data: bytes, position: int) -> bytes:
    """``data`` with the lowest bit of byte ``position`` flipped."""
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def corrupt_signature_value(der: bytes, signature: bytes) -> bytes:
    """``der`` with the last byte of its signature value flipped (found by its bytes)."""
    position = der.rindex(signature) + len(signature) - 1
    return flip(der, position)


class Tsa:
    """A test timestamp authority: an ECDSA key with its certificate; ``token`` makes an RFC
    3161 token over some bytes at a given time."""

    def __init__(self, certificate: Certificate, key: ec.EllipticCurvePrivateKey) -> None:
        self.certificate = certificate
        self.key = key

    def token(self, stamped: bytes, at: dt.datetime) -> bytes:
        info = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": "1.2.3.4",
                "message_imprint": {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": hashlib.sha256(stamped).digest(),
                },
                "serial_number": 7,
                "gen_time": at,
            }
        )
        content = info.dump()
        parsed = asn1_x509.Certificate.load(self.certificate.der)
        attributes = cms.CMSAttributes(
            [
                {"type": "content_type", "values": ["tst_info"]},
                {"type": "message_digest", "values": [hashlib.sha256(content).digest()]},
            ]
        )
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": {
                            "issuer": parsed.issuer,
                            "serial_number": parsed.serial_number,
                        }
                    }
                ),
                "digest_algorithm": {"algorithm": "sha256"},
                "signed_attrs": attributes,
                "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                "signature": b"",
            }
        )
        signer["signature"] = self.key.sign(
            b"\x31" + signer["signed_attrs"].dump()[1:], ec.ECDSA(hashes.SHA256())
        )
        signed = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [{"algorithm": "sha256"}],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": core.ParsableOctetString(content),
                },
                "certificates": [parsed],
                "signer_infos": [signer],
            }
        )
        return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


__all__ = [
    "SIGNED_DIR",
    "SM2_DIR",
    "SM2_SIGN_GBT35275",
    "SM2_WITH_SM3",
    "Tsa",
    "cms_signed_data",
    "corrupt_signature_value",
    "flip",
    "padding",
    "pkcs7_signed",
    "shared",
    "sm2_signer",
]
