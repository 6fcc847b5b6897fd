"""Log archives: a whole log exported in the C2SP tlog-tiles layout, built and verified offline.

An archive maps relative paths to file bytes, exactly as a tlog-tiles log serves them:

- ``checkpoint``: the signed checkpoint (C2SP signed-note, :mod:`certgov.tlog.checkpoint`);
- every Merkle tile of the checkpoint's tree size at ``tile/<L>/<N>[.p/<W>]``;
- every entry bundle at ``tile/entries/<N>[.p/<W>]``.

:func:`build_archive` exports an in-memory log; :func:`verify_archive` checks one against
trusted keys and says *where* it was altered (SYS-3). The signed checkpoint root is
the only trusted value; the entries and the stored tiles each lead to a root of their own, so
verification decides which side the checkpoint vouches for:

- the entries lead to the root: the entries are intact, and every stored tile hash must equal
  the one recomputed from them; the first that does not (lowest tile level first, then index
  order) is named;
- the tiles lead to the root: the tiles are vouched for from the top down (each full tile must
  hash to its hash one level up), and the first entry whose leaf hash differs from the vouched
  level-0 hash is named; when the entries and a level-0 tile were altered together, the range
  of entries under the first vouched hash they contradict is named instead;
- neither: the first disagreement between entries and tiles is named, as one that neither side
  can settle; if they agree everywhere, the checkpoint does not match the log.

Pure: files come from a ``read`` callable, and every hash is computed once (one pass over the
entries, the tiles recomputed with :func:`~certgov.tlog.tiles.extend_tiles`, the stored tiles
compared as bytes), so a log of a million entries verifies in a few seconds. Files the checkpoint
does not call for are not looked at. Every failure is an :class:`ArchiveError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from certgov.errors import InvalidInput
from certgov.tlog.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from certgov.tlog.merkle import HASH_SIZE, hash_pairs, leaf_hash, root_at
from certgov.tlog.note import Signer, Verifier
from certgov.tlog.tiles import (
    MAX_ENTRY_SIZE,
    TILE_HEIGHT,
    TILE_WIDTH,
    TileCoord,
    TileHashReader,
    decode_entry_bundle,
    encode_entry_bundle,
    entries_path,
    extend_tiles,
    tile_width_at,
    tiles_for_size,
)

__all__ = [
    "CHECKPOINT_PATH",
    "ArchiveError",
    "ArchiveReport",
    "build_archive",
    "verify_archive",
]

#: Path of the signed checkpoint in an archive (as in C2SP tlog-tiles).
CHECKPOINT_PATH = "checkpoint"

_CHECKPOINT_PLACE = "checkpoint"
_RESTORE_HINT = "restore the file from the log or from another copy of the archive"


class ArchiveError(InvalidInput):
    """An archive fails verification; ``place`` says where, the message says what is wrong.

    ``place`` is one of ``checkpoint``, ``entry bundle <path>``, ``entry <i> (<bundle path>,
    entry <j>)``, ``entries <i>..<k> (<bundle paths>)``, ``tile <path>`` and ``tile <path>
    hash <k>``. The message starts with the place. ``details`` always hold ``place``, hold
    ``path`` when one file is at fault, and the hashes involved as hex; a wrapped error's code
    is in ``details["cause"]``.
    """

    code = "tlog_archive"

    def __init__(
        self,
        place: str,
        message: str,
        *,
        path: str | None = None,
        hint: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.place = place
        self.path = path
        body: dict[str, Any] = {"place": place}
        if path is not None:
            body["path"] = path
        body.update(details or {})
        super().__init__(f"{place}: {message}", hint=hint, details=body)


@dataclass(frozen=True)
class ArchiveReport:
    """A verified archive: its checkpoint, the trusted keys that signed it, and file counts."""

    checkpoint: Checkpoint
    signed_by: list[str]
    entries: int
    tiles: int


def _never_read(coord: TileCoord) -> bytes:
    raise AssertionError(f"tile {coord.path()} of an empty tree was asked for")


def _tiles_and_root(
    size: int, leaf_hashes: Sequence[bytes]
) -> tuple[dict[TileCoord, bytes], bytes]:
    """Every tile body of the tree over ``leaf_hashes`` (of ``size`` leaves), and its root."""
    bodies = extend_tiles(0, leaf_hashes, _never_read)
    return bodies, root_at(size, TileHashReader(size, bodies.__getitem__))


def _bundle_count(size: int) -> int:
    return -(-size // TILE_WIDTH)


def _bundle_width(index: int, size: int) -> int:
    return min(TILE_WIDTH, size - index * TILE_WIDTH)


def build_archive(entries: Sequence[bytes], signer: Signer, origin: str) -> dict[str, bytes]:
    """The archive of a log holding ``entries``, its checkpoint signed by ``signer``.

    Keys are the archive paths (see the module docstring), values the file bytes; the
    checkpoint's origin line is ``origin``. Requires entries of at most 65,535 bytes (the
    entry bundle limit) and a valid origin; raises :class:`certgov.errors.InvalidInput`
    otherwise. Linear in the number of entries.
    """
    for index, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY_SIZE:
            raise InvalidInput(
                f"entry {index} is {len(entry)} bytes; an entry bundle entry is at most "
                f"{MAX_ENTRY_SIZE} bytes",
                hint="store large objects elsewhere and log their hash",
                details={"index": index, "length": len(entry), "limit": MAX_ENTRY_SIZE},
            )
    size = len(entries)
    tiles, root = _tiles_and_root(size, [leaf_hash(entry) for entry in entries])
    checkpoint = sign_checkpoint(Checkpoint(origin, size, root), [signer])
    archive = {CHECKPOINT_PATH: checkpoint.encode("utf-8")}
    for coord, body in tiles.items():
        archive[coord.path()] = body
    for index in range(_bundle_count(size)):
        first = index * TILE_WIDTH
        bundle = entries[first : first + TILE_WIDTH]
        archive[entries_path(index, len(bundle))] = encode_entry_bundle(bundle)
    return archive


# --- Reading --------------------------------------------------------------------------------


def _missing(place: str, path: str, size: int) -> ArchiveError:
    return ArchiveError(
        place,
        "the file is missing from the archive",
        path=path,
        hint=(
            f"an archive holds the checkpoint and every tile and entry bundle of its tree size "
            f"({size} entries); {_RESTORE_HINT}, or use the checkpoint the archive was made with"
        ),
    )


def _open(
    read: Callable[[str], bytes | None], verifiers: Sequence[Verifier], origin: str | None
) -> tuple[Checkpoint, list[str]]:
    data = read(CHECKPOINT_PATH)
    if data is None:
        raise ArchiveError(
            _CHECKPOINT_PLACE,
            "the signed checkpoint is missing from the archive",
            path=CHECKPOINT_PATH,
            hint="an archive starts with the log's signed checkpoint; export it again",
        )
    try:
        return open_checkpoint(data, verifiers, origin=origin)
    except InvalidInput as error:
        raise ArchiveError(
            _CHECKPOINT_PLACE,
            error.message,
            path=CHECKPOINT_PATH,
            hint=error.hint
            or "check the log's verifier key and origin, or fetch the checkpoint again",
            details={"cause": error.code, **error.details},
        ) from error


def _entry_place(index: int, size: int) -> str:
    bundle, position = divmod(index, TILE_WIDTH)
    return f"entry {index} ({entries_path(bundle, _bundle_width(bundle, size))}, entry {position})"


@dataclass(frozen=True)
class _ContentFailure:
    """The first entry ``check_entry`` rejected, kept until the archive is proven intact."""

    index: int
    error: InvalidInput


def _read_entries(
    read: Callable[[str], bytes | None],
    size: int,
    check_entry: Callable[[int, bytes], None] | None,
) -> tuple[list[bytes], _ContentFailure | None]:
    """Leaf hashes of every entry, and the first entry ``check_entry`` rejects (if any)."""
    leaf_hashes: list[bytes] = []
    failure: _ContentFailure | None = None
    for bundle in range(_bundle_count(size)):
        width = _bundle_width(bundle, size)
        path = entries_path(bundle, width)
        place = f"entry bundle {path}"
        data = read(path)
        if data is None:
            raise _missing(place, path, size)
        try:
            entries = decode_entry_bundle(data, width)
        except InvalidInput as error:
            raise ArchiveError(
                place,
                error.message,
                path=path,
                hint=f"an entry bundle of {width} entries is expected here; {_RESTORE_HINT}",
                details={"cause": error.code, "expected_entries": width},
            ) from error
        leaf_hashes.extend([leaf_hash(entry) for entry in entries])
        if check_entry is not None and failure is None:
            first = bundle * TILE_WIDTH
            for position, entry in enumerate(entries):
                try:
                    check_entry(first + position, entry)
                except InvalidInput as error:
                    failure = _ContentFailure(first + position, error)
                    break
    return leaf_hashes, failure


def _read_tiles(
    read: Callable[[str], bytes | None], size: int, expected: dict[TileCoord, bytes]
) -> dict[TileCoord, bytes]:
    """The stored tiles that differ from ``expected`` (all must exist with the right length)."""
    different: dict[TileCoord, bytes] = {}
    for coord in tiles_for_size(size):
        path = coord.path()
        place = f"tile {path}"
        data = read(path)
        if data is None:
            raise _missing(place, path, size)
        if len(data) != coord.byte_length:
            raise ArchiveError(
                place,
                f"tile is {len(data)} bytes, expected {coord.byte_length} "
                f"({coord.width} hashes of {HASH_SIZE} bytes)",
                path=path,
                hint=f"the tile is truncated or padded; {_RESTORE_HINT}",
                details={"expected_length": coord.byte_length, "length": len(data)},
            )
        if data != expected[coord]:
            different[coord] = bytes(data)
    return different


# --- Locating an alteration -----------------------------------------------------------------


def _hash(body: bytes, position: int) -> bytes:
    return body[position * HASH_SIZE : (position + 1) * HASH_SIZE]


def _differences(stored: bytes, computed: bytes) -> Iterator[int]:
    """Positions of the hashes in which two bodies of the same tile differ."""
    for position in range(len(stored) // HASH_SIZE):
        if _hash(stored, position) != _hash(computed, position):
            yield position


def _full_tile_root(body: bytes) -> bytes:
    """MTH of the 256 hashes of a full tile: the tile's hash one level up."""
    row = [_hash(body, position) for position in range(TILE_WIDTH)]
    while len(row) > 1:
        row = hash_pairs(row)
    return row[0]


class _Trees:
    """The tiles recomputed from the entries and the stored ones (kept as differences)."""

    def __init__(
        self,
        size: int,
        computed: dict[TileCoord, bytes],
        stored_differences: dict[TileCoord, bytes],
    ) -> None:
        self.size = size
        self.computed = computed
        self.stored_differences = stored_differences

    def coord(self, level: int, index: int) -> TileCoord:
        return TileCoord(level, index, tile_width_at(level, index, self.size))

    def stored(self, coord: TileCoord) -> bytes:
        return self.stored_differences.get(coord, self.computed[coord])

    def stored_root(self) -> bytes:
        return root_at(self.size, TileHashReader(self.size, self.stored))

    def first_difference(self) -> tuple[TileCoord, int] | None:
        """The first stored hash that differs from the recomputed one: lowest level first."""
        for coord in sorted(self.stored_differences):
            for position in _differences(self.stored_differences[coord], self.computed[coord]):
                return coord, position
        return None  # pragma: no cover - a differing body has a differing hash


def _tile_place(coord: TileCoord, position: int) -> str:
    return f"tile {coord.path()} hash {position}"


def _entry_range_place(first: int, last: int, size: int) -> str:
    first_bundle, last_bundle = first // TILE_WIDTH, last // TILE_WIDTH
    paths = entries_path(first_bundle, _bundle_width(first_bundle, size))
    if last_bundle != first_bundle:
        paths += f" to {entries_path(last_bundle, _bundle_width(last_bundle, size))}"
    return f"entries {first}..{last} ({paths})"


def _altered_tile(trees: _Trees, coord: TileCoord, position: int) -> ArchiveError:
    """The entries lead to the checkpoint root, so the stored tile hash is the altered one."""
    stored = _hash(trees.stored(coord), position)
    computed = _hash(trees.computed[coord], position)
    return ArchiveError(
        _tile_place(coord, position),
        f"stored hash {stored.hex()} differs from {computed.hex()}, recomputed from the "
        "entries, which lead to the checkpoint root: this tile was altered or corrupted",
        path=coord.path(),
        hint="the entries are intact: restore the tile from the log, or export the archive again",
        details={
            "tile_level": coord.level,
            "tile_index": coord.index,
            "hash_index": position,
            "expected": computed.hex(),
            "found": stored.hex(),
        },
    )


def _altered_entry(trees: _Trees, coord: TileCoord, position: int) -> ArchiveError:
    """The tiles vouch for level-0 hash ``position`` of ``coord``, and the entry contradicts it."""
    index = coord.index * TILE_WIDTH + position
    vouched = _hash(trees.stored(coord), position)
    computed = _hash(trees.computed[coord], position)
    return ArchiveError(
        _entry_place(index, trees.size),
        f"its leaf hash {computed.hex()} differs from {vouched.hex()} in "
        f"{_tile_place(coord, position)}, which leads to the checkpoint root: "
        "this entry was altered or corrupted",
        path=entries_path(coord.index, coord.width),
        hint="the tiles are intact: restore the entry bundle from the log",
        details={
            "index": index,
            "bundle_entry": position,
            "tile": coord.path(),
            "expected": vouched.hex(),
            "found": computed.hex(),
        },
    )


def _altered_range(trees: _Trees, parent: TileCoord, position: int) -> ArchiveError:
    """Tile ``child`` and the entries under it agree, but contradict the vouched parent hash."""
    index = parent.index * TILE_WIDTH + position
    child = trees.coord(parent.level - 1, index)
    span = 1 << (TILE_HEIGHT * parent.level)
    first, last = index * span, (index + 1) * span - 1
    vouched = _hash(trees.stored(parent), position)
    computed = _hash(trees.computed[parent], position)
    return ArchiveError(
        _entry_range_place(first, last, trees.size),
        f"these entries hash to {computed.hex()}, but {_tile_place(parent, position)}, which "
        f"leads to the checkpoint root, is {vouched.hex()}; tile {child.path()} does not hash "
        "to it either: entries in this range were altered together with the tiles below "
        f"{parent.path()}",
        path=child.path(),
        hint="restore these entry bundles and tiles from the log or from another copy",
        details={
            "first_entry": first,
            "last_entry": last,
            "tile": child.path(),
            "vouched_tile": parent.path(),
            "hash_index": position,
            "expected": vouched.hex(),
            "found": computed.hex(),
        },
    )


def _locate_from_tiles(trees: _Trees) -> ArchiveError:
    """The stored tiles lead to the checkpoint root and the entries do not: find the entries.

    The partial tiles (the right edge of the tree) give the root, so their hashes are vouched
    for; a vouched hash vouches for the full tile below it if that tile hashes to it. Walking
    down from the leftmost vouched hash that the entries contradict ends at a level-0 hash (one
    altered entry) or at a tile that does not hash to its vouched parent (a range of entries
    altered together with the tiles below).
    """

    def descend(coord: TileCoord, position: int) -> ArchiveError:
        if coord.level == 0:
            return _altered_entry(trees, coord, position)
        child = trees.coord(coord.level - 1, coord.index * TILE_WIDTH + position)
        if _full_tile_root(trees.stored(child)) != _hash(trees.stored(coord), position):
            return _altered_range(trees, coord, position)
        below = next(_differences(trees.stored(child), trees.computed[child]))
        return descend(child, below)

    edge = [coord for coord in trees.computed if coord.is_partial]
    for coord in sorted(edge, key=lambda tile: -tile.level):  # leftmost leaves first
        for position in _differences(trees.stored(coord), trees.computed[coord]):
            return descend(coord, position)
    raise AssertionError("the tiles and entries give different roots from equal edge tiles")


def _unsettled(
    trees: _Trees, checkpoint: Checkpoint, entries_root: bytes, tiles_root: bytes
) -> ArchiveError:
    """Neither the entries nor the tiles lead to the checkpoint root."""
    roots = {
        "checkpoint_root": checkpoint.root_hash.hex(),
        "entries_root": entries_root.hex(),
        "tiles_root": tiles_root.hex(),
    }
    difference = trees.first_difference()
    if difference is None:
        return ArchiveError(
            _CHECKPOINT_PLACE,
            f"the checkpoint root {checkpoint.root_hash.hex()} does not match the root "
            f"{entries_root.hex()} of the {trees.size} entries and the tiles, which agree with "
            "each other: the archive is not the log state this checkpoint signs",
            path=CHECKPOINT_PATH,
            hint=(
                "the entries were altered and the tiles rebuilt from them, or the checkpoint is "
                "of another log or tree state; compare with another copy of the log"
            ),
            details={
                "expected": checkpoint.root_hash.hex(),
                "computed": entries_root.hex(),
                **roots,
            },
        )
    coord, position = difference
    stored = _hash(trees.stored(coord), position)
    computed = _hash(trees.computed[coord], position)
    why = (
        "the checkpoint root matches neither the entries nor the tiles, so neither can be "
        "trusted and either may be the altered one"
    )
    hint = (
        "compare with another copy of the log: several files differ from the log state the "
        "checkpoint signs, or the checkpoint is of another log state"
    )
    if coord.level == 0:
        index = coord.index * TILE_WIDTH + position
        return ArchiveError(
            _entry_place(index, trees.size),
            f"its leaf hash {computed.hex()} differs from {_tile_place(coord, position)} "
            f"({stored.hex()}); {why}",
            path=entries_path(coord.index, coord.width),
            hint=hint,
            details={
                "index": index,
                "bundle_entry": position,
                "tile": coord.path(),
                "leaf_hash": computed.hex(),
                "tile_hash": stored.hex(),
                **roots,
            },
        )
    return ArchiveError(
        _tile_place(coord, position),
        f"stored hash {stored.hex()} differs from {computed.hex()}, recomputed from the "
        f"entries; {why}",
        path=coord.path(),
        hint=hint,
        details={
            "tile_level": coord.level,
            "tile_index": coord.index,
            "hash_index": position,
            "computed": computed.hex(),
            "found": stored.hex(),
            **roots,
        },
    )


def _content_error(failure: _ContentFailure, size: int) -> ArchiveError:
    index = failure.index
    bundle = index // TILE_WIDTH
    return ArchiveError(
        _entry_place(index, size),
        f"the entry is intact but fails the content check: {failure.error.message}",
        path=entries_path(bundle, _bundle_width(bundle, size)),
        hint=failure.error.hint,
        details={"index": index, "cause": failure.error.code, **failure.error.details},
    )


def verify_archive(
    read: Callable[[str], bytes | None],
    verifiers: Sequence[Verifier],
    *,
    origin: str | None = None,
    check_entry: Callable[[int, bytes], None] | None = None,
) -> ArchiveReport:
    """Check an archive against trusted keys; return what it holds or raise :class:`ArchiveError`.

    ``read(path)`` returns the bytes of an archive file, or None when it is missing. In order:
    the checkpoint must carry a valid signature of one of ``verifiers`` (and be of log
    ``origin`` when given); every entry bundle of its tree size must exist and hold the right
    number of entries; every tile must exist with the right length; then the entries and the
    tiles must lead to the checkpoint root, and an alteration is located as the module
    docstring says. ``check_entry(index, data)`` is called on each entry in order until it
    raises an :class:`~certgov.errors.InvalidInput`; that rejection is reported (naming the
    entry) only once the archive is proven intact, so it is a fault of the log's content, not
    of tampering. Any other exception of ``read`` or ``check_entry`` propagates.
    """
    checkpoint, signed_by = _open(read, verifiers, origin)
    size = checkpoint.size
    leaf_hashes, content_failure = _read_entries(read, size, check_entry)
    computed, entries_root = _tiles_and_root(size, leaf_hashes)
    del leaf_hashes  # the level-0 tiles hold them
    trees = _Trees(size, computed, _read_tiles(read, size, computed))
    if entries_root == checkpoint.root_hash:
        difference = trees.first_difference()
        if difference is not None:
            raise _altered_tile(trees, *difference)
        if content_failure is not None:
            raise _content_error(content_failure, size)
        return ArchiveReport(checkpoint, signed_by, size, len(computed))
    tiles_root = trees.stored_root()
    if tiles_root == checkpoint.root_hash:
        raise _locate_from_tiles(trees)
    raise _unsettled(trees, checkpoint, entries_root, tiles_root)
