"""Working the app certification pages as a person does: a user of a party logged in through
the login page, the version a page carries, the checklist form's parallel fields."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.http.security import csrf_token
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from support.appcert import ITEMS

PASSWORD = "correct horse battery"


def person(client: TestClient, world: Any, username: str, role: Role, party: str) -> str:
    """A user of ``party`` logged in through the page; the session's CSRF token."""
    with unit_of_work(world.ctx.sessions) as session:
        if username not in {u.username for u in identity.list_users(session)}:
            identity.create_user(
                session,
                world.ctx.audit,
                by=SYSTEM_ACTOR,
                username=username,
                display_name=username,
                password=PASSWORD,
                grant=identity.Grant(role, "national", world.parties[party]),
            )
    client.cookies.clear()
    answer = client.post(
        "/console/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return csrf_token(client.cookies["certgov_session"])


def version_of(page: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "no version on the page"
    return int(found.group(1))


def rows(**chosen: tuple[str, str, str]) -> dict[str, list[str]]:
    """The checklist form's parallel fields: every item, those in ``chosen`` with a result."""
    form: dict[str, list[str]] = {"item": [], "result": [], "note": [], "due_on": []}
    for item in ITEMS:
        result, note, due = chosen.get(item.replace("-", "_"), ("", "", ""))
        form["item"].append(item)
        form["result"].append(result)
        form["note"].append(note)
        form["due_on"].append(due)
    return form
