"""What blocks the end of a CA's exit (ECS-7.2, ECS-7.3)."""

from __future__ import annotations

import datetime as dt

from certgov.credit.handover import handover_blockers, remaining

TODAY = dt.date(2026, 1, 10)


def _data(**handover: object) -> dict[str, object]:
    return {
        "kind": "voluntary",
        "cessation_date": "2026-01-10",
        "receiving": {"party_id": 2},
        "handover": {
            "subscriber_certificates": 3,
            "migrated": 2,
            "revoked": 1,
            "records_transferred": True,
            **handover,
        },
    }


def test_ecs_7_3_done_when_every_certificate_is_migrated_or_revoked() -> None:
    assert handover_blockers(_data(), TODAY) == []
    assert remaining(_data()["handover"]) == 0  # type: ignore[arg-type]


def test_ecs_7_3_each_missing_piece_is_named() -> None:
    assert handover_blockers(_data(migrated=1), TODAY) == [
        "1 subscriber certificate(s) of 3 are neither migrated nor revoked"
    ]
    assert "records" in handover_blockers(_data(records_transferred=False), TODAY)[0]
    assert "has not come" in handover_blockers(_data(), TODAY - dt.timedelta(days=1))[0]
    assert "not reported" in handover_blockers(_data(subscriber_certificates=None), TODAY)[0]
    no_receiver = {**_data(), "receiving": None}
    assert "no receiving CA" in handover_blockers(no_receiver, TODAY)[0]


def test_ecs_7_2_a_forced_exit_has_no_date_to_wait_for() -> None:
    forced = {**_data(), "kind": "forced", "cessation_date": "2030-01-01"}
    assert handover_blockers(forced, TODAY) == []
