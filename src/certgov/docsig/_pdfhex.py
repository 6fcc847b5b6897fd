"""Hex strings of a PDF read in C speed while certgov reads a document with pyHanko.

pyHanko (0.34) reads a hex string ``<...>`` one byte at a time through Python generators;
a signature's ``/Contents`` is a hex string of tens of kilobytes (and is read again for
each revision the difference analysis looks at), so about half of a PDF validation went
there. :func:`fast_hex` makes pyHanko's object reader, for the duration of a ``with`` block
in the current thread (a context variable), read the common shape — hex digits and PDF
whitespace up to the first ``>`` — in chunks with ``binascii.unhexlify``; anything else
(a comment, a foreign byte, no ``>`` before the end of the stream) is left to pyHanko's own
function from the same position, so the result (the string object, the stream position, the
error) is the same for every input (``tests/unit/docsig/test_pdfhex.py`` checks this against
pyHanko's function). Outside the block, and in other threads, pyHanko is unchanged.
"""

from __future__ import annotations

import binascii
import contextlib
import contextvars
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE

__all__ = ["fast_hex", "read_hex_string"]

_ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("certgov_fast_hex", default=False)
#: Hex digits and PDF whitespace (ISO 32000-1 §7.2.2: NUL, HT, LF, FF, CR, SP): what pyHanko
#: skips or keeps without looking further (a ``%`` starts a comment there: not this shape).
_BODY = re.compile(rb"[0-9A-Fa-f" + re.escape(PDF_WHITESPACE) + rb"]*")
_FIRST_CHUNK = 8192
_LOCK = threading.Lock()
_original: Callable[[Any], Any] | None = None


def read_hex_string(stream: Any) -> Any:
    """pyHanko's ``read_hex_string_from_stream``, in C speed for hex digits and whitespace
    up to ``>``; every other input goes to pyHanko's own function from the same position."""
    original = _original
    assert original is not None
    if not _ENABLED.get():
        return original(stream)
    start = stream.tell()
    if stream.read(1) != b"<":
        stream.seek(start)
        return original(stream)
    parts: list[bytes] = []
    read = 0
    size = _FIRST_CHUNK
    while True:
        chunk = stream.read(size)
        if not chunk:
            break  # the stream ended before '>': pyHanko says how
        end = _BODY.match(chunk).end()  # type: ignore[union-attr]  # '*' always matches
        parts.append(chunk[:end])
        read += end
        if end < len(chunk):
            if chunk[end : end + 1] != b">":
                break  # a comment or a foreign byte: pyHanko decides
            stream.seek(start + 1 + read + 1)
            digits = b"".join(parts).translate(None, PDF_WHITESPACE)
            if len(digits) % 2:
                digits += b"0"
            return generic.pdf_string(binascii.unhexlify(digits))
        size = min(size * 2, 1 << 20)
    stream.seek(start)
    return original(stream)


def _install() -> None:
    global _original
    with _LOCK:
        if _original is None:
            _original = generic.read_hex_string_from_stream
            generic.read_hex_string_from_stream = read_hex_string


@contextlib.contextmanager
def fast_hex() -> Iterator[None]:
    """While the block runs (in this thread or task), pyHanko reads hex strings with
    :func:`read_hex_string`."""
    _install()
    token = _ENABLED.set(True)
    try:
        yield
    finally:
        _ENABLED.reset(token)
