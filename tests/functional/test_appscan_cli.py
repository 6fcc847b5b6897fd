"""`certgov app scan` (APP-11) offline, without a database: a real APK, a built one with an
undeclared SDK, a declaration, JSON output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from unit.appscan.samples import JAMENDO, POLITEDROID, shared_apk, shop_apk

COMMAND = [sys.executable, "-m", "certgov.cli", "app", "scan"]


def scan(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    # No database: the data directory is empty and never created.
    env = dict(os.environ, CERTGOV_DATA_DIR=str(tmp_path / "no-data"))
    env.pop("CERTGOV_DATABASE_URL", None)
    result = subprocess.run(
        [*COMMAND, *map(str, args)], env=env, capture_output=True, text=True, check=False
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_a_real_apk_without_declaration(tmp_path: Path) -> None:
    apk = tmp_path / "jamendo.apk"
    apk.write_bytes(shared_apk(JAMENDO))
    result = scan(tmp_path, apk)
    assert result.returncode == 0, result.stderr
    assert "com.teleca.jamendo 1.0.4 [BETA] (35)" in result.stdout
    assert (
        "android.telephony.TelephonyManager.listen in com.teleca.jamendo.service" in result.stdout
    )
    assert not (tmp_path / "no-data").exists()


def test_findings_against_a_declaration_in_json(tmp_path: Path) -> None:
    apk = tmp_path / "politedroid.apk"
    apk.write_bytes(shared_apk(POLITEDROID))
    declared = tmp_path / "declared.json"
    declared.write_text(json.dumps({"pi_types": [{"type": "calendar", "purpose": "silence"}]}))
    result = scan(tmp_path, apk, "--declared", declared, "--json")
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert [f["kind"] for f in body["findings"]] == ["collection_before_consent"]
    assert body["findings"][0]["clause"]["gbt35273"] == "5.4"
    assert body["report"]["analyser_version"].startswith("certgov-appscan")


def test_an_undeclared_sdk_in_a_built_apk(tmp_path: Path) -> None:
    apk = tmp_path / "shop.apk"
    apk.write_bytes(shop_apk())
    declared = tmp_path / "declared.json"
    declared.write_text(json.dumps({"pi_types": [{"type": "device_id"}]}))
    result = scan(tmp_path, apk, "--declared", declared)
    assert result.returncode == 1
    assert "[undeclared_sdk] the APK embeds Umeng+" in result.stdout
    assert (
        "SDK umeng initialised from Application subclass com.example.shop.ShopApp" in result.stdout
    )
    assert "(GB/T 35273 9.7, Methods 5.1, mapping assumed)" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"MZ not an apk", "error: the file is not a zip archive"), (b"PK\x03\x04cut", "cut short")],
)
def test_a_hostile_file_is_exit_2_with_one_clear_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    apk = tmp_path / "bad.apk"
    apk.write_bytes(content)
    result = scan(tmp_path, apk)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
