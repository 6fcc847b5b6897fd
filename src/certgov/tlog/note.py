"""C2SP signed-note with Ed25519 keys: signing, key strings, and opening signed notes.

A signed note is a text ending in a newline, a blank line, and signature lines
``— <key name> base64(key ID || signature)``. An Ed25519 key's ID is the first 4 bytes of
``SHA-256(name || 0x0A || 0x01 || public key)``; its verifier key string (the ``vkey`` that
relying parties configure) is ``<name>+<key ID as 8 hex digits>+base64(0x01 || public key)``,
and its signer key string is ``PRIVATE+KEY+<name>+<key ID>+base64(0x01 || private seed)``
(both as in golang.org/x/mod/sumdb/note, so Go tools accept them). The checkpoints of both
logs are signed notes (SYS-3).

Opening a note never raises anything but :class:`certgov.errors.InvalidInput` subclasses,
whatever the input.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from certgov.tlog import _base64
from certgov.tlog.errors import MalformedNoteError, SignatureError, UntrustedNoteError

__all__ = [
    "ED25519_SIGNATURE_TYPE",
    "MAX_NOTE_SIZE",
    "MAX_SIGNATURES",
    "NoteSignature",
    "OpenedNote",
    "ParsedNote",
    "Signer",
    "Verifier",
    "check_key_name",
    "check_note_text",
    "ed25519_key_id",
    "open_note",
    "parse_note",
    "sign_note",
]

#: Signature type byte of Ed25519 in C2SP signed-note.
ED25519_SIGNATURE_TYPE = 0x01
#: Most signature lines accepted in one note (C2SP: at least 16 must be accepted).
MAX_SIGNATURES = 100
#: Largest signed note accepted, in UTF-8 bytes.
MAX_NOTE_SIZE = 1 << 20

_SIGNATURE_PREFIX = "\u2014 "  # em dash, space
_KEY_ID_SIZE = 4
_ED25519_PUBLIC_SIZE = 32
_ED25519_SIGNATURE_SIZE = 64
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f]")
_KEY_ID_RE = re.compile(r"[0-9a-f]{8}")
_PRIVATE_KEY_PREFIX = "PRIVATE+KEY+"


def check_key_name(name: str) -> None:
    """Raise :class:`MalformedNoteError` unless ``name`` is a valid C2SP key name.

    Key names are non-empty and contain no Unicode space, no ``+`` and no control character.
    """
    if not isinstance(name, str) or not name:
        raise MalformedNoteError("key name must be non-empty text")
    if any(char.isspace() or char == "+" or char < " " for char in name):
        raise MalformedNoteError(
            f"key name {name!r} contains a space, a '+' or a control character",
            hint="use a schema-less URL such as 'gov.example.cn/filings'",
        )
    _utf8(name, "key name")


def _utf8(text: str, what: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise MalformedNoteError(f"{what} is not encodable as UTF-8: {error.reason}") from error


def check_note_text(text: str) -> bytes:
    """Check a note text (before signing) and return its UTF-8 bytes.

    Requires non-empty text ending in a newline, with no control character but newline.
    """
    if not isinstance(text, str):
        raise MalformedNoteError(f"note text must be str, got {type(text).__name__}")
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    match = _CONTROL_RE.search(text)
    if match:
        raise MalformedNoteError(
            f"note text contains control character {match.group()!r} at {match.start()}"
        )
    return _utf8(text, "note text")


def ed25519_key_id(name: str, public_key: bytes) -> bytes:
    """``SHA-256(name || 0x0A || 0x01 || public key)[:4]`` (C2SP signed-note, Ed25519)."""
    material = name.encode("utf-8") + b"\n" + bytes([ED25519_SIGNATURE_TYPE]) + public_key
    return hashlib.sha256(material).digest()[:_KEY_ID_SIZE]


class Verifier:
    """An Ed25519 public key under a name: checks signatures of notes."""

    def __init__(self, name: str, public_key: bytes) -> None:
        check_key_name(name)
        if len(public_key) != _ED25519_PUBLIC_SIZE:
            raise MalformedNoteError(
                f"Ed25519 public key is {len(public_key)} bytes, expected {_ED25519_PUBLIC_SIZE}"
            )
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError as error:
            raise MalformedNoteError(f"invalid Ed25519 public key: {error}") from error
        self.name = name
        self.public_key = public_key
        self.key_id = ed25519_key_id(name, public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse ``<name>+<hex key ID>+base64(0x01 || public key)``.

        Raises :class:`MalformedNoteError` if the string is malformed, the key type is not
        Ed25519, or the key ID does not match the name and key.
        """
        if not isinstance(vkey, str):
            raise MalformedNoteError(f"verifier key must be text, got {type(vkey).__name__}")
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise MalformedNoteError(
                "verifier key must be <name>+<key ID hex>+<base64 key>",
                hint="a verifier key looks like 'example.com/log+1a2b3c4d+AU...'",
            )
        name, key_id_hex, key_text = parts
        check_key_name(name)
        if not _KEY_ID_RE.fullmatch(key_id_hex):
            raise MalformedNoteError(
                f"verifier key ID must be 8 lowercase hex digits, got {key_id_hex!r}"
            )
        try:
            key = _base64.decode(key_text)
        except ValueError as error:
            raise MalformedNoteError(f"verifier key is not base64: {error}") from error
        if len(key) != 1 + _ED25519_PUBLIC_SIZE or key[0] != ED25519_SIGNATURE_TYPE:
            raise MalformedNoteError(
                "verifier key must be an Ed25519 key (type 0x01 and 32 bytes)",
                details={"type": key[0] if key else None, "length": len(key)},
            )
        verifier = cls(name, key[1:])
        if verifier.key_id.hex() != key_id_hex:
            raise MalformedNoteError(
                f"verifier key ID {key_id_hex} does not match the name and key "
                f"(computed {verifier.key_id.hex()})"
            )
        return verifier

    def vkey(self) -> str:
        """The verifier key string (see :meth:`from_vkey`)."""
        key = _base64.encode(bytes([ED25519_SIGNATURE_TYPE]) + self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{key}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        if len(signature) != _ED25519_SIGNATURE_SIZE:
            return False
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"Verifier({self.vkey()!r})"


class Signer:
    """An Ed25519 private key under a name: signs notes. Its repr shows no secret."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        check_key_name(name)
        self.name = name
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes_raw()
        self.key_id = ed25519_key_id(name, self.public_key)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, name: str, private_key: bytes) -> Signer:
        """A key from its 32-byte RFC 8032 seed."""
        if len(private_key) != _ED25519_PUBLIC_SIZE:
            raise MalformedNoteError(
                f"Ed25519 private key is {len(private_key)} bytes, expected 32"
            )
        return cls(name, Ed25519PrivateKey.from_private_bytes(private_key))

    @classmethod
    def from_signer_key(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || seed)``."""
        if not isinstance(skey, str) or not skey.startswith(_PRIVATE_KEY_PREFIX):
            raise MalformedNoteError("signer key must start with PRIVATE+KEY+")
        parts = skey[len(_PRIVATE_KEY_PREFIX) :].split("+", 2)
        if len(parts) != 3:
            raise MalformedNoteError("signer key must be PRIVATE+KEY+<name>+<key ID>+<key>")
        name, key_id_hex, key_text = parts
        try:
            key = _base64.decode(key_text)
        except ValueError as error:
            raise MalformedNoteError(f"signer key is not base64: {error}") from error
        if len(key) != 1 + _ED25519_PUBLIC_SIZE or key[0] != ED25519_SIGNATURE_TYPE:
            raise MalformedNoteError("signer key must be an Ed25519 key (type 0x01, 32 bytes)")
        signer = cls.from_private_bytes(name, key[1:])
        if signer.key_id.hex() != key_id_hex:
            raise MalformedNoteError(
                f"signer key ID {key_id_hex!r} does not match the name and key"
            )
        return signer

    def private_bytes(self) -> bytes:
        """The 32-byte seed. Keep it secret."""
        return self._key.private_bytes_raw()

    def signer_key(self) -> str:
        """The signer key string (see :meth:`from_signer_key`). Keep it secret."""
        key = _base64.encode(bytes([ED25519_SIGNATURE_TYPE]) + self.private_bytes())
        return f"{_PRIVATE_KEY_PREFIX}{self.name}+{self.key_id.hex()}+{key}"

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.public_key)

    def verifier_key(self) -> str:
        """The public verifier key string to publish (see :meth:`Verifier.from_vkey`)."""
        return self.verifier().vkey()

    def signature_line(self, text: str) -> str:
        """``— <name> base64(key ID || Ed25519(text))`` and a newline, for a checked text."""
        signature = self._key.sign(check_note_text(text))
        return f"{_SIGNATURE_PREFIX}{self.name} {_base64.encode(self.key_id + signature)}\n"

    def sign(self, text: str) -> str:
        """The signed note of ``text`` with this key's signature."""
        return sign_note(text, [self])

    def __repr__(self) -> str:
        return f"Signer(name={self.name!r}, key_id={self.key_id.hex()!r})"


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """``text``, a blank line, and one signature line per signer (C2SP signed-note).

    Requires at least one signer and a text accepted by :func:`check_note_text`.
    """
    if not signers:
        raise MalformedNoteError("a signed note needs at least one signer")
    check_note_text(text)
    return text + "\n" + "".join(signer.signature_line(text) for signer in signers)


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: the key name, the key ID and the signature bytes after it."""

    name: str
    key_id: bytes
    signature: bytes


class ParsedNote(NamedTuple):
    """A note split into text and signature lines, no signature checked yet."""

    text: str
    signatures: list[NoteSignature]


class OpenedNote(NamedTuple):
    """A note whose text is vouched for by the keys named in ``verified_by``."""

    text: str
    verified_by: list[str]


def _decode_note(signed: str | bytes) -> str:
    if isinstance(signed, bytes | bytearray | memoryview):
        raw = bytes(signed)
        if len(raw) > MAX_NOTE_SIZE:
            raise MalformedNoteError(f"note is {len(raw)} bytes, limit {MAX_NOTE_SIZE}")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedNoteError(
                f"note is not valid UTF-8 (byte {error.start}: {error.reason})"
            ) from error
    if not isinstance(signed, str):
        raise MalformedNoteError(f"note must be str or bytes, got {type(signed).__name__}")
    if len(signed) > MAX_NOTE_SIZE or len(_utf8(signed, "note")) > MAX_NOTE_SIZE:
        raise MalformedNoteError(f"note is larger than the limit of {MAX_NOTE_SIZE} bytes")
    return signed


def _parse_signature_line(number: int, line: str) -> NoteSignature:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise MalformedNoteError(
            f"signature line {number} does not start with an em dash and a space: {line[:40]!r}"
        )
    name, space, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    if not space:
        raise MalformedNoteError(f"signature line {number} has no space before the signature")
    check_key_name(name)
    try:
        blob = _base64.decode(encoded)
    except ValueError as error:
        raise MalformedNoteError(
            f"signature line {number}: signature is not base64 ({error})"
        ) from error
    if len(blob) <= _KEY_ID_SIZE:
        raise MalformedNoteError(
            f"signature line {number}: {len(blob)} bytes is too short for key ID and signature"
        )
    return NoteSignature(name, blob[:_KEY_ID_SIZE], blob[_KEY_ID_SIZE:])


def parse_note(signed: str | bytes) -> ParsedNote:
    """Split a signed note into its text and signatures without checking any signature.

    The text is everything up to and including the newline before the *last* blank line.
    Raises :class:`MalformedNoteError` on non-UTF-8 input, control characters, a missing
    blank line, no or too many (> ``MAX_SIGNATURES``) signature lines, a note not ending in a
    newline, or a malformed signature line.
    """
    note = _decode_note(signed)
    match = _CONTROL_RE.search(note)
    if match:
        raise MalformedNoteError(
            f"note contains control character {match.group()!r} at {match.start()}"
        )
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError(
            "note has no blank line between text and signatures",
            hint="a signed note is text, an empty line, then '— name signature' lines",
        )
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise MalformedNoteError("note has no signature lines after the blank line")
    if not block.endswith("\n"):
        raise MalformedNoteError("note does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"note has {len(lines)} signatures, limit {MAX_SIGNATURES}")
    signatures = [_parse_signature_line(number, line) for number, line in enumerate(lines, 1)]
    return ParsedNote(text, signatures)


def open_note(signed: str | bytes, verifiers: Iterable[Verifier]) -> OpenedNote:
    """The text of a signed note and the names of the trusted keys whose signature verified.

    C2SP signed-note rules: a signature whose (name, key ID) matches no verifier is ignored; a
    signature of a known key that fails to verify rejects the whole note
    (:class:`SignatureError`); a note with no verified signature is rejected
    (:class:`UntrustedNoteError`). Malformed notes raise :class:`MalformedNoteError`.
    """
    parsed = parse_note(signed)
    known = {(verifier.name, verifier.key_id): verifier for verifier in verifiers}
    message = parsed.text.encode("utf-8")
    verified: list[str] = []
    for signature in parsed.signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None:
            continue
        if not verifier.verify(message, signature.signature):
            raise SignatureError(
                f"signature of {signature.name} (key {signature.key_id.hex()}) does not verify",
                hint="the note was altered or not signed by this key; fetch it again",
                details={"name": signature.name, "key_id": signature.key_id.hex()},
            )
        if signature.name not in verified:
            verified.append(signature.name)
    if not verified:
        seen = [f"{s.name}+{s.key_id.hex()}" for s in parsed.signatures]
        raise UntrustedNoteError(
            "note carries no signature of a trusted key",
            hint="check that the verifier key of the log is configured",
            details={
                "signatures": seen,
                "trusted": [f"{name}+{key_id.hex()}" for name, key_id in known],
            },
        )
    return OpenedNote(parsed.text, verified)
