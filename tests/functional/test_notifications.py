"""Notifications (SYS-7): the worker turns what happened since its last run (a decision, a
deadline that started, a finding) into notifications for the parties concerned, shows them in
the console with the unread count, and e-mails them through a local SMTP server (aiosmtpd),
naming the case and the deadline in the reader's language."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.message import Message
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from certgov.context import Context
from certgov.notifications import services as notifications
from certgov.notifications.models import Notification
from certgov.store.engine import unit_of_work
from certgov.worker import run_once
from support.appcert import CB, accept_and_assign, case_of, submit
from support.licensing import act


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp(ctx: Context) -> Any:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    ctx.settings.smtp_host = "127.0.0.1"
    ctx.settings.smtp_port = port
    ctx.settings.smtp_from = "certgov@miit.example"
    yield inbox
    controller.stop()


def _body(message: Message) -> str:
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())


def test_sys_7_the_worker_notifies_deadlines_and_decisions_by_e_mail(
    client: TestClient, world: Any, ctx: Context, smtp: Inbox
) -> None:
    operator = world.parties["app_operator"]
    with unit_of_work(ctx.sessions) as session:
        notifications.add_address(session, ctx, operator, "ops@example.cn", "zh")
    units = submit(client, world, systems=("Android", "iOS"))["units"]
    android, ios = units[0]["case"]["id"], units[1]["case"]["id"]
    accept_and_assign(client, world, android)
    accepted = act(client, world, CB, case_of(client, world, ios), "accept")
    act(client, world, CB, accepted, "deny", reason="collects contacts without consent")

    run_once(ctx)
    with unit_of_work(ctx.sessions, readonly=True) as session:
        rows = notifications.notifications_of(session, operator)
        kinds = sorted({row.kind for row in rows})
        assert notifications.unread_count(session, operator) == len(rows)
    assert "decision" in kinds
    subjects = [str(m["Subject"]) for m in smtp.messages]
    assert all(m["To"] == "ops@example.cn" for m in smtp.messages)
    decision = next(m for m in smtp.messages if "已作出决定" in str(m["Subject"]))
    body = _body(decision)
    assert f"案件 {ios}" in body and "不予认证" in body  # Chinese first ...
    assert f"Case {ios}" in body  # ... English below
    # The case's title said in each language (issue 16): the system named it with a template.
    title = units[1]["case"]["title"]
    app, rest = title.split(" (", 1)
    system, line = rest.rstrip(")").split(", ")
    assert f"{app}（{system}，{line}）" in body and title in body
    assert len(smtp.messages) == len(rows), subjects

    # A second run finds nothing new and sends nothing again.
    sent = len(smtp.messages)
    run_once(ctx)
    assert len(smtp.messages) == sent

    # The console shows the unread count; reading clears it.
    client.cookies.clear()
    with unit_of_work(ctx.sessions) as session:
        assert session.query(Notification).filter_by(party_id=operator).count() == len(rows)


def test_sys_7_an_approaching_deadline_is_notified_once_in_the_readers_language(
    client: TestClient, world: Any, ctx: Context, smtp: Inbox, clock: Any
) -> None:
    import datetime as dt

    operator = world.parties["app_operator"]
    with unit_of_work(ctx.sessions) as session:
        notifications.add_address(session, ctx, operator, "ops@example.com", "en")
    denied = submit(client, world)["units"][0]["case"]["id"]
    accepted = act(client, world, CB, case_of(client, world, denied), "accept")
    act(client, world, CB, accepted, "deny", reason="collects contacts without consent")
    received = client.post(
        f"/api/v1/app-applications/{denied}/decision-receipt",
        json={"received_on": "2025-09-25"},
        headers=world.headers("app_operator"),
    )
    assert received.status_code == 200, received.text
    filed = client.post(
        "/api/v1/app-complaints",
        json={"application_case_id": denied, "grounds": "the permission is optional"},
        headers=world.headers("app_operator"),
    )
    assert filed.status_code == 201, filed.text
    case_id = filed.json()["id"]
    run_once(ctx)
    running = [d for d in filed.json()["deadlines"] if d["status"] == "running"]
    assert running and running[0]["due_on"]
    due = dt.date.fromisoformat(running[0]["due_on"])
    clock.set(dt.datetime.combine(due, dt.time(2, 0), tzinfo=dt.UTC) - dt.timedelta(days=1))
    before = len(smtp.messages)
    run_once(ctx)
    run_once(ctx)
    approaching = [m for m in smtp.messages[before:] if "approaching" in str(m["Subject"])]
    assert len(approaching) == 1
    body = _body(approaching[0])
    assert f"Case {case_id}" in body and "ends on" in body and "business day" in body
    assert "开始" not in str(approaching[0]["Subject"])  # English for this address
