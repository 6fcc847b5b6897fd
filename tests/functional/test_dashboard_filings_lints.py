"""The supervision dashboard's filings over time and a CA's lint summary (issue 17; ECS-3.4,
ECS-4.1, ECS-4.2, ECS-4.3, SYS-6), through HTTP on a real database: each filing counts its
certificates in its month (Beijing time), the dashboard shows the last 12 months nationwide,
per province and per CA (SVG bars with the numbers in a table), and a CA's page of the
dashboard summarises its lints like crt.sh (codes × certificates, per severity, links to the
certificates); scoped to the regulators of the CA."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.filings.lints import sweep_lints
from certgov.filings.models import FiledCertificate, FilingMonth
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from unit.pki.factory import Issued, issue, make_key

PEM = {"content-type": "application/x-pem-file"}
NO_KEY_USAGE = "pkix.ca_certificate_no_ku_extension"
PASSWORD = "correct horse battery"
MIGRATION = (
    Path(__file__).resolve().parents[2]
    / "src/certgov/store/migrations/versions/0022_filing_months.py"
)


def _file(client: TestClient, world: Any, *certs: Issued, who: str = "ca_operator") -> None:
    body = b"".join(c.cert.x509.public_bytes(serialization.Encoding.PEM) for c in certs)
    answer = client.post("/api/v1/filings", content=body, headers={**world.headers(who), **PEM})
    assert answer.status_code == 201, answer.text


def _login(client: TestClient, world: Any, who: str) -> None:
    actor = world.actors[who]
    username = f"page-{who}"
    with unit_of_work(world.ctx.sessions) as session:
        if username not in {u.username for u in identity.list_users(session)}:
            identity.create_user(
                session,
                world.ctx.audit,
                by=SYSTEM_ACTOR,
                username=username,
                display_name=username,
                password=PASSWORD,
                grant=identity.Grant(actor.role, actor.jurisdiction, actor.party_id),
            )
    client.cookies.clear()
    answer = client.post(
        "/console/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def _filings(client: TestClient, world: Any) -> tuple[Issued, Issued]:
    """Shanghai's CA files 2 certificates in September, 1 on 1 October 01:00 Beijing time
    (still 30 September in UTC) and 1 in November; Beijing's CA 1 in November."""
    clock = world.ctx.clock
    clean = issue("months clean root", make_key("p256", 40))
    sub = issue("months sub", make_key("p256", 41), clean, path_length=0)
    _file(client, world, clean, sub)
    clock.set(dt.datetime(2025, 9, 30, 17, 0, tzinfo=dt.UTC))
    broken = issue("months root without key usage", make_key("p256", 42), key_usage={})
    _file(client, world, broken)
    clock.set(dt.datetime(2025, 11, 10, 2, 0, tzinfo=dt.UTC))
    broken_2 = issue("months second root without key usage", make_key("p256", 43), key_usage={})
    _file(client, world, broken_2)
    beijing = issue("months beijing root", make_key("p256", 44))
    _file(client, world, beijing, who="ca_operator_beijing")
    return broken, broken_2


def test_filings_over_time_nationwide_per_province_and_per_ca(
    client: TestClient, world: Any
) -> None:
    _filings(client, world)
    shanghai, beijing = world.parties["ca_shanghai"], world.parties["ca_beijing"]
    board = client.get(
        "/api/v1/supervision/dashboard", headers=world.headers("national_regulator")
    ).json()
    months = {m["month"]: m["certificates"] for m in board["filings_by_month"]}
    assert len(months) == 12 and [*months][::11] == ["2024-12", "2025-11"]
    assert (months["2025-09"], months["2025-10"], months["2025-11"]) == (2, 1, 2)
    assert sum(months.values()) == 5
    mine = next(ca for ca in board["cas"] if ca["party_id"] == shanghai)
    assert mine["filings"]["certificates"] == 4
    assert mine["filings"]["last_filed_at"].startswith("2025-11-10T02:00")
    one = client.get(
        "/api/v1/supervision/dashboard",
        params={"party_id": shanghai},
        headers=world.headers("provincial_regulator"),
    ).json()
    assert [ca["party_id"] for ca in one["cas"]] == [shanghai]
    assert {m["month"]: m["certificates"] for m in one["filings_by_month"]}["2025-11"] == 1
    provincial = client.get(
        "/api/v1/supervision/dashboard", headers=world.headers("provincial_regulator")
    ).json()
    assert sum(m["certificates"] for m in provincial["filings_by_month"]) == 4
    outside = client.get(
        "/api/v1/supervision/dashboard",
        params={"party_id": beijing},
        headers=world.headers("provincial_regulator"),
    )
    assert outside.status_code == 404, outside.text

    # The monthly counts are what the filed certificates say, and what migration 0022's
    # backfill computes from them on this backend.
    with unit_of_work(world.ctx.sessions, readonly=True) as session:
        kept = {
            (row.party_id, row.month.isoformat()[:7]): row.certificates
            for row in session.scalars(select(FilingMonth))
        }
        assert sum(kept.values()) == session.scalar(
            select(func.count()).select_from(FiledCertificate)
        )
        spec = importlib.util.spec_from_file_location("migration_0022", MIGRATION)
        assert spec and spec.loader
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        month = migration.MONTH[session.get_bind().dialect.name]
        backfilled = {
            (party, str(day)[:7]): count
            for party, day, count in session.execute(
                text(
                    f"SELECT party_id, {month}, count(*) FROM filed_certificates "
                    f"GROUP BY party_id, {month}"
                )
            )
        }
    assert kept == backfilled
    assert kept[(shanghai, "2025-10")] == 1

    _login(client, world, "national_regulator")
    page = client.get("/console/dashboard?lang=en")
    assert page.status_code == 200
    assert 'id="filings-chart"' in page.text and 'id="filings-by-month"' in page.text
    assert '<tr data-month="2025-11"><th scope="row">Nov 2025</th><td>2</td></tr>' in page.text
    assert f'href="/console/dashboard?party={shanghai}#filings-over-time"' in page.text
    page = client.get(f"/console/dashboard?party={shanghai}&lang=zh")
    assert page.status_code == 200
    assert '<tr data-month="2025-10"><th scope="row">2025年10月</th><td>1</td></tr>' in page.text
    assert f'data-party="{beijing}"' not in page.text
    for bad in ("abc", "0", "99999999999", str(2**31 - 1)):
        assert client.get(f"/console/dashboard?party={bad}").status_code == 404, bad


def test_a_cas_lint_summary_like_crt_sh(client: TestClient, world: Any) -> None:
    broken, broken_2 = _filings(client, world)
    shanghai = world.parties["ca_shanghai"]
    url = f"/api/v1/supervision/cas/{shanghai}/lints"
    before = client.get(url, headers=world.headers("national_regulator")).json()
    assert before["filed"] == 4 and before["linted"] == 0 and before["not_yet_linted"] == 4
    assert before["codes"] == []
    sweep_lints(world.ctx)
    summary = client.get(url, headers=world.headers("provincial_regulator")).json()
    assert summary["filed"] == 4 and summary["linted"] == 4 and summary["not_yet_linted"] == 0
    assert summary["clean"] == 2 and summary["with_severity"]["error"] == 2
    (code,) = [c for c in summary["codes"] if c["code"] == NO_KEY_USAGE]
    assert code["severity"] == "error" and code["certificates"] == 2 and code["share"] == 0.5
    assert {e["sha256"] for e in code["examples"]} == {
        broken.cert.fingerprint,
        broken_2.cert.fingerprint,
    }
    for who, status in (
        ("provincial_regulator_gd", 404),
        ("ca_operator", 403),
        ("certification_body", 403),
        ("public", 401),
    ):
        assert client.get(url, headers=world.headers(who)).status_code == status, who

    _login(client, world, "provincial_regulator")
    page = client.get(f"/console/dashboard?party={shanghai}&lang=en")
    assert page.status_code == 200
    text_ = page.text
    assert 'id="lints"' in text_ and f'<tr data-code="{NO_KEY_USAGE}">' in text_
    assert f'href="/certificates/{broken.cert.fingerprint}"' in text_
    assert "50.0%" in text_ and f'href="/certificates?party={shanghai}"' in text_
    assert '<tr data-severity="error"><th scope="row">Error</th><td>2</td></tr>' in text_
    assert client.get("/console/dashboard").text.count('id="lints"') == 0  # only for one CA
    _login(client, world, "provincial_regulator_gd")
    assert client.get(f"/console/dashboard?party={shanghai}").status_code == 404
    _login(client, world, "ca_operator")
    assert client.get(f"/console/dashboard?party={shanghai}").status_code == 403
    assert world.actors["provincial_regulator"].role is Role.PROVINCIAL_REGULATOR
