"""`certgov app …` against a real (SQLite) database loaded with the demo's app scenarios:
verification by number, the certified apps, an application unit, eligibility, the checklist
and the testing agencies (APP-2, APP-3, APP-9, APP-10)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CERTGOV = [sys.executable, "-m", "certgov.cli"]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    import os

    environment = dict(os.environ)
    environment["CERTGOV_DATA_DIR"] = str(tmp_path_factory.mktemp("app-cli") / "data")
    environment.pop("CERTGOV_DATABASE_URL", None)
    assert certgov(environment, "db", "upgrade").returncode == 0
    loaded = certgov(environment, "demo", "load")
    assert loaded.returncode == 0, loaded.stderr
    return environment


def certgov(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CERTGOV, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _certifications(env: dict[str, str]) -> dict[str, dict[str, object]]:
    listed = certgov(env, "app", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return {str(c["status"]): c for c in json.loads(listed.stdout)}


def test_app_9_cli_verifies_by_number_with_exit_codes(env: dict[str, str]) -> None:
    """APP-9 / APP-10: `certgov app verify NUMBER` prints the status and history; exit 0 when
    the certificate may be used, 1 when suspended, revoked or unknown."""
    by_status = _certifications(env)
    assert set(by_status) == {"valid", "suspended", "revoked"}
    valid = certgov(env, "app", "verify", str(by_status["valid"]["number"]))
    assert valid.returncode == 0 and "valid — may be used" in valid.stdout
    assert "issued (certification_body)" in valid.stdout
    suspended = certgov(env, "app", "verify", str(by_status["suspended"]["number"]))
    assert suspended.returncode == 1
    assert "suspended — may not be used" in suspended.stdout and "suspended (" in suspended.stdout
    revoked = certgov(env, "app", "verify", str(by_status["revoked"]["number"]), "--json")
    assert revoked.returncode == 1
    body = json.loads(revoked.stdout)
    assert body["usable"] is False and [e["kind"] for e in body["history"]] == ["issued", "revoked"]
    unknown = certgov(env, "app", "verify", "CCRC-AS-2000-000001")
    assert unknown.returncode == 1 and "no app security certification" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    text = certgov(env, "app", "list")
    assert text.returncode == 0 and "suspended" in text.stdout


def test_app_2_cli_eligibility_and_application_units(env: dict[str, str]) -> None:
    """APP-2 / APP-3: the revoked holder is barred (exit 1) naming its certification; the
    application under verification shows its open deficiency; bad input is exit 2."""
    revoked = _certifications(env)["revoked"]
    holder = revoked["holder"]["party_id"]  # type: ignore[index]
    barred = certgov(env, "app", "eligibility", str(holder))
    assert barred.returncode == 1 and str(revoked["number"]) in barred.stdout
    later = certgov(env, "app", "eligibility", str(holder), "--on", "2099-01-01", "--json")
    assert later.returncode == 0 and json.loads(later.stdout)["eligible"] is True
    assert certgov(env, "app", "eligibility", str(holder), "--on", "soon").returncode == 2
    cases = json.loads(certgov(env, "cases", "list", "--json").stdout)
    verifying = next(c for c in cases if c["state"] == "technical_verification")
    shown = certgov(env, "app", "show", str(verifying["id"]))
    assert shown.returncode == 0 and "deficiency #" in shown.stdout and "(open, due" in shown.stdout
    as_json = json.loads(certgov(env, "app", "show", str(verifying["id"]), "--json").stdout)
    assert len(as_json["documents"]) == 5 and as_json["testing_agency"] is not None
    states = {(c["process"], c["state"]) for c in cases}
    assert ("app-certification", "submitted") in states
    assert ("app-decision-complaint", "submitted") in states
    assert ("app-certification-suspension", "suspended") in states
    assert certgov(env, "app", "show", "99999").returncode == 1


def test_app_3_cli_checklist_and_agencies(env: dict[str, str]) -> None:
    """APP-3: the checklist of 12 items and the appointed testing agencies; appointing a party
    that is not a testing agency is refused (exit 2)."""
    checklist = json.loads(certgov(env, "app", "checklist", "--json").stdout)
    assert len(checklist["items"]) == 12 and checklist["rule_set"] == "ccrc-app-2019"
    agencies = json.loads(certgov(env, "app", "agencies", "--json").stdout)
    assert [a["status"] for a in agencies] == ["appointed"]
    again = certgov(env, "app", "appoint", str(agencies[0]["party_id"]))
    assert again.returncode == 1 and "already appointed" in again.stderr
    not_agency = certgov(env, "app", "appoint", "1")
    assert not_agency.returncode == 2 and "not a testing agency" in not_agency.stderr
