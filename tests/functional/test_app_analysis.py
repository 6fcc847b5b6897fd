"""APP-3, APP-7 and APP-11 through the API against a real database: the operator's declared
practices on the application unit, the sample uploaded and analysed by the worker in a bounded
child process, findings citing their clause, hostile uploads, who sees the analysis, and the
comparison of a later sample with the certified one."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from certgov.appcert.analysis_job import sweep_analyses
from certgov.appcert.models import AppSampleAnalysis
from certgov.appscan.isolation import JobLimits
from certgov.store.engine import unit_of_work
from certgov.worker import run_once
from support.appcert import (
    AGENCY,
    CB,
    OPERATOR,
    accept_and_assign,
    analysis_of,
    application,
    case_of,
    submit,
    to_decision,
    upload_apk,
    view,
)
from support.licensing import act
from unit.appscan.apkgen import apk, manifest
from unit.appscan.samples import JAMENDO, memory_hungry_apk, shared_apk, shop_apk

URL = "/api/v1/app-applications"
#: Declared practices of a music app that never mentions phone identifiers.
MUSIC = {
    "purposes": ["music streaming"],
    "pi_types": [{"type": "media_files", "purpose": "save downloaded albums", "necessary": True}],
    "permissions": [],
    "sdks": [],
    "sharing": [],
}


def _unit(client: TestClient, world: Any, **kw: Any) -> int:
    case_id: int = submit(client, world, **kw)["units"][0]["case"]["id"]
    return case_id


def _stored(world: Any) -> int:
    with unit_of_work(world.ctx.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(AppSampleAnalysis)) or 0)


def test_app_11_jamendo_sample_analysed_with_call_sites_and_an_undeclared_pi_finding(
    client: TestClient, world: Any
) -> None:
    """APP-3 / APP-11: the operator declares its practices with the application (no phone
    identifiers) and uploads the shared jamendo APK; the upload submits the sample (SHA-256
    kept) and queues an analysis; the worker's run records the report with the call sites of
    TelephonyManager attributed to the app, and an undeclared-PI-type finding citing GB/T
    35273-2020 5.5 and Methods item 2.1, seen by the certification body and the agency."""
    data = shared_apk(JAMENDO)
    case_id = _unit(client, world, declaration=MUSIC)
    assert view(client, world, case_id, OPERATOR)["declaration"]["pi_types"][0]["type"] == (
        "media_files"
    )
    accept_and_assign(client, world, case_id)
    uploaded = upload_apk(client, world, case_id, data, filename="jamendo.apk")
    assert uploaded.status_code == 202, uploaded.text
    queued = uploaded.json()
    assert queued["status"] == "queued"
    assert queued["apk"]["package"] == "com.teleca.jamendo"
    assert queued["apk"]["sha256"] == hashlib.sha256(data).hexdigest()
    case = case_of(client, world, case_id)
    assert case["state"] == "technical_verification"
    assert case["data"]["sample"]["sha256"] == queued["apk"]["sha256"]
    assert case["data"]["sample"]["version"] == "1.0.4 [BETA]"
    # The same APK again is a conflict, nothing stored twice.
    again = upload_apk(client, world, case_id, data)
    assert again.status_code == 409, again.text

    run_once(world.ctx)

    shown = analysis_of(client, world, case_id, AGENCY)
    assert shown["declaration"] == MUSIC
    (done,) = shown["analyses"]
    assert done["status"] == "done", done
    assert done["versions"]["analyser"].startswith("certgov-appscan")
    assert done["versions"]["clause_table"].startswith("ccrc-app-2019/app_finding_clauses")
    assert done["versions"]["signature_data"] and done["versions"]["api_rules"]
    telephony = [s for s in done["report"]["call_sites"] if "TelephonyManager" in s["api"]]
    assert telephony, done["report"]["call_sites"]
    for site in telephony:
        assert site["caller_class"] and site["caller_method"] and site["offset"] is not None
        assert site["attribution"]["owner"] in ("app", "library", "sdk", "unattributed")
    kinds = {(f["kind"], f["subject"]): f for f in done["findings"]}
    undeclared = kinds[("undeclared_pi_type", "phone_state")]
    assert undeclared["clause"]["gbt35273"] == "5.5"
    assert undeclared["clause"]["methods_item"] == "2.1"
    assert undeclared["clause"]["assumed"] is False
    # Each finding is a finding of the scheme, on the case, citing its clause.
    findings = client.get("/api/v1/app-findings", headers=world.headers(CB)).json()
    raised = {f["code"]: f for f in findings if f["case_id"] == case_id}
    assert "app-scan-undeclared-pi-type" in raised
    assert raised["app-scan-undeclared-pi-type"]["requirement"] == "APP-11"
    assert "5.5" in raised["app-scan-undeclared-pi-type"]["message"]
    # A second run finds nothing left to analyse.
    assert sweep_analyses(world.ctx).as_dict() == {"done": [], "failed": [], "findings": 0}


def test_app_1_declared_practices_are_validated_field_by_field(
    client: TestClient, world: Any
) -> None:
    """APP-1 / APP-11: a wrong or unknown field of the declaration is 422 naming it, with the
    application or on its own; a valid one replaces the one on record."""
    bad = {"pi_types": [{"type": "location", "colour": "red"}]}
    refused = client.post(URL, json=application(declaration=bad), headers=world.headers(OPERATOR))
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("declaration.pi_types[0].colour")
    case_id = _unit(client, world)
    assert view(client, world, case_id)["declaration"] is None
    put = f"{URL}/{case_id}/declaration"
    for body, field in (
        ({"pi_types": [{"purpose": "x"}]}, "pi_types[0].type"),
        ({"sdks": [{"name": "Umeng", "collects": "android_id"}]}, "sdks[0].collects"),
        ({"sharing": [{"recipient": "X", "when": "always"}]}, "sharing[0].when"),
        ({"pii": []}, "pii"),
    ):
        response = client.put(put, json=body, headers=world.headers(OPERATOR))
        assert response.status_code == 422, (field, response.text)
        assert response.json()["message"].startswith(field), response.json()
    ok = client.put(put, json=MUSIC, headers=world.headers(OPERATOR))
    assert ok.status_code == 200, ok.text
    assert ok.json()["declaration"] == MUSIC
    for who, status in (("certification_body", 403), ("app_operator_2", 404), ("public", 401)):
        assert client.put(put, json=MUSIC, headers=world.headers(who)).status_code == status


def _zip_bomb() -> bytes:
    """A small file named .apk whose one entry inflates 64 MiB of zeros (ratio ~1000)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AndroidManifest.xml", manifest("com.example.bomb"))
        archive.writestr("assets/zeros.bin", bytes(64 * 1024 * 1024))
    return buffer.getvalue()


def test_app_11_hostile_uploads_are_refused_or_fail_and_the_worker_stays_healthy(
    client: TestClient, world: Any
) -> None:
    """APP-11: a zip bomb named .apk and a file that is not an APK are 422 at upload naming
    what is wrong, nothing stored and the case unchanged; an APK whose dex is garbage passes the
    upload and leaves its analysis ``failed`` with the reason; the worker stays healthy and
    analyses the next sample."""
    case_id = _unit(client, world, declaration=MUSIC)
    accept_and_assign(client, world, case_id)
    bomb = upload_apk(client, world, case_id, _zip_bomb(), filename="game.apk")
    assert bomb.status_code == 422, bomb.text
    assert bomb.json()["error"] == "apk_zip_bomb"
    assert "assets/zeros.bin" in bomb.json()["message"]
    for junk, code in ((b"MZ not an apk at all", "apk_"), (b"", "invalid_input")):
        response = upload_apk(client, world, case_id, junk, filename="x.apk")
        assert response.status_code == 422, response.text
        assert response.json()["error"].startswith(code), response.json()
    assert _stored(world) == 0
    assert case_of(client, world, case_id)["state"] == "accepted"

    garbage = apk(
        {
            "AndroidManifest.xml": manifest("com.example.broken"),
            "classes.dex": b"dex\n035\x00" + b"\xff" * 4096,
        }
    )
    queued = upload_apk(client, world, case_id, garbage)
    assert queued.status_code == 202, queued.text
    run_once(world.ctx)
    (failed,) = analysis_of(client, world, case_id)["analyses"]
    assert failed["status"] == "failed"
    assert failed["reason"] and failed["reason"].split(":")[0] in (
        "apk_malformed_dex",
        "analysis_error",
    ), failed["reason"]
    assert failed["report"] is None and failed["findings"] is None

    # A sample too big for the memory limit fails with the reason; the worker goes on.
    second = upload_apk(client, world, case_id, memory_hungry_apk())
    assert second.status_code == 202, second.text
    tight = sweep_analyses(world.ctx, limits=JobLimits(memory_bytes=48 * 1024 * 1024))
    assert tight.failed and not tight.done
    newest = analysis_of(client, world, case_id)["analyses"][0]
    assert newest["status"] == "failed"
    assert newest["reason"].startswith(("analysis_memory_limit", "analysis_crashed"))
    assert run_once(world.ctx) is not None  # healthy


def test_sys_6_the_analysis_is_for_the_certification_body_the_agency_and_the_operator(
    client: TestClient, world: Any
) -> None:
    """SYS-6 / APP-11: the certification body, the assigned testing agency and the unit's
    operator read the analysis; another agency or operator is told it does not exist; the
    regulators, CAs and the public are refused."""
    case_id = _unit(client, world)
    accept_and_assign(client, world, case_id)
    path = f"{URL}/{case_id}/analysis"
    expected = {
        "certification_body": 200,
        "testing_agency": 200,
        "app_operator": 200,
        "testing_agency_2": 404,
        "app_operator_2": 404,
        "national_regulator": 403,
        "provincial_regulator": 403,
        "ca_operator": 403,
        "public": 401,
    }
    got = {who: client.get(path, headers=world.headers(who)).status_code for who in expected}
    assert got == expected
    # Only the unit's operator uploads its sample.
    for who, status in (("certification_body", 403), ("testing_agency", 403), ("public", 401)):
        response = upload_apk(client, world, case_id, shop_apk(), who=who)
        assert response.status_code == status, (who, response.text)
    assert upload_apk(client, world, case_id, shop_apk(), who="app_operator_2").status_code == 404


def test_app_7_a_later_sample_is_compared_with_the_certified_one(
    client: TestClient, world: Any
) -> None:
    """APP-7: the app is certified on a sample without location; with a self-assessment
    report the holder uploads a version that reads the location: the worker compares it with
    the certified sample's report and records the new permission and call sites as an APP-7
    finding and a line in the self-assessment case."""
    declared = {
        "pi_types": [
            {"type": "android_id", "purpose": "statistics", "necessary": True},
            {"type": "device_id", "purpose": "fraud prevention", "necessary": True},
            {"type": "clipboard", "purpose": "paste coupons", "necessary": True},
        ],
        "sdks": [
            {"name": "Umeng", "id": "umeng", "collects": ["android_id"]},
            {"name": "JPush", "id": "jpush", "collects": []},
            {"name": "Bugly", "id": "bugly", "collects": []},
        ],
    }
    case_id = _unit(client, world, declaration=declared)
    accept_and_assign(client, world, case_id)
    first = upload_apk(client, world, case_id, shop_apk(with_location=False), version="5.2.0")
    assert first.status_code == 202, first.text
    run_once(world.ctx)
    assert analysis_of(client, world, case_id)["analyses"][0]["status"] == "done"
    pending = to_decision(client, world, case_id)
    number = act(client, world, CB, pending, "grant", reason="conforms")["data"]["certification"]

    event = client.post(
        f"/api/v1/app-certifications/{number}/events",
        json={
            "trigger": "update changes the purpose, data types or means of collecting, "
            "processing or using personal information",
            "description": "version 5.3 adds store finder",
        },
        headers=world.headers(OPERATOR),
    )
    assert event.status_code == 201, event.text
    sa_case = event.json()["id"]
    samples = f"/api/v1/app-certifications/{number}/samples"
    headers = {**world.headers(OPERATOR), "Content-Type": "application/vnd.android.package-archive"}
    # The holder's later sample comes with its self-assessment case.
    missing = client.post(samples, content=shop_apk(version_code=2), headers=headers)
    assert missing.status_code == 422 and missing.json()["message"].startswith("case_id")
    later = client.post(
        samples,
        content=shop_apk(version_code=2),
        params={"case_id": sa_case, "version": "5.3.0"},
        headers=headers,
    )
    assert later.status_code == 202, later.text
    assert later.json()["purpose"] == "self_assessment"
    other = {**world.headers("app_operator_2"), "Content-Type": headers["Content-Type"]}
    assert client.post(samples, content=shop_apk(), headers=other).status_code == 403

    run_once(world.ctx)

    analyses = analysis_of(client, world, case_id, AGENCY)["analyses"]
    newest = analyses[0]
    assert newest["status"] == "done" and newest["context_case_id"] == sa_case
    comparison = newest["comparison"]
    assert comparison["compared_with"] == analyses[1]["id"]
    assert comparison["widened"] is True
    assert comparison["new_permissions"] == ["android.permission.ACCESS_FINE_LOCATION"]
    assert "location" in comparison["new_pi_types"]
    assert any(s["pi_type"] == "location" for s in comparison["new_call_sites"])
    findings = client.get("/api/v1/app-findings", headers=world.headers(CB)).json()
    widened = [f for f in findings if f["code"] == "app-sample-widened"]
    assert len(widened) == 1 and widened[0]["requirement"] == "APP-7"
    assert widened[0]["case_id"] == sa_case
    assert "ACCESS_FINE_LOCATION" in widened[0]["message"]
    self_assessment = case_of(client, world, sa_case)
    assert self_assessment["data"]["sample_comparison"]["permissions"] == [
        "android.permission.ACCESS_FINE_LOCATION"
    ]
    # The new location reading is also undeclared against the unit's declaration.
    assert any(
        f["code"] == "app-scan-undeclared-pi-type" and "location" in f["message"] for f in findings
    )
