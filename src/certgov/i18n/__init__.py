"""Languages of the pages and messages people read: Chinese (``zh``, the default) and English
(``en``), from Babel message catalogues (``catalogues/<locale>/LC_MESSAGES/messages.po``).

The source strings (msgids) are English; ``zh_CN`` translates every one of them (a test fails
on a missing translation). Catalogues are compiled in memory when first used, so no compiled
file is kept in the repository.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

#: The languages a reader can choose, default first.
LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
#: The catalogue of each language.
LOCALES = {"zh": "zh_CN", "en": "en"}
#: The ``lang`` attribute of a page in each language.
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def language(value: str | None) -> str:
    """``value`` if it names a language we have, else the default."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def catalogue_path(locale: str) -> str:
    return f"catalogues/{locale}/LC_MESSAGES/messages.po"


@cache
def translations(lang: str) -> gettext.GNUTranslations:
    """The compiled catalogue of ``lang`` (one per process)."""
    source = resources.files("certgov.i18n") / catalogue_path(LOCALES[language(lang)])
    with source.open("rb") as handle:
        catalogue = read_po(handle, locale=LOCALES[language(lang)])
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translate(lang: str, message: str) -> str:
    """``message`` (an English msgid) in ``lang``."""
    return translations(lang).gettext(message)


def translate_plural(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it here (labels in tables)."""
    return message
