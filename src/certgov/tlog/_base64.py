"""Strict standard base64 (RFC 4648 §4), as C2SP signed notes and checkpoints use it."""

from __future__ import annotations

import base64
import binascii
import re

_BASE64_RE = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode(text: str) -> bytes:
    """Decode canonical padded base64; raise ValueError on anything else.

    Besides the alphabet and padding, the unused low bits of the last character must be zero,
    so that each byte string has exactly one encoding (no malleable signatures or roots).
    """
    if not _BASE64_RE.fullmatch(text):
        raise ValueError("not canonical padded base64")
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error as error:  # pragma: no cover - excluded by the pattern
        raise ValueError(str(error)) from error
    if encode(data) != text:
        raise ValueError("base64 with non-zero padding bits")
    return data
