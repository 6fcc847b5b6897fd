"""ECS-3.6 through the API and the CLI: record-retention dates per certificate."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from unit.pki.factory import SM2_DIR, issue, make_key


def _pem(not_after: dt.datetime) -> bytes:
    cert = issue("subscriber", make_key("p256"), ca=False, not_after=not_after)
    return cert.cert.x509.public_bytes(serialization.Encoding.PEM)


def test_ecs_3_6_records_are_kept_5_years_after_the_certificate_expires(
    client: TestClient,
) -> None:
    """ECS-3.6 (ESL Art. 24): retain until 5 years after notAfter, counted on the China
    calendar date; the answer cites the rule parameter. Public; stores nothing."""
    # 2026-02-28 18:00 UTC is 1 March 02:00 in Beijing: the China date counts.
    bundle = _pem(dt.datetime(2026, 2, 28, 18, 0, tzinfo=dt.UTC)) + _pem(
        dt.datetime(2027, 6, 30, 0, 0, tzinfo=dt.UTC)
    )
    response = client.post(
        "/api/v1/ecs/retention", content=bundle, headers={"content-type": "application/x-pem-file"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rule_set"] == "measures-2015"
    first, second = body["certificates"]
    assert (first["expires_on"], first["retain_until"]) == ("2026-03-01", "2031-03-01")
    assert (second["expires_on"], second["retain_until"]) == ("2027-06-30", "2032-06-30")
    assert first["requirement"] == "ECS-3.6"
    assert first["parameter"]["name"] == "record_retention_after_expiry"
    assert "ESL Art. 24" in first["parameter"]["source"]
    assert "CN=subscriber" in first["subject"]


def test_ecs_3_6_sm2_certificates_and_bad_input(client: TestClient) -> None:
    """ECS-3.6 for SM2 certificates of the shared test PKI; malformed input is a clear 422."""
    chain = SM2_DIR / "chain-ca.crt"
    if chain.is_file():
        response = client.post("/api/v1/ecs/retention", content=chain.read_bytes())
        assert response.status_code == 200, response.text
        assert len(response.json()["certificates"]) == 2
    for bad in (
        b"",
        b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n",
        b"\x30\x03abc",
    ):
        response = client.post("/api/v1/ecs/retention", content=bad)
        assert response.status_code == 422, bad
        assert response.json()["message"]


def test_ecs_3_6_from_the_command_line(tmp_path: Path) -> None:
    """`certgov ecs retention FILE --json`; a bad file is exit 2 with a clear message."""
    good = tmp_path / "leaf.pem"
    good.write_bytes(_pem(dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)))
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    env = {"CERTGOV_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "certgov.cli"]
    subprocess.run([*command, "db", "upgrade"], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [*command, "ecs", "retention", str(good), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["retain_until"] == "2031-03-01"
    broken = subprocess.run(
        [*command, "ecs", "retention", str(bad)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert broken.returncode == 2 and "bad.pem" in broken.stderr
    assert "Traceback" not in broken.stderr
