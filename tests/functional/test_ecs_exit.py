"""Credit and exit (ECS-7): the credit record and the ban it derives, enforced when a licence
application opens; forced exit after revocation; voluntary withdrawal with its 90/60-day
checks, receiving CA and handover; least privilege (SYS-6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.findings.models import Finding
from certgov.i18n.texts import say
from certgov.store.engine import unit_of_work
from certgov.text import Text
from support.enforcement import case_of, decide, enforcement_to_decision, transition
from support.licensing import application_of, grant_licence


def _revoke(client: TestClient, world) -> dict[str, Any]:
    licence = grant_licence(client, world)
    case = enforcement_to_decision(client, world, violation="licence_transferred")
    decided = decide(client, world, case, outcomes=["licence revocation"])
    assert decided.status_code == 200, decided.text
    return licence


def test_ecs_7_1_credit_ban_refuses_a_new_licence_application(
    client: TestClient, world, clock
) -> None:
    """ECS-7.1: a revocation enters the credit record, bars the CA from a new licence
    application for credit_ban_period (refused at application time with the reason), and the
    bar ends with the period."""
    _revoke(client, world)
    party_id = world.parties["ca_shanghai"]
    record = client.get(f"/api/v1/credit/{party_id}", headers=world.headers("ca_operator")).json()
    assert record["standing"] == "barred"
    assert record["penalties"][0]["weight"] == 10
    assert record["score"] >= 10
    [ban] = record["restrictions"]
    assert ban["restricts"] == ["licence_application", "recognition_application"]
    today = china_date(clock.now())
    assert ban["until"] == (today.replace(year=today.year + 3) - dt.timedelta(days=1)).isoformat()

    body = application_of(client, world)
    refused = client.post(
        "/api/v1/ecs/applications", json=body, headers=world.headers("ca_operator")
    )
    assert refused.status_code == 422
    message = refused.json()["message"]
    assert f"barred from a new licence application until {ban['until']}" in message
    assert "credit_ban_period 3 years" in message
    bare = client.post(
        "/api/v1/cases",
        json={"process_id": "ca-licence-application", "title": "again"},
        headers=world.headers("ca_operator"),
    )
    assert bare.status_code == 422 and "barred" in bare.json()["message"]
    recognition = client.post(
        "/api/v1/cases",
        json={"process_id": "ca-recognition", "title": "recognise a foreign CA"},
        headers=world.headers("ca_operator"),
    )
    assert (
        recognition.status_code == 422
        and "recognition application" in recognition.json()["message"]
    ), recognition.text
    # Another CA is not affected.
    assert (
        client.post(
            "/api/v1/ecs/applications",
            json=application_of(client, world, "ca_operator_beijing"),
            headers=world.headers("ca_operator_beijing"),
        ).status_code
        == 201
    )
    clock.advance(dt.timedelta(days=3 * 366))
    again = client.post("/api/v1/ecs/applications", json=body, headers=world.headers("ca_operator"))
    assert again.status_code == 201, again.text


def test_ecs_7_1_published_restrictions_are_public(client: TestClient, world) -> None:
    """ECS-7.1: a ban from a published penalty is listed publicly."""
    _revoke(client, world)
    assert client.get("/api/v1/restrictions").json() == []
    enforcement = client.get(
        "/api/v1/cases",
        params={"process_id": "ecs-enforcement"},
        headers=world.headers("national_regulator"),
    ).json()[0]
    transition(client, world, "national_regulator", enforcement["id"], "publish")
    [listed] = client.get("/api/v1/restrictions").json()
    assert listed["party_id"] == world.parties["ca_shanghai"]
    assert "licence revocation" in listed["because"]


def test_ecs_7_2_revocation_forces_exit_with_subscriber_migration_tracked(
    client: TestClient, world
) -> None:
    """ECS-7.2: the forced exit tracks the migration; the regulator designates the receiving
    CA; the exit completes when all subscribers are migrated; the licence stays revoked."""
    licence = _revoke(client, world)
    exits = client.get(
        "/api/v1/cases",
        params={"process_id": "ecs-withdrawal"},
        headers=world.headers("ca_operator"),
    ).json()
    case_id = exits[0]["id"]
    view = client.get(f"/api/v1/withdrawals/{case_id}", headers=world.headers("ca_operator")).json()
    assert view["kind"] == "forced" and view["handover"]["remaining"] is None
    report = client.post(
        f"/api/v1/withdrawals/{case_id}/handover",
        json={"subscriber_certificates": 2, "migrated": 1, "revoked": 0},
        headers=world.headers("ca_operator"),
    )
    assert report.status_code == 200, report.text
    assert report.json()["handover"]["remaining"] == 1
    grant_licence(client, world, "ca_operator_beijing")
    designated = client.post(
        f"/api/v1/withdrawals/{case_id}/designation",
        json={"receiving_party_id": world.parties["ca_beijing"], "reason": "none agreed"},
        headers=world.headers("provincial_regulator"),
    )
    assert designated.status_code == 200, designated.text
    assert designated.json()["receiving"]["how"] == "designated"
    blocked = transition(client, world, "national_regulator", case_id, "complete")
    assert blocked.status_code == 422 and "1 subscriber certificate" in blocked.json()["message"]
    done = client.post(
        f"/api/v1/withdrawals/{case_id}/handover",
        json={"migrated": 1, "revoked": 1, "records_transferred": True},
        headers=world.headers("ca_operator_beijing"),
    )
    assert done.status_code == 200, done.text
    assert transition(client, world, "national_regulator", case_id, "complete").status_code == 200
    assert client.get(f"/api/v1/licences/{licence['number']}").json()["status"] == "revoked"
    cancel = transition(client, world, "ca_operator", case_id, "cancel", reason="x")
    assert cancel.status_code in (409, 422)


def _declare(client: TestClient, world, who: str = "ca_operator", **body: Any) -> Any:
    return client.post("/api/v1/withdrawals", json=body, headers=world.headers(who))


def test_ecs_7_3_withdrawal_reported_59_days_ahead_is_flagged_late(
    client: TestClient, world, clock
) -> None:
    """ECS-7.3 (ESL Art. 23): reported 59 days before ceasing is late (a finding citing the
    violation cessation_not_reported); 60 days is in time; the notice to parties is checked
    against 90 days the same way."""
    licence = grant_licence(client, world)
    grant_licence(client, world, "ca_operator_beijing")
    today = china_date(clock.now())
    late = _declare(
        client,
        world,
        cessation_date=(today + dt.timedelta(days=59)).isoformat(),
        parties_notified_on=(today - dt.timedelta(days=40)).isoformat(),
        subscriber_certificates=10,
    )
    assert late.status_code == 201, late.text
    body = late.json()
    assert body["report_late"] is True and body["notice_late"] is False
    assert body["findings"] == [f"cessation-report-late:{body['case_id']}"]
    findings = client.get("/api/v1/findings", headers=world.headers("provincial_regulator")).json()
    [finding] = [f for f in findings if f["code"] == "cessation-report-late"]
    assert finding["requirement"] == "ECS-7.3"
    assert finding["details"]["violation"] == "cessation_not_reported"
    assert (today + dt.timedelta(days=59) - dt.timedelta(days=60)).isoformat() in finding["message"]
    # The case and the finding keep their titles as templates: said in the reader's language.
    cessation = (today + dt.timedelta(days=59)).isoformat()
    with unit_of_work(world.ctx.sessions) as session:
        case = session.get(Case, body["case_id"])
        assert case is not None
        title = Text.of_record(case.title_text)
        assert title is not None and str(title) == case.title
        assert case.title.startswith("Withdrawal of ") and case.title.endswith(
            f" (licence {licence['number']}) on {cessation}"
        )
        assert f"终止服务（许可证 {licence['number']}，" in say(title, "zh")
        late = session.get(Finding, finding["id"])
        assert late is not None and late.title.startswith(
            "Late report of ceasing service to the regulator: "
        )
        late_title = Text.of_record(late.title_text)
        message = Text.of_record(late.message_text)
        assert late_title is not None and message is not None
        assert say(late_title, "zh").startswith("向主管部门报告终止服务逾期：")
        assert "属违法行为目录所列违法行为：cessation_not_reported" in say(message, "zh")
        assert str(message) == late.message

    in_time = _declare(
        client,
        world,
        "ca_operator_beijing",
        cessation_date=(today + dt.timedelta(days=60)).isoformat(),
        parties_notified_on=(today - dt.timedelta(days=29)).isoformat(),
        subscriber_certificates=10,
    )
    assert in_time.status_code == 201, in_time.text
    assert in_time.json()["report_late"] is False
    assert in_time.json()["notice_late"] is True  # notified 89 days before ceasing
    assert in_time.json()["findings"] == [f"cessation-notice-late:{in_time.json()['case_id']}"]


def test_ecs_7_3_handover_ends_only_when_the_last_certificate_is_migrated(
    client: TestClient, world, clock
) -> None:
    """ECS-7.3: the receiving CA accepts; the national regulator cannot complete while a
    subscriber certificate remains, nor before the cessation date; the last migration ends
    it and the licence ends as withdrawn."""
    licence = grant_licence(client, world)
    today = china_date(clock.now())
    cessation = today + dt.timedelta(days=100)
    declared = _declare(
        client,
        world,
        cessation_date=cessation.isoformat(),
        parties_notified_on=today.isoformat(),
        subscriber_certificates=3,
        receiving_party_id=world.parties["ca_beijing"],
    )
    assert declared.status_code == 201, declared.text
    case_id = declared.json()["case_id"]
    assert declared.json()["findings"] == []
    accepted = client.post(
        f"/api/v1/withdrawals/{case_id}/response",
        json={"accept": True},
        headers=world.headers("ca_operator_beijing"),
    )
    assert accepted.status_code == 200, accepted.text
    reported = client.post(
        f"/api/v1/withdrawals/{case_id}/handover",
        json={"migrated": 2, "revoked": 0, "records_transferred": True},
        headers=world.headers("ca_operator"),
    )
    assert reported.json()["handover"]["remaining"] == 1
    clock.set(dt.datetime.combine(cessation, dt.time(2, 0), tzinfo=dt.UTC))
    blocked = transition(client, world, "national_regulator", case_id, "complete")
    assert blocked.status_code == 422
    assert blocked.json()["details"]["reasons"] == [
        "1 subscriber certificate(s) of 3 are neither migrated nor revoked"
    ]
    assert client.get(f"/api/v1/licences/{licence['number']}").json()["status"] == "valid"
    too_many = client.post(
        f"/api/v1/withdrawals/{case_id}/handover",
        json={"migrated": 3, "revoked": 1},
        headers=world.headers("ca_operator"),
    )
    assert too_many.status_code == 422
    backwards = client.post(
        f"/api/v1/withdrawals/{case_id}/handover",
        json={"migrated": 1, "revoked": 0},
        headers=world.headers("ca_operator"),
    )
    assert backwards.status_code == 422 and "never go down" in backwards.json()["message"]
    last = client.post(
        f"/api/v1/withdrawals/{case_id}/handover",
        json={"migrated": 3, "revoked": 0},
        headers=world.headers("ca_operator_beijing"),
    )
    assert last.json()["blockers"] == []
    assert transition(client, world, "provincial_regulator", case_id, "complete").status_code == 403
    done = transition(client, world, "national_regulator", case_id, "complete")
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "completed"
    status = client.get(f"/api/v1/licences/{licence['number']}").json()
    assert status["status"] == "withdrawn"


def test_ecs_7_3_before_the_cessation_date_the_exit_cannot_complete(
    client: TestClient, world, clock
) -> None:
    """ECS-7.3: a declined offer, the regulator's designation, then the date still blocks."""
    grant_licence(client, world)
    grant_licence(client, world, "ca_operator_beijing")
    today = china_date(clock.now())
    declared = _declare(
        client,
        world,
        cessation_date=(today + dt.timedelta(days=95)).isoformat(),
        parties_notified_on=today.isoformat(),
        subscriber_certificates=0,
        receiving_party_id=world.parties["ca_beijing"],
    ).json()
    case_id = declared["case_id"]
    declined = client.post(
        f"/api/v1/withdrawals/{case_id}/response",
        json={"accept": False},
        headers=world.headers("ca_operator_beijing"),
    )
    assert declined.status_code == 200
    view = client.get(f"/api/v1/withdrawals/{case_id}", headers=world.headers("national_regulator"))
    assert view.json()["declined_by"] == [world.parties["ca_beijing"]]
    assert (
        client.get(
            f"/api/v1/withdrawals/{case_id}", headers=world.headers("ca_operator_beijing")
        ).status_code
        == 404
    )
    client.post(
        f"/api/v1/withdrawals/{case_id}/designation",
        json={"receiving_party_id": world.parties["ca_beijing"], "reason": "designated"},
        headers=world.headers("national_regulator"),
    )
    client.post(
        f"/api/v1/withdrawals/{case_id}/handover",
        json={"migrated": 0, "revoked": 0, "records_transferred": True},
        headers=world.headers("ca_operator"),
    )
    blocked = transition(client, world, "national_regulator", case_id, "complete")
    assert blocked.status_code == 422 and "has not come" in blocked.json()["message"]


def test_ecs_7_3_bad_declarations_are_refused(client: TestClient, world) -> None:
    """ECS-7.3: no licence, a past date, bad fields: 4xx naming the reason; one open exit."""
    assert (
        _declare(client, world, cessation_date="2030-01-01", subscriber_certificates=1).status_code
        == 409
    )
    grant_licence(client, world)
    for body, named in (
        ({"cessation_date": "2020-01-01", "subscriber_certificates": 1}, "cessation_date"),
        ({"cessation_date": "soon", "subscriber_certificates": 1}, "cessation_date"),
        (
            {"cessation_date": "2030-01-01", "subscriber_certificates": -1},
            "subscriber_certificates",
        ),
        ({"cessation_date": "2030-01-01"}, "subscriber_certificates"),
        (
            {
                "cessation_date": "2030-01-01",
                "subscriber_certificates": 1,
                "receiving_party_id": world.parties["app_operator"],
            },
            "CA",
        ),
    ):
        response = _declare(client, world, **body)
        assert response.status_code in (404, 422), body
        assert named in response.json()["message"], response.json()
    assert (
        _declare(client, world, cessation_date="2030-01-01", subscriber_certificates=1).status_code
        == 201
    )
    assert (
        _declare(client, world, cessation_date="2030-01-01", subscriber_certificates=1).status_code
        == 409
    )


def test_sys_6_credit_and_exit_least_privilege(client: TestClient, world, clock) -> None:
    """SYS-6: a CA sees only its own credit record and exit cases; a provincial regulator
    only its province's; the public none (restrictions of published penalties aside)."""
    shanghai = world.parties["ca_shanghai"]
    assert client.get(f"/api/v1/credit/{shanghai}").status_code == 401
    for who, status in (
        ("ca_operator", 200),
        ("ca_operator_beijing", 403),
        ("provincial_regulator", 200),
        ("provincial_regulator_gd", 403),
        ("national_regulator", 200),
        ("app_operator", 403),
        ("testing_agency", 403),
        ("certification_body", 403),
    ):
        got = client.get(f"/api/v1/credit/{shanghai}", headers=world.headers(who))
        assert got.status_code == status, (who, got.text)
    grant_licence(client, world)
    today = china_date(clock.now())
    case_id = _declare(
        client,
        world,
        cessation_date=(today + dt.timedelta(days=120)).isoformat(),
        subscriber_certificates=1,
        parties_notified_on=today.isoformat(),
    ).json()["case_id"]
    for who, status in (
        ("ca_operator", 200),
        ("ca_operator_beijing", 404),
        ("provincial_regulator", 200),
        ("provincial_regulator_gd", 403),
        ("app_operator", 403),
    ):
        got = client.get(f"/api/v1/withdrawals/{case_id}", headers=world.headers(who))
        assert got.status_code == status, (who, got.text)
    assert (
        _declare(
            client,
            world,
            "ca_operator_beijing",
            cessation_date="2030-01-01",
            subscriber_certificates=1,
        ).status_code
        == 409
    )  # holds no licence
    stranger = client.post(
        f"/api/v1/withdrawals/{case_id}/handover",
        json={"migrated": 1, "revoked": 0},
        headers=world.headers("ca_operator_beijing"),
    )
    assert stranger.status_code == 404
    responder = client.post(
        f"/api/v1/withdrawals/{case_id}/response",
        json={"accept": True},
        headers=world.headers("ca_operator"),
    )
    assert responder.status_code == 403
    assert case_of(client, world, case_id)["state"] == "handover"
