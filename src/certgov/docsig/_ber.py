"""A bounded pre-scan of BER (ITU-T X.690) before asn1crypto sees the bytes.

asn1crypto parses lazily and recursively: hostile input (thousands of nested constructed
elements, millions of tiny elements) can exhaust the stack or take long when a field is first
touched. :func:`scan` walks the first element iteratively, with definite and indefinite
lengths, and refuses nesting deeper than ``max_depth`` or more than ``max_elements`` elements,
so everything asn1crypto is later asked to parse has been measured first.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BerError", "BerShape", "scan"]


class BerError(ValueError):
    """The bytes are not BER, or exceed a limit; ``limit`` names the limit exceeded, if any."""

    def __init__(self, message: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit


@dataclass(frozen=True, slots=True)
class BerShape:
    """What the scan saw: the first element ends at ``end``; the deepest nesting and the
    number of elements."""

    end: int
    depth: int
    elements: int


def _header(data: bytes, offset: int) -> tuple[bool, int, int | None]:
    """(constructed, content offset, length or None for indefinite) of the element at
    ``offset``."""
    size = len(data)
    if offset >= size:
        raise BerError(f"truncated element at byte {offset}")
    tag = data[offset]
    position = offset + 1
    if tag & 0x1F == 0x1F:  # high tag number: base-128 continuation bytes
        count = 0
        while True:
            if position >= size:
                raise BerError(f"truncated tag at byte {offset}")
            count += 1
            if count > 4:
                raise BerError(f"tag number too long at byte {offset}")
            more = data[position] & 0x80
            position += 1
            if not more:
                break
    if position >= size:
        raise BerError(f"truncated length at byte {offset}")
    first = data[position]
    position += 1
    constructed = bool(tag & 0x20)
    if first < 0x80:
        return constructed, position, first
    if first == 0x80:
        if not constructed:
            raise BerError(f"indefinite length on a primitive element at byte {offset}")
        return constructed, position, None
    count = first & 0x7F
    if count > 4 or position + count > size:
        raise BerError(f"bad length of {count} bytes at byte {offset}")
    length = int.from_bytes(data[position : position + count], "big")
    position += count
    if position + length > size:
        raise BerError(
            f"element at byte {offset} claims {length} bytes but only {size - position} follow"
        )
    return constructed, position, length


def scan(data: bytes, *, max_depth: int, max_elements: int) -> BerShape:
    """Walk the first BER element of ``data`` without recursion.

    Raises :class:`BerError` on malformed input, on nesting deeper than ``max_depth`` (limit
    ``depth``) and on more than ``max_elements`` elements (limit ``elements``).
    """
    # Each open constructed element: its end offset, or None when indefinite (ends at 00 00).
    stack: list[int | None] = []
    position = 0
    elements = 0
    deepest = 0
    while True:
        if stack:
            top = stack[-1]
            if top is None:
                if data[position : position + 2] == b"\x00\x00":
                    position += 2
                    stack.pop()
                    if not stack:
                        return BerShape(position, deepest, elements)
                    continue
            elif position >= top:
                if position > top:
                    raise BerError(f"element overruns its parent at byte {position}")
                stack.pop()
                if not stack:
                    return BerShape(position, deepest, elements)
                continue
        elements += 1
        if elements > max_elements:
            raise BerError(f"more than {max_elements} elements", "elements")
        constructed, content, length = _header(data, position)
        parent = stack[-1] if stack else None
        if length is not None and parent is not None and content + length > parent:
            raise BerError(f"element at byte {position} overruns its parent")
        if constructed:
            if len(stack) + 1 > max_depth:
                raise BerError(f"nesting deeper than {max_depth}", "depth")
            stack.append(None if length is None else content + length)
            deepest = max(deepest, len(stack))
            position = content
            if length == 0:
                stack.pop()
                position = content
                if not stack:
                    return BerShape(position, deepest, elements)
        else:
            assert length is not None
            position = content + length
            if not stack:
                return BerShape(position, deepest, elements)
