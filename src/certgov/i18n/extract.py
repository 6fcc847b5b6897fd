"""Finding every string a person reads, for the catalogues: Python (``_``, ``N_``,
``translate(lang, ...)``), Jinja2 templates (``_()``, ``{% trans %}``) and the titles in the
process definitions (``cases/processes/*.toml``: processes, states, transitions, deadlines).

``python scripts/i18n.py`` updates the catalogues from these; a test fails when a string has no
Chinese translation.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

#: Python keywords: the marker functions and their message arguments.
PYTHON_KEYWORDS: dict[str, Any] = {
    "_": None,
    "N_": None,
    "gettext": None,
    "translate": (2,),
    "translate_plural": (2, 3),
}
METHOD_MAP = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/processes/**.toml", "certgov.i18n.extract:extract_process_titles"),
]
OPTIONS_MAP = {
    "**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"},
}


def extract_process_titles(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extractor for process definitions: every ``title`` in the TOML file."""
    data = tomllib.loads(fileobj.read().decode("utf-8"))

    def walk(value: object) -> Iterator[str]:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "title" and isinstance(item, str):
                    yield item
                else:
                    yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    for title in walk(data):
        yield 1, None, title, []


def extract_messages(root: Path) -> Catalog:
    """Every message of the package at ``root`` (the ``certgov`` source folder)."""
    catalogue = Catalog(project="certgov")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root),
        method_map=METHOD_MAP,
        options_map=OPTIONS_MAP,
        keywords=PYTHON_KEYWORDS,
    ):
        if message:
            catalogue.add(
                message, None, [(filename, lineno)], auto_comments=comments, context=context
            )
    return catalogue
