"""Hostile APKs: each gets a clear error naming what is wrong, before anything dangerous is
inflated; hypothesis fuzzing of the zip and manifest readers."""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgov.appscan import Limits, analyse
from certgov.appscan.archive import open_archive
from certgov.appscan.errors import (
    ApkError,
    ApkTooLarge,
    DuplicateEntry,
    MalformedDex,
    MalformedManifest,
    NotAnApk,
    TruncatedApk,
    ZipBomb,
)
from certgov.appscan.manifest import parse_manifest
from certgov.errors import InvalidInput
from unit.appscan.apkgen import apk, manifest
from unit.appscan.samples import JAMENDO, clean_apk, shared_apk

MANIFEST = manifest("com.example.hostile")


def zipped(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_not_a_zip() -> None:
    with pytest.raises(NotAnApk, match="not a zip archive") as caught:
        analyse(b"%PDF-1.7 not an apk")
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.code == "apk_not_a_zip"


def test_truncated() -> None:
    data = shared_apk(JAMENDO)
    with pytest.raises(TruncatedApk, match="cut short"):
        analyse(data[: len(data) // 2])


def test_zip_bomb_by_ratio_is_refused_before_inflating() -> None:
    bomb = zipped([("AndroidManifest.xml", MANIFEST), ("assets/zeros", b"\0" * (8 << 20))])
    assert len(bomb) < 64 << 10
    with pytest.raises(ZipBomb, match=r"assets/zeros.*refused before inflating"):
        analyse(bomb)


def test_zip_bomb_by_total_size_is_refused_before_inflating() -> None:
    data = zipped([("AndroidManifest.xml", MANIFEST), ("assets/a", b"x" * 5000)])
    with pytest.raises(ZipBomb, match="in all"):
        open_archive(data, Limits(max_total_uncompressed=4000))


def test_a_lying_central_directory_fails_the_bounded_read() -> None:
    data = bytearray(zipped([("AndroidManifest.xml", MANIFEST)]))
    central = data.rindex(b"PK\x01\x02")
    declared_size = central + 24  # uncompressed size in the central directory entry
    actual = struct.unpack_from("<I", data, declared_size)[0]
    struct.pack_into("<I", data, declared_size, actual // 2)
    with pytest.raises(TruncatedApk, match="does not inflate"):
        analyse(bytes(data))


def test_huge_dex_is_refused() -> None:
    with pytest.raises(ApkTooLarge, match="dex code") as caught:
        analyse(shared_apk(JAMENDO), limits=Limits(max_dex_bytes=100_000))
    assert caught.value.details["found"] == 209_696


def test_too_many_entries_and_too_large_a_file() -> None:
    data = clean_apk()
    with pytest.raises(ApkTooLarge, match="entries"):
        open_archive(data, Limits(max_entries=1))
    with pytest.raises(ApkTooLarge, match="bytes"):
        open_archive(data, Limits(max_apk_bytes=100))


def test_duplicate_manifest_entries() -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = zipped([("AndroidManifest.xml", MANIFEST), ("AndroidManifest.xml", MANIFEST)])
    with pytest.raises(DuplicateEntry, match="twice"):
        analyse(data)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"classes.dex": b"dex\n035\0"}, "no AndroidManifest.xml"),
        ({"AndroidManifest.xml": b""}, "empty"),
        ({"AndroidManifest.xml": b"<manifest package='x'/>"}, "plain-text XML"),
        ({"AndroidManifest.xml": b"\x03\x00\x08\x00garbage-garbage"}, "not a readable"),
        ({"AndroidManifest.xml": b"\x00" * 64}, "not a readable"),
    ],
)
def test_malformed_manifest(entries: dict[str, bytes], message: str) -> None:
    with pytest.raises(MalformedManifest, match=message):
        analyse(apk(entries))


def test_manifest_without_a_package() -> None:
    with pytest.raises(MalformedManifest, match="names no package"):
        analyse(apk({"AndroidManifest.xml": manifest("")}))


@pytest.mark.parametrize(
    ("dex", "message"),
    [
        (b"PK\x03\x04 not dex", "not Dalvik bytecode"),
        (b"dex\n035\0" + b"\xff" * 200, "does not parse"),
    ],
)
def test_malformed_dex(dex: bytes, message: str) -> None:
    with pytest.raises(MalformedDex, match=message):
        analyse(apk({"AndroidManifest.xml": MANIFEST, "classes.dex": dex}))


def test_an_apk_without_code_is_analysed() -> None:
    report = analyse(apk({"AndroidManifest.xml": MANIFEST}))
    assert report.clean and report.dex_files == ()


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_open_archive_random_bytes(data: bytes) -> None:
    with contextlib.suppress(ApkError):
        open_archive(data)


@FUZZ
@given(st.data())
def test_fuzz_open_archive_mutated_zip(data: st.DataObject) -> None:
    original = bytearray(clean_apk())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(original)))
    with contextlib.suppress(ApkError):
        open_archive(bytes(original[:cut] if data.draw(st.booleans()) else original))


@FUZZ
@given(st.binary(max_size=1024))
def test_fuzz_manifest_random_bytes(data: bytes) -> None:
    with contextlib.suppress(MalformedManifest):
        parse_manifest(data)


@FUZZ
@given(st.data())
def test_fuzz_manifest_mutated(data: st.DataObject) -> None:
    original = bytearray(MANIFEST)
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    with contextlib.suppress(MalformedManifest):
        parse_manifest(bytes(original[: data.draw(st.integers(0, len(original)))]))
