"""ECS-3.4 filings and SYS-5 relying-party verification through the API on a real database."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from certgov.findings.models import Finding
from certgov.i18n.texts import say
from certgov.store.engine import unit_of_work
from certgov.text import Text
from certgov.tlog import merkle
from certgov.tlog.checkpoint import Checkpoint
from support.licensing import grant_licence
from unit.pki.factory import NOW, SM2_DIR, hierarchy, issue, make_key, sm2_file

PEM = {"content-type": "application/x-pem-file"}


def _pem(*certs: Any) -> bytes:
    return b"".join(c.cert.x509.public_bytes(serialization.Encoding.PEM) for c in certs)


def _file(client: TestClient, world: Any, body: bytes, who: str = "ca_operator") -> Any:
    return client.post("/api/v1/filings", content=body, headers={**world.headers(who), **PEM})


def _checkpoint(note: str) -> Checkpoint:
    """The checkpoint body of a signed note (its lines before the blank line)."""
    return Checkpoint.parse(note.split("\n\n", 1)[0] + "\n")


def _verify_receipt(client: TestClient, receipt: dict[str, Any]) -> None:
    """The receipt's inclusion proofs verify against the signed checkpoint's root."""
    log = client.get("/api/v1/logs/filings").json()
    assert log["size"] >= receipt["log_size"]
    for entry in receipt["certificates"]:
        proof = entry["inclusion"]
        leaf = base64.b64decode(proof["leaf_hash"])
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        root = base64.b64decode(proof["root_hash"])
        merkle.verify_inclusion(leaf, proof["index"], proof["size"], hashes, root)
        body = _checkpoint(receipt["checkpoint"])
        assert body.size == proof["size"] and body.root_hash == root


def test_ecs_3_4_a_filed_ecdsa_chain_is_accepted_with_a_verifiable_receipt(
    client: TestClient, world: Any
) -> None:
    """ECS-3.4: root and subordinate filed together: each checked, logged, receipted."""
    pki = hierarchy("p256")
    sub = issue(
        "p256 fresh sub",
        make_key("p256", 7),
        pki.root,
        path_length=0,
        not_before=NOW - dt.timedelta(days=2),
    )
    response = _file(client, world, _pem(pki.root, sub))
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert [c["role"] for c in receipt["certificates"]] == ["root", "subordinate"]
    assert [c["log_index"] for c in receipt["certificates"]] == [0, 1]
    assert receipt["findings"] == [] and not any(c["late"] for c in receipt["certificates"])
    assert receipt["checkpoint"].splitlines()[1] == "2"
    _verify_receipt(client, receipt)
    # Filing the same root again with the late subordinate: the root is "already filed"; the
    # subordinate valid for a year before filing is late, a finding citing the 7-day rule.
    again = _file(client, world, _pem(pki.root, pki.intermediate))
    assert again.status_code == 201, again.text
    body = again.json()
    assert [c["sha256"] for c in body["already_filed"]] == [receipt["certificates"][0]["sha256"]]
    assert [c["late"] for c in body["certificates"]] == [True]
    findings = client.get("/api/v1/findings", headers=world.headers("ca_operator")).json()
    late = next(f for f in findings if f["code"] == "subordinate-filed-late")
    assert late["requirement"] == "ECS-3.4" and "365 days later" in late["message"]
    assert "subordinate_ca_filing_period" in late["message"]
    # Kept as a template (issue 16): the same English, and Chinese words in a Chinese page.
    with unit_of_work(world.ctx.sessions) as session:
        row = session.get(Finding, late["id"])
        assert row is not None
        message = Text.of_record(row.message_text)
    assert message is not None and str(message) == late["message"]
    zh = say(message, "zh")
    assert "下级 CA 证书" in zh and "7 个自然日" in zh and "days later" not in zh
    listed = client.get("/api/v1/filings/certificates").json()
    assert len(listed) == 3


def test_ecs_3_4_a_filed_sm2_chain_is_accepted(client: TestClient, world: Any) -> None:
    """ECS-3.4 with SM2/SM3 (GM/T 0015): the shared SM2 root and sub-CA are filed."""
    chain = sm2_file("chain-ca.crt")
    response = _file(client, world, chain)
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert {c["signature_algorithm"] for c in receipt["certificates"]} == {"SM2-with-SM3"}
    assert {c["key"] for c in receipt["certificates"]} == {"sm2p256v1"}
    _verify_receipt(client, receipt)


def test_ecs_3_4_refusals_state_every_reason_and_file_nothing(
    client: TestClient, world: Any
) -> None:
    """ECS-3.4: a leaf, a subordinate without its root, an RSA-1024 root: every reason given,
    nothing stored, nothing logged; bad input is a clear 422; other roles 403."""
    pki = hierarchy("rsa2048")
    weak = issue("weak root", make_key("rsa1024"))
    stray = hierarchy("p384").intermediate
    response = _file(client, world, _pem(pki.root, pki.leaf, weak, stray))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "filing_refused"
    refused = {
        c["subject"]: {p["code"] for p in c["problems"]} for c in body["details"]["certificates"]
    }
    assert "not_a_ca_certificate" in refused[pki.leaf.cert.subject]
    assert "key_too_small" in refused[weak.cert.subject]
    assert "no_path" in refused[stray.cert.subject]
    assert pki.root.cert.subject not in refused
    assert client.get("/api/v1/filings/certificates").json() == []
    log = client.get("/api/v1/logs/filings")
    assert log.status_code == 404 or log.json()["size"] == 0
    for bad in (b"", b"garbage", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"):
        answer = _file(client, world, bad)
        assert answer.status_code == 422 and answer.json()["message"], bad
    for who, status in (("national_regulator", 403), ("app_operator", 403), ("public", 401)):
        assert _file(client, world, _pem(pki.root), who).status_code == status


def test_sys_5_verification_for_a_licensed_a_revoked_and_an_unknown_ca(
    client: TestClient, world: Any
) -> None:
    """SYS-5: a chain to a filed CA certificate of a licensed CA is valid, with the licence
    and an inclusion proof; after revocation it is not valid now but was at a time before; a
    chain to an unfiled CA is not valid."""
    licence = grant_licence(client, world)
    pki = hierarchy("p256", slot=5)
    assert _file(client, world, _pem(pki.root, pki.intermediate)).status_code == 201
    presented = _pem(pki.leaf, pki.intermediate)
    answer = client.post("/api/v1/verify", content=presented, headers=PEM)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["valid"] is True, body["reasons"]
    assert body["licence"]["number"] == licence["number"]
    assert body["licence"]["status_at"] == "valid"
    assert body["filed"]["role"] == "subordinate"
    proof = body["filed"]["inclusion"]
    merkle.verify_inclusion(
        base64.b64decode(proof["leaf_hash"]),
        proof["index"],
        proof["size"],
        [base64.b64decode(h) for h in proof["hashes"]],
        base64.b64decode(proof["root_hash"]),
    )
    assert _checkpoint(proof["checkpoint"]).size == proof["size"]

    before = (world.ctx.clock.now() + dt.timedelta(hours=1)).isoformat()
    world.ctx.clock.advance(dt.timedelta(days=1))
    revoked = client.post(
        f"/api/v1/licences/{licence['number']}/status",
        json={"action": "revoke", "reason": "breach", "expected_version": licence["version"]},
        headers=world.headers("national_regulator"),
    )
    assert revoked.status_code == 200
    now = client.post("/api/v1/verify", content=presented, headers=PEM).json()
    assert now["valid"] is False
    assert any("was revoked" in reason for reason in now["reasons"])
    then = client.post(
        "/api/v1/verify", params={"at": before}, content=presented, headers=PEM
    ).json()
    assert then["valid"] is True and then["licence"]["status_now"] == "revoked"

    unknown = hierarchy("p384", slot=3)
    stranger = client.post(
        "/api/v1/verify", content=_pem(unknown.leaf, unknown.intermediate), headers=PEM
    )
    assert stranger.status_code == 200
    assert stranger.json()["valid"] is False
    assert any("filed with the regulator" in r for r in stranger.json()["reasons"])
    assert client.post("/api/v1/verify", content=b"nope").status_code == 422


def test_sys_5_an_expired_certificate_is_not_valid(client: TestClient, world: Any) -> None:
    """SYS-5 with the shared SM2 PKI: a leaf past notAfter fails as expired even though its
    CA is filed and licensed."""
    if not SM2_DIR.is_dir():
        sm2_file("chain-ca.crt")  # skips with the reason
    grant_licence(client, world)
    assert _file(client, world, sm2_file("chain-ca.crt")).status_code == 201
    good = client.post("/api/v1/verify", content=sm2_file("server_sign.crt")).json()
    assert good["valid"] is True, good["reasons"]
    expired = client.post("/api/v1/verify", content=sm2_file("server_sign_expire.crt")).json()
    assert expired["valid"] is False
    assert "expired" in {p["code"] for p in expired["chain"]["problems"]}


def test_ecs_3_4_and_sys_5_from_the_command_line(tmp_path: Path) -> None:
    """`certgov filings submit --ca ID FILE…` files a CA's certificates (receipt printed);
    `certgov verify CHAIN…` answers exit 0 for a chain to them when the CA is licensed (the
    demo's Beijing CA), 1 for an unfiled CA, 2 for a bad file."""
    env = {"CERTGOV_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "certgov.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args], env=env, capture_output=True, text=True, check=False, timeout=120
        )

    assert run("db", "upgrade").returncode == 0
    assert run("demo", "load").returncode == 0
    parties = json.loads(run("parties", "list", "--json").stdout)
    beijing = next(p for p in parties if p["name"].startswith("北京"))
    # Valid now: the demo loads with the real clock, so build the PKI around today.
    now = dt.datetime.now(dt.UTC)
    span = {"not_before": now - dt.timedelta(days=1), "not_after": now + dt.timedelta(days=365)}
    root = issue("cli root", make_key("p256", 11), **span)
    sub = issue("cli sub", make_key("p256", 12), root, path_length=0, **span)
    leaf = issue("cli leaf", make_key("p256", 13), sub, ca=False, **span)
    (tmp_path / "root.pem").write_bytes(_pem(root))
    (tmp_path / "sub.der").write_bytes(sub.cert.der)
    (tmp_path / "leaf.pem").write_bytes(_pem(leaf))
    filed = run(
        "filings",
        "submit",
        "--ca",
        str(beijing["id"]),
        str(tmp_path / "root.pem"),
        str(tmp_path / "sub.der"),
        "--json",
    )
    assert filed.returncode == 0, filed.stderr
    receipt = json.loads(filed.stdout)
    assert [c["role"] for c in receipt["certificates"]] == ["root", "subordinate"]
    valid = run("verify", str(tmp_path / "leaf.pem"), str(tmp_path / "sub.der"))
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert valid.stdout.startswith("valid") and "licence ECP110000" in valid.stdout
    stranger = hierarchy("p384", slot=6)
    (tmp_path / "other.pem").write_bytes(_pem(stranger.leaf, stranger.intermediate))
    unknown = run("verify", str(tmp_path / "other.pem"))
    assert unknown.returncode == 1 and "filed with the regulator" in unknown.stdout
    (tmp_path / "bad.pem").write_text("nope")
    bad = run("verify", str(tmp_path / "bad.pem"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_ecs_3_4_a_certificate_filed_between_check_and_record_is_already_filed(
    client: TestClient, world: Any
) -> None:
    """ECS-3.4: the API checks a filing in a read-only transaction and records it in a short
    write transaction; a certificate another filing recorded in between is reported as
    already filed, logged once, and the receipt's proofs verify."""
    from certgov.filings import services as filings
    from certgov.store.engine import unit_of_work

    ctx, actor = world.ctx, world.actors["ca_operator"]
    pki = hierarchy("p256", slot=3)
    with unit_of_work(ctx.sessions, readonly=True) as session:
        checked = filings.check_filing(session, ctx, actor, _pem(pki.root, pki.intermediate))
    assert [c.subject for c in checked.new] == [
        pki.root.cert.subject,
        pki.intermediate.cert.subject,
    ]
    # Another filing (another request) records the root first.
    first = _file(client, world, _pem(pki.root))
    assert first.status_code == 201, first.text
    with unit_of_work(ctx.sessions) as session:
        receipt = filings.record_filing(session, ctx, actor, checked)
        assert [row.sha256 for row in receipt.already_filed] == [pki.root.cert.fingerprint]
        assert [e.certificate["sha256"] for e in receipt.entries] == [
            pki.intermediate.cert.fingerprint
        ]
        assert [e.inclusion["index"] for e in receipt.entries] == [1]
    log = client.get("/api/v1/logs/filings").json()
    assert log["size"] == 2
    listed = client.get("/api/v1/filings/certificates").json()
    assert sorted(c["sha256"] for c in listed) == sorted(
        [pki.root.cert.fingerprint, pki.intermediate.cert.fingerprint]
    )


def test_ecs_3_4_a_many_certificate_filing_has_a_verifiable_receipt(
    client: TestClient, world: Any
) -> None:
    """ECS-3.4: a filing of many certificates gets one inclusion proof per certificate from
    the batch, each verifying against the signed checkpoint (and the log serves the same
    proof afterwards)."""
    pki = hierarchy("p256", slot=6)
    subs = [
        issue(
            f"batch sub {i}", make_key("p256", 9), pki.root, not_before=NOW - dt.timedelta(days=1)
        )
        for i in range(40)
    ]
    assert _file(client, world, _pem(pki.root)).status_code == 201
    response = _file(client, world, _pem(*subs))
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert [c["log_index"] for c in receipt["certificates"]] == list(range(1, 41))
    _verify_receipt(client, receipt)
    served = client.get("/api/v1/logs/filings/proof/inclusion", params={"index": 17, "size": 41})
    assert served.status_code == 200, served.text
    assert served.json()["hashes"] == receipt["certificates"][16]["inclusion"]["hashes"]
