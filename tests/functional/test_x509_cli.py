"""`certgov x509 check FILE… [--at DATE] [--anchors FILE] [--rule-set ID] [--json]` (issue 5):
an offline chain and lint report, run as a user would (a subprocess)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from certgov.clock import CHINA_TZ
from unit.pki.factory import Issued, issue, make_key, sm2_file

Run = Callable[..., subprocess.CompletedProcess[str]]
COMMAND = [sys.executable, "-m", "certgov.cli"]


@pytest.fixture(scope="module")
def x509(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Runs `certgov x509 check ARGS…` against a fresh data directory."""
    data = tmp_path_factory.mktemp("x509-data")
    env = {"CERTGOV_DATA_DIR": str(data), "PATH": "/usr/bin:/bin"}
    subprocess.run([*COMMAND, "db", "upgrade"], env=env, check=True, capture_output=True)

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*COMMAND, "x509", "check", *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    return run


def _pem(*certificates: Issued) -> bytes:
    return b"".join(c.cert.x509.public_bytes(serialization.Encoding.PEM) for c in certificates)


def _rsa_hierarchy(
    leaf_not_after: dt.datetime | None = None,
) -> tuple[Issued, Issued, Issued]:
    """root → intermediate → leaf, valid around the real time (the command's default)."""
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=30), now + dt.timedelta(days=365)
    root = issue("cli root", make_key("rsa2048", 40), not_before=start, not_after=end)
    intermediate = issue(
        "cli intermediate",
        make_key("rsa2048", 41),
        root,
        path_length=0,
        not_before=start,
        not_after=end,
    )
    leaf = issue(
        "cli leaf",
        make_key("rsa2048", 42),
        intermediate,
        ca=False,
        not_before=start,
        not_after=leaf_not_after or end,
    )
    return root, intermediate, leaf


def test_the_shared_sm2_chain_and_a_leaf(x509: Run, tmp_path: Path) -> None:
    """SM2 certificates of the shared test PKI: the chain verifies with SM2-with-SM3."""
    chain = tmp_path / "chain-ca.crt"
    chain.write_bytes(sm2_file("chain-ca.crt"))
    leaf = tmp_path / "server_sign.crt"
    leaf.write_bytes(sm2_file("server_sign.crt"))
    result = x509(chain, leaf, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["rule_set"]
    roles = {c["subject"].split(",")[0]: c["role"] for c in report["certificates"]}
    assert roles == {
        "CN=root ca": "anchor",
        "CN=sub ca": "intermediate",
        "CN=server sign": "target",
    }
    assert {c["signature_algorithm"] for c in report["certificates"]} == {"SM2-with-SM3"}
    assert {c["curve"] for c in report["certificates"]} == {"sm2p256v1"}
    (chain_report,) = report["chains"]
    assert chain_report["ok"] and chain_report["problems"] == []
    assert chain_report["target"]["file"] == str(leaf)
    assert [p["subject"].split(",")[0] for p in chain_report["path"]] == [
        "CN=server sign",
        "CN=sub ca",
        "CN=root ca",
    ]
    assert [p["anchor"] for p in chain_report["path"]] == [False, False, True]
    text = x509(chain, leaf)
    assert text.returncode == 0, text.stderr
    assert "chain of CN=server sign,OU=DD,O=CC,ST=BB,C=AA: ok" in text.stdout
    assert "SM2-with-SM3 (sm3)" in text.stdout and "ec sm2p256v1 (256 bits)" in text.stdout
    # The expired SM2 leaf of the shared PKI.
    expired = tmp_path / "client_sign_expire.crt"
    expired.write_bytes(sm2_file("client_sign_expire.crt"))
    result = x509(chain, expired, "--json")
    assert result.returncode == 1
    (chain_report,) = json.loads(result.stdout)["chains"]
    assert [p["code"] for p in chain_report["problems"]] == ["expired"]


def test_a_generated_rsa_hierarchy_is_ok(x509: Run, tmp_path: Path) -> None:
    root, intermediate, leaf = _rsa_hierarchy()
    leaf_file = tmp_path / "leaf.der"
    leaf_file.write_bytes(leaf.cert.der)
    cas = tmp_path / "cas.pem"
    cas.write_bytes(_pem(intermediate, root))
    result = x509(leaf_file, cas)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "chain of CN=cli leaf,O=certgov test,C=CN: ok" in result.stdout
    assert "rsa 2048 bits" in result.stdout and "sha256WithRSAEncryption (sha256)" in result.stdout
    assert "CA         yes, pathLen 0" in result.stdout
    assert "(trust anchor)" in result.stdout
    # The same with explicit anchors, a rule set and a time, as JSON.
    anchors = tmp_path / "root.pem"
    anchors.write_bytes(_pem(root))
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date().isoformat()
    result = x509(
        leaf_file,
        tmp_path / "cas.pem",
        "--anchors",
        anchors,
        "--rule-set",
        "measures-2024-draft",
        "--at",
        at,
        "--json",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["rule_set"] == "measures-2024-draft"
    # A date is the start of that day in China.
    start_of_day = dt.datetime.fromisoformat(at).replace(tzinfo=CHINA_TZ).astimezone(dt.UTC)
    assert report["at"] == start_of_day.isoformat()
    assert [c["role"] for c in report["certificates"]] == ["target", "intermediate", "anchor"]
    assert [a["subject"] for a in report["anchors"]] == [root.cert.subject]


def test_an_expired_leaf_is_exit_1_with_expired(x509: Run, tmp_path: Path) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    root, intermediate, leaf = _rsa_hierarchy(leaf_not_after=past)
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(_pem(leaf, intermediate, root))
    result = x509(bundle)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 problem(s)" in result.stdout
    assert "- expired: certificate 'CN=cli leaf,O=certgov test,C=CN'" in result.stdout
    report = json.loads(x509(bundle, "--json").stdout)
    assert report["ok"] is False
    (problem,) = report["chains"][0]["problems"]
    assert (problem["code"], problem["position"]) == ("expired", 0)
    # Checked at a time before it expired, it is fine.
    before = (past - dt.timedelta(days=1)).isoformat()
    assert x509(bundle, "--at", before).returncode == 0


def test_no_trust_anchor_and_policy_problems(x509: Run, tmp_path: Path) -> None:
    _, intermediate, leaf = _rsa_hierarchy()
    partial = tmp_path / "partial.pem"
    partial.write_bytes(_pem(leaf, intermediate))
    result = x509(partial, "--json")
    assert result.returncode == 1
    codes = [p["code"] for p in json.loads(result.stdout)["chains"][0]["problems"]]
    assert codes == ["no_path"]
    # An Ed25519 hierarchy does not pass the ECS algorithm policy.
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=30)
    ed_root = issue("ed root", make_key("ed25519", 40), not_before=start, not_after=end)
    ed_leaf = issue(
        "ed leaf", make_key("ed25519", 41), ed_root, ca=False, not_before=start, not_after=end
    )
    ed = tmp_path / "ed.pem"
    ed.write_bytes(_pem(ed_leaf, ed_root))
    result = x509(ed, "--json", "--at", now.isoformat())
    assert result.returncode == 1
    codes = [p["code"] for p in json.loads(result.stdout)["chains"][0]["problems"]]
    assert "curve_not_allowed" in codes and "algorithm_not_allowed" in codes


def test_invalid_input_is_exit_2_with_one_clear_line(x509: Run, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"\x00\x01 this is not a certificate")
    result = x509(garbage)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {garbage}: expected PEM blocks")
    assert result.stdout == ""
    _, _, leaf = _rsa_hierarchy()
    good = tmp_path / "leaf.pem"
    good.write_bytes(_pem(leaf))
    for args, message in [
        ((tmp_path / "missing.pem",), "cannot read"),
        ((good, "--at", "next tuesday"), "--at must be a date"),
        ((good, "--rule-set", "no-such-rules"), "no rule set 'no-such-rules'"),
        ((good, "--rule-set", "ccrc-app-2019"), "not to ECS"),
        ((good, "--anchors", garbage), str(garbage)),
    ]:
        result = x509(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr


def test_the_lint_report_of_each_certificate(x509: Run, tmp_path: Path) -> None:
    """Each certificate's pkilint report (RFC 5280) is printed and in --json; a CA
    certificate without keyUsage is an error lint, which leaves the exit status to the
    chains; the SM2 root's serial number 0 is found; --no-lint leaves the lints out."""
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=30)
    root = issue("lint root", make_key("p256", 43), not_before=start, not_after=end)
    bare = issue(
        "lint sub without key usage",
        make_key("p256", 44),
        root,
        key_usage={},
        not_before=start,
        not_after=end,
    )
    bundle = tmp_path / "lint.pem"
    bundle.write_bytes(_pem(bare, root))
    result = x509(bundle, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    lints = {c["subject"]: c["lint"] for c in json.loads(result.stdout)["certificates"]}
    broken = lints[bare.cert.subject]
    assert broken["linted"] is True and broken["linter"].startswith("pkilint ")
    assert broken["profile"] == "rfc5280" and broken["counts"]["error"] == 1
    (error,) = [f for f in broken["findings"] if f["severity"] == "error"]
    assert error["code"] == "pkix.ca_certificate_no_ku_extension"
    assert error["path"] == "certificate.tbsCertificate.extensions"
    assert lints[root.cert.subject]["counts"]["error"] == 0
    text = x509(bundle)
    assert text.returncode == 0, text.stderr
    assert (
        "- error pkix.ca_certificate_no_ku_extension at certificate.tbsCertificate.extensions"
        in (text.stdout)
    )
    assert "lint       pkilint " in text.stdout and "1 error" in text.stdout
    # Skipped on request.
    skipped = x509(bundle, "--json", "--no-lint")
    assert skipped.returncode == 0
    assert {c["lint"] for c in json.loads(skipped.stdout)["certificates"]} == {None}
    assert "pkilint" not in x509(bundle, "--no-lint").stdout
    # SM2: linted too.
    chain = tmp_path / "chain-ca.crt"
    chain.write_bytes(sm2_file("chain-ca.crt"))
    sm2_report = json.loads(x509(chain, "--json").stdout)
    sm2_lints = {c["subject"].split(",")[0]: c["lint"] for c in sm2_report["certificates"]}
    assert [f["code"] for f in sm2_lints["CN=root ca"]["findings"] if f["severity"] == "error"] == [
        "pkix.certificate_serial_number_out_of_range"
    ]
    assert sm2_lints["CN=sub ca"]["counts"]["error"] == 0
