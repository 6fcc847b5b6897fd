"""The app's bytecode as a compact call graph: a minimal reader of Dalvik executables (``.dex``)
in pure Python over bytes, and :class:`Program`, what the analysis needs from all of an APK's
dex files (APP-11).

Reading a dex file here means its header, its string, type, proto, field and method id tables,
its class definitions and their ``class_data`` and ``code_item`` s. Each method's bytecode is
swept once (linear sweep, as androguard and ``dexdump`` do), keeping only its ``invoke-*``
instructions: the method each one names (``invoke-virtual``/``super``/``direct``/``static``/
``interface`` and their ``/range`` forms) and the offset of the call. Methods are numbered
across the dex files by their class, name and prototype; the calls are kept as flat integer
arrays (callee number and byte offset, grouped by caller). Nothing else is kept of a dex file
but its bytes (the archive holds them anyway) and the few decoded names; a method's constants
(``const-string``, static field reads) are read again from its bytecode when a rule asks.

So memory grows with the number of methods and calls (about 5 MB per MB of dense dex), not
with androguard's object model (about 130 MB per MB of dex, ``docs/app-analysis.md``).

Hostile bytes: every table is checked to lie inside the file before it is read, every read
past an end or any undefined instruction is a :class:`MalformedDex` naming the entry, and the
bytecode swept in all is bounded by the size of the file (code items that overlap to multiply
the work are refused).
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterator, Sequence

from certgov.appscan.attribution import java_name
from certgov.appscan.errors import MalformedDex

NO_INDEX = 0xFFFFFFFF
_HEADER_SIZE = 0x70
_ENDIAN_CONSTANT = 0x12345678
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_METHOD_ID = struct.Struct("<HHI")
_FIELD_ID = struct.Struct("<HHI")
_PROTO_ID = struct.Struct("<III")
_CLASS_DEF = struct.Struct("<IIIIIIII")
_CODE_ITEM = struct.Struct("<HHHHII")

#: Length in 16-bit code units of each Dalvik instruction by opcode (the Dalvik bytecode
#: reference's formats); 0: unused opcode (and ``nop``, handled apart for its payloads).
_TABLE = [0] * 256
for _op, _length in (
    [(0x00, 0), (0x01, 1), (0x02, 2), (0x03, 3), (0x04, 1), (0x05, 2), (0x06, 3)]
    + [(0x07, 1), (0x08, 2), (0x09, 3)]
    + [(op, 1) for op in range(0x0A, 0x12)]  # move-result*, move-exception, return*
    + [(0x12, 1), (0x13, 2), (0x14, 3), (0x15, 2), (0x16, 2), (0x17, 3), (0x18, 5), (0x19, 2)]
    + [(0x1A, 2), (0x1B, 3), (0x1C, 2), (0x1D, 1), (0x1E, 1), (0x1F, 2), (0x20, 2), (0x21, 1)]
    + [(0x22, 2), (0x23, 2), (0x24, 3), (0x25, 3), (0x26, 3), (0x27, 1), (0x28, 1), (0x29, 2)]
    + [(0x2A, 3), (0x2B, 3), (0x2C, 3)]
    + [(op, 2) for op in range(0x2D, 0x3E)]  # cmp*, if-*
    + [(op, 2) for op in range(0x44, 0x6E)]  # aget/aput, iget/iput, sget/sput
    + [(op, 3) for op in range(0x6E, 0x73)]  # invoke-*
    + [(op, 3) for op in range(0x74, 0x79)]  # invoke-*/range
    + [(op, 1) for op in range(0x7B, 0x90)]  # unary operations
    + [(op, 2) for op in range(0x90, 0xB0)]  # binary operations
    + [(op, 1) for op in range(0xB0, 0xD0)]  # binary operations /2addr
    + [(op, 2) for op in range(0xD0, 0xE3)]  # binary operations with a literal
    + [(0xFA, 4), (0xFB, 4), (0xFC, 3), (0xFD, 3), (0xFE, 2), (0xFF, 2)]
):
    _TABLE[_op] = _length
_LENGTHS = bytes(_TABLE)
del _TABLE

#: ``invoke-virtual`` … ``invoke-interface`` and their ``/range`` forms (not the polymorphic
#: and custom invokes, which name no method to resolve statically).
INVOKES = frozenset([*range(0x6E, 0x73), *range(0x74, 0x79)])
CONST_STRINGS = frozenset([0x1A, 0x1B])
#: ``sget`` … ``sget-short``: reads of a static field.
STATIC_READS = frozenset(range(0x60, 0x67))


def _malformed(name: str, what: str) -> MalformedDex:
    """The refusal of the dex entry ``name``; ``what`` is the technical detail (English, for
    whoever built the file), given as it is in every language."""
    return MalformedDex(
        "{name} does not parse as Dalvik bytecode ({problem})",
        details={"entry": name},
        name=name,
        problem=what,
    )


class DexFile:
    """One dex file's id tables, read on demand from its bytes."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.data = data
        if len(data) < _HEADER_SIZE:
            raise _malformed(name, f"{len(data)} bytes, shorter than a dex header")
        if data[7] != 0 or data[4:7] not in (b"035", b"036", b"037", b"038", b"039", b"040"):
            raise _malformed(name, f"unknown dex version {data[4:8]!r}")
        if _U32.unpack_from(data, 0x28)[0] != _ENDIAN_CONSTANT:
            raise _malformed(name, "not little-endian")
        counts = struct.unpack_from("<12I", data, 0x38)
        self._tables: dict[str, tuple[int, int]] = {}
        for index, (table, size) in enumerate(
            (
                ("string_ids", 4),
                ("type_ids", 4),
                ("proto_ids", 12),
                ("field_ids", 8),
                ("method_ids", 8),
                ("class_defs", 32),
            )
        ):
            count, offset = counts[2 * index], counts[2 * index + 1]
            if count and (offset < _HEADER_SIZE or offset + count * size > len(data)):
                raise _malformed(name, f"its {table} table lies outside the file")
            if count > 65535 and table in ("type_ids", "proto_ids"):
                raise _malformed(name, f"{count:,} {table}, more than the format's 65,535")
            self._tables[table] = (count, offset)
        self.method_count = self._tables["method_ids"][0]
        self.class_count = self._tables["class_defs"][0]
        # What one may read in all: string data and class_data entries that overlap to
        # multiply the work (or the memory) are refused.
        self._string_bytes_left = len(data)
        self._entries_left = len(data)
        self._strings: dict[int, str] = {}
        self._types: dict[int, str] = {}
        self._protos: dict[int, str] = {}
        # The file as 16-bit code units (code items are 4-byte aligned), without a copy.
        if sys.byteorder == "little":
            self.units: Sequence[int] = memoryview(data)[: len(data) & ~1].cast("H")
        else:  # pragma: no cover - big-endian hosts
            swapped = array("H", data[: len(data) & ~1])
            swapped.byteswap()
            self.units = swapped

    def _entry(self, table: str, index: int, size: int) -> int:
        count, offset = self._tables[table]
        if not 0 <= index < count:
            raise _malformed(self.name, f"{table} index {index} out of range (0–{count - 1})")
        return offset + index * size

    def string(self, index: int) -> str:
        """The string ``index`` of the string table (MUTF-8 decoded)."""
        found = self._strings.get(index)
        if found is None:
            data = self.data
            offset = _U32.unpack_from(data, self._entry("string_ids", index, 4))[0]
            _, start = uleb128(data, offset)
            end = data.find(b"\0", start)
            if end < 0:
                raise _malformed(self.name, f"string {index} is not terminated")
            self._string_bytes_left -= end - start
            if self._string_bytes_left < 0:
                raise _malformed(self.name, "its strings overlap beyond the size of the file")
            found = mutf8(data[start:end])
            self._strings[index] = found
        return found

    def type_name(self, index: int) -> str:
        """The descriptor of type ``index`` (``Lcom/example/Foo;``, ``I``, ``[B``)."""
        found = self._types.get(index)
        if found is None:
            found = self.string(_U32.unpack_from(self.data, self._entry("type_ids", index, 4))[0])
            self._types[index] = found
        return found

    def proto(self, index: int) -> str:
        """The prototype ``index`` as ``(params)return`` (``(ILjava/lang/String;)V``)."""
        found = self._protos.get(index)
        if found is None:
            data = self.data
            _shorty, return_type, params_off = _PROTO_ID.unpack_from(
                data, self._entry("proto_ids", index, 12)
            )
            params = ""
            if params_off:
                (count,) = _U32.unpack_from(data, params_off)
                if params_off + 4 + 2 * count > len(data):
                    raise _malformed(self.name, f"the parameters of proto {index} overrun")
                params = "".join(
                    self.type_name(t)
                    for t in struct.unpack_from(f"<{count}H", data, params_off + 4)
                )
            found = f"({params}){self.type_name(return_type)}"
            self._protos[index] = found
        return found

    def method_ref(self, index: int) -> tuple[str, str, str]:
        """Class descriptor, name and prototype of method id ``index``."""
        class_idx, proto_idx, name_idx = _METHOD_ID.unpack_from(
            self.data, self._entry("method_ids", index, 8)
        )
        return self.type_name(class_idx), self.string(name_idx), self.proto(proto_idx)

    def field_class(self, index: int) -> str:
        """The descriptor of the class that declares field id ``index``."""
        class_idx, _type, _name = _FIELD_ID.unpack_from(
            self.data, self._entry("field_ids", index, 8)
        )
        return self.type_name(class_idx)

    def class_def(self, index: int) -> tuple[str, str | None, int]:
        """Class ``index`` of the class definitions: its descriptor, its superclass's (none for
        ``java.lang.Object``) and the offset of its ``class_data`` (0: none)."""
        class_idx, _flags, super_idx, *_rest, class_data_off, _static = _CLASS_DEF.unpack_from(
            self.data, self._entry("class_defs", index, 32)
        )
        superclass = None if super_idx == NO_INDEX else self.type_name(super_idx)
        return self.type_name(class_idx), superclass, class_data_off

    def class_methods(self, class_data_off: int) -> list[tuple[int, int]]:
        """The methods of the ``class_data`` at ``class_data_off`` as (method id, code offset;
        0: no code), direct methods first, as in the file."""
        data = self.data
        methods: list[tuple[int, int]] = []
        counts = []
        offset = class_data_off
        for _ in range(4):
            value, offset = uleb128(data, offset)
            counts.append(value)
        self._entries_left -= sum(counts)
        if self._entries_left < 0:
            raise _malformed(self.name, "its class data claim more entries than the file holds")
        for _ in range(counts[0] + counts[1]):  # fields: index delta and flags
            _, offset = uleb128(data, offset)
            _, offset = uleb128(data, offset)
        for count in counts[2:]:
            method_idx = 0
            for _ in range(count):
                delta, offset = uleb128(data, offset)
                _, offset = uleb128(data, offset)
                code_off, offset = uleb128(data, offset)
                method_idx += delta
                methods.append((method_idx, code_off))
        return methods

    def code(self, code_off: int) -> tuple[int, int]:
        """The bytecode of the code item at ``code_off``: first and end code unit."""
        if code_off & 3 or code_off + 16 > len(self.data):
            raise _malformed(self.name, f"code item at {code_off:#x} misaligned or past the end")
        *_sizes, insns_size = _CODE_ITEM.unpack_from(self.data, code_off)
        start = (code_off + 16) // 2
        end = start + insns_size
        if end > len(self.units):
            raise _malformed(self.name, f"the code at {code_off:#x} runs past the end")
        return start, end

    def instructions(
        self, start: int, end: int, wanted: frozenset[int]
    ) -> list[tuple[int, int, int]]:
        """The instructions with an opcode in ``wanted`` between code units ``start`` and
        ``end``: (opcode, byte offset from ``start``, the index the instruction names: method,
        string or field id)."""
        units = self.units
        lengths = _LENGTHS
        found = []
        at = start
        while at < end:
            unit = units[at]
            op = unit & 0xFF
            length = lengths[op]
            if op in wanted:
                if at + length > end:
                    raise _malformed(self.name, f"an instruction at code unit {at} is cut off")
                index = units[at + 1]
                if op == 0x1B:  # const-string/jumbo: a 32-bit string index
                    index |= units[at + 2] << 16
                found.append((op, 2 * (at - start), index))
            elif not length:
                length = self._special(unit, at, end)
            at += length
        return found

    def _special(self, unit: int, at: int, end: int) -> int:
        """The length of a ``nop`` or of the data payload it introduces (switch tables, array
        data); an unused opcode is malformed bytecode."""
        if unit == 0:
            return 1
        units = self.units
        if at + 4 > end and unit in (0x0100, 0x0200, 0x0300):
            raise _malformed(self.name, f"a payload at code unit {at} runs past its method")
        if unit == 0x0100:  # packed-switch-payload
            return units[at + 1] * 2 + 4
        if unit == 0x0200:  # sparse-switch-payload
            return units[at + 1] * 4 + 2
        if unit == 0x0300:  # fill-array-data-payload
            width, size = units[at + 1], units[at + 2] | units[at + 3] << 16
            return (size * width + 1) // 2 + 4
        raise _malformed(self.name, f"undefined instruction {unit:#06x} at code unit {at}")


def uleb128(data: bytes, offset: int) -> tuple[int, int]:
    """The unsigned LEB128 value at ``offset`` and the offset after it (at most 5 bytes)."""
    result = shift = 0
    while True:
        byte = data[offset]
        offset += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, offset
        shift += 7
        if shift > 28:
            raise IndexError("uleb128 longer than 5 bytes")


def mutf8(raw: bytes) -> str:
    """Dex string data (modified UTF-8: NUL as two bytes, characters beyond the BMP as
    surrogate pairs of three bytes each) as text; undecodable bytes become U+FFFD."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    units: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        byte = raw[i]
        if byte < 0x80:
            units.append(byte)
            i += 1
        elif byte & 0xE0 == 0xC0 and i + 1 < n:
            units.append((byte & 0x1F) << 6 | raw[i + 1] & 0x3F)
            i += 2
        elif byte & 0xF0 == 0xE0 and i + 2 < n:
            units.append((byte & 0x0F) << 12 | (raw[i + 1] & 0x3F) << 6 | raw[i + 2] & 0x3F)
            i += 3
        else:
            units.append(0xFFFD)
            i += 1
    text = "".join(map(chr, units))
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class Program:
    """All the methods the APK's code defines or calls, numbered, and its calls.

    A method is its class descriptor, name and prototype (``("Lcom/example/App;", "onCreate",
    "()V")``); methods of classes defined in the APK are *defined* (the first dex file that
    defines a class wins, as with Android's class loader); the others are only called. Calls
    to methods of array types count as calls on the element class, as androguard has it.
    """

    def __init__(self) -> None:
        self.dex: list[DexFile] = []
        #: Method number → (class descriptor, name, prototype).
        self.refs: list[tuple[str, str, str]] = []
        self._numbers: dict[tuple[str, str, str], int] = {}
        #: Method numbers by class descriptor, in the order they were numbered.
        self.by_class: dict[str, list[int]] = {}
        #: Classes defined, in dex then definition order, and their superclasses.
        self.classes: list[str] = []
        self.superclass: dict[str, str | None] = {}
        # Per method number: defined (1) or not, its dex file and bytecode (code units), and
        # its calls: a run of ``callee``/``offset`` starting at ``first_call``.
        self._defined = bytearray()
        self._dex_of = array("i")
        self._code_start = array("i")
        self._code_end = array("i")
        self._first_call = array("i")
        self._call_count = array("i")
        self.callee = array("i")
        self.offset = array("i")
        #: The methods that make calls, in the order of their runs in ``callee``.
        self._callers = array("i")

    # -- reading -------------------------------------------------------------------------

    def add_dex(self, name: str, data: bytes) -> None:
        """Read the dex file ``name`` and add its classes and calls."""
        if data[:4] != b"dex\n":
            if not data:
                raise MalformedDex(
                    "{name} is not Dalvik bytecode (it starts with nothing)",
                    details={"entry": name},
                    name=name,
                )
            raise MalformedDex(
                "{name} is not Dalvik bytecode (it starts with {head})",
                details={"entry": name},
                name=name,
                head=data[:8].hex(),
            )
        try:
            self._add(DexFile(name, data))
        except MalformedDex:
            raise
        except (IndexError, ValueError, struct.error, OverflowError) as error:
            raise _malformed(name, f"{type(error).__name__}: {str(error)[:200]}") from None

    def _add(self, dex: DexFile) -> None:
        # Method ids are numbered when first defined or called (-2: not yet; -1: a method of a
        # primitive array type, never followed).
        targets = array("i", [-2]) * dex.method_count

        def target(index: int) -> int:
            if not 0 <= index < dex.method_count:
                raise _malformed(dex.name, f"method index {index} out of range")
            number = targets[index]
            if number == -2:
                cls, name, proto = dex.method_ref(index)
                cls = cls.lstrip("[")
                number = self.number((cls, name, proto)) if cls.startswith("L") else -1
                targets[index] = number
            return number

        dex_number = len(self.dex)
        self.dex.append(dex)
        budget = len(dex.data)  # code units one may sweep: overlapping code items are refused
        defined = self._defined
        for class_index in range(dex.class_count):
            cls, superclass, class_data_off = dex.class_def(class_index)
            if cls in self.superclass:
                continue  # defined by an earlier dex file (or twice): the first one counts
            self.classes.append(cls)
            self.superclass[cls] = superclass
            if not class_data_off:
                continue
            for method_idx, code_off in dex.class_methods(class_data_off):
                number = target(method_idx)
                if number < 0 or defined[number]:
                    continue
                defined[number] = 1
                self._dex_of[number] = dex_number
                if not code_off:
                    continue
                start, end = dex.code(code_off)
                budget -= end - start
                if budget < 0:
                    raise _malformed(dex.name, "its code items overlap")
                self._code_start[number], self._code_end[number] = start, end
                calls = dex.instructions(start, end, INVOKES)
                if calls:
                    self._first_call[number] = len(self.callee)
                    self._call_count[number] = len(calls)
                    self._callers.append(number)
                    for _op, offset, method in calls:
                        self.callee.append(target(method))
                        self.offset.append(offset)

    def number(self, ref: tuple[str, str, str]) -> int:
        """The number of the method ``ref``, numbering it if it is new."""
        found = self._numbers.get(ref)
        if found is None:
            found = len(self.refs)
            self._numbers[ref] = found
            self.refs.append(ref)
            self.by_class.setdefault(ref[0], []).append(found)
            self._defined.append(0)
            for column in (self._dex_of, self._code_start, self._code_end):
                column.append(-1)
            self._first_call.append(0)
            self._call_count.append(0)
        return found

    # -- queries -------------------------------------------------------------------------

    def is_defined(self, method: int) -> bool:
        return bool(self._defined[method])

    def is_internal_class(self, cls: str) -> bool:
        return cls in self.superclass

    def methods_of(self, cls: str, names: frozenset[str] | tuple[str, ...]) -> list[int]:
        """The methods of class ``cls`` with one of ``names``: defined ones first."""
        found = [m for m in self.by_class.get(cls, ()) if self.refs[m][1] in names]
        return sorted(found, key=lambda m: not self._defined[m])

    def calls_from(self, method: int) -> Iterator[tuple[int, int]]:
        """(callee, byte offset) of each call ``method`` makes, in bytecode order; the callee
        is -1 for a call on a primitive array type."""
        first = self._first_call[method]
        for k in range(first, first + self._call_count[method]):
            yield self.callee[k], self.offset[k]

    def callees(self, method: int) -> array[int]:
        first = self._first_call[method]
        return self.callee[first : first + self._call_count[method]]

    def calls_to(self, wanted: set[int]) -> list[tuple[int, int, int]]:
        """(caller, callee, byte offset) of every call to a method in ``wanted``, by caller in
        numbering order and offset."""
        found = []
        callee, offsets, first_call = self.callee, self.offset, self._first_call
        hits = [k for k, target in enumerate(callee) if target in wanted]
        # Callers own consecutive runs of calls, in the order of ``_callers``: map each hit
        # back to its run.
        position = 0
        callers = self._callers
        for k in hits:
            while position + 1 < len(callers) and first_call[callers[position + 1]] <= k:
                position += 1
            found.append((callers[position], callee[k], offsets[k]))
        return sorted(found)

    def constants(self, method: int) -> tuple[list[str], list[str]]:
        """The strings ``method`` loads (``const-string``) and the descriptors of the classes
        whose static fields it reads, in bytecode order; nothing for a method without code."""
        start = self._code_start[method]
        if start < 0:
            return [], []
        dex = self.dex[self._dex_of[method]]
        strings: list[str] = []
        fields: list[str] = []
        try:
            for op, _offset, index in dex.instructions(
                start, self._code_end[method], CONST_STRINGS | STATIC_READS
            ):
                if op in CONST_STRINGS:
                    strings.append(dex.string(index))
                else:
                    fields.append(dex.field_class(index))
        except (IndexError, ValueError, struct.error, OverflowError) as error:
            raise _malformed(dex.name, f"{type(error).__name__}: {str(error)[:200]}") from None
        return strings, fields

    def method_name(self, method: int) -> str:
        """``com.example.App.onCreate()V``"""
        cls, name, proto = self.refs[method]
        return f"{java_name(cls)}.{name}{proto}"


def read_program(dex_files: Sequence[tuple[str, bytes]]) -> Program:
    """The :class:`Program` of the dex files (name, bytes) in class-loader order."""
    program = Program()
    for name, data in dex_files:
        program.add_dex(name, data)
    return program
