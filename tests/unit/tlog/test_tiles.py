"""C2SP tlog-tiles: paths, tile sets, tile-backed proofs, entry bundles (SYS-3)."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.errors import InvalidInput
from certgov.tlog.errors import IndexOutOfRangeError, MalformedTileError
from certgov.tlog.merkle import (
    MemoryHashReader,
    consistency_proof,
    hash_pairs,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_at,
)
from certgov.tlog.tiles import (
    TILE_WIDTH,
    BundleCoord,
    NodeInTile,
    TileCoord,
    TileHashReader,
    changed_tiles,
    decode_entry_bundle,
    encode_entry_bundle,
    entries_path,
    extend_tiles,
    locate_node,
    parse_entries_path,
    parse_tile_path,
    split_tile,
    tile_data,
    tile_levels,
    tile_width_at,
    tiles_for_size,
)

# Three tile levels (level 2 holds one hash past 65,536 leaves), and the C2SP example size.
BIG_SIZE = 70_100


@cache
def big_reader() -> MemoryHashReader:
    return MemoryHashReader(leaf_hash(i.to_bytes(4, "big")) for i in range(BIG_SIZE))


@cache
def big_tiles() -> dict[tuple[int, int], bytes]:
    """Tile bodies of the big tree; a smaller tree's tile is a prefix of the same tile."""
    reader = big_reader()
    return {(c.level, c.index): tile_data(c, reader) for c in tiles_for_size(BIG_SIZE)}


def read_big_tile(coord: TileCoord) -> bytes:
    body = big_tiles()[(coord.level, coord.index)]
    assert len(body) >= coord.byte_length
    return body[: coord.byte_length]


# --- paths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coord", "path"),
    [
        (TileCoord(0, 0), "tile/0/000"),
        (TileCoord(0, 1234067), "tile/0/x001/x234/067"),
        (TileCoord(1, 1234067, 8), "tile/1/x001/x234/067.p/8"),
        (TileCoord(63, 1000, 255), "tile/63/x001/000.p/255"),
        (TileCoord(2, 999, 1), "tile/2/999.p/1"),
    ],
)
def test_tile_paths(coord: TileCoord, path: str) -> None:
    assert coord.path() == path
    assert parse_tile_path(path) == coord


def test_entries_paths() -> None:
    assert entries_path(1234067) == "tile/entries/x001/x234/067"
    assert entries_path(0, 5) == "tile/entries/000.p/5"
    assert BundleCoord(1234067, 255).path() == "tile/entries/x001/x234/067.p/255"
    assert parse_entries_path("tile/entries/x001/x234/067.p/255") == BundleCoord(1234067, 255)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 63), st.integers(0, 2**64 - 1), st.integers(1, TILE_WIDTH))
def test_tile_path_round_trip(level: int, index: int, width: int) -> None:
    coord = TileCoord(level, index, width)
    assert parse_tile_path(coord.path()) == coord
    bundle = BundleCoord(index, width)
    assert parse_entries_path(bundle.path()) == bundle


@pytest.mark.parametrize(
    "path",
    [
        "",
        "tile",
        "tile/0",
        "tile/0/",
        "/tile/0/000",
        "tile/0/000/",
        "tiles/0/000",
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/ 0/000",
        "tile/0/0",
        "tile/0/00",
        "tile/0/0000",
        "tile/0/x000/001",  # a leading x000 element is not canonical
        "tile/0/001/002",  # inner element without x
        "tile/0/x001",  # last element with x
        "tile/0/x001/x02/003",
        "tile/0/X001/002",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/300",
        "tile/0/000.p/07",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000.p/1/2",
        "tile/0/000.P/1",
        "tile/0/000.p/+1",
        "tile/0/x001.p/8/067",
        "tile/0/\u0661\u0662\u0663",  # Arabic-Indic digits are not ASCII digits
        "tile/\u0661/000",
        "tile/0/001\n",
        "tile/0/000.p/1\n",
        "tile/0/x018/x446/x744/x073/x709/x551/616",  # 2**64
        "tile/0/x001/x000/x000/x000/x000/x000/x000/000",  # eight elements
        "tile/entries/000",
        "tile/0/entries/000",
    ],
)
def test_malformed_tile_paths_are_rejected(path: str) -> None:
    with pytest.raises(MalformedTileError):
        parse_tile_path(path)


@pytest.mark.parametrize(
    "path",
    ["tile/entries", "tile/entries/", "tile/0/000", "tile/entries/0", "tile/entries/000.p/256"],
)
def test_malformed_entries_paths_are_rejected(path: str) -> None:
    with pytest.raises(MalformedTileError):
        parse_entries_path(path)


def test_largest_index_is_accepted() -> None:
    path = "tile/0/x018/x446/x744/x073/x709/x551/615"
    assert parse_tile_path(path) == TileCoord(0, 2**64 - 1)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.text(alphabet="tile/0123456789xp.entries", max_size=40),
        st.from_regex(
            r"tile/[0-9]{1,3}/(x[0-9]{3}/){0,8}[0-9]{2,4}(\.p/[0-9]{1,4})?", fullmatch=True
        ),
    )
)
def test_parse_tile_path_raises_only_invalid_input(path: str) -> None:
    """Hostile paths from HTTP: parse or raise InvalidInput, and parsing is canonical."""
    for parse in (parse_tile_path, parse_entries_path):
        try:
            coord = parse(path)
        except InvalidInput:
            continue
        assert coord.path() == path


def test_coordinates_validate() -> None:
    for args in [(64, 0, 1), (-1, 0, 1), (0, -1, 1), (0, 2**64, 1), (0, 0, 0), (0, 0, 257)]:
        with pytest.raises(MalformedTileError):
            TileCoord(*args)
    with pytest.raises(MalformedTileError):
        entries_path(0, 0)
    assert TileCoord(0, 0, 3).is_partial and not TileCoord(0, 0).is_partial
    assert TileCoord(0, 0, 3).byte_length == 96


# --- which tiles exist ----------------------------------------------------------------------------


def test_tiles_for_size_follows_c2sp_examples() -> None:
    """C2SP: size 70,000 is 273 full + 112 wide, 1 full + 17 wide, 1 wide; 256 adds 1 wide."""
    tiles = tiles_for_size(70_000)
    level0 = [t for t in tiles if t.level == 0]
    assert len(level0) == 274
    assert level0[-1] == TileCoord(0, 273, 112)
    assert all(not t.is_partial for t in level0[:-1])
    assert [t for t in tiles if t.level > 0] == [
        TileCoord(1, 0),
        TileCoord(1, 1, 17),
        TileCoord(2, 0, 1),
    ]
    assert tiles_for_size(256) == [TileCoord(0, 0), TileCoord(1, 0, 1)]
    assert tiles_for_size(0) == []
    assert tiles_for_size(1) == [TileCoord(0, 0, 1)]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 70_000), st.integers(0, 70_000))
def test_changed_tiles_are_the_difference(a: int, b: int) -> None:
    old, new = min(a, b), max(a, b)
    assert set(changed_tiles(old, new)) == set(tiles_for_size(new)) - set(tiles_for_size(old))
    for tile in tiles_for_size(new):
        assert tile_width_at(tile.level, tile.index, new) == tile.width


def test_changed_tiles_preconditions() -> None:
    with pytest.raises(IndexOutOfRangeError):
        changed_tiles(5, 4)
    with pytest.raises(IndexOutOfRangeError):
        changed_tiles(0, 2**64)


# --- nodes in tiles and the tile-backed reader ----------------------------------------------------


def test_locate_node() -> None:
    assert locate_node(0, 300) == NodeInTile(0, 1, 44, 0)
    assert locate_node(9, 3) == NodeInTile(1, 0, 6, 1)
    assert locate_node(7, 5) == NodeInTile(0, 2, 128, 7)
    assert locate_node(8, 5) == NodeInTile(1, 0, 5, 0)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, TILE_WIDTH))
def test_tile_levels_hold_every_complete_node(width: int) -> None:
    """Row h, position j of a tile's levels is the node over tile hashes [j*2**h, (j+1)*2**h)."""
    memory = big_reader()
    hashes = [memory.hash_at(0, i) for i in range(width)]
    rows = tile_levels(hashes)
    assert rows[0] == hashes
    assert len(rows) == min(8, width.bit_length())
    for height, row in enumerate(rows):
        assert row == [memory.hash_at(height, j) for j in range(width >> height)]


def test_hash_pairs_drops_the_unpaired_node() -> None:
    a, b, c = (bytes([n]) * 32 for n in range(3))
    assert hash_pairs([a, b, c]) == [node_hash(a, b)]
    assert hash_pairs([]) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(1, BIG_SIZE), st.data())
def test_tile_reader_proofs_equal_memory_reader_proofs(size: int, data: st.DataObject) -> None:
    """SYS-3: proofs served from C2SP tiles equal those from all the leaf hashes."""
    memory = big_reader()
    tiles = TileHashReader(size, read_big_tile)
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(1, size))
    assert root_at(size, tiles) == root_at(size, memory)
    assert inclusion_proof(index, size, tiles) == inclusion_proof(index, size, memory)
    assert consistency_proof(old, size, tiles) == consistency_proof(old, size, memory)


def test_full_tiles_are_shared_between_readers_of_different_sizes() -> None:
    reads: list[TileCoord] = []

    def counting(coord: TileCoord) -> bytes:
        reads.append(coord)
        return read_big_tile(coord)

    shared: dict[tuple[int, int], list[list[bytes]]] = {}
    first = TileHashReader(70_000, counting, full_tile_cache=shared)
    second = TileHashReader(69_000, counting, full_tile_cache=shared)
    assert inclusion_proof(1000, 70_000, first) == inclusion_proof(1000, 70_000, big_reader())
    before = len(reads)
    assert inclusion_proof(1000, 69_000, second) == inclusion_proof(1000, 69_000, big_reader())
    assert all(coord.is_partial for coord in reads[before:])
    assert all(len(rows[0]) == TILE_WIDTH for rows in shared.values())


def test_tile_reader_reads_each_tile_once_and_checks_bodies() -> None:
    reads: list[TileCoord] = []

    def counting(coord: TileCoord) -> bytes:
        reads.append(coord)
        return read_big_tile(coord)

    reader = TileHashReader(70_000, counting)
    inclusion_proof(69_999, 70_000, reader)
    inclusion_proof(69_998, 70_000, reader)
    assert len(reads) == len(set(reads)) <= 6
    assert TileCoord(0, 273, 112) in reads

    with pytest.raises(IndexOutOfRangeError):
        reader.hash_at(0, 70_000)
    with pytest.raises(IndexOutOfRangeError):
        reader.hash_at(17, 0)  # 131,072 leaves: not complete at 70,000
    short = TileHashReader(300, lambda coord: b"\x00" * 31)
    with pytest.raises(MalformedTileError, match="tile body is 31 bytes"):
        short.hash_at(0, 256)
    with pytest.raises(IndexOutOfRangeError):
        TileHashReader(-1, read_big_tile)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 700), min_size=1, max_size=6))
def test_extend_tiles_in_batches_builds_the_same_tiles(batches: list[int]) -> None:
    """A sequencer appending in batches writes exactly the tiles of the final tree (SYS-3)."""
    store: dict[TileCoord, bytes] = {}
    memory = big_reader()
    size = 0
    for count in batches:
        new = [memory.hash_at(0, i) for i in range(size, size + count)]

        def read(coord: TileCoord) -> bytes:
            assert coord.is_partial, "only the old partial tiles are ever read"
            return store[coord]

        written = extend_tiles(size, new, read)
        assert sorted(written) == sorted(changed_tiles(size, size + count))
        store.update(written)
        size += count
    for coord in tiles_for_size(size):
        assert store[coord] == tile_data(coord, memory)


def test_extend_tiles_preconditions() -> None:
    with pytest.raises(MalformedTileError):
        extend_tiles(0, [b"short"], lambda coord: b"")
    with pytest.raises(IndexOutOfRangeError):
        extend_tiles(-1, [], lambda coord: b"")


def test_split_tile() -> None:
    assert split_tile(b"a" * 32 + b"b" * 32, 2) == [b"a" * 32, b"b" * 32]
    with pytest.raises(MalformedTileError):
        split_tile(b"a" * 33, 1)


# --- entry bundles --------------------------------------------------------------------------------


def test_entry_bundle_encoding() -> None:
    assert encode_entry_bundle([b"", b"ab"]) == b"\x00\x00\x00\x02ab"
    assert decode_entry_bundle(b"\x00\x00\x00\x02ab", 2) == [b"", b"ab"]
    big = b"x" * 0xFFFF
    assert decode_entry_bundle(encode_entry_bundle([big])) == [big]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=TILE_WIDTH))
def test_entry_bundle_round_trip(entries: list[bytes]) -> None:
    assert decode_entry_bundle(encode_entry_bundle(entries), len(entries)) == entries


@pytest.mark.parametrize(
    ("data", "width"),
    [
        (b"", None),
        (b"\x00", None),
        (b"\x00\x03ab", None),
        (b"\x00\x02ab\x00", None),
        (b"\x00\x02ab", 2),
        (b"\x00\x00" * 257, None),
    ],
)
def test_malformed_entry_bundles_are_rejected(data: bytes, width: int | None) -> None:
    with pytest.raises(MalformedTileError):
        decode_entry_bundle(data, width)


def test_entry_bundle_limits() -> None:
    with pytest.raises(MalformedTileError, match="at most 65535"):
        encode_entry_bundle([b"x" * 0x10000])
    with pytest.raises(MalformedTileError):
        encode_entry_bundle([])
    with pytest.raises(MalformedTileError):
        encode_entry_bundle([b""] * 257)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_decode_entry_bundle_raises_only_invalid_input(data: bytes) -> None:
    try:
        entries = decode_entry_bundle(data)
    except InvalidInput:
        return
    assert encode_entry_bundle(entries) == data
