"""APP-11: the dex scanner finds exactly what androguard's whole-program ``Analysis`` found
(:mod:`unit.appscan.oracle`), on the shared APKs and on APKs built here, and survives hostile
bytes."""

from __future__ import annotations

import contextlib
import struct
from array import array

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgov.appscan import analyse
from certgov.appscan.archive import open_archive
from certgov.appscan.attribution import java_name
from certgov.appscan.dexscan import INVOKES, DexFile, mutf8, read_program
from certgov.appscan.errors import MalformedDex
from unit.appscan.apkgen import Call, Class, Method, dex
from unit.appscan.oracle import oracle, summary
from unit.appscan.samples import (
    JAMENDO,
    POLITEDROID,
    URZIP,
    clean_apk,
    random_apk,
    shared_apk,
    shop_apk,
)


def _scanned(apk: bytes) -> dict[str, object]:
    classes = [java_name(c) for c in read_program(open_archive(apk).dex).classes]
    return summary(analyse(apk), classes)


@pytest.mark.parametrize("name", [JAMENDO, POLITEDROID, URZIP])
def test_shared_apks_give_what_androguard_gave(name: str) -> None:
    apk = shared_apk(name)
    assert _scanned(apk) == oracle(apk)


@pytest.mark.parametrize("build", [shop_apk, clean_apk], ids=["shop", "clean"])
def test_built_apks_give_what_androguard_gave(build: object) -> None:
    apk = build()  # type: ignore[operator]
    assert _scanned(apk) == oracle(apk)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_multidex_apks_give_what_androguard_gave(seed: int) -> None:
    apk = random_apk(seed)
    expected = oracle(apk)
    assert _scanned(apk) == expected
    # The generator exercises what it should: provider reads by string, field and helper,
    # Android ID reads with their key, calls before consent, an SDK reached.
    kinds = {site[0] for site in expected["call_sites"]}  # type: ignore[attr-defined]
    assert {"android_id", "device_id"} <= kinds
    assert kinds & {"calendar", "sms", "contacts", "call_log"}
    assert any(site[-1] is not None for site in expected["call_sites"])  # type: ignore[attr-defined]
    assert expected["sdk_startup"]


def test_paths_are_the_same_on_every_run() -> None:
    apk = random_apk(4)
    first, second = analyse(apk), analyse(apk)
    assert first.as_dict() == second.as_dict()


def test_the_first_dex_file_defining_a_class_wins() -> None:
    one = dex([Class("Lcom/example/A;", methods=[Method("run", [Call("Lx/Y;", "first")])])])
    two = dex([Class("Lcom/example/A;", methods=[Method("run", [Call("Lx/Y;", "second")])])])
    program = read_program([("classes.dex", one), ("classes2.dex", two)])
    assert program.classes == ["Lcom/example/A;"]
    run = program.number(("Lcom/example/A;", "run", "()V"))
    assert [program.refs[c][1] for c, _ in program.calls_from(run)] == ["first"]


def _units_dex() -> DexFile:
    return DexFile("classes.dex", dex([Class("La/B;", methods=[Method("c")])]))


def test_payloads_are_skipped_and_offsets_are_bytes() -> None:
    reader = _units_dex()
    code = [
        0x002B,
        8,
        0,  # packed-switch v0, +8 (to the payload)
        0x106E,
        7,
        0,  # invoke-virtual {v0}, method@7
        0x0000,  # nop (alignment)
        0x000E,  # return-void
        0x0100,
        2,
        0,
        0,
        1,
        0,
        2,
        0,  # packed-switch-payload: 2 targets
        0x0200,
        1,
        5,
        0,
        3,
        0,  # sparse-switch-payload: 1 key
        0x0300,
        2,
        3,
        0,
        0x0201,
        0x0403,
        0x0005,  # fill-array-data-payload: 3 shorts
        0x2071,
        9,
        0x0010,  # invoke-static {v0, v1}, method@9
        0x0174,
        0x000A,
        0,  # invoke-virtual/range {v0}, method@10
    ]
    reader.units = array("H", code)
    assert reader.instructions(0, len(code), INVOKES) == [
        (0x6E, 6, 7),
        (0x71, 2 * 29, 9),
        (0x74, 2 * 32, 10),
    ]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ([0x0073, 0], "undefined instruction"),
        ([0x0000, 0x006E, 1], "cut off"),
        ([0x0500], "undefined"),
    ],
)
def test_bad_bytecode_is_malformed(code: list[int], message: str) -> None:
    reader = _units_dex()
    reader.units = array("H", code)
    with pytest.raises(MalformedDex, match=message):
        reader.instructions(0, len(code), INVOKES)


def test_modified_utf8() -> None:
    assert mutf8(b"plain") == "plain"
    assert mutf8(b"a\xc0\x80b") == "a\0b"
    assert (
        mutf8(
            "😀".encode("utf-16-be")
            .decode("utf-16-be", "surrogatepass")
            .encode("utf-8", "surrogatepass")
        )
        == "😀"
    )
    assert mutf8(b"\xff") == "\ufffd"


SAMPLE_DEX = dex(
    [
        Class(
            "Lcom/example/A;",
            methods=[
                Method(
                    "run",
                    [
                        Call(
                            "Landroid/telephony/TelephonyManager;",
                            "getDeviceId",
                            "()Ljava/lang/String;",
                        )
                    ],
                    strings=["content://sms"],
                    reads=[("Lcom/example/A;", "X", "I")],
                ),
                Method("<clinit>", [Call("Lcom/example/A;", "run")], static=True),
            ],
        )
    ]
)


def _read_everything(data: bytes) -> None:
    program = read_program([("classes.dex", data)])
    for method in range(len(program.refs)):
        if program.is_defined(method):
            program.constants(method)
            program.method_name(method)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SAMPLE_DEX) - 1), st.integers(0, 255)), max_size=8))
def test_fuzzed_dex_is_read_or_refused(changes: list[tuple[int, int]]) -> None:
    data = bytearray(SAMPLE_DEX)
    for at, value in changes:
        data[at] = value
    with contextlib.suppress(MalformedDex):
        _read_everything(bytes(data))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_after_a_dex_magic_are_refused(tail: bytes) -> None:
    with contextlib.suppress(MalformedDex):
        _read_everything(b"dex\n035\0" + tail)


def test_huge_declared_tables_are_refused_before_reading() -> None:
    data = bytearray(SAMPLE_DEX)
    struct.pack_into("<I", data, 0x58, 0x7FFFFFFF)  # method_ids_size
    with pytest.raises(MalformedDex, match="method_ids table lies outside"):
        read_program([("classes.dex", bytes(data))])


def test_more_types_than_the_format_allows_are_refused() -> None:
    data = bytearray(SAMPLE_DEX) + bytes(300_000)
    struct.pack_into("<I", data, 0x40, 70_000)  # type_ids_size
    with pytest.raises(MalformedDex, match="70,000 type_ids"):
        read_program([("classes.dex", bytes(data))])


def test_class_data_claiming_more_than_the_file_holds_is_refused() -> None:
    reader = DexFile("classes.dex", SAMPLE_DEX)
    _cls, _super, class_data_off = reader.class_def(0)
    data = bytearray(SAMPLE_DEX)
    # The count of direct methods (one byte) becomes 33 million.
    data[class_data_off + 2 : class_data_off + 3] = b"\xff\xff\xff\x0f"
    with pytest.raises(MalformedDex, match="more entries than the file holds"):
        DexFile("classes.dex", bytes(data)).class_methods(class_data_off)


def test_strings_sharing_their_data_are_read_within_the_file_size() -> None:
    long = "x" * 2000
    data = bytearray(dex([Class("La/B;", methods=[Method("c", strings=[long])])]))
    reader = DexFile("classes.dex", bytes(data))
    count, offset = struct.unpack_from("<II", data, 0x38)
    target = next(i for i in range(count) if reader.string(i) == long)
    (long_off,) = struct.unpack_from("<I", data, offset + 4 * target)
    for i in range(count):
        struct.pack_into("<I", data, offset + 4 * i, long_off)
    shared = DexFile("classes.dex", bytes(data))
    with pytest.raises(MalformedDex, match="strings overlap"):
        for i in range(count):
            shared.string(i)
