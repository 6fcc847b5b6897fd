"""The public portal's JSON and CSV (issue 16; SYS-4, APP-9, ECS-3.4, ECS-6.2, ECS-8.2) on the
demo data, anonymous, on SQLite and PostgreSQL: certificate search by key, name prefix
(case-insensitive), SHA-256 and serial, paging; a certificate's record with its chain and the
inclusion proof; a CA's record; apps searched; CSV exports."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from certgov.context import Context
from certgov.demo import load_demo
from certgov.store.engine import unit_of_work


def _demo(ctx: Context) -> None:
    with unit_of_work(ctx.sessions) as session:
        load_demo(session, ctx)


def test_sys_4_certificate_search_and_record(client: TestClient, ctx: Context) -> None:
    _demo(ctx)
    sm2 = client.get("/api/v1/certificates", params={"key": "sm2"}).json()
    assert {c["key_family"] for c in sm2["certificates"]} == {"sm2"}
    assert len(sm2["certificates"]) == 2
    named = client.get("/api/v1/certificates", params={"q": "EXAMPLE ecc"}).json()
    assert named["matched_by"] == "name"
    assert [c["subject"].split(",")[0] for c in named["certificates"]] == [
        "CN=Example ECC Root CA",
        "CN=Example ECC Server CA",
        "CN=Example ECC Signing CA",
    ]
    sub = named["certificates"][1]
    by_sha = client.get("/api/v1/certificates", params={"q": sub["sha256"].upper()}).json()
    assert by_sha["matched_by"] == "sha256" and by_sha["certificates"][0]["sha256"] == sub["sha256"]
    by_serial = client.get("/api/v1/certificates", params={"q": sub["serial"]}).json()
    assert by_serial["matched_by"] == "serial"
    assert by_serial["certificates"][0]["sha256"] == sub["sha256"]
    record = client.get(f"/api/v1/certificates/{sub['sha256']}").json()
    assert [c["subject"].split(",")[0] for c in record["chain"]] == ["CN=Example ECC Root CA"]
    assert record["inclusion"]["index"] == sub["log_index"]
    assert record["inclusion"]["checkpoint"].startswith("certgov")
    assert record["revocation"]["status"] in ("no_source", "unknown", "good")
    pem = client.get(f"/api/v1/certificates/{sub['sha256']}/pem")
    assert pem.text.startswith("-----BEGIN CERTIFICATE-----")
    assert client.get("/api/v1/certificates/" + "0" * 64).status_code == 404
    assert client.get("/api/v1/certificates", params={"key": "dsa"}).status_code == 422
    paged = client.get("/api/v1/certificates", params={"page": 2}).json()
    assert paged["certificates"] == [] and paged["has_more"] is False
    exported = client.get("/api/v1/certificates/export.csv", params={"key": "rsa"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 3 and all(r["key"] == "rsa2048" for r in rows)


def test_sys_4_ca_record_apps_penalties_and_trust_lists(client: TestClient, ctx: Context) -> None:
    _demo(ctx)
    cas = client.get("/api/v1/registry/cas", params={"province": "440000"}).json()
    assert len(cas) == 1
    record = client.get(f"/api/v1/registry/cas/{cas[0]['party_id']}").json()
    assert record["penalties"][0]["outcomes"] == ["warning", "fine"]
    roots = record["certificates"]["roots"]
    assert len(roots) == 1 and roots[0]["key_family"] == "sm2"
    assert len(roots[0]["children"]) == 1
    assert client.get("/api/v1/registry/cas/999999").status_code == 404
    suspended = client.get("/api/v1/apps", params={"status": "suspended"}).json()
    assert len(suspended) == 1 and suspended[0]["usable"] is False
    assert (
        client.get("/api/v1/apps", params={"operator": "Hangzhou"}).json()[0]["status"] == "revoked"
    )
    apps_csv = client.get("/api/v1/apps/export.csv").text.splitlines()
    assert apps_csv[0].startswith("number,app_name") and len(apps_csv) >= 4
    penalties_csv = client.get("/api/v1/penalties/export.csv").text.splitlines()
    assert len(penalties_csv) == 2
    lists = client.get("/api/v1/trust-lists").json()
    assert set(lists) == {"recognitions", "imports"}
    assert client.get("/api/v1/trust-lists/services.csv").status_code == 200
