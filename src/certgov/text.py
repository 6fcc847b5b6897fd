"""Text a person reads, kept as an English template and its parameters so that each adapter
can say it in the reader's language: an error's message and hint, a case's or a finding's
title. ``Text("Withdrawal of {party} on {day}", party="CFCA", day=day)`` reads in English as
the template filled in; a page translates the template (the msgid in the Babel catalogues) and
fills in the parameters in the reader's words: a :class:`Term` by its label, a date in the
reader's calendar style.

This module is the core: it knows no language and imports nothing of certgov.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any


class Term(str):
    """A code among the parameters that a reader should see in words, not as the code:
    ``Term("licence_status", "suspended")`` is ``"suspended"`` in English text (and in the
    API) and 已暂停 in a Chinese page (the label of that kind and code)."""

    kind: str
    #: What English text shows instead of the code, where that reads better (a province's
    #: English name for ``Term("jurisdiction", "320000", english="Jiangsu")``).
    english: str | None

    def __new__(cls, kind: str, code: object, english: str | None = None) -> Term:
        term = super().__new__(cls, str(code))
        term.kind = kind
        term.english = english
        return term

    def __getnewargs__(self) -> tuple[str, str, str | None]:  # type: ignore[override]
        return (self.kind, str(self), self.english)

    def __format__(self, spec: str) -> str:
        return format(self.english if self.english is not None else str(self), spec)


def fill(template: str, params: Mapping[str, Any]) -> str:
    """``template`` with ``params`` put in (English: codes as they are, days ISO); a template
    naming a parameter that was not given keeps its placeholder rather than failing."""
    if not params:
        return template
    return template.format_map(_Lenient(params))


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Text:
    """A template and its parameters; ``str(text)`` is the English text."""

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params: dict[str, Any] = params

    def __str__(self) -> str:
        return fill(self.template, self.params)

    def __repr__(self) -> str:
        return f"Text({self.template!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Text)
            and other.template == self.template
            and other.params == self.params
        )

    def __hash__(self) -> int:
        return hash(self.template)

    def stored_params(self) -> dict[str, Any]:
        """The parameters as JSON can keep them: a term as ``{"term": kind, "code": code}``,
        a day as ``{"day": iso}``, an instant as ``{"instant": iso}`` (so that pages write
        them as days and times again), a text as its template and parameters, anything else
        as a number or text."""
        return {key: _kept(value) for key, value in self.params.items()}

    def stored(self) -> dict[str, Any]:
        """The text as a record keeps it (a JSON column): template and parameters."""
        return {"template": self.template, "params": self.stored_params()}

    @classmethod
    def of_record(cls, value: Mapping[str, Any] | None) -> Text | None:
        """The text a record keeps (:meth:`stored`), or None if it keeps none."""
        if not value or not isinstance(value.get("template"), str):
            return None
        params = value.get("params")
        return cls.from_stored(value["template"], params if isinstance(params, dict) else None)

    @classmethod
    def from_stored(cls, template: str, params: Mapping[str, Any] | None) -> Text:
        """The text kept by :meth:`stored_params` back again."""
        restored: dict[str, Any] = {}
        for key, value in (params or {}).items():
            if isinstance(value, dict) and {"term", "code"} <= set(value) <= {
                "term",
                "code",
                "english",
            }:
                english = value.get("english")
                restored[key] = Term(
                    str(value["term"]), value["code"], english if isinstance(english, str) else None
                )
            elif isinstance(value, dict) and set(value) == {"day"}:
                restored[key] = _parsed(dt.date.fromisoformat, value["day"])
            elif isinstance(value, dict) and set(value) == {"instant"}:
                restored[key] = _parsed(dt.datetime.fromisoformat, value["instant"])
            elif isinstance(value, dict) and isinstance(value.get("template"), str):
                restored[key] = cls.of_record(value)
            else:
                restored[key] = value
        return cls(template, **restored)


def listed(items: Sequence[Any]) -> Any:
    """Items one after the other as a text: ``a, b, c`` in English, ``甲、乙、丙`` in Chinese
    (each item a term, a text or data; one item is itself; none is empty text)."""
    if not items:
        return ""
    first, *rest = items
    if not rest:
        return first
    return Text("{first}, {rest}", first=first, rest=listed(rest))


def _kept(value: Any) -> Any:
    if isinstance(value, Term) and value.english is not None:
        return {"term": value.kind, "code": str(value), "english": value.english}
    if isinstance(value, dt.datetime):
        return {"instant": value.isoformat()}
    if isinstance(value, dt.date):
        return {"day": value.isoformat()}
    return jsonable(value)


def _parsed(parse: Any, value: Any) -> Any:
    try:
        return parse(value)
    except (TypeError, ValueError):
        return value


def jsonable(value: Any) -> Any:
    if isinstance(value, Text):
        return value.stored()
    if isinstance(value, Term):
        return {"term": value.kind, "code": str(value)}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)
