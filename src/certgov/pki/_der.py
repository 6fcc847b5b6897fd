"""A minimal DER reader (ITU-T X.690): just enough to cut a bundle into certificates and to
read the raw parts of a certificate that pyca/cryptography does not hand out for every key
type (the issuer and subject names as encoded, the SubjectPublicKeyInfo of an SM2 key).

Definite lengths only (DER forbids the indefinite form) and low tag numbers only (< 31), which
is all RFC 5280 certificates use. Every function raises :class:`DerError` (a ``ValueError``) on
input that does not follow these rules; callers turn it into a :class:`~certgov.pki.errors.PkiError`.
"""

from __future__ import annotations

from dataclasses import dataclass

SEQUENCE = 0x30
INTEGER = 0x02
BIT_STRING = 0x03
OBJECT_IDENTIFIER = 0x06
NULL = 0x05
CONTEXT_0_CONSTRUCTED = 0xA0


class DerError(ValueError):
    """The bytes are not the DER this module reads."""


@dataclass(frozen=True, slots=True)
class Tlv:
    """One DER element: ``data[start:end]`` is the whole element, ``data[content:end]`` its
    value."""

    tag: int
    start: int
    content: int
    end: int


def read_tlv(data: bytes, offset: int = 0) -> Tlv:
    """The element starting at ``offset``. Requires ``0 <= offset``."""
    if offset + 2 > len(data):
        raise DerError(f"truncated element at byte {offset}: needs at least 2 bytes")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise DerError(f"high tag number form at byte {offset} is not supported")
    first = data[offset + 1]
    position = offset + 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise DerError(f"indefinite length at byte {offset} (DER needs definite lengths)")
    else:
        count = first & 0x7F
        if count > 4 or position + count > len(data):
            raise DerError(f"bad length of {count} bytes at byte {offset}")
        length = int.from_bytes(data[position : position + count], "big")
        position += count
    end = position + length
    if end > len(data):
        raise DerError(
            f"element at byte {offset} claims {length} bytes but only {len(data) - position} follow"
        )
    return Tlv(tag, offset, position, end)


def children(data: bytes, parent: Tlv) -> list[Tlv]:
    """The elements inside a constructed element, in order."""
    items: list[Tlv] = []
    position = parent.content
    while position < parent.end:
        item = read_tlv(data[: parent.end], position)
        items.append(item)
        position = item.end
    return items


def decode_oid(content: bytes) -> str:
    """The dotted form of an OBJECT IDENTIFIER's value bytes."""
    if not content or content[-1] & 0x80:
        raise DerError("object identifier is empty or truncated")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(arc) for arc in head + arcs[1:])


@dataclass(frozen=True, slots=True)
class TbsParts:
    """Raw DER pieces of a TBSCertificate (RFC 5280 §4.1)."""

    issuer: bytes
    subject: bytes
    spki: bytes


def tbs_parts(tbs: bytes) -> TbsParts:
    """Issuer, subject and SubjectPublicKeyInfo of a TBSCertificate, as encoded."""
    outer = read_tlv(tbs)
    if outer.tag != SEQUENCE:
        raise DerError("TBSCertificate is not a SEQUENCE")
    fields = children(tbs, outer)
    if fields and fields[0].tag == CONTEXT_0_CONSTRUCTED:
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
    if len(fields) < 6:
        raise DerError(f"TBSCertificate has {len(fields)} fields, expected at least 6")
    issuer, subject, spki = fields[2], fields[4], fields[5]
    return TbsParts(
        issuer=tbs[issuer.start : issuer.end],
        subject=tbs[subject.start : subject.end],
        spki=tbs[spki.start : spki.end],
    )


@dataclass(frozen=True, slots=True)
class SpkiParts:
    """The algorithm of a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) and its key bytes."""

    algorithm: str
    parameter_oid: str | None
    key: bytes


def spki_parts(spki: bytes) -> SpkiParts:
    outer = read_tlv(spki)
    fields = children(spki, outer)
    if outer.tag != SEQUENCE or len(fields) != 2 or fields[0].tag != SEQUENCE:
        raise DerError("SubjectPublicKeyInfo is not SEQUENCE { AlgorithmIdentifier, BIT STRING }")
    algorithm_fields = children(spki, fields[0])
    if not algorithm_fields or algorithm_fields[0].tag != OBJECT_IDENTIFIER:
        raise DerError("AlgorithmIdentifier does not start with an OBJECT IDENTIFIER")
    oid = algorithm_fields[0]
    algorithm = decode_oid(spki[oid.content : oid.end])
    parameter_oid = None
    if len(algorithm_fields) > 1 and algorithm_fields[1].tag == OBJECT_IDENTIFIER:
        parameter = algorithm_fields[1]
        parameter_oid = decode_oid(spki[parameter.content : parameter.end])
    key = fields[1]
    if key.tag != BIT_STRING or key.end == key.content:
        raise DerError("subjectPublicKey is not a BIT STRING")
    # Skip the BIT STRING's unused-bits byte.
    return SpkiParts(algorithm, parameter_oid, spki[key.content + 1 : key.end])


def rsa_modulus_bits(key: bytes) -> int:
    """Bit length of the modulus of an RSAPublicKey (RFC 8017 §A.1.1)."""
    outer = read_tlv(key)
    fields = children(key, outer)
    if outer.tag != SEQUENCE or not fields or fields[0].tag != INTEGER:
        raise DerError("RSAPublicKey is not SEQUENCE { INTEGER, INTEGER }")
    modulus = fields[0]
    return int.from_bytes(key[modulus.content : modulus.end], "big").bit_length()


_WHITESPACE = frozenset(b" \t\r\n")


def split_concatenated(data: bytes) -> list[bytes]:
    """Cut back-to-back DER elements apart (a DER "bundle" is one or more certificates in a
    row); white space after the last element is ignored (a file saved by a text editor).
    Raises :class:`DerError` when the bytes do not end on an element boundary."""
    elements: list[bytes] = []
    position = 0
    while position < len(data):
        if data[position] in _WHITESPACE and not data[position:].strip():
            break
        element = read_tlv(data, position)
        elements.append(data[element.start : element.end])
        position = element.end
    return elements
