"""C2SP signed-note with Ed25519: signing, key strings, opening hostile notes (SYS-3)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.errors import InvalidInput
from certgov.tlog.errors import MalformedNoteError, SignatureError, UntrustedNoteError
from certgov.tlog.note import (
    MAX_SIGNATURES,
    Signer,
    Verifier,
    ed25519_key_id,
    open_note,
    parse_note,
    sign_note,
)

# Known answer of golang.org/x/mod/sumdb/note (note.go package documentation and tests).
GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

SIGNER = Signer.from_private_bytes("gov.example.cn/audit", bytes(range(32)))
OTHER = Signer.from_private_bytes("gov.example.cn/filings", bytes(range(1, 33)))
TEXT = "gov.example.cn/audit\n42\nq6yroAAAAAAAAAAAAAAAAAAAAAAAAAAAAGAGHgASNFY=\n"


def test_go_known_answer() -> None:
    """Our notes and key strings are byte-for-byte those of Go's sumdb/note."""
    signer = Signer.from_signer_key(GO_SIGNER_KEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_id.hex() == "c74f20a3"
    assert signer.verifier_key() == GO_VERIFIER_KEY
    assert signer.signer_key() == GO_SIGNER_KEY
    assert signer.sign(GO_TEXT) == GO_NOTE
    verifier = Verifier.from_vkey(GO_VERIFIER_KEY)
    assert open_note(GO_NOTE, [verifier]) == (GO_TEXT, ["PeterNeumann"])
    assert open_note(GO_NOTE.encode(), [verifier]).verified_by == ["PeterNeumann"]


def test_key_id_is_truncated_sha256_of_name_type_and_key() -> None:
    expected = hashlib.sha256(b"gov.example.cn/audit\n\x01" + SIGNER.public_key).digest()[:4]
    assert SIGNER.key_id == expected == ed25519_key_id(SIGNER.name, SIGNER.public_key)
    name, key_id, key = SIGNER.verifier_key().split("+", 2)
    assert (name, key_id) == (SIGNER.name, expected.hex())
    assert base64.b64decode(key) == b"\x01" + SIGNER.public_key


def test_round_trip_with_generated_keys() -> None:
    signer = Signer.generate("example.com/log")
    note = signer.sign(TEXT)
    assert note.startswith(TEXT + "\n— example.com/log ")
    verifier = Verifier.from_vkey(signer.verifier_key())
    assert open_note(note, [verifier]) == (TEXT, ["example.com/log"])
    again = Signer.from_signer_key(signer.signer_key())
    assert again.sign(TEXT) == note  # Ed25519 is deterministic
    assert Signer.from_private_bytes("example.com/log", signer.private_bytes()).key_id == (
        signer.key_id
    )


def test_signer_repr_hides_the_private_key() -> None:
    text = repr(SIGNER)
    assert SIGNER.name in text
    assert SIGNER.private_bytes().hex() not in text
    assert base64.b64encode(SIGNER.private_bytes()).decode() not in text


def _flips(note: bytes) -> list[tuple[int, bytes]]:
    flipped = []
    for position in range(len(note)):
        for bit in (0x01, 0x20, 0x80):
            tampered = bytearray(note)
            tampered[position] ^= bit
            flipped.append((position, bytes(tampered)))
    return flipped


def test_every_single_bit_flip_is_rejected() -> None:
    """SYS-3: tampering with any byte of the text, the name or the signature is detected."""
    note = SIGNER.sign(TEXT).encode()
    for _, tampered in _flips(note):
        with pytest.raises(InvalidInput):
            open_note(tampered, [SIGNER.verifier()])


def test_bit_flips_with_two_signers() -> None:
    """A flipped text always fails; a flipped name or key ID only hides that signature."""
    note = sign_note(TEXT, [SIGNER, OTHER]).encode()
    verifiers = [SIGNER.verifier(), OTHER.verifier()]
    text_length = len(TEXT.encode())
    for position, tampered in _flips(note):
        if position < text_length + 1:
            with pytest.raises(InvalidInput):
                open_note(tampered, verifiers)
            continue
        try:
            opened = open_note(tampered, verifiers)
        except InvalidInput:
            continue
        assert opened.text == TEXT
        assert len(opened.verified_by) == 1


def test_altered_text_fails_the_signature() -> None:
    note = SIGNER.sign(TEXT).replace("\n42\n", "\n43\n")
    with pytest.raises(SignatureError, match="does not verify"):
        open_note(note, [SIGNER.verifier()])


def test_wrong_key_is_untrusted() -> None:
    note = SIGNER.sign(TEXT)
    with pytest.raises(UntrustedNoteError) as caught:
        open_note(note, [OTHER.verifier()])
    assert caught.value.details["signatures"] == [f"{SIGNER.name}+{SIGNER.key_id.hex()}"]
    same_name = Signer.from_private_bytes(SIGNER.name, bytes(32))
    with pytest.raises(UntrustedNoteError):
        open_note(note, [same_name.verifier()])
    with pytest.raises(UntrustedNoteError):
        open_note(note, [])


def test_known_name_and_key_id_with_another_key_fails_the_signature() -> None:
    """C2SP: a signature whose name and key ID match a known key MUST be verified."""
    impostor = Verifier(SIGNER.name, OTHER.public_key)
    impostor.key_id = SIGNER.key_id  # an engineered key ID collision
    with pytest.raises(SignatureError):
        open_note(SIGNER.sign(TEXT), [impostor])


def test_several_signatures() -> None:
    note = sign_note(TEXT, [SIGNER, OTHER])
    assert open_note(note, [OTHER.verifier()]).verified_by == [OTHER.name]
    both = open_note(note, [OTHER.verifier(), SIGNER.verifier()])
    assert both.verified_by == [SIGNER.name, OTHER.name]
    # An unknown signature is ignored; a bad one from a known key rejects the whole note.
    stranger = Signer.generate("stranger.example")
    assert open_note(note + stranger.signature_line(TEXT), [SIGNER.verifier()]).verified_by == [
        SIGNER.name
    ]
    forged = note + OTHER.signature_line("another text\n")
    with pytest.raises(SignatureError):
        open_note(forged, [SIGNER.verifier(), OTHER.verifier()])


def test_text_may_contain_blank_lines() -> None:
    text = "first\n\nthird\n\n"
    note = SIGNER.sign(text)
    assert open_note(note, [SIGNER.verifier()]).text == text


@pytest.mark.parametrize(
    "text", ["", "no newline", "tab\there\n", "carriage\r\n", "nul\x00\n", "\ud800\n"]
)
def test_unsignable_texts_are_rejected(text: str) -> None:
    with pytest.raises(MalformedNoteError):
        SIGNER.sign(text)


def test_sign_needs_a_signer() -> None:
    with pytest.raises(MalformedNoteError):
        sign_note(TEXT, [])


_GOOD = GO_NOTE


@pytest.mark.parametrize(
    "note",
    [
        "",
        GO_TEXT,  # no blank line, no signatures
        GO_TEXT + "\n",  # blank line but no signature
        _GOOD[:-1],  # not ending in newline
        _GOOD.replace("— ", "- "),  # hyphen instead of em dash
        _GOOD.replace("— ", "—"),
        _GOOD.replace("PeterNeumann ", "Peter+Neumann "),
        _GOOD.replace("PeterNeumann ", "Peter Neumann "),
        _GOOD.replace("PeterNeumann ", "Peter\u3000Neumann "),
        _GOOD.replace("PeterNeumann ", " "),
        _GOOD.replace("PeterNeumann x08go", "PeterNeumann  x08go"),
        _GOOD.replace("nAM=", "nAM"),  # unpadded base64
        _GOOD.replace("nAM=", "nAN="),  # non-zero padding bits
        _GOOD.replace("x08go/", "x08go_"),  # URL-safe alphabet
        GO_TEXT + "\n— PeterNeumann AAAA\n",  # shorter than a key ID and a signature
        GO_TEXT + "\n— PeterNeumann\n",
        _GOOD + "\n",  # blank line after the signatures
        _GOOD + "— x\n",
        _GOOD.replace("\n", "\r\n"),
        "\x00" + _GOOD,
        _GOOD + "— PeterNeumann x08go/ZJ==\n",
    ],
)
def test_malformed_notes_are_rejected(note: str) -> None:
    with pytest.raises(MalformedNoteError):
        open_note(note, [Verifier.from_vkey(GO_VERIFIER_KEY)])


def test_malformed_bytes_and_limits() -> None:
    verifiers = [Verifier.from_vkey(GO_VERIFIER_KEY)]
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        open_note(GO_NOTE.encode()[:-5] + b"\xff\xfe\n", verifiers)
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        open_note("\udcff" + GO_NOTE, verifiers)
    signature = GO_NOTE[len(GO_TEXT) + 1 :]
    with pytest.raises(MalformedNoteError, match="limit"):
        open_note(GO_TEXT + "\n" + signature * (MAX_SIGNATURES + 1), verifiers)
    assert open_note(GO_TEXT + "\n" + signature * 16, verifiers).verified_by == ["PeterNeumann"]
    with pytest.raises(MalformedNoteError, match="limit"):
        open_note("a" * (2 << 20) + "\n" + signature, verifiers)
    with pytest.raises(MalformedNoteError):
        open_note(12345, verifiers)  # type: ignore[arg-type]


def test_parse_note_keeps_unverified_signatures() -> None:
    parsed = parse_note(GO_NOTE)
    assert parsed.text == GO_TEXT
    [signature] = parsed.signatures
    assert (signature.name, signature.key_id.hex(), len(signature.signature)) == (
        "PeterNeumann",
        "c74f20a3",
        64,
    )


def _deletions(text: str) -> list[str]:
    return [text[:i] + text[j:] for i in range(len(text)) for j in range(i + 1, len(text) + 1)]


def test_every_mangled_verifier_key_is_rejected() -> None:
    """As Go's TestNewVerifier: deleting any run of characters breaks the key."""
    for mangled in _deletions(GO_VERIFIER_KEY):
        with pytest.raises(MalformedNoteError):
            Verifier.from_vkey(mangled)


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "peterneumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW+",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_bad_verifier_keys(vkey: str) -> None:
    with pytest.raises(MalformedNoteError):
        Verifier.from_vkey(vkey)


@pytest.mark.parametrize(
    "skey",
    [
        "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",
        "PRIVATE+KEY+PeterNeumann+c74f20a3",
        GO_VERIFIER_KEY,
    ],
)
def test_bad_signer_keys(skey: str) -> None:
    with pytest.raises(MalformedNoteError):
        Signer.from_signer_key(skey)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\t", "a\u00a0b", "nl\n"])
def test_bad_key_names(name: str) -> None:
    with pytest.raises(MalformedNoteError):
        Signer.from_private_bytes(name, bytes(32))
    with pytest.raises(MalformedNoteError):
        Verifier(name, SIGNER.public_key)


def test_bad_key_sizes() -> None:
    with pytest.raises(MalformedNoteError):
        Signer.from_private_bytes("a", bytes(31))
    with pytest.raises(MalformedNoteError):
        Verifier("a", bytes(33))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_open_note_raises_only_invalid_input(note: str | bytes) -> None:
    """Hostile notes: open or raise InvalidInput, never anything else."""
    with pytest.raises(InvalidInput):
        open_note(note, [SIGNER.verifier()])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_notes_raise_only_invalid_input(data: st.DataObject) -> None:
    """Mutations of a real note (cut, insert, replace) never verify and never crash."""
    note = sign_note(TEXT, [SIGNER, OTHER])
    start = data.draw(st.integers(0, len(note)))
    end = data.draw(st.integers(start, min(len(note), start + 8)))
    insert = data.draw(st.text(alphabet="—\n +=/Aa0 \u2014\x00\u00e9", max_size=4))
    mutated = note[:start] + insert + note[end:]
    try:
        opened = open_note(mutated, [SIGNER.verifier(), OTHER.verifier()])
    except InvalidInput:
        return
    # Only mutations that leave the signed text and a valid signature intact may open.
    assert opened.text == TEXT
