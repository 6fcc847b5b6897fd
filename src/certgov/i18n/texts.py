"""Text kept as a template and parameters (:mod:`certgov.text`: errors, case and finding
titles) said in the reader's language: the template through the catalogue, each parameter in
the reader's words (a term by its label, a day or an instant as the pages write them, a
province by name)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from certgov.errors import CertgovError
from certgov.i18n import translate
from certgov.i18n.formatting import beijing_datetime, date, jurisdiction
from certgov.i18n.labels import LABELS, label
from certgov.text import Term, Text, fill

#: Term kinds that are not label tables: ``message`` is itself an English msgid (a process's
#: or a state's title), ``jurisdiction`` a GB/T 2260 code.
MESSAGE = "message"
JURISDICTION = "jurisdiction"


def word(value: Any, lang: str) -> str:
    """One parameter in the reader's words (a text within the text said in turn)."""
    if isinstance(value, Text):
        return say(value, lang)
    if isinstance(value, Term):
        if value.kind == MESSAGE:
            return translate(lang, str(value))
        if value.kind == JURISDICTION:
            return jurisdiction(str(value), lang)
        if str(value) in LABELS.get(value.kind, {}):
            return label(value.kind, str(value), lang)
        return str(value)
    if isinstance(value, dt.datetime):
        return beijing_datetime(value, lang)
    if isinstance(value, dt.date):
        return date(value, lang)
    if isinstance(value, bool):
        return translate(lang, "yes") if value else translate(lang, "no")
    return str(value)


def translated(template: str, lang: str) -> bool:
    """Whether the catalogue of ``lang`` says ``template`` in that language (English always
    does: the templates are English)."""
    return lang == "en" or translate(lang, template) != template


def say(text: Text, lang: str) -> str:
    """``text`` in ``lang``: the translated template with the parameters in words (numbers
    stay numbers, so that a template's format spec such as ``{size:,}`` applies)."""
    words: dict[str, Any] = {
        key: value
        if isinstance(value, int | float) and not isinstance(value, bool)
        else word(value, lang)
        for key, value in text.params.items()
    }
    try:
        return fill(translate(lang, text.template), words)
    except (ValueError, IndexError):
        # A translation whose spec does not fit its parameter: the English rather than a 500.
        return re.sub(
            r"\{(\w+)[^{}]*\}",
            lambda match: str(text.params.get(match.group(1), match.group(0))),
            text.template,
        )


def error_message(error: CertgovError, lang: str) -> str:
    """An error's message in ``lang`` (English where the catalogue has no translation)."""
    return say(error.text, lang)


def error_hint(error: CertgovError, lang: str) -> str | None:
    """An error's hint in ``lang``, if it has one."""
    if not error.hint_template:
        return None
    return say(Text(error.hint_template, **error.params), lang)
