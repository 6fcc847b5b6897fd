"""ECS-3.5 revocation monitoring and SYS-5 revocation in verification, against real CRL and
OCSP servers on 127.0.0.1 (a thread of this test process), on a real database."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from fastapi.testclient import TestClient

from certgov.filings import revocation
from tests_support import grant_licence
from unit.pki.factory import (
    DAY,
    NOW,
    Issued,
    aia,
    crl_distribution_points,
    issue,
    make_crl,
    make_key,
    revoked,
)

PEM = {"content-type": "application/x-pem-file"}
HOUR = dt.timedelta(hours=1)


class RevocationServer:
    """CRLs by path (GET) and an OCSP responder (POST /ocsp) on 127.0.0.1."""

    def __init__(self) -> None:
        self.crls: dict[str, bytes] = {}
        self.ocsp: Callable[[bytes], bytes] | None = None
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                server.requests.append(f"GET {self.path}")
                body = server.crls.get(self.path)
                if body is None:
                    self._send(404, b"not found", "text/plain")
                else:
                    self._send(200, body, "application/pkix-crl")

            def do_POST(self) -> None:
                server.requests.append(f"POST {self.path}")
                request = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.path != "/ocsp" or server.ocsp is None:
                    self._send(404, b"not found", "text/plain")
                else:
                    self._send(200, server.ocsp(request), "application/ocsp-response")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[RevocationServer]:
    running = RevocationServer()
    yield running
    running.close()


class Pki:
    """root → subordinate (names the root's CRL and OCSP responder on the local server) →
    leaf (names the subordinate's CRL)."""

    def __init__(self, server: RevocationServer, slot: int = 30) -> None:
        self.root = issue("monitored root", make_key("p256", slot))
        self.sub = issue(
            "monitored sub",
            make_key("p256", slot + 1),
            self.root,
            path_length=0,
            not_before=NOW - DAY,
            extensions=[
                (crl_distribution_points(f"{server.base}/root.crl"), False),
                (aia(f"{server.base}/ocsp", f"{server.base}/root.crt"), False),
            ],
        )
        self.leaf = issue(
            "monitored leaf",
            make_key("p256", slot + 2),
            self.sub,
            ca=False,
            extensions=[(crl_distribution_points(f"{server.base}/sub.crl"), False)],
        )

    def pem(self, *certs: Issued) -> bytes:
        return b"".join(c.cert.x509.public_bytes(serialization.Encoding.PEM) for c in certs)


def _ocsp_response(
    pki: Pki,
    *,
    status: ocsp.OCSPCertStatus = ocsp.OCSPCertStatus.GOOD,
    signer: Issued | None = None,
    next_update: dt.datetime | None = None,
    revoked_at: dt.datetime | None = None,
) -> Callable[[bytes], bytes]:
    def answer(request_der: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(request_der)
        assert request.serial_number == pki.sub.cert.summary.serial
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=pki.sub.cert.x509,
            issuer=pki.root.cert.x509,
            algorithm=hashes.SHA1(),
            cert_status=status,
            this_update=NOW - HOUR,
            next_update=next_update or NOW + DAY,
            revocation_time=revoked_at if status is ocsp.OCSPCertStatus.REVOKED else None,
            revocation_reason=x509.ReasonFlags.key_compromise
            if status is ocsp.OCSPCertStatus.REVOKED
            else None,
        )
        by = signer or pki.root
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, by.cert.x509)
        response = builder.sign(by.key, hashes.SHA256())  # type: ignore[arg-type]
        return response.public_bytes(serialization.Encoding.DER)

    return answer


def _file(client: TestClient, world: Any, pki: Pki) -> None:
    response = client.post(
        "/api/v1/filings",
        content=pki.pem(pki.root, pki.sub),
        headers={**world.headers("ca_operator"), **PEM},
    )
    assert response.status_code == 201, response.text


def _findings(client: TestClient, world: Any) -> dict[str, dict[str, Any]]:
    """The open ECS-3.5 findings by code."""
    rows = client.get(
        "/api/v1/findings", params={"status": "open"}, headers=world.headers("national_regulator")
    ).json()
    return {row["code"]: row for row in rows if row["requirement"] == "ECS-3.5"}


def _sweep(world: Any) -> revocation.RevocationReport:
    """One monitor run an interval after the last one (every source is due again)."""
    world.ctx.clock.advance(
        dt.timedelta(seconds=world.ctx.settings.revocation_check_interval_seconds)
    )
    return revocation.sweep_revocation(world.ctx)


def test_ecs_3_5_a_stale_crl_served_by_a_local_server_is_a_finding(
    client: TestClient, world: Any, server: RevocationServer
) -> None:
    """ECS-3.5, ECS-4.2: the root's CRL named by the filed subordinate is fetched from the
    server; a good one raises nothing; a stale one (nextUpdate passed) is a finding, seen again
    on the next run (one finding, last_seen moves, a link to the rule), closed when the CA
    publishes a fresh CRL."""
    pki = Pki(server)
    server.crls["/root.crl"] = make_crl(pki.root, next_update=NOW + 30 * DAY)
    server.ocsp = _ocsp_response(pki, next_update=NOW + 30 * DAY)
    _file(client, world, pki)
    report = _sweep(world)
    assert report.checked == 2 and report.problems == {}, report
    assert "GET /root.crl" in server.requests and "POST /ocsp" in server.requests
    assert _findings(client, world) == {}

    server.crls["/root.crl"] = make_crl(pki.root, this_update=NOW - 3 * DAY, next_update=NOW)
    world.ctx.clock.advance(DAY)
    _sweep(world)
    stale = _findings(client, world)["crl-stale"]
    assert stale["status"] == "open" and stale["severity"] == "medium"
    assert "nextUpdate" in stale["message"] and f"{server.base}/root.crl" in stale["message"]
    assert stale["details"]["rule"]["requirement"] == "ECS-3.5"
    assert stale["details"]["url"] == f"{server.base}/root.crl"
    first_seen = stale["first_seen"]
    _sweep(world)
    again = _findings(client, world)["crl-stale"]
    assert again["id"] == stale["id"] and again["first_seen"] == first_seen
    assert again["last_seen"] > stale["last_seen"]

    server.crls["/root.crl"] = make_crl(
        pki.root, this_update=world.ctx.clock.now() - HOUR, next_update=NOW + 60 * DAY
    )
    _sweep(world)
    closed = client.get(
        "/api/v1/findings?status=closed", headers=world.headers("national_regulator")
    ).json()
    assert any(f["id"] == stale["id"] for f in closed)


@pytest.mark.parametrize(
    ("serve", "code"),
    [
        ("missing", "crl-unreachable"),
        ("garbage", "crl-unparsable"),
        ("wrong-key", "crl-bad-signature"),
    ],
)
def test_ecs_3_5_unreachable_unparsable_and_wrongly_signed_crls(
    client: TestClient, world: Any, server: RevocationServer, serve: str, code: str
) -> None:
    """ECS-3.5: a CRL that cannot be fetched (404), is not a CRL, or is not signed by the
    issuer's key is a finding of its kind, in the CA's jurisdiction."""
    pki = Pki(server, slot=40)
    if serve == "garbage":
        server.crls["/root.crl"] = b"<html>maintenance</html>"
    elif serve == "wrong-key":
        server.crls["/root.crl"] = make_crl(pki.root, signer=make_key("p256", 49))
    server.ocsp = _ocsp_response(pki)
    _file(client, world, pki)
    _sweep(world)
    found = _findings(client, world)
    assert set(found) == {code}, found
    assert found[code]["severity"] == "high"
    ca = client.get("/api/v1/findings", headers=world.headers("ca_operator")).json()
    assert any(f["code"] == code for f in ca)
    # In the CA's jurisdiction: its provincial regulator sees it, another province's does not.
    party = client.get(
        f"/api/v1/parties/{world.actors['ca_operator'].party_id}",
        headers=world.headers("national_regulator"),
    ).json()
    assert found[code]["jurisdiction"] == party["home_province"]
    provincial = client.get("/api/v1/findings", headers=world.headers("provincial_regulator"))
    sees = any(f["code"] == code for f in provincial.json())
    assert sees is (world.actors["provincial_regulator"].jurisdiction == party["home_province"])


def test_ecs_3_5_ocsp_responder_probed(
    client: TestClient, world: Any, server: RevocationServer
) -> None:
    """ECS-3.5: the OCSP responder of the filed subordinate is asked about it: an unauthorised
    signer is a finding; a stale answer is one; a 'revoked' answer makes the filed certificate
    revoked a finding; a good answer closes the responder's finding."""
    pki = Pki(server, slot=50)
    server.crls["/root.crl"] = make_crl(pki.root, next_update=NOW + 90 * DAY)
    stranger = issue("someone else", make_key("p256", 59))
    server.ocsp = _ocsp_response(pki, signer=stranger)
    _file(client, world, pki)
    _sweep(world)
    found = _findings(client, world)
    assert set(found) == {"ocsp-bad-signature"}, found
    assert "does not verify" in found["ocsp-bad-signature"]["message"]

    server.ocsp = _ocsp_response(pki, next_update=NOW + HOUR)
    _sweep(world)
    assert _findings(client, world)["ocsp-stale"]["status"] == "open"

    server.ocsp = _ocsp_response(pki, next_update=NOW + 90 * DAY)
    _sweep(world)
    assert "ocsp-stale" not in _findings(client, world)

    server.ocsp = _ocsp_response(
        pki,
        status=ocsp.OCSPCertStatus.REVOKED,
        next_update=NOW + 90 * DAY,
        revoked_at=NOW - HOUR,
    )
    _sweep(world)
    revoked_finding = _findings(client, world)["filed-ca-certificate-revoked"]
    assert revoked_finding["details"]["certificate"] == pki.sub.cert.fingerprint
    assert revoked_finding["details"]["reason"] == "key_compromise"

    server.ocsp = lambda _request: b"\x30\x03\x0a\x01\x03"  # tryLater
    _sweep(world)
    assert _findings(client, world)["ocsp-error"]["status"] == "open"


def test_sys_5_verification_checks_revocation_with_the_issuers_crl(
    client: TestClient, world: Any, server: RevocationServer
) -> None:
    """SYS-5: the leaf's CRL (the subordinate's) is fetched when verification needs it and
    kept; a leaf revoked before the time asked about is not valid; asked about a time before
    the revocation it is valid with a note; with the CRL unreachable the answer is
    indeterminate, with the reason."""
    pki = Pki(server, slot=60)
    grant_licence(client, world)
    server.crls["/root.crl"] = make_crl(pki.root, next_update=NOW + 90 * DAY)
    server.crls["/sub.crl"] = make_crl(pki.sub, next_update=NOW + 7 * DAY)
    server.ocsp = _ocsp_response(pki, next_update=NOW + 90 * DAY)
    _file(client, world, pki)
    presented = pki.pem(pki.leaf, pki.sub)
    body = client.post("/api/v1/verify", content=presented, headers=PEM).json()
    assert body["valid"] is True and body["status"] == "valid", body["reasons"]
    statuses = [entry["status"] for entry in body["revocation"]["certificates"]]
    assert statuses == ["good", "good"] and body["revocation"]["checked"] is True
    fetched = server.requests.count("GET /sub.crl")
    # The CRL is kept: the next answer does not fetch it again.
    assert client.post("/api/v1/verify", content=presented, headers=PEM).json()["valid"]
    assert server.requests.count("GET /sub.crl") == fetched

    world.ctx.clock.advance(DAY)  # the licence was granted at NOW
    revoked_at = world.ctx.clock.now() - 2 * HOUR
    server.crls["/sub.crl"] = make_crl(
        pki.sub,
        [revoked(pki.leaf.cert.summary.serial, revoked_at, x509.ReasonFlags.key_compromise)],
        this_update=world.ctx.clock.now() - HOUR,
        next_update=NOW + 8 * DAY,
        number=2,
    )
    world.ctx.clock.advance(8 * DAY)  # the stored CRL is now stale: a new one is fetched
    server.crls["/sub.crl"] = make_crl(
        pki.sub,
        [revoked(pki.leaf.cert.summary.serial, revoked_at, x509.ReasonFlags.key_compromise)],
        this_update=world.ctx.clock.now() - HOUR,
        next_update=world.ctx.clock.now() + 7 * DAY,
        number=3,
    )
    now = client.post("/api/v1/verify", content=presented, headers=PEM).json()
    assert now["valid"] is False and now["status"] == "invalid"
    assert any("was revoked" in r and "keyCompromise" in r for r in now["reasons"]), now
    leaf_entry = now["revocation"]["certificates"][0]
    assert leaf_entry["status"] == "revoked" and leaf_entry["crl_number"] == 3
    before = (revoked_at - HOUR).isoformat()
    then = client.post(
        "/api/v1/verify", params={"at": before}, content=presented, headers=PEM
    ).json()
    assert then["valid"] is True, then["reasons"]
    assert then["revocation"]["certificates"][0]["note"] == "revoked after the time asked about"

    world.ctx.clock.advance(8 * DAY)
    del server.crls["/sub.crl"]
    lost = client.post("/api/v1/verify", content=presented, headers=PEM).json()
    assert lost["valid"] is False and lost["status"] == "indeterminate"
    assert any("revocation status" in r and "404" in r for r in lost["reasons"]), lost
