"""ECS-3.4 standards lints of filed CA certificates: the worker lints what was filed (pkilint,
RFC 5280) and raises one finding per failing lint, on a real database."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from certgov.actors import SYSTEM_ACTOR
from certgov.errors import ConfigurationError
from certgov.filings.lints import finding_severities, lint_key, sweep_lints
from certgov.filings.models import CertificateLint
from certgov.findings.models import Finding
from certgov.findings.services import Problem, raise_finding
from certgov.i18n.labels import label
from certgov.i18n.texts import say
from certgov.pki.lint import LINTER, LintSeverity
from certgov.rules import load_rule_sets
from certgov.rules.model import Parameter
from certgov.store.engine import unit_of_work
from certgov.text import Text
from certgov.worker import run_once
from unit.pki.factory import NOW, SM2_DIR, Issued, issue, make_key, sm2_file

PEM = {"content-type": "application/x-pem-file"}
NO_KEY_USAGE = "pkix.ca_certificate_no_ku_extension"


def _pem(*certs: Issued) -> bytes:
    return b"".join(c.cert.x509.public_bytes(serialization.Encoding.PEM) for c in certs)


def _file(client: TestClient, world: Any, body: bytes) -> dict[str, Any]:
    response = client.post(
        "/api/v1/filings", content=body, headers={**world.headers("ca_operator"), **PEM}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _lint_findings(client: TestClient, world: Any, who: str = "national_regulator") -> list[Any]:
    findings = client.get("/api/v1/findings", headers=world.headers(who)).json()
    return [f for f in findings if f["code"] == "certificate-lint"]


def test_ecs_3_4_a_filed_ca_certificate_without_key_usage_is_one_lint_finding(
    client: TestClient, world: Any
) -> None:
    """ECS-3.4, ECS-4.2: a clean root and subordinate and a root without keyUsage are filed;
    the lint sweep stores a report for each and raises one finding, for the broken root, in
    the CA's province; running it again lints nothing and duplicates nothing."""
    clean = issue("lint clean root", make_key("p256", 30))
    sub = issue("lint clean sub", make_key("p256", 31), clean, path_length=0, not_before=NOW)
    broken = issue("lint root without key usage", make_key("p256", 32), key_usage={})
    receipt = _file(client, world, _pem(clean, sub, broken))
    assert len(receipt["certificates"]) == 3
    broken_sha = broken.cert.fingerprint
    assert client.get(f"/api/v1/filings/certificates/{broken_sha}").json()["lint"] is None

    report = sweep_lints(world.ctx, batch=2)
    assert report.as_dict() == {"linted": 3, "not_linted": 0, "findings": 1, "closed": 0}

    findings = _lint_findings(client, world)
    assert len(findings) == 1
    finding = findings[0]
    party = world.parties["ca_shanghai"]
    assert finding["key"] == lint_key(party, broken_sha, NO_KEY_USAGE)
    assert finding["requirement"] == "ECS-3.4" and finding["status"] == "open"
    assert finding["severity"] == "medium"  # error=medium in the rule set
    assert finding["party_id"] == party and finding["jurisdiction"] == "310000"
    assert NO_KEY_USAGE in finding["title"] and NO_KEY_USAGE in finding["message"]
    assert "certificate_lint_findings" in finding["message"]
    # Kept as a template (issue 16): the same English; in Chinese the certificate's role and
    # the lint's severity in words, the lint code as it is.
    with unit_of_work(world.ctx.sessions) as session:
        row = session.get(Finding, finding["id"])
        assert row is not None
        message = Text.of_record(row.message_text)
    assert message is not None and str(message) == finding["message"]
    zh = say(message, "zh")
    assert zh.startswith("已备案的根 CA 证书") and NO_KEY_USAGE in zh
    assert label("lint_severity", "error", "zh") in zh and "fails the" not in zh
    details = finding["details"]
    assert details["lint"]["code"] == NO_KEY_USAGE
    assert details["lint"]["severity"] == "error"
    assert details["lint"]["occurrences"][0]["path"] == "certificate.tbsCertificate.extensions"
    assert details["certificate"]["sha256"] == broken_sha
    assert details["certificate"]["role"] == "root"
    assert details["linter"] == LINTER and details["profile"] == "rfc5280"
    assert details["rule"]["name"] == "certificate_lint_findings"
    assert details["rule"]["assumed"] is True
    # The CA and its provincial regulator see it; another province's does not.
    assert len(_lint_findings(client, world, "ca_operator")) == 1
    assert len(_lint_findings(client, world, "provincial_regulator")) == 1
    assert _lint_findings(client, world, "provincial_regulator_gd") == []

    # The filed certificate shows its lint; the clean ones have nothing above info.
    shown = client.get(f"/api/v1/filings/certificates/{broken_sha}").json()["lint"]
    assert shown["linted"] and shown["linter"] == LINTER and shown["counts"]["error"] == 1
    assert NO_KEY_USAGE in {f["code"] for f in shown["findings"]}
    for issued in (clean, sub):
        lint = client.get(f"/api/v1/filings/certificates/{issued.cert.fingerprint}").json()["lint"]
        counts = lint["counts"]
        assert counts["fatal"] == counts["error"] == counts["warning"] == counts["notice"] == 0

    # Again: nothing left to lint, the finding is not duplicated.
    assert sweep_lints(world.ctx).as_dict() == {
        "linted": 0,
        "not_linted": 0,
        "findings": 0,
        "closed": 0,
    }
    again = _lint_findings(client, world)
    assert [(f["id"], f["first_seen"]) for f in again] == [(finding["id"], finding["first_seen"])]
    with unit_of_work(world.ctx.sessions) as session:
        assert session.scalar(select(func.count()).select_from(CertificateLint)) == 3


def test_ecs_3_4_a_new_linter_version_relints_and_closes_what_it_no_longer_reports(
    client: TestClient, world: Any
) -> None:
    """A report from another pkilint version is redone; a finding of a code the new report
    does not give closes, the ones it still gives stay open (same finding)."""
    broken = issue("relint root", make_key("p256", 33), key_usage={})
    _file(client, world, _pem(broken))
    sweep_lints(world.ctx)
    party = world.parties["ca_shanghai"]
    sha = broken.cert.fingerprint
    stale_key = lint_key(party, sha, "pkix.some_lint_of_an_older_version")
    with unit_of_work(world.ctx.sessions) as session:
        session.execute(update(CertificateLint).values(linter="pkilint 0.12.0"))
        raise_finding(
            session,
            world.ctx,
            SYSTEM_ACTOR,
            Problem(
                code="certificate-lint",
                key=stale_key,
                severity="low",
                title="an older lint",
                message="reported by an older pkilint",
                requirement="ECS-3.4",
                party_id=party,
                jurisdiction="310000",
            ),
        )
    before = {f["key"]: f for f in _lint_findings(client, world)}
    report = sweep_lints(world.ctx)
    assert report.as_dict() == {"linted": 1, "not_linted": 0, "findings": 1, "closed": 1}
    after = {f["key"]: f for f in _lint_findings(client, world)}
    assert after[stale_key]["status"] == "closed"
    assert "no longer reported by pkilint" in after[stale_key]["details"]["closed_because"]
    kept = lint_key(party, sha, NO_KEY_USAGE)
    assert after[kept]["status"] == "open" and after[kept]["id"] == before[kept]["id"]
    lint = client.get(f"/api/v1/filings/certificates/{sha}").json()["lint"]
    assert lint["linter"] == LINTER


def test_ecs_3_4_the_worker_lints_a_filed_sm2_chain(client: TestClient, world: Any) -> None:
    """SM2 (GM/T 0015) CA certificates are linted by the worker's run: the shared root's
    serial number 0 is a finding (RFC 5280 §4.1.2.2), the sub-CA is clean."""
    if not SM2_DIR.is_dir():
        pytest.skip(f"the shared SM2 test data is not beside this checkout ({SM2_DIR})")
    receipt = _file(client, world, sm2_file("chain-ca.crt"))
    run_once(world.ctx)
    findings = _lint_findings(client, world)
    assert [f["details"]["lint"]["code"] for f in findings] == [
        "pkix.certificate_serial_number_out_of_range"
    ]
    root = next(c for c in receipt["certificates"] if c["role"] == "root")
    assert findings[0]["details"]["certificate"]["sha256"] == root["sha256"]
    for filed in receipt["certificates"]:
        lint = client.get(f"/api/v1/filings/certificates/{filed['sha256']}").json()["lint"]
        assert lint["linted"] is True


def test_ecs_3_4_the_rule_sets_say_which_lints_are_findings() -> None:
    """The shipped ECS rule sets: fatal, error and warning lints are findings (high, medium,
    low), an assumed operational choice; a malformed entry is a configuration error."""
    rule_sets = load_rule_sets()
    for rule_set_id in ("measures-2015", "measures-2024-draft"):
        rule_set = rule_sets[rule_set_id]
        assert finding_severities(rule_set) == {
            LintSeverity.FATAL: "high",
            LintSeverity.ERROR: "medium",
            LintSeverity.WARNING: "low",
        }
        parameter = rule_set.parameter("certificate_lint_findings")
        assert parameter.assumed and "ECS-3.4" in parameter.requirements
        for bad in ("error", "error=severe", "loud=high"):
            broken = dataclasses.replace(
                rule_set,
                parameters={
                    **rule_set.parameters,
                    "certificate_lint_findings": Parameter(
                        **{**_fields(parameter), "value": (bad,)}
                    ),
                },
            )
            with pytest.raises(ConfigurationError, match="certificate_lint_findings"):
                finding_severities(broken)


def _fields(parameter: Parameter) -> dict[str, Any]:
    return {f.name: getattr(parameter, f.name) for f in dataclasses.fields(parameter)}
