"""Log archives in the tlog-tiles layout: building, verifying, locating alterations (SYS-3)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.errors import InvalidInput
from certgov.tlog.archive import (
    CHECKPOINT_PATH,
    ArchiveError,
    ArchiveReport,
    build_archive,
    verify_archive,
)
from certgov.tlog.checkpoint import Checkpoint, open_checkpoint
from certgov.tlog.merkle import EMPTY_ROOT, MemoryHashReader, leaf_hash, node_hash
from certgov.tlog.note import Signer
from certgov.tlog.tiles import (
    TILE_WIDTH,
    decode_entry_bundle,
    encode_entry_bundle,
    entries_path,
    tile_data,
    tiles_for_size,
)

ORIGIN = "gov.example.cn/filings"
LOG = Signer.from_private_bytes(ORIGIN, bytes(range(32)))
OTHER = Signer.from_private_bytes(ORIGIN, bytes(range(1, 33)))
TRUSTED = [LOG.verifier()]
# Three tile levels: a full level-1 tile and a 1-wide level-2 tile.
BIG = 65536 + 3

Archive = dict[str, bytes]


def make_entries(size: int, tag: str = "filing") -> list[bytes]:
    """Entries of varied lengths (entry 2 is empty) so bundle offsets are irregular."""
    return [
        b"" if index == 2 else f"{tag} {index} ".encode() * (index % 5 + 1) for index in range(size)
    ]


@cache
def _archive(size: int, tag: str = "filing") -> tuple[tuple[str, bytes], ...]:
    return tuple(build_archive(make_entries(size, tag), LOG, ORIGIN).items())


def archive(size: int, tag: str = "filing") -> Archive:
    """A fresh (mutable) copy of the cached archive of ``size`` entries."""
    return dict(_archive(size, tag))


def verify(
    files: Archive,
    *,
    origin: str | None = None,
    check_entry: Callable[[int, bytes], None] | None = None,
) -> ArchiveReport:
    return verify_archive(files.get, TRUSTED, origin=origin, check_entry=check_entry)


def flip(files: Archive, path: str, offset: int, mask: int = 0x01) -> None:
    data = bytearray(files[path])
    data[offset] ^= mask
    files[path] = bytes(data)


def entry_offset(bundle: bytes, position: int) -> int:
    """Offset of the first data byte of entry ``position`` of an entry bundle."""
    entries = decode_entry_bundle(bundle)
    return len(encode_entry_bundle(entries[:position])) + 2 if position else 2


def bundle_of(index: int, size: int) -> str:
    bundle = index // TILE_WIDTH
    return entries_path(bundle, min(TILE_WIDTH, size - bundle * TILE_WIDTH))


def tamper_entry(files: Archive, index: int, size: int) -> str:
    """Change one byte of entry ``index`` (which must not be empty); returns its bundle path."""
    path = bundle_of(index, size)
    flip(files, path, entry_offset(files[path], index % TILE_WIDTH))
    return path


def tile_path(level: int, index: int, size: int) -> str:
    (coord,) = [c for c in tiles_for_size(size) if (c.level, c.index) == (level, index)]
    return coord.path()


def fails(
    files: Archive,
    *,
    origin: str | None = None,
    check_entry: Callable[[int, bytes], None] | None = None,
) -> ArchiveError:
    with pytest.raises(ArchiveError) as caught:
        verify(files, origin=origin, check_entry=check_entry)
    return caught.value


# --- Building and verifying intact archives -------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 2, 255, 256, 257, 513, BIG])
def test_intact_archive_verifies(size: int) -> None:
    files = archive(size)
    tiles = tiles_for_size(size)
    bundles = -(-size // TILE_WIDTH)
    assert len(files) == 1 + len(tiles) + bundles
    report = verify(files, origin=ORIGIN)
    assert report.entries == size
    assert report.tiles == len(tiles)
    assert report.signed_by == [ORIGIN]
    assert report.checkpoint.origin == ORIGIN
    assert report.checkpoint.size == size


def test_layout_is_the_tlog_tiles_url_space() -> None:
    """Paths are exactly the C2SP ones: full and partial tiles, full and partial bundles."""
    assert sorted(archive(513)) == [
        "checkpoint",
        "tile/0/000",
        "tile/0/001",
        "tile/0/002.p/1",
        "tile/1/000.p/2",
        "tile/entries/000",
        "tile/entries/001",
        "tile/entries/002.p/1",
    ]
    assert sorted(archive(256)) == [
        "checkpoint",
        "tile/0/000",
        "tile/1/000.p/1",
        "tile/entries/000",
    ]


@pytest.mark.parametrize("size", [1, 257, 513])
def test_files_agree_with_the_merkle_and_tile_helpers(size: int) -> None:
    entries = make_entries(size)
    files = archive(size)
    tree = MemoryHashReader.from_entries(entries)
    checkpoint, names = open_checkpoint(files[CHECKPOINT_PATH], TRUSTED, origin=ORIGIN)
    assert checkpoint == Checkpoint(ORIGIN, size, tree.root())
    assert names == [ORIGIN]
    for coord in tiles_for_size(size):
        assert files[coord.path()] == tile_data(coord, tree)
    decoded = [
        entry
        for bundle in range(-(-size // TILE_WIDTH))
        for entry in decode_entry_bundle(files[bundle_of(bundle * TILE_WIDTH, size)])
    ]
    assert decoded == entries


def test_empty_log_is_only_a_checkpoint() -> None:
    files = archive(0)
    assert list(files) == [CHECKPOINT_PATH]
    report = verify(files)
    assert report.checkpoint.root_hash == EMPTY_ROOT
    assert (report.entries, report.tiles) == (0, 0)


def test_build_rejects_an_entry_too_large_for_a_bundle() -> None:
    with pytest.raises(InvalidInput, match="entry 1 is 65536 bytes"):
        build_archive([b"ok", b"x" * 65536], LOG, ORIGIN)


# --- Checkpoint ----------------------------------------------------------------------------


def test_altered_checkpoint_body_is_the_checkpoint() -> None:
    files = archive(257)
    text = files[CHECKPOINT_PATH]
    flip(files, CHECKPOINT_PATH, text.index(b"\n") + 2)  # a digit of the tree size
    error = fails(files)
    assert error.place == "checkpoint"
    assert error.details["cause"] == "tlog_bad_signature"
    assert "does not verify" in error.message


def test_altered_signature_is_the_checkpoint() -> None:
    files = archive(257)
    flip(files, CHECKPOINT_PATH, len(files[CHECKPOINT_PATH]) - 10, 0x20)
    error = fails(files)
    assert error.place == "checkpoint"
    assert error.path == CHECKPOINT_PATH
    assert error.message.startswith("checkpoint: ")


def test_untrusted_key_is_the_checkpoint() -> None:
    with pytest.raises(ArchiveError) as caught:
        verify_archive(archive(3).get, [OTHER.verifier()])
    assert caught.value.place == "checkpoint"
    assert caught.value.details["cause"] == "tlog_untrusted_note"
    assert caught.value.hint  # says to check the verifier key


def test_wrong_origin_is_the_checkpoint() -> None:
    error = fails(archive(3), origin="gov.example.cn/audit")
    assert error.place == "checkpoint"
    assert error.details["cause"] == "tlog_origin_mismatch"
    assert "gov.example.cn/audit" in error.message


def test_missing_checkpoint() -> None:
    files = archive(3)
    del files[CHECKPOINT_PATH]
    error = fails(files)
    assert (error.place, error.path) == ("checkpoint", CHECKPOINT_PATH)
    assert "missing" in error.message


def test_checkpoint_of_another_log_state_of_the_same_size() -> None:
    """Entries and tiles agree with each other, and the signed root is not theirs."""
    files = archive(300)
    files[CHECKPOINT_PATH] = archive(300, "other")[CHECKPOINT_PATH]
    error = fails(files)
    assert error.place == "checkpoint"
    other, _ = open_checkpoint(files[CHECKPOINT_PATH], TRUSTED)
    assert error.details["expected"] == other.root_hash.hex()
    assert (
        error.details["computed"] == MemoryHashReader.from_entries(make_entries(300)).root().hex()
    )
    assert "not the log state this checkpoint signs" in error.message


def test_checkpoint_of_another_tree_size_names_the_missing_file() -> None:
    files = archive(300)
    files[CHECKPOINT_PATH] = archive(257)[CHECKPOINT_PATH]
    error = fails(files)
    assert error.place == "entry bundle tile/entries/001.p/1"
    assert "257 entries" in (error.hint or "")


# --- Missing and malformed files -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "place"),
    [
        ("tile/entries/000", "entry bundle tile/entries/000"),
        ("tile/entries/002.p/1", "entry bundle tile/entries/002.p/1"),
        ("tile/0/001", "tile tile/0/001"),
        ("tile/1/000.p/2", "tile tile/1/000.p/2"),
    ],
)
def test_missing_file_is_named(path: str, place: str) -> None:
    files = archive(513)
    del files[path]
    error = fails(files)
    assert (error.place, error.path, error.details["path"]) == (place, path, path)
    assert error.message == f"{place}: the file is missing from the archive"


@pytest.mark.parametrize(
    "change", [lambda body: body[:-1], lambda body: body + b"\0", lambda _: b""]
)
def test_tile_of_wrong_length_is_named(change: Callable[[bytes], bytes]) -> None:
    files = archive(257)
    files["tile/0/000"] = change(files["tile/0/000"])
    error = fails(files)
    assert error.place == "tile tile/0/000"
    assert "expected 8192" in error.message


def test_bundle_with_the_wrong_count_is_named() -> None:
    files = archive(257)
    files["tile/entries/001.p/1"] = encode_entry_bundle([b"a", b"b"])
    error = fails(files)
    assert error.place == "entry bundle tile/entries/001.p/1"
    assert "2 entries, expected 1" in error.message
    assert error.details["cause"] == "tlog_malformed_tile"


def test_truncated_bundle_is_named() -> None:
    files = archive(257)
    files["tile/entries/000"] = files["tile/entries/000"][:-1]
    error = fails(files)
    assert error.place == "entry bundle tile/entries/000"


# --- Locating an altered entry or tile ----------------------------------------------------


@pytest.mark.parametrize(
    ("size", "index"),
    [(1, 0), (257, 1), (257, 256), (513, 300), (513, 512), (BIG, 1234), (BIG, BIG - 1)],
)
def test_altered_entry_is_named(size: int, index: int) -> None:
    files = archive(size)
    path = tamper_entry(files, index, size)
    error = fails(files)
    position = index % TILE_WIDTH
    assert error.place == f"entry {index} ({path}, entry {position})"
    assert error.path == path
    assert "this entry was altered" in error.message
    assert error.details["index"] == index
    assert error.details["found"] == leaf_hash(decode_entry_bundle(files[path])[position]).hex()
    assert error.details["expected"] == leaf_hash(make_entries(size)[index]).hex()


def test_place_of_an_entry_in_a_partial_bundle() -> None:
    size = 1024 + 210 + 1
    files = archive(size)
    tamper_entry(files, 1234, size)
    assert fails(files).place == "entry 1234 (tile/entries/004.p/211, entry 210)"


@pytest.mark.parametrize(
    ("size", "level", "index", "position"),
    [
        (1, 0, 0, 0),
        (257, 0, 0, 255),
        (257, 0, 1, 0),
        (257, 1, 0, 0),  # the level-1 tile of one hash
        (513, 1, 0, 1),  # a partial level-1 tile
        (BIG, 0, 200, 17),
        (BIG, 1, 0, 200),  # a full level-1 tile: no root depends on it directly
        (BIG, 2, 0, 0),
    ],
)
def test_altered_tile_hash_is_named(size: int, level: int, index: int, position: int) -> None:
    files = archive(size)
    path = tile_path(level, index, size)
    flip(files, path, position * 32 + 31, 0x80)
    error = fails(files)
    assert error.place == f"tile {path} hash {position}"
    assert error.path == path
    assert "this tile was altered" in error.message
    assert error.details["hash_index"] == position
    assert error.details["found"] == files[path][position * 32 : position * 32 + 32].hex()


def test_lowest_level_first_when_several_tiles_are_altered() -> None:
    files = archive(BIG)
    flip(files, "tile/1/000", 5 * 32)
    flip(files, "tile/0/100", 9 * 32)
    flip(files, "tile/0/003", 7 * 32)
    assert fails(files).place == "tile tile/0/003 hash 7"


def test_first_altered_entry_is_named_when_several_are() -> None:
    files = archive(513)
    tamper_entry(files, 400, 513)
    tamper_entry(files, 12, 513)
    assert fails(files).place == "entry 12 (tile/entries/000, entry 12)"


def test_entry_altered_with_its_tile_hash_names_the_range() -> None:
    """An entry and its level-0 hash rewritten together still contradict the level above."""
    size = 513
    files = archive(size)
    tamper_entry(files, 5, size)
    bundle = decode_entry_bundle(files["tile/entries/000"])
    body = bytearray(files["tile/0/000"])
    body[5 * 32 : 6 * 32] = leaf_hash(bundle[5])
    files["tile/0/000"] = bytes(body)
    error = fails(files)
    assert error.place == "entries 0..255 (tile/entries/000)"
    assert error.path == "tile/0/000"
    assert "tile/1/000.p/2 hash 0" in error.message


def test_entries_altered_with_two_tile_levels_name_the_wider_range() -> None:
    files = archive(BIG)
    tamper_entry(files, 70, BIG)
    bundle = decode_entry_bundle(files["tile/entries/000"])
    level0 = bytearray(files["tile/0/000"])
    level0[70 * 32 : 71 * 32] = leaf_hash(bundle[70])
    files["tile/0/000"] = bytes(level0)
    rows = [files["tile/0/000"][i : i + 32] for i in range(0, 8192, 32)]
    while len(rows) > 1:
        rows = [node_hash(rows[i], rows[i + 1]) for i in range(0, len(rows), 2)]
    level1 = bytearray(files["tile/1/000"])
    level1[0:32] = rows[0]
    files["tile/1/000"] = bytes(level1)
    error = fails(files)
    assert error.place == "entries 0..65535 (tile/entries/000 to tile/entries/255)"
    assert error.path == "tile/1/000"


def test_entry_and_an_edge_tile_altered_cannot_be_settled() -> None:
    size = 513
    files = archive(size)
    tamper_entry(files, 7, size)
    flip(files, "tile/0/002.p/1", 0)
    error = fails(files)
    assert error.place == "entry 7 (tile/entries/000, entry 7)"
    assert "neither can be trusted" in error.message
    assert {"checkpoint_root", "entries_root", "tiles_root"} <= error.details.keys()


def test_tile_and_checkpoint_mismatch_cannot_be_settled() -> None:
    files = archive(300)
    files[CHECKPOINT_PATH] = archive(300, "other")[CHECKPOINT_PATH]
    flip(files, "tile/1/000.p/1", 3)
    error = fails(files)
    assert error.place == "tile tile/1/000.p/1 hash 0"
    assert "neither can be trusted" in error.message


# --- Content check --------------------------------------------------------------------------


def test_check_entry_sees_every_entry_in_order() -> None:
    seen: list[tuple[int, bytes]] = []
    verify(archive(513), check_entry=lambda index, data: seen.append((index, data)))
    assert seen == list(enumerate(make_entries(513)))


def test_rejected_entry_becomes_an_archive_error_naming_it() -> None:
    calls: list[int] = []

    def check(index: int, data: bytes) -> None:
        calls.append(index)
        if index == 300:
            raise InvalidInput(
                "not a filing record", hint="fix the exporter", details={"field": "x"}
            )

    error = fails(archive(513), check_entry=check)
    assert error.place == "entry 300 (tile/entries/001, entry 44)"
    assert error.path == "tile/entries/001"
    assert "fails the content check: not a filing record" in error.message
    assert error.hint == "fix the exporter"
    assert error.details["cause"] == "invalid_input"
    assert error.details["field"] == "x"
    assert calls == list(range(301))  # stops at the first rejection


def test_tampering_is_reported_before_a_content_rejection() -> None:
    files = archive(257)
    tamper_entry(files, 3, 257)

    def reject_all(index: int, data: bytes) -> None:
        raise InvalidInput("bad")

    error = fails(files, check_entry=reject_all)
    assert error.place == "entry 3 (tile/entries/000, entry 3)"
    assert "altered" in error.message


def test_other_exceptions_of_check_entry_propagate() -> None:
    def broken(index: int, data: bytes) -> None:
        raise RuntimeError("bug in the checker")

    with pytest.raises(RuntimeError, match="bug in the checker"):
        verify(archive(3), check_entry=broken)


# --- Any single change is caught --------------------------------------------------------------


def test_archive_error_is_invalid_input() -> None:
    error = fails({})
    assert isinstance(error, InvalidInput)
    assert error.as_dict()["details"]["place"] == "checkpoint"


@settings(max_examples=150, deadline=None)
@given(
    size=st.integers(0, 530),
    tag=st.sampled_from(["a", "b"]),
    change=st.sampled_from(["flip", "truncate", "extend", "delete"]),
    data=st.data(),
)
def test_any_single_change_is_caught(size: int, tag: str, change: str, data: st.DataObject) -> None:
    files = archive(size, tag)
    path = data.draw(st.sampled_from(sorted(files)), label="path")
    body = files[path]
    if change == "flip":
        offset = data.draw(st.integers(0, len(body) - 1), label="offset")
        flip(files, path, offset, data.draw(st.integers(1, 255), label="mask"))
    elif change == "truncate":
        files[path] = body[:-1]
    elif change == "extend":
        files[path] = body + bytes([data.draw(st.integers(0, 255), label="byte")])
    else:
        del files[path]
    with pytest.raises(ArchiveError):
        verify(files)
