"""Loading the demonstration data into an empty database (`certgov demo load`)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import SYSTEM_ACTOR
from certgov.context import Context
from certgov.demo.apps import load_app_scenarios
from certgov.demo.ca import load_ca_scenarios
from certgov.demo.certificates import load_portal_scenarios
from certgov.demo.common import ACCOUNTS, LOGINS_FILE, PARTIES, demo_uscc
from certgov.demo.recognition import load_recognition_scenarios
from certgov.errors import Conflict
from certgov.identity import services as identity
from certgov.parties import services as registry
from certgov.parties.models import Party


def load_demo(session: Session, ctx: Context, *, only_if_empty: bool = False) -> str:
    logins = Path(ctx.settings.data_dir) / LOGINS_FILE
    if session.scalar(select(Party.id).limit(1)) is not None:
        if only_if_empty:
            shown = logins.read_text(encoding="utf-8") if logins.exists() else ""
            return "demo data already loaded.\n" + shown
        raise Conflict("the database has parties already; demo data loads into an empty one")
    parties: list[Party] = []
    for name, name_en, kind, province, serial in PARTIES:
        parties.append(
            registry.create_party(
                session,
                ctx.clock,
                registry.NewParty(
                    name=name,
                    name_en=name_en,
                    kind=kind,
                    uscc=demo_uscc(province, serial),
                    home_province=province,
                ),
            )
        )
    lines = ["demo logins (console: http://127.0.0.1:8000/console):"]
    users = {}
    for username, display, role, jurisdiction, party_index in ACCOUNTS:
        password = secrets.token_urlsafe(12)
        users[username] = identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name=display,
            password=password,
            grant=identity.Grant(
                role, jurisdiction, parties[party_index].id if party_index is not None else None
            ),
        )
        lines.append(
            f"  {username:<14} {password}  ({role.value}{'' if jurisdiction == 'national' else ' ' + jurisdiction})"
        )

    actors = {name: identity.user_actor(user) for name, user in users.items()}
    load_ca_scenarios(session, ctx, actors, parties)
    load_app_scenarios(session, ctx, actors, parties)
    load_portal_scenarios(session, ctx, actors, parties)
    load_recognition_scenarios(session, ctx, actors)
    session.flush()
    text = "\n".join(lines) + "\n"
    logins.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(logins, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return text
