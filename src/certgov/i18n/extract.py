"""Finding every string a person reads, for the catalogues: Python (``_``, ``N_``,
``translate(lang, ...)``, the message and hint templates of errors and ``Text(...)``, see
:mod:`certgov.text`), Jinja2 templates (``_()``, ``{% trans %}``) and the titles in the
process definitions (``cases/processes/*.toml``: processes, states, transitions, deadlines).

``python scripts/i18n.py`` updates the catalogues from these; a test fails when a string has no
Chinese translation.
"""

from __future__ import annotations

import ast
import io
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python

#: Python keywords: the marker functions and their message arguments.
PYTHON_KEYWORDS: dict[str, Any] = {
    "_": None,
    "N_": None,
    "gettext": None,
    "translate": (2,),
    "translate_plural": (2, 3),
}
METHOD_MAP = [
    ("**.py", "certgov.i18n.extract:extract_python_and_texts"),
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


#: The root classes whose calls carry a template: the errors and ``Text``.
ERROR_ROOTS = frozenset(
    {
        "CertgovError",
        "InvalidInput",
        "Prohibited",
        "NotFound",
        "Unauthenticated",
        "Forbidden",
        "Conflict",
        "TooManyRequests",
        "ConfigurationError",
    }
)
SOURCE = Path(__file__).resolve().parents[1]
#: Modules and packages under ``certgov/`` whose errors are English only (see
#: :func:`read_by_people`).
ENGLISH_ONLY = frozenset(
    {
        "api",
        "cli",
        "tlog",
        "logs",
        "store",
        "rules",
        "http",
        "bootstrap.py",
        "strict_json.py",
        "settings.py",
        "worker.py",
        "demo",
    }
)


@cache
def template_callables(source: Path = SOURCE) -> frozenset[str]:
    """Names whose call's first argument is a template: ``Text`` and every error class of
    the package (the roots and, found in the sources, the classes derived from them)."""
    names = set(ERROR_ROOTS)
    bases: dict[str, set[str]] = {}
    for path in source.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {b.id for b in node.bases if isinstance(b, ast.Name)}
    grown = True
    while grown:
        grown = False
        for name, parents in bases.items():
            if name not in names and parents & names:
                names.add(name)
                grown = True
    return frozenset(names | {"Text"})


def callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def template_calls(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, template)`` of every error or ``Text`` built from a literal template, and of
    every literal ``hint=`` given to an error."""
    names = template_callables()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and callee(node) in names:
            if node.args and _literal(node.args[0]):
                yield node.lineno, node.args[0].value  # type: ignore[attr-defined]
            for keyword in node.keywords:
                if keyword.arg == "hint" and _literal(keyword.value):
                    yield keyword.value.lineno, keyword.value.value  # type: ignore[attr-defined]


def _literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value)


def read_by_people(relative: str) -> bool:
    """Whether the errors of the module at ``relative`` (a path under ``certgov/``) reach
    people in pages, and so are said in their language; the adapters for machines and
    operators (API, CLI), the log and storage internals and the operator's configuration
    speak English only."""
    return relative.split("/", 1)[0] not in ENGLISH_ONLY


def extract_python_and_texts(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[Any, ...]]:
    """Babel's Python extractor, and the templates of errors and texts."""
    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    name = getattr(fileobj, "name", "")
    relative = Path(name).resolve().relative_to(SOURCE).as_posix() if name else ""
    if relative and not read_by_people(relative):
        return
    for line, template in template_calls(ast.parse(source)):
        yield line, None, template, []


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
