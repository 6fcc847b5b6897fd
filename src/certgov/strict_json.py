"""Strict reading of JSON-like input (dicts, lists, strings, numbers, booleans, null).

Every parser of submitted JSON uses these (the ECS application and activity, licensing and
conduct bodies). Nothing is coerced: a boolean
is ``true`` or ``false`` (not ``"true"`` nor ``1``), a count is a whole number (not ``5.0`` nor a
numeric string), and an object has no fields the model does not know. Every error is an
:class:`~certgov.errors.InvalidInput` naming the field path (``documents[2].sha256``), what was
expected and what was found; ``details`` carries the same as ``field``, ``expected``, ``found``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import NoReturn

from certgov.errors import InvalidInput

# A key that reads well in a dotted path; any other is quoted: (the document)['a b'].
_PLAIN_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Largest whole number accepted: a signed 64-bit integer, the most a database column (and many
#: JSON parsers) can hold; far beyond any count or amount of money in an application.
MAX_WHOLE_NUMBER = 2**63 - 1
#: Longest rendering of a wrong value quoted in an error message.
_QUOTE_LIMIT = 60


def json_type(value: object) -> str:
    """The JSON name of ``value``'s type, as a user of the API would call it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__} (not JSON)"


def _found(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean {'true' if value else 'false'}"
    if isinstance(value, int) and abs(value) > MAX_WHOLE_NUMBER:
        # Also keeps repr() clear of the interpreter's limit on int-to-text conversion.
        return f"a whole number of {value.bit_length()} bits"
    if isinstance(value, int | float | str):
        text = repr(value)
        if len(text) > _QUOTE_LIMIT:
            text = text[: _QUOTE_LIMIT - 1] + "…"
        return f"{json_type(value)} {text}"
    return json_type(value)


def refuse(path: str, expected: str, value: object, hint: str | None = None) -> NoReturn:
    """Raise InvalidInput: the field at ``path`` should be ``expected`` but is ``value``."""
    found = _found(value)
    raise InvalidInput(
        f"{path}: expected {expected}, found {found}",
        hint=hint,
        details={"field": path, "expected": expected, "found": found},
    )


def field_path(path: str, key: str | int) -> str:
    """``path`` extended by an object key (``a.b``) or an array index (``a[0]``)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def json_object(
    value: object, path: str, required: Sequence[str], optional: Sequence[str] = ()
) -> Mapping[str, object]:
    """``value`` as an object having every ``required`` field and no field outside both lists.

    ``path`` names the object in errors; the empty path is the document itself.
    """
    where = path or "(the document)"
    if not isinstance(value, dict):
        refuse(where, "an object", value)
    allowed = (*required, *optional)
    for key in value:
        if not isinstance(key, str) or key not in allowed:
            plain = isinstance(key, str) and _PLAIN_KEY_RE.fullmatch(key)
            name = field_path(path, str(key)) if plain else f"{where}[{key!r}]"
            raise InvalidInput(
                f"{name}: unknown field",
                hint=f"fields allowed here: {', '.join(allowed)}",
                details={"field": name, "expected": f"one of {', '.join(allowed)}"},
            )
    for key in required:
        if key not in value:
            name = field_path(path, key)
            raise InvalidInput(
                f"{name}: missing required field",
                details={"field": name, "expected": "a value", "found": "nothing"},
            )
    return value


def boolean(value: object, path: str) -> bool:
    """``true`` or ``false``, nothing else."""
    if not isinstance(value, bool):
        refuse(path, "true or false", value)
    return value


def whole_number(value: object, path: str, *, minimum: int, unit: str = "") -> int:
    """A whole number from ``minimum`` to :data:`MAX_WHOLE_NUMBER` (a JSON integer: not a
    boolean, decimal or string)."""
    expected = f"a whole number{' of ' + unit if unit else ''} of at least {minimum:,}"
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        refuse(path, expected, value)
    if value > MAX_WHOLE_NUMBER:
        refuse(path, f"{expected} and at most {MAX_WHOLE_NUMBER:,}", value)
    return value


def text(value: object, path: str, *, limit: int | None = None) -> str:
    """A string with at least one character that is not white space (at most ``limit``)."""
    if not isinstance(value, str) or not value.strip():
        refuse(path, "a non-empty string", value)
    if limit is not None and len(value) > limit:
        refuse(path, f"a string of at most {limit} characters", value)
    return value


def optional_text(value: object, path: str, *, limit: int | None = None) -> str | None:
    """``null`` (absent) or a non-empty string (at most ``limit``)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        refuse(path, "a non-empty string or null", value, hint="omit the field or send null")
    return text(value, path, limit=limit)


def iso_date(value: object, path: str) -> dt.date:
    """A calendar date written YYYY-MM-DD."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    refuse(path, "a date written YYYY-MM-DD", value)


_SHA256_RE = re.compile(r"[0-9a-fA-F]{64}")


def sha256_hex(value: object, path: str) -> str:
    """A SHA-256 digest as 64 hex digits, returned in lower case."""
    if not isinstance(value, str) or not _SHA256_RE.fullmatch(value):
        refuse(path, "a SHA-256 digest: 64 hexadecimal digits", value)
    return value.lower()


def array(value: object, path: str) -> list[object]:
    """An array; its items are the caller's to check."""
    if not isinstance(value, list):
        refuse(path, "an array", value)
    return value


def text_list(value: object, path: str) -> tuple[str, ...]:
    """An array of non-empty strings."""
    return tuple(
        text(item, field_path(path, index)) for index, item in enumerate(array(value, path))
    )
