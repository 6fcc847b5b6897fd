"""The import-layers contract (docs/architecture.md): `lint-imports` fails on an upward import
or a forbidden domain-to-domain import, and passes on the tree as it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not LINT_IMPORTS.exists():
        pytest.skip("lint-imports is not installed (pip install -e '.[dev]')")
    copy = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        ROOT / "src" / "certgov",
        copy / "src" / "certgov",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return copy


def test_the_tree_keeps_the_contract(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "named"),
    [
        # The platform reaching up into a domain.
        ("certgov/cases/_bad.py", "import certgov.licensing.services", "certgov.cases"),
        # A library reaching up into the store.
        ("certgov/pki/_bad.py", "import certgov.store.engine", "certgov.pki"),
        # Two independent domains.
        ("certgov/filings/_bad.py", "import certgov.appcert.models", "certgov.filings"),
        # A domain importing a web framework.
        ("certgov/licensing/_bad.py", "import fastapi", "fastapi"),
    ],
)
def test_a_bad_import_breaks_the_contract(
    tree: Path, module: str, bad_import: str, named: str
) -> None:
    bad = tree / "src" / module
    bad.write_text(f'"""Deliberately wrong."""\n\n{bad_import}\n')
    try:
        result = _lint(tree)
    finally:
        bad.unlink()
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
    assert named in result.stdout
    assert _lint(tree).returncode == 0
