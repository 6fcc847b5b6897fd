"""SYS-4 / ECS-8.2 through the command line: ``certgov trustlist verify|export|import`` and
``certgov recognition list`` against a real (SQLite) database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CERTGOV = [sys.executable, "-m", "certgov.cli"]
SHARED = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "trustlist"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    import os

    environment = dict(os.environ)
    environment["CERTGOV_DATA_DIR"] = str(tmp_path / "data")
    environment.pop("CERTGOV_DATABASE_URL", None)
    return environment


@pytest.fixture
def shared() -> tuple[Path, Path]:
    xml, crt = SHARED / "TSL.xml", SHARED / "TSL.crt"
    if not xml.exists() or not crt.exists():
        pytest.skip(f"shared trusted-list test data absent: expected {xml} and {crt}")
    return xml, crt


def certgov(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CERTGOV, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_ecs_8_2_trustlist_verify_exit_codes(
    env: dict[str, str], shared: tuple[Path, Path], tmp_path: Path
) -> None:
    xml, crt = shared
    ok = certgov(
        env,
        "trustlist",
        "verify",
        str(xml),
        "--cert",
        str(crt),
        "--at",
        "2025-09-25T10:00:00+08:00",
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("valid:") and "EE list #4" in ok.stdout
    data = xml.read_bytes()
    index = data.index(b"Tallinn")
    changed = tmp_path / "changed.xml"
    changed.write_bytes(data[:index] + b"X" + data[index + 1 :])
    bad = certgov(env, "trustlist", "verify", str(changed), "--cert", str(crt), "--json")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["valid"] is False
    missing = certgov(env, "trustlist", "verify", str(tmp_path / "none.xml"), "--cert", str(crt))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    assert "Traceback" not in bad.stderr + missing.stderr


def test_sys_4_export_then_verify_and_import_through_the_cli(
    env: dict[str, str], shared: tuple[Path, Path], tmp_path: Path
) -> None:
    assert certgov(env, "db", "upgrade").returncode == 0
    out, signer = tmp_path / "cn.xml", tmp_path / "signer.pem"
    exported = certgov(env, "trustlist", "export", "--out", str(out), "--signer-out", str(signer))
    assert exported.returncode == 0, exported.stderr
    key_file = tmp_path / "data" / "trust-list-key" / "trust-list.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    verified = certgov(env, "trustlist", "verify", str(out), "--cert", str(signer), "--json")
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["list"]["territory"] == "CN"
    assert certgov(env, "trustlist", "signer").stdout.strip() == signer.read_text().strip()
    xml, crt = shared
    imported = certgov(env, "trustlist", "import", str(xml), "--cert", str(crt))
    assert imported.returncode == 0, imported.stderr
    assert "imported: EE list #4" in imported.stdout and "pinned" in imported.stderr
    again = certgov(env, "trustlist", "import", str(xml), "--cert", str(crt), "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["created"] is False
    wrong = certgov(env, "trustlist", "import", str(xml), "--cert", str(signer))
    assert wrong.returncode == 2 and "not pinned" in wrong.stderr
    listed = certgov(env, "recognition", "list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
