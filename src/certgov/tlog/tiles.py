"""C2SP tlog-tiles: tile coordinates and paths, tile bodies, entry bundles, tile-backed proofs.

A tile at level ``L`` and index ``N`` holds up to 256 consecutive hashes of tree level ``8*L``
(hash ``i`` is MTH of ``256**L`` leaves); level-0 tiles hold leaf hashes. A full tile is 256
hashes (8,192 bytes); the rightmost tile of each level is partial (1..255 hashes, served with a
``.p/<W>`` suffix) and is never hashed into the level above.

How a node of any tree level is read from tiles (:class:`TileHashReader`): the node at tree
level ``h`` and index ``i`` covers leaves ``[i * 2**h, (i+1) * 2**h)``. Write ``h = 8*L + r``
with ``0 <= r < 8``. Its ``2**r`` descendants at tree level ``8*L`` are consecutive hashes of one
level-``L`` tile (``2**r`` divides 256, so they never straddle two tiles), starting at position
``(i << r) mod 256`` of tile ``(i << r) // 256``. Hashing them up ``r`` levels (at most 7)
gives the node; :func:`tile_levels` does this once for all nodes of a tile (for a
full tile: 254 hashes). A storage layer therefore keeps exactly the C2SP tiles and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from certgov.tlog.errors import IndexOutOfRangeError, MalformedTileError
from certgov.tlog.merkle import HASH_SIZE, HashReader, hash_pairs

__all__ = [
    "MAX_ENTRY_SIZE",
    "MAX_TILE_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "BundleCoord",
    "NodeInTile",
    "TileCoord",
    "TileHashReader",
    "changed_tiles",
    "decode_entry_bundle",
    "encode_entry_bundle",
    "entries_path",
    "extend_tiles",
    "locate_node",
    "parse_entries_path",
    "parse_tile_path",
    "split_tile",
    "tile_data",
    "tile_levels",
    "tile_width_at",
    "tiles_for_size",
]

#: Tree levels per tile (C2SP tlog-tiles fixes 8).
TILE_HEIGHT = 8
#: Hashes in a full tile (2**TILE_HEIGHT) and entries in a full entry bundle.
TILE_WIDTH = 1 << TILE_HEIGHT
#: Highest tile level a path may name.
MAX_TILE_LEVEL = 63
#: Largest entry an entry bundle can carry (big-endian uint16 length prefix).
MAX_ENTRY_SIZE = 0xFFFF

# Tree sizes and indices are uint64 in every transparency-log format.
_INDEX_LIMIT = 1 << 64
# ceil(log10(2**64) / 3) = 7 path elements are enough for any uint64 index.
_MAX_INDEX_ELEMENTS = 7

_LEVEL_RE = re.compile(r"0|[1-9][0-9]?")
_WIDTH_RE = re.compile(r"[1-9][0-9]{0,2}")
_LAST_ELEMENT_RE = re.compile(r"[0-9]{3}")
_INNER_ELEMENT_RE = re.compile(r"x[0-9]{3}")


def _encode_index(index: int) -> str:
    groups: list[int] = []
    while True:
        index, group = divmod(index, 1000)
        groups.append(group)
        if index == 0:
            break
    groups.reverse()
    return "/".join([f"x{group:03d}" for group in groups[:-1]] + [f"{groups[-1]:03d}"])


def _width_suffix(width: int) -> str:
    return "" if width == TILE_WIDTH else f".p/{width}"


def _check_index_and_width(index: int, width: int) -> None:
    if not 0 <= index < _INDEX_LIMIT:
        raise MalformedTileError(f"tile index must be in 0..2**64-1, got {index}")
    if not 1 <= width <= TILE_WIDTH:
        raise MalformedTileError(f"tile width must be in 1..{TILE_WIDTH}, got {width}")


@dataclass(frozen=True, order=True)
class TileCoord:
    """A Merkle tile: ``level`` (tile level, tree level 8*level), ``index``, ``width`` hashes."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not 0 <= self.level <= MAX_TILE_LEVEL:
            raise MalformedTileError(f"tile level must be in 0..{MAX_TILE_LEVEL}, got {self.level}")
        _check_index_and_width(self.index, self.width)

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def byte_length(self) -> int:
        """Size of the tile body: 32 bytes per hash."""
        return self.width * HASH_SIZE

    def path(self) -> str:
        """``tile/<L>/<N>[.p/<W>]``, e.g. ``tile/0/x001/x234/067`` (C2SP tlog-tiles)."""
        return f"tile/{self.level}/{_encode_index(self.index)}{_width_suffix(self.width)}"


@dataclass(frozen=True, order=True)
class BundleCoord:
    """An entry bundle: entries ``index*256 .. index*256 + width - 1``."""

    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        _check_index_and_width(self.index, self.width)

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    def path(self) -> str:
        """``tile/entries/<N>[.p/<W>]`` (C2SP tlog-tiles, "Log entries")."""
        return entries_path(self.index, self.width)


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """Path of the entry bundle ``index`` holding ``width`` entries.

    Requires 0 <= index < 2**64 and 1 <= width <= 256.
    """
    _check_index_and_width(index, width)
    return f"tile/entries/{_encode_index(index)}{_width_suffix(width)}"


def _parse_after_prefix(path: str, elements: list[str]) -> tuple[int, int]:
    """Index and width from ``N`` path elements with an optional ``.p/W`` suffix."""
    width = TILE_WIDTH
    if len(elements) >= 2 and elements[-2].endswith(".p"):
        width_text = elements[-1]
        if not _WIDTH_RE.fullmatch(width_text) or int(width_text) >= TILE_WIDTH:
            raise MalformedTileError(
                f"{path!r}: partial width must be 1..255 without leading zeros, got {width_text!r}"
            )
        width = int(width_text)
        elements = [*elements[:-2], elements[-2][: -len(".p")]]
    if not elements or len(elements) > _MAX_INDEX_ELEMENTS:
        raise MalformedTileError(
            f"{path!r}: the index must be 1..{_MAX_INDEX_ELEMENTS} path elements"
        )
    *inner, last = elements
    if not _LAST_ELEMENT_RE.fullmatch(last) or not all(
        _INNER_ELEMENT_RE.fullmatch(element) for element in inner
    ):
        raise MalformedTileError(
            f"{path!r}: index elements must be 3 digits, all but the last prefixed with 'x' "
            "(e.g. x001/x234/067)"
        )
    if inner and inner[0] == "x000":
        raise MalformedTileError(
            f"{path!r}: the index has a leading x000 element; its canonical path omits it"
        )
    index = 0
    for element in [*(element[1:] for element in inner), last]:
        index = index * 1000 + int(element)
    if index >= _INDEX_LIMIT:
        raise MalformedTileError(f"{path!r}: tile index {index} exceeds 2**64-1")
    return index, width


def parse_tile_path(path: str) -> TileCoord:
    """The tile a C2SP path ``tile/<L>/<N>[.p/<W>]`` names, accepting only the canonical form.

    Rejects (with :class:`MalformedTileError`) anything :meth:`TileCoord.path` would not
    produce: leading zeros in ``L`` or ``W``, a level above 63, elements not of 3 ASCII digits,
    a missing or stray ``x``, a leading ``x000``, width 0 or 256 after ``.p/``, entry bundle
    paths (use :func:`parse_entries_path`), and any prefix, suffix or empty element.
    """
    if not isinstance(path, str):
        raise MalformedTileError(f"tile path must be text, got {type(path).__name__}")
    elements = path.split("/")
    if len(elements) < 3 or elements[0] != "tile":
        raise MalformedTileError(
            f"{path!r} is not a tile path; expected tile/<L>/<N>[.p/<W>]",
            hint="paths are relative to the log prefix and start with 'tile/'",
        )
    if elements[1] == "entries":
        raise MalformedTileError(
            f"{path!r} names an entry bundle, not a Merkle tile",
            hint="use parse_entries_path for tile/entries/... paths",
        )
    level_text = elements[1]
    if not _LEVEL_RE.fullmatch(level_text) or int(level_text) > MAX_TILE_LEVEL:
        raise MalformedTileError(
            f"{path!r}: level must be 0..{MAX_TILE_LEVEL} without leading zeros, got {level_text!r}"
        )
    index, width = _parse_after_prefix(path, elements[2:])
    return TileCoord(int(level_text), index, width)


def parse_entries_path(path: str) -> BundleCoord:
    """The entry bundle a path ``tile/entries/<N>[.p/<W>]`` names (canonical form only).

    Same rules as :func:`parse_tile_path`; raises :class:`MalformedTileError`.
    """
    if not isinstance(path, str):
        raise MalformedTileError(f"entry bundle path must be text, got {type(path).__name__}")
    elements = path.split("/")
    if len(elements) < 3 or elements[:2] != ["tile", "entries"]:
        raise MalformedTileError(
            f"{path!r} is not an entry bundle path; expected tile/entries/<N>[.p/<W>]"
        )
    index, width = _parse_after_prefix(path, elements[2:])
    return BundleCoord(index, width)


def tile_width_at(level: int, index: int, size: int) -> int:
    """Width of tile (``level``, ``index``) in a tree of ``size`` leaves; 0 if it has none.

    The level holds ``size >> (8*level)`` hashes (C2SP: ``floor(s / 256**l)``).
    Requires level >= 0, index >= 0, size >= 0.
    """
    count = size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, count - index * TILE_WIDTH))


def changed_tiles(old_size: int, new_size: int) -> list[TileCoord]:
    """Tiles a tree of ``new_size`` has that a tree of ``old_size`` has not, level by level.

    These are what a sequencer writes when it grows the tree: new full tiles, and the new
    partial tile of each level that changed. Requires 0 <= old_size <= new_size < 2**64.
    """
    if not 0 <= old_size <= new_size < _INDEX_LIMIT:
        raise IndexOutOfRangeError(
            f"tree sizes {old_size} -> {new_size}: requires 0 <= old <= new < 2**64",
            index=old_size,
            size=new_size,
        )
    tiles: list[TileCoord] = []
    level = 0
    old_count, new_count = old_size, new_size
    while new_count > old_count:
        last_tile = (new_count - 1) // TILE_WIDTH
        for index in range(old_count // TILE_WIDTH, last_tile + 1):
            width = min(TILE_WIDTH, new_count - index * TILE_WIDTH)
            tiles.append(TileCoord(level, index, width))
        old_count >>= TILE_HEIGHT
        new_count >>= TILE_HEIGHT
        level += 1
    return tiles


def tiles_for_size(size: int) -> list[TileCoord]:
    """Every tile (full and partial) of a tree of ``size`` leaves. Requires 0 <= size < 2**64.

    E.g. size 70,000: 273 full and one 112-wide tile at level 0, one full and one 17-wide at
    level 1, one 1-wide at level 2 (the example of C2SP tlog-tiles).
    """
    return changed_tiles(0, size)


def split_tile(data: bytes, width: int) -> list[bytes]:
    """The hashes of a tile body that should hold ``width`` hashes.

    Raises :class:`MalformedTileError` unless ``len(data) == 32 * width``.
    """
    if len(data) != width * HASH_SIZE:
        raise MalformedTileError(
            f"tile body is {len(data)} bytes, expected {width * HASH_SIZE} for {width} hashes"
        )
    return [data[offset : offset + HASH_SIZE] for offset in range(0, len(data), HASH_SIZE)]


class NodeInTile(NamedTuple):
    """Where a tree node lives: hashes ``first .. first + 2**height - 1`` of one tile."""

    tile_level: int
    tile_index: int
    first: int
    height: int


def locate_node(level: int, index: int) -> NodeInTile:
    """The tile hashes that the node at tree ``level``, ``index`` is the root of.

    See the module docstring. Requires level >= 0 and index >= 0.
    """
    tile_level, height = divmod(level, TILE_HEIGHT)
    first_hash = index << height
    tile_index, first = divmod(first_hash, TILE_WIDTH)
    return NodeInTile(tile_level, tile_index, first, height)


def tile_levels(hashes: Sequence[bytes]) -> list[list[bytes]]:
    """Every complete node of the subtree over one tile's hashes, row by row.

    Row ``h`` holds the roots of ``2**h`` consecutive tile hashes: row 0 is the tile itself,
    row 7 the two halves of a full tile (row 8, the tile's own root, is a hash of the level
    above). A partial tile's trailing unpaired hash has no parent. A full tile costs 254
    hashes, so computing the rows once per tile beats hashing each node up on demand as soon
    as a tile serves more than one node, which every proof's path does.
    """
    rows = [list(hashes)]
    while len(rows) < TILE_HEIGHT and len(rows[-1]) > 1:
        rows.append(hash_pairs(rows[-1]))
    return rows


class TileHashReader:
    """A :class:`~certgov.tlog.merkle.HashReader` for a tree of ``size`` leaves over its tiles.

    ``read_tile`` returns the body of a tile (full or partial, as the tree of ``size`` has it);
    the storage layer supplies it. Each tile is read once and its :func:`tile_levels` kept for
    the life of the reader, so build one reader per tree size (per checkpoint). Full tiles
    never change, so ``full_tile_cache`` (any mutable mapping, e.g. a process-wide LRU) may be
    shared by readers of different sizes; partial tiles stay in the reader.
    """

    def __init__(
        self,
        size: int,
        read_tile: Callable[[TileCoord], bytes],
        *,
        full_tile_cache: MutableMapping[tuple[int, int], list[list[bytes]]] | None = None,
    ) -> None:
        if not 0 <= size < _INDEX_LIMIT:
            raise IndexOutOfRangeError(
                f"tree size must be in 0..2**64-1, got {size}", index=size, size=size
            )
        self.size = size
        self._read_tile = read_tile
        self._partial: dict[tuple[int, int], list[list[bytes]]] = {}
        self._full = full_tile_cache if full_tile_cache is not None else {}

    def _levels(self, tile_level: int, tile_index: int) -> list[list[bytes]]:
        key = (tile_level, tile_index)
        width = tile_width_at(tile_level, tile_index, self.size)
        cache = self._full if width == TILE_WIDTH else self._partial
        rows = cache.get(key)
        if rows is None:
            if width == 0:
                raise IndexOutOfRangeError(
                    f"tile ({tile_level}, {tile_index}) does not exist in a tree of "
                    f"size {self.size}",
                    index=tile_index,
                    size=self.size,
                )
            coord = TileCoord(tile_level, tile_index, width)
            rows = tile_levels(split_tile(self._read_tile(coord), width))
            cache[key] = rows
        return rows

    def tile_hashes(self, tile_level: int, tile_index: int) -> list[bytes]:
        """The hashes of a tile as the tree of ``self.size`` has it (read once, then kept)."""
        return self._levels(tile_level, tile_index)[0]

    def hash_at(self, level: int, index: int) -> bytes:
        """Root of the perfect subtree (``level``, ``index``); see the module docstring."""
        if level < 0 or index < 0 or (index + 1) << level > self.size:
            raise IndexOutOfRangeError(
                f"no complete subtree at level {level}, index {index} in a tree of "
                f"size {self.size}",
                index=index,
                size=self.size,
            )
        location = locate_node(level, index)
        rows = self._levels(location.tile_level, location.tile_index)
        return rows[location.height][location.first >> location.height]


def tile_data(coord: TileCoord, reader: HashReader) -> bytes:
    """The body of tile ``coord`` read from any hash reader (e.g. a MemoryHashReader).

    Requires the reader's tree to contain every hash of the tile.
    """
    level = coord.level * TILE_HEIGHT
    first = coord.index * TILE_WIDTH
    return b"".join(reader.hash_at(level, first + offset) for offset in range(coord.width))


def extend_tiles(
    old_size: int,
    new_leaf_hashes: Sequence[bytes],
    read_tile: Callable[[TileCoord], bytes],
) -> dict[TileCoord, bytes]:
    """Bodies of the tiles that appending ``new_leaf_hashes`` to a tree of ``old_size`` makes.

    The keys are exactly :func:`changed_tiles` ``(old_size, old_size + len(new_leaf_hashes))``.
    ``read_tile`` is asked only for the old tree's partial tiles (to extend them); full tiles
    are never re-read. Each newly full tile contributes its root (MTH of its 256 hashes) to the
    level above. Requires 32-byte leaf hashes and a new size below 2**64.
    """
    new_size = old_size + len(new_leaf_hashes)
    if not 0 <= old_size <= new_size < _INDEX_LIMIT:
        raise IndexOutOfRangeError(
            f"tree sizes {old_size} -> {new_size}: requires 0 <= old <= new < 2**64",
            index=old_size,
            size=new_size,
        )
    for position, value in enumerate(new_leaf_hashes):
        if len(value) != HASH_SIZE:
            raise MalformedTileError(
                f"new leaf hash {position} is {len(value)} bytes, expected {HASH_SIZE}"
            )
    bodies: dict[TileCoord, bytes] = {}
    new_hashes = list(new_leaf_hashes)
    old_count = old_size
    level = 0
    while new_hashes:
        first_tile, kept = divmod(old_count, TILE_WIDTH)
        hashes = split_tile(read_tile(TileCoord(level, first_tile, kept)), kept) if kept else []
        hashes.extend(new_hashes)
        next_level: list[bytes] = []
        for offset in range(0, len(hashes), TILE_WIDTH):
            chunk = hashes[offset : offset + TILE_WIDTH]
            bodies[TileCoord(level, first_tile + offset // TILE_WIDTH, len(chunk))] = b"".join(
                chunk
            )
            if len(chunk) == TILE_WIDTH:
                row = chunk
                while len(row) > 1:
                    row = hash_pairs(row)
                next_level.append(row[0])
        new_hashes = next_level
        old_count >>= TILE_HEIGHT
        level += 1
    return bodies


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry as a big-endian uint16 length and its bytes (C2SP).

    Requires 1 to 256 entries of at most 65,535 bytes each.
    """
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise MalformedTileError(
            f"an entry bundle holds 1..{TILE_WIDTH} entries, got {len(entries)}"
        )
    parts: list[bytes] = []
    for position, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY_SIZE:
            raise MalformedTileError(
                f"entry {position} is {len(entry)} bytes; an entry bundle entry is at most "
                f"{MAX_ENTRY_SIZE} bytes (uint16 length)",
                hint="store large objects elsewhere and log their hash",
            )
        parts.append(len(entry).to_bytes(2, "big"))
        parts.append(entry)
    return b"".join(parts)


def decode_entry_bundle(data: bytes, width: int | None = None) -> list[bytes]:
    """The entries of an entry bundle; exactly ``width`` of them when ``width`` is given.

    Raises :class:`MalformedTileError` on a truncated entry, trailing bytes, no entries, more
    than 256 entries, or a count other than ``width``.
    """
    entries: list[bytes] = []
    offset = 0
    while offset < len(data):
        if len(entries) == TILE_WIDTH:
            raise MalformedTileError(
                f"entry bundle has more than {TILE_WIDTH} entries (trailing data at byte {offset})"
            )
        if offset + 2 > len(data):
            raise MalformedTileError(f"entry bundle truncated in a length prefix at byte {offset}")
        length = int.from_bytes(data[offset : offset + 2], "big")
        offset += 2
        if offset + length > len(data):
            raise MalformedTileError(
                f"entry {len(entries)} declares {length} bytes, only {len(data) - offset} remain"
            )
        entries.append(bytes(data[offset : offset + length]))
        offset += length
    if not entries:
        raise MalformedTileError("entry bundle is empty; C2SP forbids empty bundles")
    if width is not None and len(entries) != width:
        raise MalformedTileError(f"entry bundle has {len(entries)} entries, expected {width}")
    return entries
