"""Merkle tree hashing, inclusion and consistency proofs of RFC 9162 §2.1 (= RFC 6962 §2.1).

A log of ``size`` entries is the Merkle tree of RFC 9162 §2.1.1 over their leaf hashes. Proofs
are built from a :class:`HashReader`, which answers the root of any *perfect* subtree (2**level
leaves starting at a multiple of 2**level). Every other subtree the RFC needs is a right-leaning
chain of perfect subtrees, so a proof needs O(log size) reads and hashes, whatever the storage
(all leaf hashes in memory, or C2SP tiles, see :mod:`certgov.tlog.tiles`).

Proofs are lists of 32-byte hashes ordered from the leaf upwards, exactly as in RFC 9162 (and
in the transparency-dev test vectors). Verification raises a subclass of
:class:`certgov.errors.InvalidInput` and returns nothing on success (SYS-3).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

from certgov.tlog.errors import (
    HashLengthError,
    IndexOutOfRangeError,
    ProofLengthError,
    RootMismatchError,
    TreeSizeError,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "HashReader",
    "MemoryHashReader",
    "consistency_proof",
    "hash_pairs",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_at",
    "root_from_inclusion_proof",
    "root_from_leaf_hashes",
    "verify_consistency",
    "verify_inclusion",
]

#: Size in bytes of every hash in the tree (SHA-256).
HASH_SIZE = 32

#: MTH({}) of RFC 9162 §2.1.1: the root of the empty tree, SHA-256 of no bytes.
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """Hash of one entry, ``SHA-256(0x00 || data)`` (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node, ``SHA-256(0x01 || left || right)`` (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def hash_pairs(row: Sequence[bytes]) -> list[bytes]:
    """The parents of consecutive pairs of nodes, one level up; an unpaired last node is dropped.

    The inner loop of hashing tiles and perfect subtrees, with hashlib bound once: about a
    quarter faster than calling :func:`node_hash` per pair.
    """
    sha256 = hashlib.sha256
    pairs = iter(row)
    # strict=False: the same iterator twice yields the pairs and drops an unpaired last node.
    return [
        sha256(_NODE_PREFIX + left + right).digest()
        for left, right in zip(pairs, pairs, strict=False)
    ]


class HashReader(Protocol):
    """Source of the roots of perfect subtrees of one tree."""

    def hash_at(self, level: int, index: int) -> bytes:
        """Root of the perfect subtree of 2**level leaves starting at leaf ``index * 2**level``.

        Level 0 is the leaf hashes. Requires the subtree to be complete in the tree the reader
        stands for; otherwise an implementation raises a
        :class:`certgov.errors.InvalidInput` (usually :class:`IndexOutOfRangeError`).
        """
        ...


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 §2.1.1 from the leaf hashes, in one pass and O(log n) memory.

    Works like a binary counter: ``pending`` holds the roots of the perfect subtrees found so
    far, largest first; the leftover ones are folded right to left, which is exactly how the
    RFC splits an unbalanced tree at the largest power of two below its size. Requires every
    hash to be 32 bytes (not checked: this is the fast path for the log's own data).
    """
    pending: list[bytes] = []
    for count, node in enumerate(hashes):
        while count & 1:
            node = node_hash(pending.pop(), node)
            count >>= 1
        pending.append(node)
    if not pending:
        return EMPTY_ROOT
    root = pending.pop()
    while pending:
        root = node_hash(pending.pop(), root)
    return root


def _largest_power_of_two_below(n: int) -> int:
    """The ``k`` of RFC 9162 §2.1.1: largest power of two smaller than ``n``. Requires n > 1."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree_root(start: int, end: int, reader: HashReader) -> bytes:
    """MTH(D[start:end]) from perfect-subtree roots.

    The RFC splits ``end - start`` leaves at the largest power of two below it, recursively on
    the right, so the subtree is the right fold of the perfect subtrees given by the binary
    digits of its size, largest first. Requires ``start`` to be a multiple of the largest power
    of two not above ``end - start`` (true of every subtree the RFC's recursion visits).
    """
    length = end - start
    if length == 0:
        return EMPTY_ROOT
    parts: list[bytes] = []
    position = start
    for level in reversed(range(length.bit_length())):
        if length >> level & 1:
            parts.append(reader.hash_at(level, position >> level))
            position += 1 << level
    root = parts.pop()
    while parts:
        root = node_hash(parts.pop(), root)
    return root


def root_at(size: int, reader: HashReader) -> bytes:
    """MTH(D[size]) (RFC 9162 §2.1.1) from at most log2(size) + 1 reads.

    Requires ``size >= 0`` and the reader to hold a tree of at least ``size`` leaves.
    """
    if size < 0:
        raise IndexOutOfRangeError(f"tree size must be >= 0, got {size}", index=size, size=size)
    return _subtree_root(0, size, reader)


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose roots form PATH(index, D[size]) (RFC 9162 §2.1.3.1), leaf upwards.

    Unrolls the RFC's recursion top-down: while the current subtree is not perfect, the sibling
    is either the (possibly imperfect) right part or the perfect left part; once it is perfect,
    the siblings are the perfect subtrees next to the leaf's ancestors. Requires
    0 <= index < size.
    """
    top_down: list[tuple[int, int]] = []
    low, width = 0, size
    while width & (width - 1):  # not a power of two
        half = _largest_power_of_two_below(width)
        if index < low + half:
            top_down.append((low + half, low + width))
            width = half
        else:
            top_down.append((low, low + half))
            low += half
            width -= half
    bottom_up = []
    for level in range(width.bit_length() - 1):
        sibling = (index >> level) ^ 1
        bottom_up.append((sibling << level, (sibling + 1) << level))
    return bottom_up + top_down[::-1]


def _consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose roots form PROOF(old_size, D[new_size]) (RFC 9162 §2.1.4.1).

    Unrolls SUBPROOF(m, D[n], b) top-down; ``known`` is the flag b (the old tree's root is a
    node of this subtree the verifier already holds). Requires 0 < old_size <= new_size.
    """
    top_down: list[tuple[int, int]] = []
    low, old, new, known = 0, old_size, new_size, True
    while old != new:
        half = _largest_power_of_two_below(new)
        if old <= half:
            top_down.append((low + half, low + new))
            new = half
        else:
            top_down.append((low, low + half))
            low += half
            old -= half
            new -= half
            known = False
    if not known:
        top_down.append((low, low + old))
    return top_down[::-1]


def _check_index(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise IndexOutOfRangeError(
            f"leaf index {index} is outside a tree of size {size} (requires 0 <= index < size)",
            index=index,
            size=size,
        )


def _check_sizes(old_size: int, new_size: int) -> None:
    if not 0 <= old_size <= new_size:
        raise TreeSizeError(
            f"old tree size {old_size} and new tree size {new_size}: requires "
            "0 <= old_size <= new_size",
            old_size=old_size,
            new_size=new_size,
        )
    if old_size == 0 and new_size > 0:
        raise TreeSizeError(
            "RFC 9162 §2.1.4 defines no consistency proof from the empty tree "
            f"to a tree of size {new_size}; every tree extends the empty tree",
            old_size=old_size,
            new_size=new_size,
        )


def inclusion_proof(index: int, size: int, reader: HashReader) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1, from at most 2*log2(size) reads.

    Requires 0 <= index < size and the reader to hold a tree of at least ``size`` leaves.
    """
    _check_index(index, size)
    return [_subtree_root(start, end, reader) for start, end in _inclusion_ranges(index, size)]


def inclusion_proofs(indices: Iterable[int], size: int, reader: HashReader) -> list[list[bytes]]:
    """PATH(index, D[size]) for each of ``indices``: neighbouring leaves share most of their
    proof nodes, so each subtree root is computed once for the whole batch (a batch of
    consecutive leaves costs about two reads per leaf instead of 2*log2(size))."""
    roots: dict[tuple[int, int], bytes] = {}
    proofs = []
    for index in indices:
        _check_index(index, size)
        proof = []
        for span in _inclusion_ranges(index, size):
            node = roots.get(span)
            if node is None:
                node = roots[span] = _subtree_root(span[0], span[1], reader)
            proof.append(node)
        proofs.append(proof)
    return proofs


def consistency_proof(old_size: int, new_size: int, reader: HashReader) -> list[bytes]:
    """PROOF(old_size, D[new_size]) of RFC 9162 §2.1.4.1, from at most 2*log2(size) reads.

    Requires 0 < old_size <= new_size (the proof is empty when they are equal), or both 0,
    and the reader to hold a tree of at least ``new_size`` leaves.
    """
    _check_sizes(old_size, new_size)
    if old_size == new_size:
        return []
    ranges = _consistency_ranges(old_size, new_size)
    return [_subtree_root(start, end, reader) for start, end in ranges]


def _check_hash(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise HashLengthError(what, len(value))


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """The root an inclusion proof leads to, by the algorithm of RFC 9162 §2.1.3.2.

    Requires 0 <= index < size, a 32-byte leaf hash and proof hashes, and a proof of exactly
    the length PATH(index, D[size]) has; raises :class:`IndexOutOfRangeError`,
    :class:`HashLengthError` or :class:`ProofLengthError` otherwise.
    """
    _check_index(index, size)
    _check_hash("leaf hash", leaf_hash)
    for position, node in enumerate(proof):
        _check_hash(f"proof[{position}]", node)
    expected_length = len(_inclusion_ranges(index, size))
    if len(proof) != expected_length:
        raise ProofLengthError(expected_length, len(proof))

    # RFC 9162 §2.1.3.2 steps 2-5; fn is the node's index, sn the last index at its level.
    fn, sn, root = index, size - 1, leaf_hash
    for node in proof:
        if sn == 0:
            raise ProofLengthError(expected_length, len(proof))
        if fn & 1 or fn == sn:
            root = node_hash(node, root)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            root = node_hash(root, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofLengthError(expected_length, len(proof))
    return root


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` leaves with ``root``.

    RFC 9162 §2.1.3.2. Requires 0 <= index < size. Raises :class:`RootMismatchError` (with
    both roots) when the proof leads elsewhere, and the errors of
    :func:`root_from_inclusion_proof` on malformed input.
    """
    calculated = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if calculated != root:
        raise RootMismatchError(root, calculated)


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Check that the tree ``new_root`` of ``new_size`` leaves extends ``old_root``.

    RFC 9162 §2.1.4.2. Requires 0 < old_size <= new_size, or both 0. Equal sizes need an
    empty proof and equal roots (and the empty tree's root is :data:`EMPTY_ROOT`). Raises
    :class:`TreeSizeError`, :class:`HashLengthError`, :class:`ProofLengthError` or
    :class:`RootMismatchError` (naming the expected and the calculated root).
    """
    _check_sizes(old_size, new_size)
    if old_size == new_size:
        if proof:
            raise ProofLengthError(0, len(proof))
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise RootMismatchError(EMPTY_ROOT, old_root, what="empty tree root")
        if new_root != old_root:
            raise RootMismatchError(old_root, new_root, what="root of the same tree size")
        return
    for position, node in enumerate(proof):
        _check_hash(f"proof[{position}]", node)
    expected_length = len(_consistency_ranges(old_size, new_size))
    if len(proof) != expected_length:
        raise ProofLengthError(expected_length, len(proof))

    # RFC 9162 §2.1.4.2 steps 2-8.
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    old_calculated = new_calculated = path[0]
    for node in path[1:]:
        if sn == 0:
            raise ProofLengthError(expected_length, len(proof))
        if fn & 1 or fn == sn:
            old_calculated = node_hash(node, old_calculated)
            new_calculated = node_hash(node, new_calculated)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            new_calculated = node_hash(new_calculated, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofLengthError(expected_length, len(proof))
    if old_calculated != old_root:
        raise RootMismatchError(old_root, old_calculated, what="old root")
    if new_calculated != new_root:
        raise RootMismatchError(new_root, new_calculated, what="new root")


class MemoryHashReader:
    """Every node of a tree kept in memory: for tests, tools and small logs.

    Holds all complete perfect-subtree roots, level by level: about 2 * size hashes at some 75
    bytes each in CPython, roughly 150 MB per million leaves. The production logs read tiles
    instead (:class:`certgov.tlog.tiles.TileHashReader`).
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for value in leaf_hashes:
            self.append(value)

    @classmethod
    def from_entries(cls, entries: Iterable[bytes]) -> MemoryHashReader:
        """A tree over the leaf hashes of raw entries."""
        return cls(leaf_hash(entry) for entry in entries)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0])

    def append(self, leaf_hash: bytes) -> int:
        """Add one leaf hash (32 bytes) and return its index; O(log size) hashing."""
        _check_hash("leaf hash", leaf_hash)
        levels = self._levels
        levels[0].append(leaf_hash)
        index = len(levels[0]) - 1
        level = 0
        while index & 1:
            row = levels[level]
            parent = node_hash(row[index - 1], row[index])
            level += 1
            if level == len(levels):
                levels.append([])
            levels[level].append(parent)
            index >>= 1
        return len(levels[0]) - 1

    def hash_at(self, level: int, index: int) -> bytes:
        """See :meth:`HashReader.hash_at`; raises :class:`IndexOutOfRangeError` if incomplete."""
        if level < 0 or index < 0 or level >= len(self._levels):
            raise IndexOutOfRangeError(
                f"no complete subtree at level {level}, index {index} in a tree of "
                f"size {self.size}",
                index=index,
                size=self.size,
            )
        row = self._levels[level]
        if index >= len(row):
            raise IndexOutOfRangeError(
                f"no complete subtree at level {level}, index {index} in a tree of "
                f"size {self.size}",
                index=index,
                size=self.size,
            )
        return row[index]

    def root(self) -> bytes:
        """MTH of the whole tree."""
        return root_at(self.size, self)
