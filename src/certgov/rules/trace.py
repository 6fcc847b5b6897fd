"""Requirement traceability: where each requirement of REGULATIONS.md is implemented and tested.

``certgov rules trace`` reads the catalogue (:func:`parse_catalogue`), scans the source tree for
requirement IDs (:func:`scan`) and reports each requirement as implemented and tested, tested
only, code only or missing. Code is ``src/**/*.py`` and the rule sets ``src/**/*.toml``; tests
are ``tests/**/*.py``, each occurrence attributed to its enclosing test function.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from certgov.errors import NotFound

__all__ = [
    "CATALOGUE_ENV",
    "Location",
    "LocationKind",
    "Requirement",
    "TraceEntry",
    "TraceReport",
    "TraceStatus",
    "find_catalogue",
    "parse_catalogue",
    "scan",
]

#: Environment variable naming the catalogue file explicitly.
CATALOGUE_ENV = "CERTGOV_REQUIREMENTS"

_ID = r"(?:ECS|APP|SYS)-[0-9]+(?:\.[0-9]+)?"
# Exact boundaries: item <n>.1 is not found inside <n>.10, <n>.1x, <n>.1.3 or after a letter,
# digit, '_', '.' or '-' (CNCA-APP-<n> is a scheme code); a group ID counts only where written
# alone, not as the start of one of its items. ASCII classes only, so an ID right next to
# Chinese text still counts. (IDs in comments here are written <n> so they do not count.)
_ID_IN_TEXT_RE = re.compile(rf"(?<![A-Za-z0-9_.\-])({_ID})(?![A-Za-z0-9_]|\.[0-9])")
_BULLET_RE = re.compile(rf"-\s+({_ID})\s+(.*)")
_HEADING_RE = re.compile(r"(#{2,3})\s+(.*)")
_GROUP_HEADING_RE = re.compile(rf"({_ID})\s+(.*)")
_PARENTHETICAL_RE = re.compile(r"\s*\([^()]*\)")
_CLAUSE_END_RE = re.compile(r"[:;,]|\.(?:\s|$)")

_SKIPPED_DIRECTORIES = frozenset({".venv", "build", "__pycache__", "node_modules"})


@dataclass(frozen=True, slots=True)
class Requirement:
    """One catalogue entry: an item (``ECS-<n>.<m>``, ``APP-<n>``) or a group heading
    (``ECS-<n>``)."""

    id: str
    title: str
    section: str


def _title(text: str) -> str:
    """The first clause of ``text``, without parenthetical asides."""
    previous = None
    while previous != text:
        previous, text = text, _PARENTHETICAL_RE.sub("", text)
    match = _CLAUSE_END_RE.search(text)
    clause = text[: match.start()] if match else text
    return clause.strip().rstrip(".")


def parse_catalogue(text: str) -> list[Requirement]:
    """The requirements of REGULATIONS.md in document order.

    Items are bullets ``- ID text`` (continued on indented lines); groups are headings
    ``### ID title``. An item's section is its group heading, or else its ``##`` heading.
    """
    requirements: list[Requirement] = []
    section = ""
    group_section = ""
    pending: tuple[str, list[str], str] | None = None

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            requirement_id, parts, item_section = pending
            requirements.append(Requirement(requirement_id, _title(" ".join(parts)), item_section))
            pending = None

    for raw in text.splitlines():
        line = raw.strip()
        heading = _HEADING_RE.fullmatch(line)
        bullet = _BULLET_RE.fullmatch(line)
        if heading:
            flush()
            level, heading_text = heading.groups()
            if level == "##":
                section, group_section = heading_text, ""
                continue
            group = _GROUP_HEADING_RE.fullmatch(heading_text)
            group_section = heading_text
            if group:
                requirements.append(Requirement(group[1], _title(group[2]), section))
        elif bullet:
            flush()
            pending = (bullet[1], [bullet[2]], group_section or section)
        elif pending is not None and line and raw[:1].isspace():
            pending[1].append(line)
        else:
            flush()
    flush()
    return requirements


class LocationKind(StrEnum):
    #: Python under ``src/``.
    CODE = "code"
    #: TOML under ``src/``: rule sets and other shipped definitions (counted as implementation).
    DATA = "data"
    #: Python under ``tests/``.
    TEST = "test"


@dataclass(frozen=True, slots=True)
class Location:
    """Where an ID occurs: a path relative to the scanned root, a 1-based line, and for tests
    the enclosing test function (``test_x`` or ``TestClass::test_x``) when there is one."""

    path: str
    line: int
    kind: LocationKind
    test: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where} ({self.test})" if self.test else where

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "kind": self.kind.value, "test": self.test}


class TraceStatus(StrEnum):
    IMPLEMENTED_AND_TESTED = "implemented and tested"
    TESTED_ONLY = "tested only"
    CODE_ONLY = "code only"
    PARAMETERS_ONLY = "rule parameters only"
    MISSING = "missing"


#: Rule-set files: an ID cited only there has its numbers encoded, not its behaviour built.
RULE_SET_DIR = "rules/data/"


def _is_behaviour(location: Location) -> bool:
    """Code, or data the engine executes (process definitions) — not rule parameters."""
    if location.kind is LocationKind.CODE:
        return True
    return location.kind is LocationKind.DATA and RULE_SET_DIR not in location.path


def _status(has_code: bool, has_tests: bool, has_parameters: bool = False) -> TraceStatus:
    if has_code:
        return TraceStatus.IMPLEMENTED_AND_TESTED if has_tests else TraceStatus.CODE_ONLY
    if has_parameters:
        return TraceStatus.PARAMETERS_ONLY
    return TraceStatus.TESTED_ONLY if has_tests else TraceStatus.MISSING


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One requirement's occurrences. ``code`` includes TOML data (rule sets) under ``src/``.

    For a group (``ECS-<n>``) the locations are where the group ID itself is written, while its
    ``status`` also counts its items: a group is implemented when any of its items is.
    """

    requirement: Requirement
    code: tuple[Location, ...]
    tests: tuple[Location, ...]
    status: TraceStatus
    is_group: bool = False

    @property
    def test_names(self) -> tuple[str, ...]:
        """The distinct test functions naming the requirement, in order of appearance."""
        return tuple(dict.fromkeys(loc.test for loc in self.tests if loc.test))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.requirement.id,
            "title": self.requirement.title,
            "section": self.requirement.section,
            "group": self.is_group,
            "status": self.status.value,
            "code_count": len(self.code),
            "test_count": len(self.tests),
            "code": [loc.as_dict() for loc in self.code],
            "tests": [loc.as_dict() for loc in self.tests],
        }


@dataclass(frozen=True, slots=True)
class TraceReport:
    """The result of :func:`scan`: one entry per catalogue requirement, in catalogue order,
    and the requirement-like IDs found that the catalogue does not list (``unknown``)."""

    root: Path
    entries: tuple[TraceEntry, ...]
    unknown: Mapping[str, tuple[Location, ...]] = field(hash=False)
    files_scanned: int = 0

    def entry(self, requirement_id: str) -> TraceEntry:
        for entry in self.entries:
            if entry.requirement.id == requirement_id:
                return entry
        raise NotFound(f"requirement {requirement_id!r} is not in the catalogue")

    def summary(self) -> dict[str, int]:
        counts = {status.value: 0 for status in TraceStatus}
        for entry in self.entries:
            counts[entry.status.value] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "files_scanned": self.files_scanned,
            "summary": self.summary(),
            "requirements": [entry.as_dict() for entry in self.entries],
            "unknown": {
                requirement_id: [loc.as_dict() for loc in locations]
                for requirement_id, locations in sorted(self.unknown.items())
            },
        }

    def render_text(self, max_locations: int = 3, title_width: int = 40) -> str:
        """A plain-text table: ID, title, status, code and test counts, first locations."""
        header = ("ID", "Title", "Status", "Code", "Tests", "Locations")
        rows = [header]
        for entry in self.entries:
            title = entry.requirement.title
            if len(title) > title_width:
                title = title[: title_width - 1] + "…"
            locations = [str(loc) for loc in (*entry.code, *entry.tests)]
            shown = ", ".join(locations[:max_locations])
            if len(locations) > max_locations:
                shown += f", +{len(locations) - max_locations} more"
            rows.append(
                (
                    entry.requirement.id,
                    title,
                    entry.status.value,
                    str(len(entry.code)),
                    str(len(entry.tests)),
                    shown or "-",
                )
            )
        widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
        lines = []
        for row in rows:
            cells = [
                cell.rjust(width) if column in (3, 4) else cell.ljust(width)
                for column, (cell, width) in enumerate(zip(row, widths, strict=False))
            ]
            lines.append("  ".join([*cells, row[-1]]).rstrip())
        summary = ", ".join(f"{count} {status}" for status, count in self.summary().items())
        lines.append("")
        lines.append(f"{len(self.entries)} requirements: {summary}")
        if self.unknown:
            listed = "; ".join(
                f"{requirement_id} at {', '.join(str(loc) for loc in locations[:max_locations])}"
                for requirement_id, locations in sorted(self.unknown.items())
            )
            lines.append(f"IDs not in the catalogue: {listed}")
        return "\n".join(lines) + "\n"


def _source_files(root: Path) -> Iterator[tuple[Path, LocationKind]]:
    scanned = (("src", LocationKind.CODE), ("tests", LocationKind.TEST))
    for top, kind in scanned:
        base = root / top
        if not base.is_dir():
            continue
        for directory, subdirectories, files in os.walk(base):
            subdirectories[:] = sorted(
                name
                for name in subdirectories
                if name not in _SKIPPED_DIRECTORIES and not name.startswith(".")
            )
            for name in sorted(files):
                if name.endswith(".py"):
                    yield Path(directory, name), kind
                elif name.endswith(".toml") and kind is LocationKind.CODE:
                    yield Path(directory, name), LocationKind.DATA


def _test_functions(source: str) -> list[tuple[int, int, str]]:
    """(first line, last line, name) of each test function, decorators included."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    spans: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                if child.name.startswith("test"):
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    spans.append((first, child.end_lineno or child.lineno, prefix + child.name))
                else:
                    visit(child, prefix)
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}::")
            else:
                visit(child, prefix)

    visit(tree, "")
    return spans


def _enclosing_test(spans: Sequence[tuple[int, int, str]], line: int) -> str | None:
    containing = [span for span in spans if span[0] <= line <= span[1]]
    # Test functions do not nest in practice; if they do, the innermost one is the answer.
    return max(containing)[2] if containing else None


def scan(root: Path, catalogue: Sequence[Requirement]) -> TraceReport:
    """Find every occurrence of each catalogue ID under ``root/src`` and ``root/tests``.

    Hidden directories, ``.venv``, ``build`` and ``__pycache__`` are skipped. Files that are not
    valid UTF-8 are read with replacement characters; test files that do not parse get no test
    function attribution.
    """
    known = {requirement.id for requirement in catalogue}
    found: dict[str, list[Location]] = {requirement.id: [] for requirement in catalogue}
    unknown: dict[str, list[Location]] = {}
    files_scanned = 0

    for path, kind in _source_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        files_scanned += 1
        if not _ID_IN_TEXT_RE.search(text):
            continue
        spans = _test_functions(text) if kind is LocationKind.TEST else []
        relative = path.relative_to(root).as_posix()
        for number, line in enumerate(text.splitlines(), start=1):
            for match in _ID_IN_TEXT_RE.finditer(line):
                requirement_id = match.group(1)
                test = _enclosing_test(spans, number) if spans else None
                location = Location(relative, number, kind, test)
                target = found if requirement_id in known else unknown
                target.setdefault(requirement_id, []).append(location)

    entries = []
    for requirement in catalogue:
        locations = found[requirement.id]
        code = tuple(loc for loc in locations if loc.kind is not LocationKind.TEST)
        tests = tuple(loc for loc in locations if loc.kind is LocationKind.TEST)
        prefix = requirement.id + "."
        items = [locs for rid, locs in found.items() if rid.startswith(prefix)]
        covered = [locations, *items]
        has_code = any(_is_behaviour(loc) for locs in covered for loc in locs)
        has_parameters = any(loc.kind is LocationKind.DATA for locs in covered for loc in locs)
        has_tests = any(loc.kind is LocationKind.TEST for locs in covered for loc in locs)
        entries.append(
            TraceEntry(
                requirement=requirement,
                code=code,
                tests=tests,
                status=_status(has_code, has_tests, has_parameters),
                is_group=any(rid.startswith(prefix) for rid in known),
            )
        )
    return TraceReport(
        root=root,
        entries=tuple(entries),
        unknown=MappingProxyType({rid: tuple(locs) for rid, locs in sorted(unknown.items())}),
        files_scanned=files_scanned,
    )


def find_catalogue(start: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The requirement catalogue: ``$CERTGOV_REQUIREMENTS``, else ``shared/REGULATIONS.md`` in
    ``start`` or the nearest of its parents (the checkout is ``<x>/main``, the catalogue
    ``<x>/shared/REGULATIONS.md``)."""
    environment = os.environ if environ is None else environ
    explicit = environment.get(CATALOGUE_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise NotFound(
                f"{CATALOGUE_ENV} names {path}, which is not a file",
                hint=f"point {CATALOGUE_ENV} at REGULATIONS.md, or unset it",
                details={"path": str(path)},
            )
        return path
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / "shared" / "REGULATIONS.md"
        if candidate.is_file():
            return candidate
    raise NotFound(
        f"no requirement catalogue (shared/REGULATIONS.md) in {start} or any parent",
        hint=f"set {CATALOGUE_ENV}=/path/to/REGULATIONS.md, or run from inside the checkout",
        details={"start": str(start)},
    )
