"""C2SP tlog-checkpoint: the signed tree head of a log as a signed-note text.

::

    gov.example.cn/filings          origin (the log's identity)
    20852163                        tree size, decimal, no leading zeros
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=   root hash, base64
    optional extension lines (non-empty)

Both logs publish their checkpoints this way, signed with Ed25519 (SYS-3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from certgov.tlog import _base64
from certgov.tlog.errors import MalformedCheckpointError, OriginMismatchError
from certgov.tlog.merkle import HASH_SIZE
from certgov.tlog.note import Signer, Verifier, open_note, sign_note

__all__ = ["Checkpoint", "open_checkpoint", "sign_checkpoint"]

_SIZE_RE = re.compile(r"0|[1-9][0-9]{0,19}")
_SIZE_LIMIT = 1 << 64
_FORBIDDEN_IN_LINE = re.compile(r"[\x00-\x1f]")


def _check_line(what: str, line: str) -> None:
    if not isinstance(line, str) or not line:
        raise MalformedCheckpointError(f"checkpoint {what} must be non-empty text")
    match = _FORBIDDEN_IN_LINE.search(line)
    if match:
        raise MalformedCheckpointError(
            f"checkpoint {what} contains control character {match.group()!r}"
        )
    try:
        line.encode("utf-8")
    except UnicodeEncodeError as error:
        raise MalformedCheckpointError(f"checkpoint {what} is not valid UTF-8 text") from error


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: ``origin``, ``size`` leaves, ``root_hash`` (32 bytes), extensions."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line("origin", self.origin)
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise MalformedCheckpointError(f"tree size must be an int, got {self.size!r}")
        if not 0 <= self.size < _SIZE_LIMIT:
            raise MalformedCheckpointError(f"tree size must be in 0..2**64-1, got {self.size}")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise MalformedCheckpointError(
                f"root hash must be {HASH_SIZE} bytes, got {len(self.root_hash)}"
            )
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for number, line in enumerate(self.extensions, 1):
            _check_line(f"extension line {number}", line)

    def to_text(self) -> str:
        """The note text: origin, size, base64 root and extension lines, each ending in \\n."""
        lines = [self.origin, str(self.size), _base64.encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str | bytes) -> Checkpoint:
        """The checkpoint a note text states (C2SP tlog-checkpoint "Note text").

        Requires at least three non-empty newline-terminated lines: a non-empty origin, a
        decimal size without leading zeros (below 2**64), a canonical base64 32-byte root, then
        non-empty extension lines. Raises :class:`MalformedCheckpointError` otherwise, whatever
        the input.
        """
        if isinstance(text, bytes | bytearray | memoryview):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as error:
                raise MalformedCheckpointError("checkpoint is not valid UTF-8") from error
        if not isinstance(text, str):
            raise MalformedCheckpointError(
                f"checkpoint must be str or bytes, got {type(text).__name__}"
            )
        if not text.endswith("\n"):
            raise MalformedCheckpointError("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedCheckpointError(
                f"checkpoint has {len(lines)} lines, expected origin, size and root hash"
            )
        origin, size_text, root_text, *extensions = lines
        _check_line("origin", origin)
        if not _SIZE_RE.fullmatch(size_text):
            raise MalformedCheckpointError(
                f"tree size {size_text[:40]!r} is not a decimal number without leading zeros"
            )
        try:
            root_hash = _base64.decode(root_text)
        except ValueError as error:
            raise MalformedCheckpointError(
                f"root hash {root_text[:60]!r} is not canonical base64"
            ) from error
        return cls(origin, int(size_text), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signers: Sequence[Signer]) -> str:
    """The signed note of a checkpoint. The log's key name SHOULD be the origin (C2SP)."""
    return sign_note(checkpoint.to_text(), signers)


def open_checkpoint(
    signed: str | bytes,
    verifiers: Iterable[Verifier],
    *,
    origin: str | None = None,
) -> tuple[Checkpoint, list[str]]:
    """Verify a signed checkpoint (see :func:`~certgov.tlog.note.open_note`) and parse it.

    With ``origin``, also require the checkpoint to be of that log
    (:class:`OriginMismatchError`). Returns the checkpoint and the names that signed it.
    """
    opened = open_note(signed, verifiers)
    checkpoint = Checkpoint.parse(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise OriginMismatchError(
            f"checkpoint is of log {checkpoint.origin!r}, expected {origin!r}",
            details={"expected": origin, "got": checkpoint.origin},
        )
    return checkpoint, opened.verified_by
