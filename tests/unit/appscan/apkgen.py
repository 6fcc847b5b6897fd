"""A small writer of Dalvik executables, binary Android manifests and unsigned APKs, for tests
and the benchmark: the cases the shared APKs lack (an SDK initialised from
``Application.onCreate``, an undeclared SDK, a clean app, a 10 MB dex) are built from a
description, so every test APK's content is visible in the test that uses it.

Only what androguard reads is written: string, type, proto and method ids, class definitions
with code items (``const/4``, ``const-string``, ``invoke-*``, ``return-void``), the map list,
checksum and signature. Format: https://source.android.com/docs/core/runtime/dex-format and,
for AXML, the ResChunk structures of AOSP ``ResourceTypes.h``. The bytecode is not meant to
pass the Android verifier (registers hold nulls); it is meant to have exact call sites.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

NO_INDEX = 0xFFFFFFFF
ACC_PUBLIC, ACC_STATIC, ACC_CONSTRUCTOR = 0x1, 0x8, 0x10000


@dataclass
class Call:
    cls: str  # Dalvik descriptor, Lcom/example/Foo;
    name: str
    proto: str = "()V"
    static: bool = False


@dataclass
class Method:
    name: str
    calls: list[Call] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    static: bool = False
    #: Static fields read (``sget-object``): (class, name, type) descriptors.
    reads: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Class:
    name: str
    superclass: str = "Ljava/lang/Object;"
    methods: list[Method] = field(default_factory=list)


def _uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _proto_parts(proto: str) -> tuple[list[str], str]:
    params_text, ret = proto[1:].split(")")
    params, i = [], 0
    while i < len(params_text):
        start = i
        while params_text[i] == "[":
            i += 1
        if params_text[i] == "L":
            i = params_text.index(";", i)
        i += 1
        params.append(params_text[start:i])
    return params, ret


def _shorty(proto: str) -> str:
    params, ret = _proto_parts(proto)
    return "".join("L" if t[0] in "L[" else t for t in [ret, *params])


def dex(classes: list[Class]) -> bytes:
    """A dex file defining ``classes`` (supers listed before their subclasses)."""
    calls = [(c, m) for c in classes for m in c.methods]
    defined = [(c.name, m.name, "()V") for c, m in calls]
    called = [(k.cls, k.name, k.proto) for _, m in calls for k in m.calls]
    method_refs = sorted(set(defined + called))
    protos = sorted({p for _, _, p in method_refs})
    field_refs = sorted({f for _, m in calls for f in m.reads})
    types = {c.name for c in classes} | {c.superclass for c in classes}
    types |= {c for c, _, _ in method_refs}
    types |= {t for c, _, t in field_refs} | {c for c, _, _ in field_refs}
    for proto in protos:
        params, ret = _proto_parts(proto)
        types |= {ret, *params}
    strings = set(types) | {n for _, n, _ in method_refs} | {_shorty(p) for p in protos}
    strings |= {s for _, m in calls for s in m.strings} | {n for _, n, _ in field_refs}
    string_list = sorted(strings, key=lambda s: s.encode("utf-16-be"))
    sidx = {s: i for i, s in enumerate(string_list)}
    type_list = sorted(types, key=lambda t: sidx[t])
    tidx = {t: i for i, t in enumerate(type_list)}

    def proto_key(proto: str) -> tuple[int, list[int]]:
        params, ret = _proto_parts(proto)
        return tidx[ret], [tidx[p] for p in params]

    protos.sort(key=proto_key)
    pidx = {p: i for i, p in enumerate(protos)}
    method_refs.sort(key=lambda m: (tidx[m[0]], sidx[m[1]], pidx[m[2]]))
    midx = {m: i for i, m in enumerate(method_refs)}
    field_refs.sort(key=lambda f: (tidx[f[0]], sidx[f[1]], tidx[f[2]]))
    fidx = {f: i for i, f in enumerate(field_refs)}

    header_size = 0x70
    string_ids_off = header_size
    type_ids_off = string_ids_off + 4 * len(string_list)
    proto_ids_off = type_ids_off + 4 * len(type_list)
    field_ids_off = proto_ids_off + 12 * len(protos)
    method_ids_off = field_ids_off + 8 * len(field_refs)
    class_defs_off = method_ids_off + 8 * len(method_refs)
    data_off = class_defs_off + 32 * len(classes)

    data = bytearray()

    def align() -> None:
        while (data_off + len(data)) % 4:
            data.append(0)

    type_list_offs: dict[str, int] = {}
    for proto in protos:
        params, _ = _proto_parts(proto)
        if params:
            align()
            type_list_offs[proto] = data_off + len(data)
            data += struct.pack("<I", len(params))
            data += b"".join(struct.pack("<H", tidx[p]) for p in params)
    type_lists_start = min(type_list_offs.values(), default=0)

    code_offs: dict[tuple[str, str], int] = {}
    code_start = 0
    for cls, method in calls:
        align()
        code_offs[(cls.name, method.name)] = data_off + len(data)
        code_start = code_start or code_offs[(cls.name, method.name)]
        units = [0x0012]  # const/4 v0, #0
        for text in method.strings:
            index = sidx[text]
            if index > 0xFFFF:
                units += [0x001B, index & 0xFFFF, index >> 16]  # const-string/jumbo v0
            else:
                units += [0x001A, index]  # const-string v0
        for read in method.reads:
            units += [0x0062, fidx[read]]  # sget-object v0
        for call in method.calls:
            params, _ = _proto_parts(call.proto)
            words = sum(2 if p in ("J", "D") else 1 for p in params) + (0 if call.static else 1)
            count = min(words, 5)
            op = 0x71 if call.static else 0x6E
            units += [(count << 12) | op, midx[(call.cls, call.name, call.proto)], 0]
        units.append(0x000E)  # return-void
        ins = 0 if method.static or method.name == "<clinit>" else 1
        data += struct.pack("<HHHHII", 1 + ins, ins, 5, 0, 0, len(units))
        data += b"".join(struct.pack("<H", u) for u in units)

    class_data_offs: dict[str, int] = {}
    class_data_start = data_off + len(data)
    for cls in classes:
        class_data_offs[cls.name] = data_off + len(data)

        def encoded(methods: list[Method], cls: Class = cls) -> bytes:
            out, previous = bytearray(), 0
            ordered = sorted(methods, key=lambda m: midx[(cls.name, m.name, "()V")])
            for m in ordered:
                index = midx[(cls.name, m.name, "()V")]
                flags = ACC_PUBLIC
                if m.static or m.name == "<clinit>":
                    flags |= ACC_STATIC
                if m.name in ("<init>", "<clinit>"):
                    flags |= ACC_CONSTRUCTOR
                out += _uleb(index - previous) + _uleb(flags)
                out += _uleb(code_offs[(cls.name, m.name)])
                previous = index
            return bytes(out)

        direct = [m for m in cls.methods if m.static or m.name.startswith("<")]
        virtual = [m for m in cls.methods if m not in direct]
        data += _uleb(0) + _uleb(0) + _uleb(len(direct)) + _uleb(len(virtual))
        data += encoded(direct) + encoded(virtual)

    string_data_start = data_off + len(data)
    string_offs = []
    for text in string_list:
        string_offs.append(data_off + len(data))
        data += _uleb(len(text.encode("utf-16-le")) // 2) + text.encode("utf-8") + b"\0"

    align()
    map_off = data_off + len(data)
    sections = [
        (0x0000, 1, 0),
        (0x0001, len(string_list), string_ids_off),
        (0x0002, len(type_list), type_ids_off),
        (0x0003, len(protos), proto_ids_off),
        (0x0004, len(field_refs), field_ids_off),
        (0x0005, len(method_refs), method_ids_off),
        (0x0006, len(classes), class_defs_off),
        (0x1001, len(type_list_offs), type_lists_start),
        (0x2001, len(calls), code_start),
        (0x2000, len(classes), class_data_start),
        (0x2002, len(string_list), string_data_start),
        (0x1000, 1, map_off),
    ]
    sections = [s for s in sections if s[1]]
    data += struct.pack("<I", len(sections))
    data += b"".join(struct.pack("<HHII", kind, 0, size, off) for kind, size, off in sections)

    table = bytearray()
    table += b"".join(struct.pack("<I", off) for off in string_offs)
    table += b"".join(struct.pack("<I", sidx[t]) for t in type_list)
    for proto in protos:
        _, ret = _proto_parts(proto)
        table += struct.pack("<III", sidx[_shorty(proto)], tidx[ret], type_list_offs.get(proto, 0))
    for cls_name, name, type_name in field_refs:
        table += struct.pack("<HHI", tidx[cls_name], tidx[type_name], sidx[name])
    for cls_name, name, proto in method_refs:
        table += struct.pack("<HHI", tidx[cls_name], pidx[proto], sidx[name])
    for cls in classes:
        table += struct.pack(
            "<IIIIIIII",
            tidx[cls.name],
            ACC_PUBLIC,
            tidx[cls.superclass],
            0,
            NO_INDEX,
            0,
            class_data_offs[cls.name],
            0,
        )
    body = table + data
    file_size = header_size + len(body)

    def ids(count: int, off: int) -> tuple[int, int]:
        return count, off if count else 0

    header = bytearray(b"dex\n035\0" + b"\0" * 24)
    header += struct.pack("<III", file_size, header_size, 0x12345678)
    header += struct.pack("<III", 0, 0, map_off)
    header += struct.pack("<II", *ids(len(string_list), string_ids_off))
    header += struct.pack("<II", *ids(len(type_list), type_ids_off))
    header += struct.pack("<II", *ids(len(protos), proto_ids_off))
    header += struct.pack("<II", *ids(len(field_refs), field_ids_off))
    header += struct.pack("<II", *ids(len(method_refs), method_ids_off))
    header += struct.pack("<II", *ids(len(classes), class_defs_off))
    header += struct.pack("<II", len(data), data_off)
    out = bytearray(header) + body
    out[12:32] = hashlib.sha1(out[32:]).digest()
    out[8:12] = struct.pack("<I", zlib.adler32(bytes(out[12:])))
    return bytes(out)


# --- binary XML (AXML) -----------------------------------------------------------------------

ANDROID = "http://schemas.android.com/apk/res/android"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | int | bool] = field(default_factory=dict)  # "android:x" or "x"
    children: list[Element] = field(default_factory=list)


def axml(root: Element) -> bytes:
    """The binary XML of ``root`` with the android namespace declared on it."""
    strings: list[str] = []

    def index(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    index("android")
    index(ANDROID)
    chunks = bytearray()

    def node(kind: int, body: bytes) -> bytes:
        return struct.pack("<HHIII", kind, 16, 16 + len(body), 1, NO_INDEX) + body

    def walk(element: Element) -> None:
        attributes = bytearray()
        for key, value in element.attrs.items():
            ns = index(ANDROID) if key.startswith("android:") else NO_INDEX
            name = index(key.removeprefix("android:"))
            if isinstance(value, bool):
                raw, kind, data = NO_INDEX, 0x12, 0xFFFFFFFF if value else 0
            elif isinstance(value, int):
                raw, kind, data = NO_INDEX, 0x10, value
            else:
                raw = index(value)
                kind, data = 0x03, raw
            attributes += struct.pack("<IIIHBBI", ns, name, raw, 8, 0, kind, data)
        start = struct.pack(
            "<IIHHHHHH", NO_INDEX, index(element.tag), 20, 20, len(element.attrs), 0, 0, 0
        )
        chunks.extend(node(0x0102, start + attributes))
        for child in element.children:
            walk(child)
        chunks.extend(node(0x0103, struct.pack("<II", NO_INDEX, index(element.tag))))

    walk(root)
    namespace = struct.pack("<II", index("android"), index(ANDROID))
    tree = node(0x0100, namespace) + chunks + node(0x0101, namespace)

    encoded = bytearray()
    offsets = []
    for text in strings:
        raw = text.encode("utf-8")
        assert len(raw) < 0x80, "short strings only"
        offsets.append(len(encoded))
        encoded += bytes([len(text), len(raw)]) + raw + b"\0"
    while len(encoded) % 4:
        encoded.append(0)
    pool_header = 28 + 4 * len(strings)
    pool = struct.pack(
        "<HHIIIIII",
        0x0001,
        28,
        pool_header + len(encoded),
        len(strings),
        0,
        0x100,
        pool_header,
        0,
    )
    pool += b"".join(struct.pack("<I", o) for o in offsets) + encoded
    body = pool + tree
    return struct.pack("<HHI", 0x0003, 8, 8 + len(body)) + body


def manifest(
    package: str,
    *,
    application: str | None = None,
    permissions: tuple[str, ...] = (),
    components: tuple[tuple[str, str, bool | None, tuple[str, ...]], ...] = (),
    version_code: int = 1,
    version_name: str = "1.0",
    target_sdk: int = 30,
) -> bytes:
    """A manifest; ``components`` are (kind, class, exported or None, intent actions)."""
    app = Element("application", {"android:name": application} if application else {})
    for kind, name, exported, actions in components:
        attrs: dict[str, str | int | bool] = {"android:name": name}
        if exported is not None:
            attrs["android:exported"] = exported
        children = []
        if actions:
            children.append(
                Element(
                    "intent-filter",
                    children=[Element("action", {"android:name": a}) for a in actions],
                )
            )
        app.children.append(Element(kind, attrs, children))
    root = Element(
        "manifest",
        {
            "android:versionCode": version_code,
            "android:versionName": version_name,
            "package": package,
        },
        [Element("uses-sdk", {"android:minSdkVersion": 21, "android:targetSdkVersion": target_sdk})]
        + [Element("uses-permission", {"android:name": p}) for p in permissions]
        + [app],
    )
    return axml(root)


def apk(entries: dict[str, bytes]) -> bytes:
    """An unsigned APK (a zip) of ``entries``, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()
