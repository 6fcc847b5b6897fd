"""The speed-ups of PDF validation change nothing: pyHanko's hex strings read in C speed give
pyHanko's own objects, positions and errors for every input, and every shared PDF and hostile
variant gets the same report with them and without them, with the per-process caches cold and
warm."""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from certgov.docsig import AnchorTrustEvaluator, DocumentError, _pdfhex, cms, validate_pdf
from certgov.docsig import pdf as docsig_pdf
from unit.docsig.builders import flip
from unit.docsig.conftest import IN_2020, IN_2030, pdf

SHARED = (
    "minimal-two-fields-signed-twice.pdf",
    "pades-with-old-style-signing-cert-attr.pdf",
    "sig-no-signed-attrs.pdf",
    "unsigned-empty-a4.pdf",
)


def _pyhanko_reads(data: bytes) -> tuple[Any, ...]:
    with _pdfhex.fast_hex():  # installs the hook; pyHanko's own function is kept beside it
        pass
    original = _pdfhex._original
    assert original is not None
    return _outcome(original, data)


def _outcome(read: Any, data: bytes) -> tuple[Any, ...]:
    stream = io.BytesIO(data)
    try:
        value = read(stream)
    except Exception as exc:
        return ("error", type(exc), str(exc), stream.tell())
    return ("value", type(value), bytes(value.original_bytes), str(value), stream.tell())


def _fast_reads(data: bytes) -> tuple[Any, ...]:
    with _pdfhex.fast_hex():
        return _outcome(_pdfhex.read_hex_string, data)


_PIECES = st.sampled_from(
    [
        *(b"0", b"9", b"a", b"F", b"g", b" ", b"\n", b"\r", b"\t", b"\x00", b"\x0c", b"\x0b"),
        *(b"%", b"% comment\n", b">", b">>", b"<", b"\xfe\xff", b"FEFF", b"00", b"ab" * 5000),
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40), st.binary(max_size=8))
def test_fast_hex_reads_like_pyhanko(pieces: list[bytes], tail: bytes) -> None:
    data = b"<" + b"".join(pieces) + tail
    assert _fast_reads(data) == _pyhanko_reads(data)


@pytest.mark.parametrize(
    "data",
    [
        b"<>",
        b"<0>",
        b"<41424>rest",
        b"<FEFF0041>",
        b"< 41 42\n43\r\n>",
        b"<41%comment\n42>",
        b"<41 4G>",
        b"<414243",
        b"<" + b"30" * 40000 + b">",
        b"<" + b"30" * 40000,
        b"<" + b"30" * 40000 + b"x>",
    ],
    ids=lambda d: repr(d[:12]),
)
def test_fast_hex_edges_read_like_pyhanko(data: bytes) -> None:
    assert _fast_reads(data) == _pyhanko_reads(data)


def test_pyhanko_is_unchanged_outside_the_block() -> None:
    with _pdfhex.fast_hex():
        pass
    assert generic.read_hex_string_from_stream is _pdfhex.read_hex_string
    calls: list[bytes] = []
    original = _pdfhex._original

    def spy(stream: Any) -> Any:
        calls.append(stream.getvalue())
        assert original is not None
        return original(stream)

    saved = _pdfhex._original
    _pdfhex._original = spy
    try:
        generic.read_hex_string_from_stream(io.BytesIO(b"<4142>"))
        with _pdfhex.fast_hex():
            generic.read_hex_string_from_stream(io.BytesIO(b"<4142>"))
    finally:
        _pdfhex._original = saved
    assert calls == [b"<4142>"]  # outside the block only


#: The hostile variants of the shared PDFs, by name: the names are known when the tests are
#: collected, the files are read in the test (which skips, saying why, when they are absent).
HOSTILE = (
    "flipped-signed-byte",
    "flipped-contents-digit",
    "contents-with-whitespace",
    "contents-with-comment",
    "contents-not-hex",
    "contents-unterminated",
    "contents-garbage-cms",
    "truncated",
    "flipped-two-fields",
)


def _hostile() -> dict[str, bytes]:
    pades = pdf("pades-with-old-style-signing-cert-attr.pdf")
    match = re.search(rb"/Contents <([0-9a-fA-F]+)>", pades)
    assert match is not None
    start, end = match.span(1)
    hexed = match.group(1)
    return {
        "flipped-signed-byte": flip(pades, 600),
        "flipped-contents-digit": pades[:start] + b"1" + pades[start + 1 :],
        "contents-with-whitespace": pades[:start] + b" " + hexed[1:] + pades[end:],
        "contents-with-comment": pades[:start] + b"%" + hexed[1:] + pades[end:],
        "contents-not-hex": pades[:start] + b"zz" + hexed[2:] + pades[end:],
        "contents-unterminated": pades[:start] + hexed + b"0" + pades[end + 1 :],
        "contents-garbage-cms": (
            pades[:start] + b"3082ffff" + b"41" * ((len(hexed) - 8) // 2) + pades[end:]
        ),
        "truncated": pades[: len(pades) // 2],
        "flipped-two-fields": flip(pdf("minimal-two-fields-signed-twice.pdf"), 900),
    }


def _report(data: bytes, evaluator: AnchorTrustEvaluator, at: Any) -> Any:
    try:
        return validate_pdf(data, evaluator=evaluator, validation_time=at).as_dict()
    except DocumentError as exc:
        return ("error", type(exc).__name__, str(exc))


def _clear_caches() -> None:
    for cache in (cms._READ_WHOLE, cms._SCANNED, cms._SAME_NAME, cms._CERTIFICATES):
        cache.clear()


@pytest.mark.parametrize("name", [*SHARED, *HOSTILE])
@pytest.mark.parametrize("at", [IN_2020, IN_2030], ids=["2020", "2030"])
def test_same_report_with_and_without_the_speed_ups(
    name: str, at: Any, pdf_evaluator: AnchorTrustEvaluator, monkeypatch: pytest.MonkeyPatch
) -> None:
    variants = _hostile()
    assert set(variants) == set(HOSTILE)
    data = pdf(name) if name in SHARED else variants[name]
    _clear_caches()
    cold = _report(data, pdf_evaluator, at)
    warm = _report(data, pdf_evaluator, at)
    with monkeypatch.context() as patched:
        patched.setattr(docsig_pdf, "fast_hex", contextlib.nullcontext)
        patched.setattr(cms, "_absent", lambda value: value.native is None)
        patched.setattr(cms, "_SCANNED", _NeverKept())
        patched.setattr(cms, "_SAME_NAME", _NeverKept())
        plain = _report(data, pdf_evaluator, at)
    assert cold == warm == plain


class _NeverKept(dict[Any, Any]):
    """A cache that keeps nothing: every lookup computes afresh."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def put(self, key: Any, value: Any) -> Any:
        return value
