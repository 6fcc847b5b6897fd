"""ECS-8 cross-border recognition and SYS-4 publication through the API on a real database:
foreign trusted lists imported with their signature verified, a recognition applied for,
reviewed, approved with scope and validity, used as verification evidence and withdrawn; our
own signed trusted list and the registry exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from signxml.verifier import SignatureConfiguration, XMLVerifier

from certgov.pki import parse_bundle
from certgov.recognition.services import recognition_evidence
from certgov.store.engine import unit_of_work
from certgov.trustlist import (
    SERVICE_TYPE_CA_PKC,
    STATUS_GRANTED,
    TrustedList,
    TrustService,
    TrustServiceProvider,
    verify_trusted_list,
    write_trusted_list,
)
from unit.pki.factory import NOW, Hierarchy, hierarchy, issue, make_key
from unit.trustlist.factory import make_signer

SHARED = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "trustlist"
XML = {"content-type": "application/xml"}
PEM = {"content-type": "application/x-pem-file"}


def _pem(*certs: Any) -> str:
    return "".join(c.cert.x509.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def _shared() -> tuple[bytes, bytes]:
    xml, crt = SHARED / "TSL.xml", SHARED / "TSL.crt"
    if not xml.exists() or not crt.exists():
        pytest.skip(f"shared trusted-list test data absent: expected {xml} and {crt}")
    return xml.read_bytes(), crt.read_bytes()


def _foreign_list(pki: Hierarchy, status: str = STATUS_GRANTED) -> tuple[bytes, bytes]:
    """A DE list, signed, listing the foreign root as a supervised CA service; its signer PEM."""
    key, certificate = make_signer("DE trusted list signer")
    service = TrustService(
        SERVICE_TYPE_CA_PKC,
        "Beispiel Root CA",
        status,
        NOW - dt.timedelta(days=400),
        (pki.root.cert.der,),
    )
    content = TrustedList(
        scheme_operator="Bundesnetzagentur (test)",
        scheme_name="DE: test list",
        territory="DE",
        sequence_number=12,
        issued_at=NOW - dt.timedelta(days=10),
        next_update=NOW + dt.timedelta(days=170),
        providers=(TrustServiceProvider("Beispiel Trust GmbH", (service,)),),
        tsl_type="http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric",
        status_determination_approach="http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/EUappropriate",
    )
    document = write_trusted_list(content, key, certificate, signing_time=NOW)
    return document, certificate.public_bytes(serialization.Encoding.PEM)


def _pin(
    client: TestClient, world: Any, code: str, pem: bytes, who: str = "national_regulator"
) -> Any:
    return client.post(
        f"/api/v1/trust-lists/schemes/{code}/signers",
        content=pem,
        headers={**world.headers(who), **PEM},
    )


def _import(
    client: TestClient, world: Any, code: str, xml: bytes, who: str = "national_regulator"
) -> Any:
    return client.post(
        f"/api/v1/trust-lists/schemes/{code}/imports",
        content=xml,
        headers={**world.headers(who), **XML},
    )


def test_ecs_8_2_the_shared_list_imports_verified_and_a_one_byte_change_is_refused(
    client: TestClient, world: Any
) -> None:
    xml, crt = _shared()
    assert _pin(client, world, "EE", crt).status_code == 201
    index = xml.index(b"Tallinn")
    changed = xml[:index] + b"X" + xml[index + 1 :]
    refused = _import(client, world, "EE", changed)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "trust_list_signature"
    assert "does not verify" in refused.json()["message"]
    assert "Digest mismatch" in refused.json()["message"]
    imported = _import(client, world, "EE", xml)
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert body["signature"]["verified"] and body["signature"]["xades"]
    assert (body["territory"], body["sequence_number"]) == ("EE", 4)
    assert body["scheme_operator"] == "Information System Authority"
    again = _import(client, world, "EE", xml)
    assert again.status_code == 200 and again.json()["created"] is False
    scheme = client.get(
        "/api/v1/trust-lists/schemes/EE", headers=world.headers("national_regulator")
    ).json()
    assert len(scheme["imports"]) == 1  # the refused change stored nothing
    document = client.get(
        f"/api/v1/trust-lists/imports/{body['sha256']}/document",
        headers=world.headers("national_regulator"),
    )
    assert document.content == xml


def test_ecs_8_2_a_list_of_another_territory_or_an_older_sequence_is_refused(
    client: TestClient, world: Any
) -> None:
    xml, crt = _shared()
    _pin(client, world, "DE", crt)
    wrong = _import(client, world, "DE", xml)
    assert wrong.status_code == 422 and "territory 'EE'" in wrong.json()["message"]
    pki = hierarchy("p256", slot=40)
    document, signer = _foreign_list(pki)
    _pin(client, world, "DE", signer)
    assert _import(client, world, "DE", document).status_code == 201
    older = document  # same sequence number, different bytes (a re-signed copy)
    key_document, _ = _foreign_list(pki)
    conflict = _import(client, world, "DE", key_document)
    assert conflict.status_code in (409, 422)
    assert older != key_document


def _apply(client: TestClient, world: Any, pki: Hierarchy, **changes: Any) -> dict[str, Any]:
    body = {
        "foreign_ca": {"name": "Beispiel Trust GmbH", "country": "DE"},
        "qualification": {"home_scheme": "DE", "supervision_status": "granted"},
        "basis": "reciprocity",
        "certificate_types": ["signature", "seal"],
        "technical_standards": ["ETSI EN 319 411-1"],
        "scenarios": ["cross-border trade", "e-government"],
        "certificates_pem": _pem(pki.root, pki.intermediate),
        **changes,
    }
    response = client.post(
        "/api/v1/recognition/applications", json=body, headers=world.headers("ca_operator")
    )
    assert response.status_code == 201, response.text
    return response.json()


def _decide(client: TestClient, world: Any, view: dict[str, Any], **body: Any) -> Any:
    case = view["case"]
    if case["state"] == "submitted":
        accepted = client.post(
            f"/api/v1/cases/{case['id']}/transitions",
            json={"transition": "accept", "expected_version": case["version"]},
            headers=world.headers("national_regulator"),
        )
        assert accepted.status_code == 200, accepted.text
        case = accepted.json()
    return client.post(
        f"/api/v1/recognition/applications/{case['id']}/decision",
        json={"expected_version": case["version"], **body},
        headers=world.headers("national_regulator"),
    )


def test_ecs_8_1_8_2_recognition_approved_with_scope_used_as_evidence_then_withdrawn(
    client: TestClient, world: Any
) -> None:
    """ECS-8.1, ECS-8.2, SYS-5: an application naming the foreign CA is reviewed against the
    imported trusted list, approved with a scope and validity, honoured by verification within
    that scope, then withdrawn."""
    pki = hierarchy("p256", slot=50)
    document, signer = _foreign_list(pki)
    _pin(client, world, "DE", signer)
    assert _import(client, world, "DE", document).status_code == 201
    view = _apply(client, world, pki)
    review = view["technical_review"]
    assert review["passed"], review["blockers"]
    assert review["supervision"]["good"] and review["supervision"]["listed_statuses"] == ["granted"]
    assert {c["role"] for c in review["certificates"]} == {"root", "subordinate"}
    decided = _decide(
        client,
        world,
        view,
        decision="approve",
        reason="reciprocity with DE",
        scope={"certificate_types": ["signature"], "scenarios": ["cross-border trade"]},
    )
    assert decided.status_code == 200, decided.text
    number = decided.json()["recognition"]
    recognition = client.get(f"/api/v1/recognitions/{number}").json()
    assert recognition["status"] == "in_force"
    assert recognition["scope"] == {
        "certificate_types": ["signature"],
        "scenarios": ["cross-border trade"],
    }
    assert (recognition["valid_from"], recognition["valid_until"]) == ("2025-09-25", "2030-09-24")
    assert recognition["foreign_ca"]["country"] == "DE"
    chain = parse_bundle(_pem(pki.leaf, pki.intermediate).encode())
    at = NOW + dt.timedelta(hours=1)
    ctx = world.ctx
    with unit_of_work(ctx.sessions, readonly=True) as session:
        evidence = recognition_evidence(
            session, chain, at, certificate_type="signature", scenario="cross-border trade"
        )
        outside = recognition_evidence(session, chain, at, scenario="e-government")
        before = recognition_evidence(session, chain, NOW - dt.timedelta(days=1))
        unrelated = recognition_evidence(
            session,
            parse_bundle(_pem(issue("unrelated", make_key("p256", 61), ca=False)).encode()),
            at,
        )
    assert evidence is not None and evidence["recognised"], evidence
    assert evidence["recognition"]["number"] == number
    assert evidence["recognised_certificate"]["role"] == "subordinate"  # nearest recognised
    assert outside is not None and not outside["recognised"]
    assert "outside the scope" in outside["reasons"][0]
    assert before is not None and "not yet granted" in " ".join(before["reasons"])
    assert unrelated is None
    # Same names, other keys: the chain reaches a recognised certificate by name only.
    with unit_of_work(ctx.sessions, readonly=True) as session:
        forged = recognition_evidence(
            session, parse_bundle(_pem(hierarchy("p256", slot=60).leaf).encode()), at
        )
    assert forged is not None and not forged["recognised"]
    assert "bad_signature" in {p["code"] for p in forged["chain"]["problems"]}
    # SYS-5: relying-party verification honours the recognition within its scope.
    pem = {"content-type": "application/x-pem-file"}
    presented = _pem(pki.leaf, pki.intermediate).encode()
    params = {"at": at.isoformat(), "certificate_type": "signature"}
    answer = client.post("/api/v1/verify", params=params, content=presented, headers=pem).json()
    assert answer["valid"] is True, answer["reasons"]
    assert answer["recognition"]["recognition"]["number"] == number and answer["licence"] is None
    wrong = client.post(
        "/api/v1/verify",
        params={"at": at.isoformat(), "scenario": "e-government"},
        content=presented,
        headers=pem,
    ).json()
    assert wrong["valid"] is False and "outside the scope" in wrong["reasons"][0]
    ctx.clock.advance(dt.timedelta(days=2))  # type: ignore[attr-defined]
    withdrawn = client.post(
        f"/api/v1/recognitions/{number}/withdraw",
        json={"reason": "reciprocity ended", "expected_version": recognition["version"]},
        headers=world.headers("national_regulator"),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    later = ctx.clock.now() + dt.timedelta(hours=1)
    with unit_of_work(ctx.sessions, readonly=True) as session:
        after = recognition_evidence(session, chain, later, certificate_type="signature")
    assert after is not None and not after["recognised"]
    assert "withdrawn" in after["reasons"][0]
    again = client.post(
        f"/api/v1/recognitions/{number}/withdraw",
        json={"reason": "again", "expected_version": withdrawn.json()["version"]},
        headers=world.headers("national_regulator"),
    )
    assert again.status_code == 409


def test_ecs_8_2_approval_is_refused_without_a_supervised_status_in_an_imported_list(
    client: TestClient, world: Any
) -> None:
    pki = hierarchy("p256", slot=70)
    view = _apply(client, world, pki)
    assert not view["technical_review"]["passed"]
    assert any("home supervision" in b for b in view["technical_review"]["blockers"])
    refused = _decide(client, world, view, decision="approve")
    assert refused.status_code == 422
    assert "home supervision status" in refused.json()["message"]
    out_of_scope = _decide(
        client,
        world,
        client.get(
            f"/api/v1/recognition/applications/{view['case']['id']}",
            headers=world.headers("national_regulator"),
        ).json(),
        decision="approve",
        scope={"certificate_types": ["tls"], "scenarios": ["e-government"]},
    )
    assert (
        out_of_scope.status_code == 422
        and "tls was not applied for" in out_of_scope.json()["message"]
    )


def test_ecs_8_1_bad_applications_are_refused_naming_the_field(
    client: TestClient, world: Any
) -> None:
    """ECS-8.1: an application lacking what the institution must submit is refused, naming
    the field."""
    pki = hierarchy("p256", slot=80)
    for changes, field in [
        ({"basis": "friendship"}, "basis"),
        ({"certificates_pem": "nonsense"}, "certificates_pem"),
        ({"foreign_ca": {"name": "X", "country": "CN"}}, "foreign_ca.country"),
        ({"scenarios": []}, "scenarios"),
    ]:
        body = {
            "foreign_ca": {"name": "Beispiel", "country": "DE"},
            "qualification": {"home_scheme": "DE", "supervision_status": "granted"},
            "basis": "reciprocity",
            "certificate_types": ["signature"],
            "technical_standards": ["ETSI EN 319 411-1"],
            "scenarios": ["trade"],
            "certificates_pem": _pem(pki.root),
            **changes,
        }
        response = client.post(
            "/api/v1/recognition/applications", json=body, headers=world.headers("ca_operator")
        )
        assert response.status_code == 422, (field, response.text)
        assert field in response.json()["message"]


def test_sys_4_our_trust_list_is_signed_reimported_by_our_importer_and_verified_by_signxml(
    client: TestClient, world: Any
) -> None:
    pki = hierarchy("p256", slot=90)
    document, signer = _foreign_list(pki)
    _pin(client, world, "DE", signer)
    _import(client, world, "DE", document)
    view = _apply(client, world, pki)
    assert _decide(client, world, view, decision="approve").status_code == 200
    published = client.get("/trust-list.xml")
    assert published.status_code == 200
    assert published.headers["content-type"].startswith("application/vnd.etsi.tsl+xml")
    signer_pem = client.get("/api/v1/trust-list/signer.pem").content
    from cryptography import x509

    certificate = x509.load_pem_x509_certificate(signer_pem)
    config = SignatureConfiguration(expect_references=3, verification_time=NOW)
    results = XMLVerifier().verify(published.content, x509_cert=certificate, expect_config=config)
    assert isinstance(results, list) and results[0].signed_xml is not None
    verified = verify_trusted_list(published.content, signer_pem, at=NOW)
    services = verified.content.services
    assert verified.content.territory == "CN"
    assert [(p.name, s.status.rsplit("/", 1)[-1]) for p, s in services] == [
        ("Beispiel Trust GmbH", "recognisedatnationallevel"),
        ("Beispiel Trust GmbH", "recognisedatnationallevel"),
    ]
    assert ("urn:certgov:recognition:scenario", "e-government") in services[0][
        1
    ].additional_information
    assert _pin(client, world, "CN", signer_pem).status_code == 201
    imported = _import(client, world, "CN", published.content)
    assert imported.status_code == 201, imported.text
    assert imported.json()["services"] == 2
    tampered = published.content.replace(b"Beispiel Trust GmbH", b"Beispiel Trust GmbX", 1)
    assert _import(client, world, "CN", tampered).status_code == 422


def test_sys_4_registry_exports_list_licences_and_recognitions(
    client: TestClient, world: Any
) -> None:
    pki = hierarchy("p256", slot=100)
    document, signer = _foreign_list(pki)
    _pin(client, world, "DE", signer)
    _import(client, world, "DE", document)
    assert _decide(client, world, _apply(client, world, pki), decision="approve").status_code == 200
    exported = client.get("/api/v1/registry/export.json")
    assert exported.status_code == 200
    body = exported.json()
    assert body["licensed_cas"] == []
    assert [r["foreign_ca"]["name"] for r in body["recognised_foreign_cas"]] == [
        "Beispiel Trust GmbH"
    ]
    table = client.get("/api/v1/registry/export.csv")
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert rows[0]["kind"] == "recognition" and rows[0]["status"] == "in_force"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("national_regulator", 201),
        ("provincial_regulator", 403),
        ("certification_body", 403),
        ("testing_agency", 403),
        ("ca_operator", 403),
        ("app_operator", 403),
        ("public", 401),
    ],
)
def test_sys_6_only_the_national_regulator_pins_and_imports_foreign_lists(
    client: TestClient, world: Any, who: str, expected: int
) -> None:
    xml, crt = _shared()
    assert _pin(client, world, "EE", crt, who).status_code == expected
    if expected != 201:
        _pin(client, world, "EE", crt)
    assert _import(client, world, "EE", xml, who).status_code == expected


def test_sys_6_recognition_decisions_are_national_and_applications_private(
    client: TestClient, world: Any
) -> None:
    pki = hierarchy("p256", slot=110)
    view = _apply(client, world, pki)
    case_id = view["case"]["id"]
    other = client.get(
        f"/api/v1/recognition/applications/{case_id}", headers=world.headers("ca_operator_beijing")
    )
    assert other.status_code == 404
    for who, status in [("provincial_regulator", 403), ("ca_operator", 403), ("public", 401)]:
        response = client.post(
            f"/api/v1/recognition/applications/{case_id}/decision",
            json={"decision": "refuse", "reason": "x", "expected_version": view["case"]["version"]},
            headers=world.headers(who),
        )
        assert response.status_code == status, (who, response.text)
    assert (
        client.get(
            f"/api/v1/recognition/applications/{case_id}", headers=world.headers("ca_operator")
        ).status_code
        == 200
    )
