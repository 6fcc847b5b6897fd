"""The command line against a real (SQLite) database: set-up, parties, users, tokens, rules,
worker. Each test gets its own data directory through CERTGOV_* environment variables."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CERTGOV = [sys.executable, "-m", "certgov.cli"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    import os

    environment = dict(os.environ)
    environment["CERTGOV_DATA_DIR"] = str(tmp_path / "data")
    environment.pop("CERTGOV_DATABASE_URL", None)
    return environment


def certgov(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CERTGOV, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_uscc_exit_codes() -> None:
    """ECS-2.1: `certgov parties check-uscc` prints valid/invalid and why (exit 0/1)."""
    ok = subprocess.run(
        [*CERTGOV, "parties", "check-uscc", "91330100716105852F"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0
    assert ok.stdout.strip() == "91330100716105852F: valid"
    bad = subprocess.run(
        [*CERTGOV, "parties", "check-uscc", "91330100716105850F"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "invalid" in bad.stdout
    assert "gives '9'" in bad.stdout
    assert "Traceback" not in bad.stderr


def test_setup_users_tokens_rules_and_worker(env: dict[str, str]) -> None:
    """SYS-2 / SYS-6 through the CLI: db upgrade/check, users, tokens, rule activation."""
    assert certgov(env, "db", "upgrade").returncode == 0
    check = certgov(env, "db", "check")
    assert check.returncode == 0, check.stderr
    created = certgov(
        env,
        "users",
        "create",
        "zhang.san",
        "--role",
        "national_regulator",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    short = certgov(
        env,
        "users",
        "create",
        "li.si",
        "--role",
        "national_regulator",
        "--password-stdin",
        stdin="short\n",
    )
    assert short.returncode == 2
    assert "at least 12 characters" in short.stderr
    assert "Traceback" not in short.stderr
    listed = json.loads(certgov(env, "users", "list", "--json").stdout)
    assert [u["username"] for u in listed] == ["zhang.san"]
    assert "password" not in json.dumps(listed)

    party = json.loads(
        certgov(
            env,
            "parties",
            "create",
            "--name",
            "上海测试CA",
            "--kind",
            "ca",
            "--uscc",
            "91330100716105852F",
            "--province",
            "310000",
            "--json",
        ).stdout
    )
    token = certgov(
        env,
        "tokens",
        "create",
        "--name",
        "issuance system",
        "--role",
        "ca_operator",
        "--party",
        str(party["id"]),
    )
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip()
    assert secret.startswith("cgt_")
    tokens = certgov(env, "tokens", "list", "--json").stdout
    assert secret not in tokens
    wrong_kind = certgov(
        env,
        "tokens",
        "create",
        "--name",
        "x",
        "--role",
        "app_operator",
        "--party",
        str(party["id"]),
    )
    assert wrong_kind.returncode == 2
    assert "kind app_operator" in wrong_kind.stderr

    assert (
        certgov(env, "rules", "in-force", "--regime", "ecs", "--on", "2026-06-01").stdout.strip()
        == "measures-2015"
    )
    activated = certgov(env, "rules", "activate", "measures-2024-draft", "--from", "2026-03-01")
    assert activated.returncode == 0, activated.stderr
    assert (
        certgov(env, "rules", "in-force", "--regime", "ecs", "--on", "2026-06-01").stdout.strip()
        == "measures-2024-draft"
    )
    assert (
        certgov(env, "rules", "in-force", "--regime", "ecs", "--on", "2026-02-28").stdout.strip()
        == "measures-2015"
    )
    bad_date = certgov(env, "rules", "activate", "measures-2024-draft", "--from", "2026-13-01")
    assert bad_date.returncode == 2
    rules = json.loads(certgov(env, "rules", "list", "--json").stdout)
    draft = next(r for r in rules if r["id"] == "measures-2024-draft")
    assert draft["in_force_from"] == "2026-03-01"
    shown = json.loads(certgov(env, "rules", "show", "measures-2024-draft", "--json").stdout)
    assert shown["parameters"]["registered_capital_min"]["value"] == 70_000_000
    assert shown["parameters"]["technical_staff_min"]["value"] == 60
    assert certgov(env, "rules", "show", "nope").returncode == 1

    sweep = certgov(env, "worker", "--once", "--json")
    assert sweep.returncode == 0, sweep.stderr
    assert json.loads(sweep.stdout)["expired"] == 0


def test_demo_data_loads_once(env: dict[str, str]) -> None:
    """`make run` loads demo data only into an empty database and prints the logins."""
    certgov(env, "db", "upgrade")
    first = certgov(env, "demo", "load", "--if-empty")
    assert first.returncode == 0, first.stderr
    assert "miit" in first.stdout
    second = certgov(env, "demo", "load", "--if-empty")
    assert "already loaded" in second.stdout
    cases = json.loads(certgov(env, "cases", "list", "--json").stdout)
    states = {(c["process"], c["state"]) for c in cases}
    assert ("ca-licence-application", "document_review") in states  # Zhejiang, applying
    assert ("ca-licence-application", "awaiting_documents") in states  # Shanghai
    assert ("ca-licence-application", "approved") in states


def test_ecs_registry_from_the_command_line(env: dict[str, str]) -> None:
    """SYS-4 / ECS-2.3 / ECS-3.3: `certgov ecs registry --json` lists the demo's licensed CAs:
    one compliant, one with conduct findings (no outlet in Guangxi, critical outsourcing, late
    registration-change filing)."""
    certgov(env, "db", "upgrade")
    assert certgov(env, "demo", "load").returncode == 0
    result = certgov(env, "ecs", "registry", "--json")
    assert result.returncode == 0, result.stderr
    entries = {entry["name_en"]: entry for entry in json.loads(result.stdout)}
    assert set(entries) == {
        "Beijing Example Digital Certification Co.",
        "Guangdong Example Certificate Services Co.",
    }
    compliant = entries["Beijing Example Digital Certification Co."]
    assert compliant["licences"][0]["status"] == "valid" and compliant["findings"] == []
    assert compliant["practice_statement"]["label"] == "V4.2"
    flagged = entries["Guangdong Example Certificate Services Co."]
    assert flagged["provinces_without_outlet"] == ["450000"]
    assert {f["requirement"] for f in flagged["findings"]} == {"ECS-2.4", "ECS-3.2", "ECS-3.3"}
    text = certgov(env, "ecs", "registry")
    assert "no outlet in: 450000" in text.stdout
    # The Shanghai application (RMB 50 million) meets the 2015 Measures but not the 2024 draft.
    cases = json.loads(certgov(env, "cases", "list", "--json").stdout)
    shanghai = next(c for c in cases if c["state"] == "awaiting_documents")
    shown = json.loads(certgov(env, "cases", "show", str(shanghai["id"]), "--json").stdout)
    application = shown["data"]["application"]
    assert shown["data"]["evaluation"]["ready"] is True
    draft = certgov(
        env,
        "ecs",
        "readiness",
        "--rule-set",
        "measures-2024-draft",
        "--json",
        stdin=json.dumps(application),
    )
    assert draft.returncode == 1 and json.loads(draft.stdout)["ready"] is False


def test_trace_reports_every_requirement(tmp_path: Path) -> None:
    """`certgov rules trace` lists every requirement ID of REGULATIONS.md with code and tests."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [*CERTGOV, "rules", "trace", "--json", "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )
    if result.returncode != 0 and "REGULATIONS.md" in result.stderr:
        pytest.skip(
            "the requirement catalogue (../shared/REGULATIONS.md) is not beside this checkout"
        )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    text = json.dumps(report)
    for requirement in ("SYS-1", "SYS-2", "SYS-6", "APP-6", "ECS-2.2"):
        assert requirement in text
