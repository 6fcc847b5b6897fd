"""Requirement traceability: catalogue parsing and the scan of code and tests (SYS-2).

Synthetic requirement IDs are assembled at run time (``_id("ECS", "2.1")``) so that this file
does not itself count as testing them when the real repository is traced.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from certgov.errors import NotFound
from certgov.rules import (
    LocationKind,
    Requirement,
    TraceStatus,
    find_catalogue,
    parse_catalogue,
    scan,
)
from certgov.rules.trace import CATALOGUE_ENV

# The catalogue: 25 ECS items, 11 APP items, 8 SYS items, and 8 ECS group headings.
CATALOGUE_ITEMS = 44
CATALOGUE_GROUPS = 8


def _id(prefix: str, number: str) -> str:
    return f"{prefix}-{number}"


ECS_2 = _id("ECS", "2")
ECS_2_1 = _id("ECS", "2.1")
ECS_2_2 = _id("ECS", "2.2")
ECS_2_10 = _id("ECS", "2.10")
APP_1 = _id("APP", "1")
APP_10 = _id("APP", "10")
SYS_3 = _id("SYS", "3")


@pytest.fixture(scope="module")
def real_catalogue() -> list[Requirement]:
    try:
        path = find_catalogue(Path(__file__), environ={})
    except NotFound as exc:
        pytest.skip(f"the catalogue lives beside the repository, not in it: {exc.message}")
    return parse_catalogue(path.read_text(encoding="utf-8"))


def test_real_catalogue_is_parsed_completely(real_catalogue: list[Requirement]) -> None:
    """Every item of REGULATIONS.md is parsed, groups included (SYS-2 traceability)."""
    ids = [requirement.id for requirement in real_catalogue]
    assert len(ids) == len(set(ids)) == CATALOGUE_ITEMS + CATALOGUE_GROUPS
    groups = [i for i in ids if any(other.startswith(i + ".") for other in ids)]
    assert groups == [_id("ECS", str(n)) for n in range(1, 9)]
    items = [i for i in ids if i not in groups]
    assert len([i for i in items if i.startswith("ECS")]) == 25
    assert [i for i in items if i.startswith("APP")] == [_id("APP", str(n)) for n in range(1, 12)]
    assert [i for i in items if i.startswith("SYS")] == [_id("SYS", str(n)) for n in range(1, 9)]


def test_real_catalogue_titles_and_sections(real_catalogue: list[Requirement]) -> None:
    by_id = {requirement.id: requirement for requirement in real_catalogue}
    assert by_id[ECS_2].title == "Qualification / licensing"
    assert by_id[ECS_2].section == "ECS — electronic certification services (seed 000)"
    assert by_id[ECS_2_1].title == "Application requirements"
    assert by_id[ECS_2_1].section == f"{ECS_2} Qualification / licensing (chapter 2)"
    records = "Records kept at least 5 years after certificate expiry"
    assert by_id[_id("ECS", "3.6")].title == records
    assert by_id[_id("ECS", "3.4")].title == "Certificate chains are filed with the regulator"
    assert by_id[APP_10].title == "Suspension and revocation"
    assert by_id[_id("APP", "6")].title == "Complaint against a decision"
    assert by_id[_id("APP", "6")].section == "APP — app security certification (seed 001)"
    assert by_id[SYS_3].title == "Every action is recorded in a tamper-evident audit log"
    assert by_id[SYS_3].section == "SYS — what the system as a whole must do"


CATALOGUE = f"""\
# Catalogue

## ECS — services

### {ECS_2} Licensing (chapter 2)
- {ECS_2_1} Application requirements, checked automatically
  on submission (continued): more text.
- {ECS_2_2} Review (ESL Art. 18: 45 days); decision.
- {ECS_2_10} Tenth item: for the boundary test.

## APP — apps

- {APP_1} Application per app: one unit.
- {APP_10} Suspension (180 days; unused) and revocation; more.

## SYS — system

- {SYS_3} Audit log.
"""


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_synthetic_catalogue_parses_continuations_and_clauses() -> None:
    requirements = parse_catalogue(CATALOGUE)
    assert [(r.id, r.title) for r in requirements] == [
        (ECS_2, "Licensing"),
        (ECS_2_1, "Application requirements"),
        (ECS_2_2, "Review"),
        (ECS_2_10, "Tenth item"),
        (APP_1, "Application per app"),
        (APP_10, "Suspension and revocation"),
        (SYS_3, "Audit log"),
    ]
    assert requirements[1].section == f"{ECS_2} Licensing (chapter 2)"
    assert requirements[4].section == "APP — apps"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    _write(
        tmp_path,
        "src/pkg/code.py",
        f'''\
        """Implements {ECS_2_1}."""
        # {ECS_2_10} is a different item; {ECS_2_1}x and X{ECS_2_1} and {ECS_2_1}.3 are not IDs
        # the group {ECS_2} alone, and at a sentence end: see {ECS_2}.
        # 见{ECS_2_1}条
        # CNCA-{APP_1} is a scheme code, not {APP_10}
        # {_id("ECS", "9.9")} is not in the catalogue
        ''',
    )
    _write(
        tmp_path,
        "src/pkg/data/rules.toml",
        f'requirements = ["{SYS_3}"]\n',
    )
    _write(
        tmp_path,
        "tests/test_code.py",
        f'''\
        """Tests of {ECS_2_1} (module docstring: no test function)."""
        import pytest


        def helper():
            return "{ECS_2_2}"


        @pytest.mark.parametrize(
            "x", ["{APP_1}"]
        )
        def test_first(x):
            """{ECS_2_1}: the application check."""
            assert x


        class TestGroup:
            def test_method(self):
                """{APP_10}."""

            async def test_async(self):
                def inner():
                    return "{APP_10}"
        ''',
    )
    _write(tmp_path, "tests/broken.py", f"def test_broken(:\n    '{APP_1}'\n")
    # Skipped: hidden directories, .venv, build, and files outside src/ and tests/.
    _write(tmp_path, "src/.hidden/skip.py", f"# {SYS_3}\n")
    _write(tmp_path, "src/build/skip.py", f"# {SYS_3}\n")
    _write(tmp_path, "tests/.venv/skip.py", f"# {SYS_3}\n")
    _write(tmp_path, "docs/skip.py", f"# {SYS_3}\n")
    _write(tmp_path, "src/pkg/notes.md", f"# {SYS_3}\n")
    return tmp_path


def test_scan_respects_exact_boundaries(tree: Path) -> None:
    report = scan(tree, parse_catalogue(CATALOGUE))
    code_lines = [loc.line for loc in report.entry(ECS_2_1).code]
    assert code_lines == [1, 4]
    assert [loc.line for loc in report.entry(ECS_2_10).code] == [2]
    assert [loc.line for loc in report.entry(ECS_2).code] == [3, 3]
    assert [loc.line for loc in report.entry(APP_10).code] == [5]
    assert report.entry(APP_1).code == ()
    assert list(report.unknown) == [_id("ECS", "9.9")]
    assert report.unknown[_id("ECS", "9.9")][0].path == "src/pkg/code.py"


def test_scan_attributes_occurrences_to_test_functions(tree: Path) -> None:
    report = scan(tree, parse_catalogue(CATALOGUE))
    tests_2_1 = report.entry(ECS_2_1).tests
    assert [(loc.path, loc.line, loc.test) for loc in tests_2_1] == [
        ("tests/test_code.py", 1, None),
        ("tests/test_code.py", 13, "test_first"),
    ]
    assert [loc.test for loc in report.entry(ECS_2_2).tests] == [None]
    assert [loc.test for loc in report.entry(APP_10).tests] == [
        "TestGroup::test_method",
        "TestGroup::test_async",
    ]
    app_1 = report.entry(APP_1).tests
    assert [(loc.path, loc.test) for loc in app_1] == [
        ("tests/broken.py", None),
        ("tests/test_code.py", "test_first"),
    ]
    assert report.entry(APP_10).test_names == ("TestGroup::test_method", "TestGroup::test_async")


def test_scan_statuses_and_skipped_directories(tree: Path) -> None:
    report = scan(tree, parse_catalogue(CATALOGUE))
    status = {entry.requirement.id: entry.status for entry in report.entries}
    assert status == {
        ECS_2: TraceStatus.IMPLEMENTED_AND_TESTED,
        ECS_2_1: TraceStatus.IMPLEMENTED_AND_TESTED,
        ECS_2_2: TraceStatus.TESTED_ONLY,
        ECS_2_10: TraceStatus.CODE_ONLY,
        APP_1: TraceStatus.TESTED_ONLY,
        APP_10: TraceStatus.IMPLEMENTED_AND_TESTED,
        SYS_3: TraceStatus.CODE_ONLY,
    }
    (sys_3,) = report.entry(SYS_3).code
    assert (sys_3.path, sys_3.kind) == ("src/pkg/data/rules.toml", LocationKind.DATA)
    assert report.files_scanned == 4
    assert report.entry(ECS_2).is_group
    assert not report.entry(APP_1).is_group


def test_group_status_rolls_up_from_its_items(tmp_path: Path) -> None:
    _write(tmp_path, "tests/test_x.py", f"def test_x():\n    '{ECS_2_2}'\n")
    report = scan(tmp_path, parse_catalogue(CATALOGUE))
    group = report.entry(ECS_2)
    assert group.status is TraceStatus.TESTED_ONLY
    assert group.code == group.tests == ()
    assert report.entry(SYS_3).status is TraceStatus.MISSING


def test_report_as_dict_and_text(tree: Path) -> None:
    report = scan(tree, parse_catalogue(CATALOGUE))
    body = report.as_dict()
    assert json.loads(json.dumps(body)) == body
    assert body["summary"] == {
        "implemented and tested": 3,
        "tested only": 2,
        "code only": 2,
        "rule parameters only": 0,
        "missing": 0,
    }
    first = body["requirements"][1]
    assert first["id"] == ECS_2_1
    assert first["status"] == "implemented and tested"
    assert (first["code_count"], first["test_count"]) == (2, 2)
    assert first["tests"][1] == {
        "path": "tests/test_code.py",
        "line": 13,
        "kind": "test",
        "test": "test_first",
    }
    text = report.render_text(max_locations=1)
    lines = text.splitlines()
    assert lines[0].split() == ["ID", "Title", "Status", "Code", "Tests", "Locations"]
    row = next(line for line in lines if line.startswith(ECS_2_1 + " "))
    assert "Application requirements" in row
    assert "implemented and tested" in row
    assert "src/pkg/code.py:1, +3 more" in row
    assert (
        "7 requirements: 3 implemented and tested, 2 tested only, 2 code only, 0 rule parameters only, 0 missing"
        in text
    )
    assert f"IDs not in the catalogue: {_id('ECS', '9.9')} at src/pkg/code.py:6" in text


def test_empty_tree_reports_everything_missing(tmp_path: Path) -> None:
    report = scan(tmp_path, parse_catalogue(CATALOGUE))
    assert {entry.status for entry in report.entries} == {TraceStatus.MISSING}
    assert report.files_scanned == 0
    assert "-" in report.render_text()


def test_find_catalogue_in_a_parent(tmp_path: Path) -> None:
    catalogue = tmp_path / "shared" / "REGULATIONS.md"
    catalogue.parent.mkdir()
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    start = tmp_path / "main" / "src"
    start.mkdir(parents=True)
    assert find_catalogue(start, environ={}) == catalogue
    assert find_catalogue(tmp_path / "main", environ={}) == catalogue


def test_find_catalogue_from_the_environment(tmp_path: Path) -> None:
    catalogue = tmp_path / "elsewhere.md"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    assert find_catalogue(tmp_path, environ={CATALOGUE_ENV: str(catalogue)}) == catalogue
    with pytest.raises(NotFound, match="not a file"):
        find_catalogue(tmp_path, environ={CATALOGUE_ENV: str(tmp_path / "absent.md")})


def test_find_catalogue_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as caught:
        find_catalogue(tmp_path, environ={})
    assert caught.value.hint is not None
    assert CATALOGUE_ENV in caught.value.hint


def test_real_repository_traces_sys_2(real_catalogue: list[Requirement]) -> None:
    """SYS-2 is implemented (rules/) and tested (these tests) in the real tree."""
    root = Path(__file__).resolve().parents[3]
    report = scan(root, real_catalogue)
    entry = report.entry("SYS-2")
    assert entry.status is TraceStatus.IMPLEMENTED_AND_TESTED
    assert "test_real_repository_traces_sys_2" in entry.test_names


def test_an_id_cited_only_by_rule_parameters_is_not_reported_as_implemented(tmp_path: Path) -> None:
    """SYS-2: encoding a requirement's numbers in a rule set is not implementing its behaviour."""
    ident = "SYS" + "-9"
    catalogue = parse_catalogue(f"## SYS\n- {ident} Something the system must do.\n")
    data = tmp_path / "src" / "certgov" / "rules" / "data"
    data.mkdir(parents=True)
    (data / "set.toml").write_text(f'requirements = ["{ident}"]\n', encoding="utf-8")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_x.py").write_text(f'def test_x():\n    """{ident}"""\n', encoding="utf-8")
    assert scan(tmp_path, catalogue).entry(ident).status is TraceStatus.PARAMETERS_ONLY
    process = tmp_path / "src" / "certgov" / "cases" / "processes"
    process.mkdir(parents=True)
    (process / "p.toml").write_text(f'requirements = ["{ident}"]\n', encoding="utf-8")
    assert scan(tmp_path, catalogue).entry(ident).status is TraceStatus.IMPLEMENTED_AND_TESTED
