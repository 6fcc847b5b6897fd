"""Errors of the transparency-log library.

All are :class:`certgov.errors.InvalidInput`: a proof, tile, note or checkpoint that fails to
parse or verify is bad input from whoever supplied it, never a fault of certgov. Each error
carries the expected and the found values (``details``) so a monitor can report them.
"""

from __future__ import annotations

from certgov.errors import InvalidInput


class RootMismatchError(InvalidInput):
    """A root hash recomputed from a proof differs from the trusted one."""

    code = "tlog_root_mismatch"

    def __init__(self, expected_root: bytes, calculated_root: bytes, *, what: str = "root") -> None:
        self.expected_root = expected_root
        self.calculated_root = calculated_root
        super().__init__(
            f"{what} mismatch: expected {expected_root.hex()}, "
            f"calculated {calculated_root.hex()} from the proof",
            hint="the proof, the leaf or the root is wrong; fetch them again from the log",
            details={"expected": expected_root.hex(), "calculated": calculated_root.hex()},
        )


class ProofLengthError(InvalidInput):
    """A proof has the wrong number of hashes for its index and tree sizes."""

    code = "tlog_proof_length"

    def __init__(self, expected: int, got: int) -> None:
        self.expected = expected
        self.got = got
        super().__init__(
            f"proof has {got} hashes, expected {expected} for these sizes",
            details={"expected": expected, "got": got},
        )


class HashLengthError(InvalidInput):
    """A hash (leaf hash, proof element, tile hash) is not 32 bytes."""

    code = "tlog_hash_length"

    def __init__(self, what: str, length: int) -> None:
        self.what = what
        self.length = length
        super().__init__(
            f"{what} is {length} bytes, expected a 32-byte SHA-256 hash",
            details={"what": what, "expected": 32, "got": length},
        )


class IndexOutOfRangeError(InvalidInput):
    """A leaf or node index lies outside the tree (or the tree sizes are impossible)."""

    code = "tlog_index_out_of_range"

    def __init__(self, message: str, *, index: int, size: int) -> None:
        self.index = index
        self.size = size
        super().__init__(message, details={"index": index, "size": size})


class TreeSizeError(InvalidInput):
    """Two tree sizes do not admit a consistency proof (old > new, or old = 0 < new)."""

    code = "tlog_tree_size"

    def __init__(self, message: str, *, old_size: int, new_size: int) -> None:
        self.old_size = old_size
        self.new_size = new_size
        super().__init__(message, details={"old_size": old_size, "new_size": new_size})


class MalformedTileError(InvalidInput):
    """A tile path, tile body or entry bundle does not follow C2SP tlog-tiles."""

    code = "tlog_malformed_tile"


class MalformedNoteError(InvalidInput):
    """A signed note, a key string or a checkpoint does not follow C2SP signed-note."""

    code = "tlog_malformed_note"


class MalformedCheckpointError(MalformedNoteError):
    """A note text is not a C2SP tlog-checkpoint body."""

    code = "tlog_malformed_checkpoint"


class SignatureError(InvalidInput):
    """A signature by a trusted key does not verify: the note was altered or forged."""

    code = "tlog_bad_signature"


class UntrustedNoteError(InvalidInput):
    """No signature of a trusted key is on the note."""

    code = "tlog_untrusted_note"


class OriginMismatchError(InvalidInput):
    """A checkpoint names another log than the one expected."""

    code = "tlog_origin_mismatch"
