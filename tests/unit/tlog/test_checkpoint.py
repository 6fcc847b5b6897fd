"""C2SP tlog-checkpoint: the signed tree heads of the filings and audit logs (SYS-3)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.errors import InvalidInput
from certgov.tlog.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from certgov.tlog.errors import (
    MalformedCheckpointError,
    OriginMismatchError,
    SignatureError,
    UntrustedNoteError,
)
from certgov.tlog.merkle import MemoryHashReader
from certgov.tlog.note import Signer

ROOT = bytes(range(32))
ROOT_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
LOG = Signer.from_private_bytes("gov.example.cn/filings", bytes(range(32)))

# The example of C2SP tlog-checkpoint.
SPEC_TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_spec_example_parses() -> None:
    checkpoint = Checkpoint.parse(SPEC_TEXT)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root_hash.hex().startswith("0ac5186a")
    assert checkpoint.extensions == ()
    assert checkpoint.to_text() == SPEC_TEXT
    assert Checkpoint.parse(SPEC_TEXT.encode()) == checkpoint


def test_text_layout_with_extensions() -> None:
    checkpoint = Checkpoint("gov.example.cn/audit", 0, ROOT, ("ext one", "ext two"))
    assert checkpoint.to_text() == f"gov.example.cn/audit\n0\n{ROOT_B64}\next one\next two\n"
    assert Checkpoint.parse(checkpoint.to_text()) == checkpoint


def test_signed_checkpoint_round_trip() -> None:
    """SYS-3: a filings receipt carries a checkpoint anyone with the log's key can verify."""
    tree = MemoryHashReader.from_entries([b"filing 1", b"filing 2", b"filing 3"])
    checkpoint = Checkpoint(LOG.name, tree.size, tree.root())
    signed = sign_checkpoint(checkpoint, [LOG])
    opened, names = open_checkpoint(signed, [LOG.verifier()], origin=LOG.name)
    assert opened == checkpoint
    assert names == [LOG.name]
    with pytest.raises(OriginMismatchError):
        open_checkpoint(signed, [LOG.verifier()], origin="gov.example.cn/audit")
    with pytest.raises(UntrustedNoteError):
        open_checkpoint(signed, [Signer.generate(LOG.name).verifier()])
    with pytest.raises(SignatureError):
        open_checkpoint(signed.replace("\n3\n", "\n4\n"), [LOG.verifier()])


def test_signed_note_that_is_not_a_checkpoint() -> None:
    signed = LOG.sign("just a note\n")
    with pytest.raises(MalformedCheckpointError):
        open_checkpoint(signed, [LOG.verifier()])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "origin\n1\n",
        f"origin\n1\n{ROOT_B64}",  # no final newline
        f"\n1\n{ROOT_B64}\n",  # empty origin
        f"origin\n01\n{ROOT_B64}\n",
        f"origin\n-1\n{ROOT_B64}\n",
        f"origin\n+1\n{ROOT_B64}\n",
        f"origin\n 1\n{ROOT_B64}\n",
        f"origin\n1 \n{ROOT_B64}\n",
        f"origin\n\u0661\n{ROOT_B64}\n",  # Arabic-Indic one
        f"origin\n18446744073709551616\n{ROOT_B64}\n",  # 2**64
        f"origin\n{'9' * 5000}\n{ROOT_B64}\n",
        f"origin\n1\n{ROOT_B64[:-1]}\n",
        f"origin\n1\n{ROOT_B64[:-2]}9=\n",  # non-zero padding bits
        "origin\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n",  # 31 bytes
        f"origin\n1\n{ROOT_B64}\n\n",  # empty extension line
        f"origin\n1\n{ROOT_B64}\next\n\nmore\n",
        f"origin\r\n1\n{ROOT_B64}\n",
        f"ori\tgin\n1\n{ROOT_B64}\n",
        f"origin\n1\n{ROOT_B64}\next\x00\n",
        f"\ud800\n1\n{ROOT_B64}\n",
    ],
)
def test_malformed_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(MalformedCheckpointError):
        Checkpoint.parse(text)


def test_largest_size_and_bytes_input() -> None:
    text = f"o\n18446744073709551615\n{ROOT_B64}\n"
    assert Checkpoint.parse(text).size == 2**64 - 1
    with pytest.raises(MalformedCheckpointError, match="UTF-8"):
        Checkpoint.parse(b"o\xff\n1\n" + ROOT_B64.encode() + b"\n")
    with pytest.raises(MalformedCheckpointError):
        Checkpoint.parse(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"origin": ""},
        {"origin": "two\nlines"},
        {"size": -1},
        {"size": 2**64},
        {"size": True},
        {"root_hash": b"short"},
        {"extensions": ("",)},
        {"extensions": ("a\nb",)},
    ],
)
def test_constructor_validates(kwargs: dict[str, object]) -> None:
    fields: dict[str, object] = {"origin": "o", "size": 1, "root_hash": ROOT, **kwargs}
    with pytest.raises(MalformedCheckpointError):
        Checkpoint(**fields)  # type: ignore[arg-type]


_line = st.text(alphabet=st.characters(exclude_categories=["Cs"], min_codepoint=0x20), min_size=1)


@settings(max_examples=100, deadline=None)
@given(_line, st.integers(0, 2**64 - 1), st.binary(min_size=32, max_size=32), st.lists(_line))
def test_round_trip(origin: str, size: int, root: bytes, extensions: list[str]) -> None:
    checkpoint = Checkpoint(origin, size, root, tuple(extensions))
    assert Checkpoint.parse(checkpoint.to_text()) == checkpoint


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.binary(max_size=200),
        st.from_regex(
            r"[a-z/.]{1,10}\n[0-9+-]{1,22}\n[A-Za-z0-9+/=]{40,46}\n(.*\n)*", fullmatch=True
        ),
    )
)
def test_parse_raises_only_invalid_input(text: str | bytes) -> None:
    """Hostile checkpoint bodies: parse canonically or raise InvalidInput."""
    try:
        checkpoint = Checkpoint.parse(text)
    except InvalidInput:
        return
    expected = text.decode() if isinstance(text, bytes) else text
    assert checkpoint.to_text() == expected
