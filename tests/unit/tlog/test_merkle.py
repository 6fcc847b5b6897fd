"""RFC 9162 §2.1 Merkle hashing and proofs: official vectors and a naive oracle (SYS-3).

The oracle below transcribes the recursive definitions of RFC 9162 §2.1.1 (MTH), §2.1.3.1
(PATH) and §2.1.4.1 (PROOF/SUBPROOF) over raw entries, using hashlib only, so it shares no
code with :mod:`certgov.tlog.merkle`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.errors import InvalidInput
from certgov.tlog.errors import (
    HashLengthError,
    IndexOutOfRangeError,
    ProofLengthError,
    RootMismatchError,
    TreeSizeError,
)
from certgov.tlog.merkle import (
    EMPTY_ROOT,
    MemoryHashReader,
    consistency_proof,
    inclusion_proof,
    inclusion_proofs,
    leaf_hash,
    node_hash,
    root_at,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

REPO = Path(__file__).resolve().parents[3]
MERKLE_VECTORS = REPO.parent / "shared" / "testdata" / "merkle"

MAX_SIZE = 600
PROPERTY = settings(max_examples=150, deadline=None)


# --- the naive oracle: RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1 read literally ---------------------


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(entries: list[bytes]) -> bytes:
    n = len(entries)
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return _sha256(b"\x00" + entries[0])
    k = _split(n)
    return _sha256(b"\x01" + naive_mth(entries[:k]) + naive_mth(entries[k:]))


def naive_path(m: int, entries: list[bytes]) -> list[bytes]:
    n = len(entries)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*naive_path(m, entries[:k]), naive_mth(entries[k:])]
    return [*naive_path(m - k, entries[k:]), naive_mth(entries[:k])]


def naive_subproof(m: int, entries: list[bytes], complete: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if complete else [naive_mth(entries)]
    k = _split(n)
    if m <= k:
        return [*naive_subproof(m, entries[:k], complete), naive_mth(entries[k:])]
    return [*naive_subproof(m - k, entries[k:], False), naive_mth(entries[:k])]


def naive_proof(m: int, entries: list[bytes]) -> list[bytes]:
    return naive_subproof(m, entries, True)


# --- shared trees ---------------------------------------------------------------------------------

ENTRIES = [b"entry %d" % i for i in range(MAX_SIZE)]


@cache
def big_reader() -> MemoryHashReader:
    """One tree of MAX_SIZE leaves serves every smaller size: complete subtrees never change."""
    return MemoryHashReader.from_entries(ENTRIES)


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, MAX_SIZE))
    return size, draw(st.integers(0, size - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    new = draw(st.integers(1, MAX_SIZE))
    return draw(st.integers(1, new)), new


# --- official vectors -----------------------------------------------------------------------------


def _vector_params(kind: str) -> list[Any]:
    folder = MERKLE_VECTORS / kind
    if not folder.is_dir():
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason=f"RFC 9162 vectors not found at {folder} (shared/testdata absent)"
                ),
            )
        ]
    return [
        pytest.param(path, id=path.relative_to(folder).as_posix())
        for path in sorted(folder.rglob("*.json"))
    ]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    data["proof"] = [_b64(item) for item in data.get("proof") or []]
    return data


@pytest.mark.parametrize("path", _vector_params("inclusion"))
def test_inclusion_vector(path: Path) -> None:
    """SYS-3: every official inclusion vector verifies, every corrupted one fails."""
    vector = _load(path)

    def verify() -> None:
        verify_inclusion(
            _b64(vector["leafHash"]),
            vector["leafIdx"],
            vector["treeSize"],
            vector["proof"],
            _b64(vector["root"]),
        )

    if vector["wantErr"]:
        with pytest.raises(InvalidInput):
            verify()
    else:
        verify()


@pytest.mark.parametrize("path", _vector_params("consistency"))
def test_consistency_vector(path: Path) -> None:
    """SYS-3: every official consistency vector verifies, every corrupted one fails."""
    vector = _load(path)

    def verify() -> None:
        verify_consistency(
            vector["size1"],
            vector["size2"],
            _b64(vector["root1"]),
            _b64(vector["root2"]),
            vector["proof"],
        )

    if vector["wantErr"]:
        with pytest.raises(InvalidInput):
            verify()
    else:
        verify()


def test_vector_folders_hold_both_kinds() -> None:
    """The vectors are really read: valid and corrupted ones of both kinds are present."""
    if not MERKLE_VECTORS.is_dir():
        pytest.skip(f"RFC 9162 vectors not found at {MERKLE_VECTORS}")
    wanted = [json.loads(p.read_text())["wantErr"] for p in MERKLE_VECTORS.rglob("*.json")]
    assert wanted.count(False) >= 10
    assert wanted.count(True) >= 150


# The leaves of the RFC 6962 reference tests (the transparency-dev vectors are built on them).
RFC6962_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]


def _happy_vectors(kind: str) -> list[dict[str, Any]]:
    folder = MERKLE_VECTORS / kind
    if not folder.is_dir():
        pytest.skip(f"RFC 9162 vectors not found at {folder} (shared/testdata absent)")
    vectors = [_load(path) for path in sorted(folder.rglob("*.json"))]
    return [vector for vector in vectors if not vector["wantErr"]]


def test_generated_proofs_equal_vector_proofs() -> None:
    """Our PATH and PROOF reproduce the vectors' happy paths built on the RFC 6962 leaves."""
    reader = MemoryHashReader.from_entries(RFC6962_LEAVES)
    checked = 0
    for vector in _happy_vectors("inclusion"):
        index, size = vector["leafIdx"], vector["treeSize"]
        if size <= len(RFC6962_LEAVES) and _b64(vector["leafHash"]) == leaf_hash(
            RFC6962_LEAVES[index]
        ):
            assert inclusion_proof(index, size, reader) == vector["proof"]
            assert root_at(size, reader) == _b64(vector["root"])
            checked += 1
    for vector in _happy_vectors("consistency"):
        old, new = vector["size1"], vector["size2"]
        if new <= len(RFC6962_LEAVES) and root_at(new, reader) == _b64(vector["root2"]):
            assert consistency_proof(old, new, reader) == vector["proof"]
            assert root_at(old, reader) == _b64(vector["root1"])
            checked += 1
    assert checked >= 8


# --- hashing and roots ----------------------------------------------------------------------------


def test_hashes_follow_rfc_9162_prefixes() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"") == _sha256(b"\x00")
    assert node_hash(b"L" * 32, b"R" * 32) == _sha256(b"\x01" + b"L" * 32 + b"R" * 32)
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert root_at(0, MemoryHashReader()) == EMPTY_ROOT


def test_known_root_of_rfc6962_tree() -> None:
    """Root of the 8 RFC 6962 test leaves, as published with the reference implementation."""
    reader = MemoryHashReader.from_entries(RFC6962_LEAVES)
    expected = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert reader.root().hex() == expected


@PROPERTY
@given(st.integers(0, MAX_SIZE))
def test_roots_equal_naive_mth(size: int) -> None:
    """MTH of RFC 9162 §2.1.1: the one-pass fold and the reader-based root equal the oracle."""
    expected = naive_mth(ENTRIES[:size])
    assert root_from_leaf_hashes([leaf_hash(entry) for entry in ENTRIES[:size]]) == expected
    assert root_at(size, big_reader()) == expected


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=40))
def test_roots_of_arbitrary_entries_equal_naive_mth(entries: list[bytes]) -> None:
    assert MemoryHashReader.from_entries(entries).root() == naive_mth(entries)


def _bit_flipper(bit: int) -> Callable[[bytes], bytes]:
    def flip(value: bytes) -> bytes:
        return (int.from_bytes(value, "big") ^ (1 << bit)).to_bytes(32, "big")

    return flip


# --- inclusion ------------------------------------------------------------------------------------


@PROPERTY
@given(size_and_index())
def test_inclusion_proofs_equal_naive_path_and_verify(case: tuple[int, int]) -> None:
    """SYS-3: PATH(m, D[n]) equals the oracle and verifies per RFC 9162 §2.1.3.2."""
    size, index = case
    proof = inclusion_proof(index, size, big_reader())
    assert proof == naive_path(index, ENTRIES[:size])
    root = naive_mth(ENTRIES[:size])
    verify_inclusion(leaf_hash(ENTRIES[index]), index, size, proof, root)
    assert root_from_inclusion_proof(leaf_hash(ENTRIES[index]), index, size, proof) == root


@PROPERTY
@given(size_and_index(), st.integers(min_value=1, max_value=40))
def test_batched_inclusion_proofs_equal_single_ones(case: tuple[int, int], count: int) -> None:
    """The batch a filing's receipt uses gives each leaf the same PATH as one at a time."""
    size, first = case
    indices = list(range(first, min(size, first + count)))
    reader = big_reader()
    assert inclusion_proofs(indices, size, reader) == [
        inclusion_proof(index, size, reader) for index in indices
    ]


def test_batched_inclusion_proofs_refuse_an_index_outside_the_tree() -> None:
    with pytest.raises(IndexOutOfRangeError):
        inclusion_proofs([0, 5], 5, big_reader())


@PROPERTY
@given(size_and_index(), st.data())
def test_corrupted_inclusion_proofs_fail(case: tuple[int, int], data: st.DataObject) -> None:
    """Flipping any bit of the proof, the leaf or the root, or another index, fails."""
    size, index = case
    reader = big_reader()
    proof = inclusion_proof(index, size, reader)
    root = root_at(size, reader)
    leaf = leaf_hash(ENTRIES[index])
    flip = _bit_flipper(data.draw(st.integers(0, 255)))
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        bad_proof = [flip(node) if i == position else node for i, node in enumerate(proof)]
        with pytest.raises(RootMismatchError):
            verify_inclusion(leaf, index, size, bad_proof, root)
    with pytest.raises(RootMismatchError):
        verify_inclusion(flip(leaf), index, size, proof, root)
    with pytest.raises(RootMismatchError):
        verify_inclusion(leaf, index, size, proof, flip(root))
    other = data.draw(st.integers(0, size - 1))
    if other != index:
        with pytest.raises(InvalidInput):
            verify_inclusion(leaf, other, size, proof, root)
    with pytest.raises(ProofLengthError):
        verify_inclusion(leaf, index, size, [*proof, proof[0] if proof else leaf], root)


def test_inclusion_preconditions() -> None:
    reader = big_reader()
    for index, size in [(-1, 5), (5, 5), (0, 0), (7, 3)]:
        with pytest.raises(IndexOutOfRangeError, match=r"requires 0 <= index < size"):
            inclusion_proof(index, size, reader)
        with pytest.raises(IndexOutOfRangeError):
            verify_inclusion(leaf_hash(b""), index, size, [], EMPTY_ROOT)
    with pytest.raises(IndexOutOfRangeError):
        inclusion_proof(0, MAX_SIZE + 1, reader)  # the reader's tree is too small
    with pytest.raises(HashLengthError, match="proof\\[0\\] is 31 bytes"):
        verify_inclusion(leaf_hash(b""), 0, 2, [b"x" * 31], EMPTY_ROOT)
    with pytest.raises(HashLengthError, match="leaf hash"):
        verify_inclusion(b"", 0, 1, [], EMPTY_ROOT)


def test_root_mismatch_names_both_roots_in_hex() -> None:
    reader = big_reader()
    proof = inclusion_proof(3, 10, reader)
    wrong = b"\xab" * 32
    with pytest.raises(RootMismatchError) as caught:
        verify_inclusion(leaf_hash(ENTRIES[3]), 3, 10, proof, wrong)
    calculated = root_at(10, reader)
    assert caught.value.expected_root == wrong
    assert caught.value.calculated_root == calculated
    assert wrong.hex() in str(caught.value)
    assert calculated.hex() in str(caught.value)
    assert caught.value.as_dict()["details"]["expected"] == wrong.hex()


def test_proof_length_error_carries_expected_and_got() -> None:
    proof = inclusion_proof(0, 8, big_reader())
    with pytest.raises(ProofLengthError) as caught:
        verify_inclusion(leaf_hash(ENTRIES[0]), 0, 8, proof[:2], root_at(8, big_reader()))
    assert (caught.value.expected, caught.value.got) == (3, 2)
    assert "expected 3" in str(caught.value)


# --- consistency ----------------------------------------------------------------------------------


@PROPERTY
@given(two_sizes())
def test_consistency_proofs_equal_naive_proof_and_verify(sizes: tuple[int, int]) -> None:
    """SYS-3: PROOF(m, D[n]) equals the oracle and verifies per RFC 9162 §2.1.4.2."""
    old, new = sizes
    proof = consistency_proof(old, new, big_reader())
    expected = naive_proof(old, ENTRIES[:new]) if old < new else []
    assert proof == expected
    verify_consistency(old, new, naive_mth(ENTRIES[:old]), naive_mth(ENTRIES[:new]), proof)


@PROPERTY
@given(two_sizes(), st.data())
def test_corrupted_consistency_proofs_fail(sizes: tuple[int, int], data: st.DataObject) -> None:
    """Any flipped bit in the proof or either root, or swapped sizes, fails."""
    old, new = sizes
    reader = big_reader()
    proof = consistency_proof(old, new, reader)
    old_root, new_root = root_at(old, reader), root_at(new, reader)
    flip = _bit_flipper(data.draw(st.integers(0, 255)))
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        bad_proof = [flip(node) if i == position else node for i, node in enumerate(proof)]
        with pytest.raises(RootMismatchError):
            verify_consistency(old, new, old_root, new_root, bad_proof)
        with pytest.raises(ProofLengthError):
            verify_consistency(old, new, old_root, new_root, proof[:-1])
    with pytest.raises(RootMismatchError):
        verify_consistency(old, new, flip(old_root), new_root, proof)
    with pytest.raises(RootMismatchError):
        verify_consistency(old, new, old_root, flip(new_root), proof)
    if old < new:
        with pytest.raises(TreeSizeError):
            verify_consistency(new, old, new_root, old_root, proof)


def test_consistency_preconditions() -> None:
    reader = big_reader()
    assert consistency_proof(0, 0, reader) == []
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    for old, new in [(5, 3), (-1, 3), (0, 3)]:
        with pytest.raises(TreeSizeError):
            consistency_proof(old, new, reader)
        with pytest.raises(TreeSizeError):
            verify_consistency(old, new, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(RootMismatchError, match="empty tree root"):
        verify_consistency(0, 0, b"x" * 32, b"x" * 32, [])
    with pytest.raises(ProofLengthError):
        verify_consistency(4, 4, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])


# --- MemoryHashReader -----------------------------------------------------------------------------


def test_memory_reader_grows_and_rejects_incomplete_nodes() -> None:
    reader = MemoryHashReader()
    assert reader.size == 0
    for index, entry in enumerate(ENTRIES[:5]):
        assert reader.append(leaf_hash(entry)) == index
    assert reader.size == 5
    assert reader.hash_at(2, 0) == naive_mth(ENTRIES[:4])
    for level, index in [(2, 1), (3, 0), (0, 5), (-1, 0), (0, -1)]:
        with pytest.raises(IndexOutOfRangeError):
            reader.hash_at(level, index)
    with pytest.raises(HashLengthError):
        reader.append(b"short")
