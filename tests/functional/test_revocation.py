"""ECS-3.5 revocation monitoring and SYS-5 revocation in verification, against real CRL and
OCSP servers on 127.0.0.1 (a thread of this test process), on a real database."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from fastapi.testclient import TestClient

from certgov.filings import revocation
from support.licensing import grant_licence
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
    """CRLs by path (GET) and OCSP responders (POST /ocsp, or another path of
    ``responders``) on 127.0.0.1."""

    def __init__(self) -> None:
        self.crls: dict[str, bytes] = {}
        self.ocsp: Callable[[bytes], bytes] | None = None
        self.responders: dict[str, Callable[[bytes], bytes]] = {}
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
                responder = server.ocsp if self.path == "/ocsp" else None
                responder = server.responders.get(self.path, responder)
                if responder is None:
                    self._send(404, b"not found", "text/plain")
                else:
                    self._send(200, responder(request), "application/ocsp-response")

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
    assert revoked_finding["details"]["reason"] == "keyCompromise"

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


# -- SYS-5: OCSP in verification ------------------------------------------------------------


def _leaf_named(pki: Pki, url: str, *, crl: str | None = None, slot: int) -> Issued:
    """A leaf of ``pki.sub`` naming the OCSP responder ``url`` (and the CRL ``crl``)."""
    extensions: list[tuple[x509.ExtensionType, bool]] = [(aia(url, f"{url}/sub.crt"), False)]
    if crl is not None:
        extensions.append((crl_distribution_points(crl), False))
    return issue("ocsp leaf", make_key("p256", slot), pki.sub, ca=False, extensions=extensions)


def _leaf_responder(
    world: Any,
    pki: Pki,
    leaf: Issued,
    *,
    status: ocsp.OCSPCertStatus = ocsp.OCSPCertStatus.GOOD,
    signer: Issued | None = None,
    embed: bool = False,
    lifetime: dt.timedelta | None = DAY,
    revoked_at: dt.datetime | None = None,
    served: list[bytes] | None = None,
) -> Callable[[bytes], bytes]:
    """The sub-CA's responder for ``leaf``: thisUpdate an hour before the test clock's now,
    nextUpdate ``lifetime`` after it (none when None); each response is added to ``served``."""

    def answer(request_der: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(request_der)
        assert request.serial_number == leaf.cert.summary.serial
        now = world.ctx.clock.now()
        revoking = status is ocsp.OCSPCertStatus.REVOKED
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=leaf.cert.x509,
            issuer=pki.sub.cert.x509,
            algorithm=hashes.SHA1(),
            cert_status=status,
            this_update=now - HOUR,
            next_update=now + lifetime if lifetime is not None else None,
            revocation_time=revoked_at if revoking else None,
            revocation_reason=x509.ReasonFlags.key_compromise if revoking else None,
        )
        by = signer or pki.sub
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, by.cert.x509)
        if embed:
            builder = builder.certificates([by.cert.x509])
        der = builder.sign(by.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)  # type: ignore[arg-type]
        if served is not None:
            served.append(der)
        return der

    return answer


def _ocsp_world(client: TestClient, world: Any, server: RevocationServer, slot: int) -> Pki:
    """A licensed CA with root → sub filed; the root's CRL (which answers for the sub) served."""
    pki = Pki(server, slot=slot)
    grant_licence(client, world)
    server.crls["/root.crl"] = make_crl(pki.root, next_update=NOW + 90 * DAY)
    _file(client, world, pki)
    return pki


def _verify(client: TestClient, pki: Pki, leaf: Issued, at: dt.datetime | None = None) -> Any:
    params = {"at": at.isoformat()} if at is not None else {}
    response = client.post(
        "/api/v1/verify", params=params, content=pki.pem(leaf, pki.sub), headers=PEM
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_sys_5_a_leaf_naming_only_an_ocsp_responder_is_checked_there_and_the_answer_kept(
    client: TestClient, world: Any, server: RevocationServer
) -> None:
    """SYS-5: a leaf without a CRL distribution point is checked with its OCSP responder: the
    entry says so, with the evidence (responder, its key hash, producedAt, thisUpdate,
    nextUpdate, the response's SHA-256); the answer is kept until its nextUpdate, so a second
    verification does not ask again, one after it does; the responder is registered as a
    source of the CA, which the worker then monitors (ECS-3.5)."""
    pki = _ocsp_world(client, world, server, slot=80)
    url = f"{server.base}/sub-ocsp"
    leaf = _leaf_named(pki, url, slot=83)
    served: list[bytes] = []
    server.responders["/sub-ocsp"] = _leaf_responder(world, pki, leaf, served=served)

    body = _verify(client, pki, leaf)
    assert body["status"] == "valid", body["reasons"]
    assert body["revocation"]["checked"] is True
    assert body["revocation"]["method"] == ["crl", "ocsp"]
    entry, sub_entry = body["revocation"]["certificates"]
    assert sub_entry["method"] == "crl" and sub_entry["status"] == "good"
    assert entry["status"] == "good" and entry["method"] == "ocsp" and entry["source"] == url
    assert entry["responder"] == pki.sub.cert.subject
    assert entry["response_sha256"] == hashlib.sha256(served[0]).hexdigest()
    response = ocsp.load_der_ocsp_response(served[0])
    assert entry["responder_key_hash"] == response.responder_key_hash.hex()
    assert entry["produced_at"] == response.produced_at_utc.isoformat()
    assert entry["this_update"] == (NOW - HOUR).isoformat()
    assert entry["next_update"] == (NOW + DAY).isoformat()
    assert "revoked_at" not in entry and "crl_unavailable" not in entry

    again = _verify(client, pki, leaf)
    assert again["status"] == "valid" and server.requests.count("POST /sub-ocsp") == 1
    assert again["revocation"]["certificates"][0]["response_sha256"] == entry["response_sha256"]

    world.ctx.clock.advance(DAY + dt.timedelta(seconds=1))  # past the answer's nextUpdate
    later = _verify(client, pki, leaf)
    assert later["status"] == "valid" and server.requests.count("POST /sub-ocsp") == 2

    party = world.actors["ca_operator"].party_id
    services = client.get(
        f"/api/v1/cas/{party}/revocation-services", headers=world.headers("national_regulator")
    ).json()
    registered = [row for row in services if row["url"] == url]
    assert [row["kind"] for row in registered] == ["ocsp"]
    assert registered[0]["certificate"] == leaf.cert.fingerprint
    _sweep(world)
    assert server.requests.count("POST /sub-ocsp") == 3
    services = client.get(
        f"/api/v1/cas/{party}/revocation-services", headers=world.headers("national_regulator")
    ).json()
    assert next(row for row in services if row["url"] == url)["status"] == "ok"


def test_sys_5_an_answer_without_next_update_is_kept_for_the_set_period(
    client: TestClient, world: Any, server: RevocationServer
) -> None:
    """SYS-5: an OCSP answer without nextUpdate is reused for
    ``revocation_ocsp_cache_seconds``, then asked for again."""
    pki = _ocsp_world(client, world, server, slot=84)
    leaf = _leaf_named(pki, f"{server.base}/sub-ocsp", slot=87)
    server.responders["/sub-ocsp"] = _leaf_responder(world, pki, leaf, lifetime=None)
    first = _verify(client, pki, leaf)
    assert first["status"] == "valid", first["reasons"]
    assert first["revocation"]["certificates"][0]["next_update"] is None
    period = dt.timedelta(seconds=world.ctx.settings.revocation_ocsp_cache_seconds)
    world.ctx.clock.advance(period)
    assert _verify(client, pki, leaf)["status"] == "valid"
    assert server.requests.count("POST /sub-ocsp") == 1
    world.ctx.clock.advance(dt.timedelta(seconds=1))
    assert _verify(client, pki, leaf)["status"] == "valid"
    assert server.requests.count("POST /sub-ocsp") == 2


def test_sys_5_a_leaf_the_responder_says_is_revoked(
    client: TestClient, world: Any, server: RevocationServer
) -> None:
    """SYS-5: revoked before the time asked about: invalid, with the reason and the
    responder; asked about a time before the revocation: valid, with a note."""
    pki = _ocsp_world(client, world, server, slot=88)
    url = f"{server.base}/sub-ocsp"
    leaf = _leaf_named(pki, url, slot=91)
    world.ctx.clock.advance(DAY)  # the licence was granted at NOW
    revoked_at = world.ctx.clock.now() - 2 * HOUR
    server.responders["/sub-ocsp"] = _leaf_responder(
        world, pki, leaf, status=ocsp.OCSPCertStatus.REVOKED, revoked_at=revoked_at
    )
    now = _verify(client, pki, leaf)
    assert now["valid"] is False and now["status"] == "invalid"
    reason = next(r for r in now["reasons"] if "was revoked" in r)
    assert "keyCompromise" in reason and f"OCSP {url}" in reason, reason
    entry = now["revocation"]["certificates"][0]
    assert entry["status"] == "revoked" and entry["method"] == "ocsp"
    assert entry["revoked_at"] == revoked_at.isoformat() and entry["reason"] == "keyCompromise"

    then = _verify(client, pki, leaf, at=revoked_at - HOUR)
    assert then["valid"] is True, then["reasons"]
    entry = then["revocation"]["certificates"][0]
    assert entry["status"] == "good" and entry["note"] == "revoked after the time asked about"
    assert entry["revoked_at"] == revoked_at.isoformat()
    assert server.requests.count("POST /sub-ocsp") == 1  # the revoked answer was kept too


@pytest.mark.parametrize("case", ["down", "stranger", "undelegated", "unknown"])
def test_sys_5_no_usable_ocsp_answer_is_indeterminate(
    client: TestClient, world: Any, server: RevocationServer, case: str
) -> None:
    """SYS-5: a responder that does not answer, an answer not signed by the issuer nor by a
    responder it authorised, or an 'unknown' answer, for a leaf without a CRL: the status is
    unknown and the verification indeterminate, with both reasons."""
    pki = _ocsp_world(client, world, server, slot=92)
    url = f"{server.base}/sub-ocsp"
    if case == "down":
        gone = RevocationServer()
        gone.close()
        url = f"{gone.base}/ocsp"
    leaf = _leaf_named(pki, url, slot=95)
    if case == "stranger":
        stranger = issue("someone else", make_key("p256", 96))
        responder = _leaf_responder(world, pki, leaf, signer=stranger)
    elif case == "undelegated":
        plain = issue("not a responder", make_key("p256", 97), pki.sub, ca=False)
        responder = _leaf_responder(world, pki, leaf, signer=plain, embed=True)
    elif case == "unknown":
        responder = _leaf_responder(world, pki, leaf, status=ocsp.OCSPCertStatus.UNKNOWN)
    if case != "down":
        server.responders["/sub-ocsp"] = responder
    body = _verify(client, pki, leaf)
    assert body["valid"] is False and body["status"] == "indeterminate"
    entry = body["revocation"]["certificates"][0]
    assert entry["status"] == "unknown" and "method" not in entry
    assert "names no http CRL distribution point" in entry["reason"]
    expected = {
        "down": "did not answer",
        "stranger": "does not verify",
        "undelegated": "did not authorise",
        "unknown": "says unknown",
    }[case]
    assert expected in entry["reason"] and url in entry["reason"], entry["reason"]
    assert any("revocation status" in r and expected in r for r in body["reasons"])
    assert body["revocation"]["method"] == ["crl"]  # only the sub's CRL answered


def test_sys_5_a_delegated_responder_with_ocsp_signing_is_accepted(
    client: TestClient, world: Any, server: RevocationServer
) -> None:
    """SYS-5: an answer signed by a responder certificate the sub-CA issued with
    id-kp-OCSPSigning (RFC 6960 §4.2.2.2) is used; the evidence names that responder."""
    pki = _ocsp_world(client, world, server, slot=98)
    leaf = _leaf_named(pki, f"{server.base}/sub-ocsp", slot=101)
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING])
    delegated = issue(
        "sub ocsp responder", make_key("p256", 102), pki.sub, ca=False, extensions=[(eku, False)]
    )
    server.responders["/sub-ocsp"] = _leaf_responder(world, pki, leaf, signer=delegated, embed=True)
    body = _verify(client, pki, leaf)
    assert body["status"] == "valid", body["reasons"]
    assert body["revocation"]["certificates"][0]["responder"] == delegated.cert.subject


def test_sys_5_the_responder_answers_when_the_crl_is_down(
    client: TestClient, world: Any, server: RevocationServer
) -> None:
    """SYS-5: a leaf naming a CRL and an OCSP responder: the CRL first; with the CRL
    unreachable the responder answers, and the entry says why the CRL did not."""
    pki = _ocsp_world(client, world, server, slot=103)
    leaf = _leaf_named(pki, f"{server.base}/sub-ocsp", crl=f"{server.base}/sub.crl", slot=106)
    server.responders["/sub-ocsp"] = _leaf_responder(world, pki, leaf)
    server.crls["/sub.crl"] = make_crl(pki.sub, next_update=NOW + 7 * DAY)
    with_crl = _verify(client, pki, leaf)
    assert with_crl["status"] == "valid", with_crl["reasons"]
    assert with_crl["revocation"]["certificates"][0]["method"] == "crl"
    assert with_crl["revocation"]["method"] == ["crl"]
    assert server.requests.count("POST /sub-ocsp") == 0

    world.ctx.clock.advance(8 * DAY)  # the kept CRL is stale; the distribution point is down
    del server.crls["/sub.crl"]
    body = _verify(client, pki, leaf)
    assert body["status"] == "valid", body["reasons"]
    entry = body["revocation"]["certificates"][0]
    assert entry["method"] == "ocsp" and entry["status"] == "good"
    assert "404" in entry["crl_unavailable"], entry
    assert body["revocation"]["method"] == ["crl", "ocsp"]
    assert server.requests.count("POST /sub-ocsp") == 1

    server.responders.clear()  # both down: unknown, with both reasons
    other = _leaf_named(pki, f"{server.base}/sub-ocsp", crl=f"{server.base}/sub.crl", slot=107)
    lost = _verify(client, pki, other)
    assert lost["status"] == "indeterminate"
    reason = lost["revocation"]["certificates"][0]["reason"]
    assert "the CRL at" in reason and "the OCSP responder" in reason, reason


def test_sys_5_a_source_that_did_not_answer_is_not_asked_again_for_a_while(
    client: TestClient, world: Any, server: RevocationServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SYS-5: a CRL distribution point and an OCSP responder that did not answer (here: 404)
    are remembered for ``revocation_failure_cache_seconds`` of real time: verifications
    meanwhile answer indeterminate at once (TRY_LATER, the remembered failure as the reason)
    without asking them; afterwards they are asked again. 0 turns the memory off."""
    from certgov.filings.revocation import status

    elapsed = [0.0]
    monkeypatch.setattr(status, "_monotonic", lambda: 1000.0 + elapsed[0])
    pki = _ocsp_world(client, world, server, slot=108)
    leaf = _leaf_named(pki, f"{server.base}/sub-ocsp", crl=f"{server.base}/sub.crl", slot=111)

    def asked() -> tuple[int, int]:
        return server.requests.count("GET /sub.crl"), server.requests.count("POST /sub-ocsp")

    first = _verify(client, pki, leaf)
    assert first["status"] == "indeterminate" and asked() == (1, 1)
    reason = first["revocation"]["certificates"][0]["reason"]
    assert "404" in reason and "a recent attempt" not in reason, reason

    elapsed[0] = 59.0
    again = _verify(client, pki, leaf)
    assert again["status"] == "indeterminate" and asked() == (1, 1)  # not asked again
    entry = again["revocation"]["certificates"][0]
    assert entry["status"] == "unknown" and "method" not in entry
    assert "the CRL at" in entry["reason"] and "did not answer" in entry["reason"]
    assert entry["reason"].count("a recent attempt") == 2, entry["reason"]
    assert again["revocation"]["certificates"][1]["status"] == "good"  # the root's CRL

    server.crls["/sub.crl"] = make_crl(pki.sub, next_update=NOW + 7 * DAY)
    elapsed[0] = 61.0  # forgotten: asked again, and the CRL now answers
    later = _verify(client, pki, leaf)
    assert later["status"] == "valid", later["reasons"]
    assert asked() == (2, 1)

    world.ctx.settings.revocation_failure_cache_seconds = 0
    world.ctx.clock.advance(8 * DAY)  # the kept CRL is stale; the distribution point is down
    del server.crls["/sub.crl"]
    other = _leaf_named(pki, f"{server.base}/sub-ocsp", crl=f"{server.base}/sub.crl", slot=112)
    assert _verify(client, pki, other)["status"] == "indeterminate"
    assert _verify(client, pki, other)["status"] == "indeterminate"
    assert asked() == (4, 3)  # without the memory: asked on every verification
