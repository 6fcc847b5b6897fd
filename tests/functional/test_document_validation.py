"""SYS-5 "or signed data": relying parties validate signed documents against the registry
through ``POST /api/v1/verify/document`` and ``certgov verify-document``, on both databases.

The shared signed PDFs (``../shared/testdata/signed``) were made by pyHanko's test PKI: its
root and intermediate are filed here as a licensed CA's certificates, at dates before the
signatures (the clock starts on 2021-01-04). Their signer certificates name CRLs at
``http://pyhanko.tests/…``, which do not resolve; the tests serve those URLs with the CRLs
pyHanko publishes for the same PKI (below), or make them fail, through the revocation
fetcher."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from certgov.clock import FixedClock
from certgov.docsig import verify_report
from certgov.docsig.cms import parse_signed_data
from certgov.docsig.limits import DEFAULT_LIMITS
from certgov.filings.fetch import FetchError
from certgov.filings.revocation import monitoring
from certgov.pki import Certificate
from certgov.tlog import merkle
from certgov.tlog.checkpoint import Checkpoint
from certgov.tlog.note import Verifier
from support.licensing import grant_licence
from unit.docsig.builders import (
    SIGNED_DIR,
    SM2_DIR,
    cms_signed_data,
    corrupt_signature_value,
    flip,
    shared,
    sm2_signer,
)

PEM = {"content-type": "application/x-pem-file"}
START = dt.datetime(2021, 1, 4, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
PADES = "pades-with-old-style-signing-cert-attr.pdf"
#: After the PADES signature's claimed time (2021-08-18), inside its signer's validity.
LATER = "2021-12-01T00:00:00+08:00"

# The CRLs pyHanko publishes for the same PKI: see tests/unit/docsig/data/README.md.
DATA = Path(__file__).resolve().parents[1] / "unit" / "docsig" / "data"
INTERM_CRL = (DATA / "pyhanko-interm.crl.pem").read_text()
ROOT_CRL = (DATA / "pyhanko-root.crl.pem").read_text()
CRLS = {
    "http://pyhanko.tests/testing-ca/crls/interm/latest.crl": INTERM_CRL,
    "http://pyhanko.tests/testing-ca/crls/root/latest.crl": ROOT_CRL,
}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def _der(pem: str) -> bytes:
    return x509.load_pem_x509_crl(pem.encode()).public_bytes(serialization.Encoding.DER)


@pytest.fixture
def crls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pyhanko.tests CRLs served; the URLs fetched, in order."""
    fetched: list[str] = []

    def http_get(url: str, **_kwargs: Any) -> bytes:
        fetched.append(url)
        if url not in CRLS:
            raise FetchError(f"{url}: no such host")
        return _der(CRLS[url])

    monkeypatch.setattr(monitoring, "http_get", http_get)
    return fetched


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every CRL distribution point and OCSP responder is down; the URLs tried, in order."""
    tried: list[str] = []

    def down(url: str, *_args: Any, **_kwargs: Any) -> bytes:
        tried.append(url)
        raise FetchError(f"{url}: connection refused")

    monkeypatch.setattr(monitoring, "http_get", down)
    monkeypatch.setattr(monitoring, "http_post", down)
    return tried


def _file(client: TestClient, world: Any, body: bytes) -> dict[str, Any]:
    response = client.post(
        "/api/v1/filings", content=body, headers={**world.headers("ca_operator"), **PEM}
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _licensed_and_filed(client: TestClient, world: Any) -> dict[str, Any]:
    """The Shanghai CA licensed on 2021-01-04 and the shared test PKI's root and
    intermediate filed on 2021-03-01; the licence."""
    licence = grant_licence(client, world)
    world.ctx.clock.advance(dt.timedelta(days=56))
    chain = shared(SIGNED_DIR, "root.cert.pem") + shared(SIGNED_DIR, "interm.cert.pem")
    _file(client, world, chain)
    return licence


def _validate(
    client: TestClient,
    document: bytes,
    *,
    at: str | None = None,
    content: bytes | None = None,
    signed: bool = False,
    status: int = 200,
) -> dict[str, Any]:
    files: dict[str, Any] = {"document": ("document", document)}
    if content is not None:
        files["content"] = ("content", content)
    response = client.post(
        "/api/v1/verify/document",
        files=files,
        data={"at": at} if at else {},
        params={"signed": "true"} if signed else {},
    )
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def _codes(answer: dict[str, Any]) -> set[str]:
    return {reason["code"] for reason in answer["explanation"]["reasons"]}


def _verdict(answer: dict[str, Any]) -> tuple[str, str | None]:
    report = answer["report"]
    return report["indication"], report["sub_indication"]


def test_sys_5_a_signed_pdf_of_a_licensed_ca_passes_with_the_registry_evidence(
    client: TestClient, world: Any, crls: list[str]
) -> None:
    """SYS-5: the shared PAdES signature (claimed 2021-08-18), its CA's root and intermediate
    filed in March 2021 and the CA licensed since January: TOTAL_PASSED, with the licence,
    the filing's inclusion proof against a signed checkpoint, and the signer's CRL as
    evidence; the report signed by the platform verifies with the published key."""
    licence = _licensed_and_filed(client, world)
    answer = _validate(client, shared(SIGNED_DIR, PADES), at=LATER, signed=True)
    assert _verdict(answer) == ("TOTAL_PASSED", None), answer["explanation"]
    signature = answer["report"]["signatures"][0]
    assert signature["signing_time"]["basis"] == "claimed"
    trust = signature["trust"]
    assert trust["status"] == "passed"
    evidence = trust["evidence"]
    assert evidence["licence"]["number"] == licence["number"]
    assert evidence["licence"]["status_at"] == "valid"
    assert evidence["ca"]["party_id"] == world.parties["ca_shanghai"]
    filed = evidence["filed"]
    assert filed["role"] == "subordinate" and "Intermediate CA" in filed["subject"]
    proof = filed["inclusion"]
    merkle.verify_inclusion(
        base64.b64decode(proof["leaf_hash"]),
        proof["index"],
        proof["size"],
        [base64.b64decode(h) for h in proof["hashes"]],
        base64.b64decode(proof["root_hash"]),
    )
    checkpoint = Checkpoint.parse(proof["checkpoint"].split("\n\n", 1)[0] + "\n")
    assert checkpoint.size == proof["size"]
    revocation = evidence["revocation"]
    assert revocation["checked"] and revocation["method"] == ["crl"]
    assert [entry["status"] for entry in revocation["certificates"]] == ["good", "good"]
    assert set(CRLS) <= set(crls)
    # The platform's signature over the report's canonical JSON, checked with the key the
    # API publishes.
    key = client.get("/api/v1/verify/document/key").json()
    assert key["verifier_key"] == answer["signature"]["verifier_key"]
    canonical = (
        json.dumps(
            answer["report"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
        + b"\n"
    )
    verify_report(canonical, answer["signature"]["line"], Verifier.from_vkey(key["verifier_key"]))
    # The CRLs fetched were kept (deferred writes): the next validation fetches nothing.
    fetched = len(crls)
    again = _validate(client, shared(SIGNED_DIR, PADES), at=LATER)
    assert _verdict(again) == ("TOTAL_PASSED", None)
    assert len(crls) == fetched
    # Both languages.
    stranger = _validate(client, shared(SIGNED_DIR, "minimal-two-fields-signed-twice.pdf"))
    reasons = stranger["explanation"]["reasons"]
    chain = next(r for r in reasons if r["code"] == "ca_not_filed")
    assert "filed with the regulator" in chain["en"] and "备案" in chain["zh"]


def test_sys_5_a_signed_pdf_judged_when_the_ca_was_not_filed_or_not_licensed(
    client: TestClient, world: Any, crls: list[str]
) -> None:
    """SYS-5: the same signature judged before its CA certificates were filed →
    INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND (ca_filed_later); while the licence was
    suspended → INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE (licence_not_valid), passing again
    for a time after its reinstatement; after the licence was revoked, a signature claimed
    before the revocation still passes."""
    licence = _licensed_and_filed(client, world)
    document = shared(SIGNED_DIR, PADES)
    before_filing = _validate(client, document, at="2021-02-01T00:00:00+08:00")
    assert _verdict(before_filing) == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    assert "ca_filed_later" in _codes(before_filing)

    world.ctx.clock.advance(90 * DAY)  # 2021-05-30
    headers = world.headers("national_regulator")
    current = client.get(f"/api/v1/licences/{licence['number']}").json()
    suspended = client.post(
        f"/api/v1/licences/{licence['number']}/status",
        json={"action": "suspend", "reason": "audit", "expected_version": current["version"]},
        headers=headers,
    )
    assert suspended.status_code == 200, suspended.text
    world.ctx.clock.advance(30 * DAY)  # 2021-06-29
    reinstated = client.post(
        f"/api/v1/licences/{licence['number']}/status",
        json={
            "action": "reinstate",
            "reason": "remedied",
            "expected_version": suspended.json()["version"],
        },
        headers=headers,
    )
    assert reinstated.status_code == 200, reinstated.text
    during = _validate(client, document, at="2021-06-15T00:00:00+08:00")
    assert _verdict(during) == ("INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE")
    reason = next(r for r in during["explanation"]["reasons"] if r["code"] == "licence_not_valid")
    assert "suspended" in reason["en"] and "暂停" in reason["zh"]
    assert _verdict(_validate(client, document, at=LATER)) == ("TOTAL_PASSED", None)

    world.ctx.clock.advance(120 * DAY)  # 2021-10-27: revoked after the claimed signing time
    revoked = client.post(
        f"/api/v1/licences/{licence['number']}/status",
        json={
            "action": "revoke",
            "reason": "breach",
            "expected_version": reinstated.json()["version"],
        },
        headers=headers,
    )
    assert revoked.status_code == 200, revoked.text
    still = _validate(client, document, at=LATER)
    assert _verdict(still) == ("TOTAL_PASSED", None)
    assert (
        still["report"]["signatures"][0]["trust"]["evidence"]["licence"]["status_now"] == "revoked"
    )


def test_sys_5_a_changed_pdf_fails_and_unobtainable_revocation_is_try_later(
    client: TestClient, world: Any, offline: list[str]
) -> None:
    """One byte flipped inside the signed range → TOTAL_FAILED/HASH_FAILURE; with every CRL
    and OCSP responder down, the intact signature is INDETERMINATE/TRY_LATER (nothing is
    wrong, but its revocation status cannot be had now); validated again within
    ``revocation_failure_cache_seconds``, the same verdict without trying them again."""
    _licensed_and_filed(client, world)
    document = shared(SIGNED_DIR, PADES)
    changed = _validate(client, flip(document, 10), at=LATER)
    assert _verdict(changed) == ("TOTAL_FAILED", "HASH_FAILURE")
    assert "message_digest_mismatch" in _codes(changed)
    later = _validate(client, document, at=LATER)
    assert _verdict(later) == ("INDETERMINATE", "TRY_LATER")
    assert "revocation_unknown" in _codes(later)
    tried = list(offline)
    assert tried
    again = _validate(client, document, at=LATER)
    assert _verdict(again) == ("INDETERMINATE", "TRY_LATER")
    assert "revocation_unknown" in _codes(again)
    assert offline == tried  # remembered: nothing asked again
    evidence = again["report"]["signatures"][0]["trust"]["evidence"]["revocation"]
    assert "a recent attempt" in evidence["certificates"][0]["reason"]


def test_sys_5_unsigned_and_hostile_input_get_clear_answers_never_a_500(
    client: TestClient, world: Any
) -> None:
    """An unsigned PDF is INDETERMINATE (no_signature); what is not a document, a detached
    content beside a PDF, a bad time or a missing file is a 422 naming the problem; a broken
    multipart body is a 400."""
    unsigned = _validate(client, shared(SIGNED_DIR, "unsigned-empty-a4.pdf"))
    assert _verdict(unsigned) == ("INDETERMINATE", None)
    assert _codes(unsigned) == {"no_signature"}
    assert unsigned["explanation"]["reasons"][0]["zh"] == "该文档没有签名"
    for body, code in (
        (b"hello", "docsig_unsupported_document"),
        (b"", "docsig_unsupported_document"),
        (b"%PDF-1.7\ngarbage", "docsig_malformed_document"),
        (b"\x30\x82\xff\xff\x06", None),
    ):
        response = client.post("/api/v1/verify/document", files={"document": ("x", body)})
        assert response.status_code in (200, 422), (body, response.text)
        if code is not None:
            assert response.json()["error"] == code, response.text
    pdf = shared(SIGNED_DIR, PADES)
    beside = _validate(client, pdf, content=b"x", status=422)
    assert "detached content" in beside["message"]
    assert "offset" in _validate(client, pdf, at="2021-12-01T00:00:00", status=422)["message"]
    assert "ISO 8601" in _validate(client, pdf, at="yesterday", status=422)["message"]
    missing = client.post("/api/v1/verify/document", data={"at": LATER})
    assert missing.status_code == 422
    broken = client.post(
        "/api/v1/verify/document",
        content=b'--x\r\nContent-Disposition: form-data; name="document"\r\n\r\nabc',
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert broken.status_code in (400, 422), broken.text


def _sm2_world(client: TestClient, world: Any) -> Certificate:
    """The Shanghai CA licensed (2021), then on 2025-09-25 the shared SM2 root and sub-CA
    filed (they are valid from 2023); a day later. The signer's certificate."""
    grant_licence(client, world)
    world.ctx.clock.set(dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC))
    _file(client, world, shared(SM2_DIR, "chain-ca.crt"))
    world.ctx.clock.advance(DAY)
    certificate, _sign = sm2_signer()
    return certificate


def test_sys_5_sm2_cms_signed_here_attached_and_detached(client: TestClient, world: Any) -> None:
    """SM2/SM3 CMS (GB/T 35275) signed in the test with the shared SM2 signing key after its
    CA's chain was filed: attached and detached pass with the filing and licence as
    evidence; a corrupted signature value fails; detached without its content is
    SIGNED_DATA_NOT_FOUND."""
    certificate = _sm2_world(client, world)
    _cert, sign = sm2_signer()
    content = "电子合同：甲方与乙方于 2025 年 9 月 26 日签署。".encode()
    now = world.ctx.clock.now()
    attached = cms_signed_data(content, certificate, sign, signing_time=now - dt.timedelta(hours=1))
    passed = _validate(client, attached)
    assert _verdict(passed) == ("TOTAL_PASSED", None), passed["explanation"]
    trust = passed["report"]["signatures"][0]["trust"]
    assert "sub ca" in trust["evidence"]["filed"]["subject"]
    assert trust["evidence"]["licence"]["status_at"] == "valid"
    assert "revocation_not_checked" in {r["code"] for r in trust["reasons"]}

    detached = cms_signed_data(content, certificate, sign, attached=False, gbt_oids=False)
    assert _verdict(_validate(client, detached, content=content)) == ("TOTAL_PASSED", None)
    missing = _validate(client, detached)
    assert _verdict(missing) == ("INDETERMINATE", "SIGNED_DATA_NOT_FOUND")
    other = _validate(client, detached, content=content + b"!")
    assert _verdict(other) == ("TOTAL_FAILED", "HASH_FAILURE")

    signature = parse_signed_data(attached, DEFAULT_LIMITS).signers[0].signature
    corrupted = corrupt_signature_value(attached, signature)
    failed = _validate(client, corrupted)
    assert _verdict(failed) == ("TOTAL_FAILED", "SIG_CRYPTO_FAILURE")


def test_sys_5_verify_document_from_the_command_line(
    client: TestClient, world: Any, crls: list[str], database_url: str, tmp_path: Path
) -> None:
    """`certgov verify-document FILE --at TIME` on the same database: exit 0 and the
    licence for the filed, licensed CA (the CRLs kept by an earlier validation: nothing is
    fetched), exit 1 with the reason for an unsigned PDF, exit 2 for a file that is not a
    document; --json gives the report."""
    _licensed_and_filed(client, world)
    assert _verdict(_validate(client, shared(SIGNED_DIR, PADES), at=LATER))[0] == "TOTAL_PASSED"
    env = {
        "CERTGOV_DATA_DIR": str(tmp_path / "cli-data"),
        "CERTGOV_DATABASE_URL": database_url,
        "PATH": "/usr/bin:/bin",
        # The same code as this test process (a checkout run with PYTHONPATH, say).
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "certgov.cli", "verify-document", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    passed = run(str(SIGNED_DIR / PADES), "--at", LATER)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.startswith("TOTAL_PASSED")
    as_json = run(str(SIGNED_DIR / PADES), "--at", LATER, "--json", "--signed")
    assert as_json.returncode == 0, as_json.stderr
    body = json.loads(as_json.stdout)
    assert body["report"]["indication"] == "TOTAL_PASSED" and body["signature"]["line"]
    unsigned = run(str(SIGNED_DIR / "unsigned-empty-a4.pdf"), "--lang", "zh")
    assert unsigned.returncode == 1 and "该文档没有签名" in unsigned.stdout
    (tmp_path / "note.txt").write_text("not signed at all")
    bad = run(str(tmp_path / "note.txt"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "PDF" in bad.stderr or "CMS" in bad.stderr
