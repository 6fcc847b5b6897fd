"""``credit.withdrawal.exits_received`` (ECS-7.3), which the receiving CA's self-service page
lists: an exit offered to a CA, then accepted by it, is found for that CA only; declined or
closed, it is not. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from certgov.clock import china_date
from certgov.credit import withdrawal
from certgov.store.engine import unit_of_work
from support.licensing import grant_licence


def _received(world, key: str) -> list[int]:
    with unit_of_work(world.ctx.sessions, readonly=True) as session:
        return [c.id for c in withdrawal.exits_received(session, world.parties[key])]


def test_ecs_7_3_an_exit_offered_to_a_ca_is_found_for_it_until_declined(
    client: TestClient, world, clock
) -> None:
    grant_licence(client, world)
    grant_licence(client, world, "ca_operator_beijing")
    today = china_date(clock.now())
    declared = client.post(
        "/api/v1/withdrawals",
        json={
            "cessation_date": (today + dt.timedelta(days=100)).isoformat(),
            "subscriber_certificates": 3,
            "receiving_party_id": world.parties["ca_beijing"],
        },
        headers=world.headers("ca_operator"),
    )
    assert declared.status_code == 201, declared.text
    case_id = declared.json()["case_id"]
    assert _received(world, "ca_beijing") == [case_id]
    assert _received(world, "ca_shanghai") == []  # the leaving CA receives nothing

    declined = client.post(
        f"/api/v1/withdrawals/{case_id}/response",
        json={"accept": False},
        headers=world.headers("ca_operator_beijing"),
    )
    assert declined.status_code == 200, declined.text
    assert _received(world, "ca_beijing") == []

    offered = client.post(
        f"/api/v1/withdrawals/{case_id}/offer",
        json={"receiving_party_id": world.parties["ca_beijing"]},
        headers=world.headers("ca_operator"),
    )
    assert offered.status_code == 200, offered.text
    accepted = client.post(
        f"/api/v1/withdrawals/{case_id}/response",
        json={"accept": True},
        headers=world.headers("ca_operator_beijing"),
    )
    assert accepted.status_code == 200, accepted.text
    assert _received(world, "ca_beijing") == [case_id]
