"""Finding every string a person reads, for the catalogues: Python (``_``, ``N_``,
``translate(lang, ...)``, the message and hint templates of errors and ``Text(...)``, see
:mod:`certgov.text`), Jinja2 templates (``_()``, ``{% trans %}``) and the titles in the
process definitions (``cases/processes/*.toml``: processes, states, transitions, deadlines) and
the texts of the rule sets (``rules/data/*.toml``: titles, legal bases, prose lists).

``python scripts/i18n.py`` updates the catalogues from these; a test fails when a string has no
Chinese translation.
"""

from __future__ import annotations

import ast
import io
import json
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
    ("**/rules/data/*.toml", "certgov.i18n.extract:extract_rule_texts"),
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


#: The list parameters of the rule sets (``rules/data/*.toml``) whose items people read in
#: pages: prose (documents, bars, checklist items, triggers, conditions, kinds of change,
#: penalties), each item an English msgid. Lists of codes (``allowed_hashes``,
#: ``allowed_curves``, ``violation_catalogue``, ``credit_ban_restricts``,
#: ``recognition_foreign_statuses``, ``supported_operating_systems``, ...) are not here: pages
#: show them as they are.
#: Parameters of kind ``text`` that records copy and pages show (an app certificate's scope).
RULE_TEXT_VALUES = frozenset({"certification_scope"})
RULE_TEXT_LISTS = frozenset(
    {
        "required_documents",
        "eligibility_bars",
        "additional_eligibility_bars",
        "gbt35273_requirement_groups",
        "illegal_collection_categories",
        "self_assessment_triggers",
        "special_inspection_triggers",
        "certificate_display_places",
        "certification_mark_rules",
        "regulated_activities",
        "out_of_scope_activities",
        "application_conditions",
        "licence_scope",
        "registration_change_items",
        "modification_triggers",
        "critical_outsourced_functions",
        "operational_change_kinds",
        "penalty_types",
        "credit_ban_triggers",
        "recognition_bases",
        "recognition_required_documents",
    }
)


def rule_texts(data: dict[str, Any]) -> Iterator[str]:
    """The texts people read of one rule set (its TOML as loaded): every ``title`` and
    ``basis`` (the set's title, each violation's, each finding of a clause table) and every
    item of the lists of :data:`RULE_TEXT_LISTS`."""

    def walk(value: object) -> Iterator[str]:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("title", "basis") and isinstance(item, str):
                    yield item
                else:
                    yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    yield from walk({k: v for k, v in data.items() if k != "parameters"})
    for key, parameter in (data.get("parameters") or {}).items():
        if not isinstance(parameter, dict):
            continue
        value = parameter.get("value")
        if key in RULE_TEXT_LISTS and isinstance(value, list):
            yield from (item for item in value if isinstance(item, str) and item)
        elif key in RULE_TEXT_VALUES and isinstance(value, str) and value:
            yield value
        else:
            yield from walk(value)


def extract_rule_texts(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extractor for rule sets (``rules/data/*.toml``): :func:`rule_texts`, each at the
    first line of the file that holds it."""
    source = fileobj.read().decode("utf-8")
    lines = source.splitlines()
    for text in rule_texts(tomllib.loads(source)):
        quoted = json.dumps(text, ensure_ascii=False)
        line = next((n for n, row in enumerate(lines, start=1) if quoted in row), 1)
        yield line, None, text, []


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
