"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL runs when ``CERTGOV_TEST_DATABASE_URL`` names a reachable server (``.ci/run`` sets
it when 127.0.0.1:5432 answers); otherwise those tests skip with the reason. Each test session
creates its own PostgreSQL database (so parallel sessions cannot collide), migrates it once,
and empties the tables between tests; SQLite copies a migrated template file per test.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from certgov.actors import SYSTEM_ACTOR, Actor, Role
from certgov.asgi import create_app
from certgov.bootstrap import build_context, metadata
from certgov.clock import FixedClock
from certgov.context import Context
from certgov.ecs.uscc import check_character
from certgov.identity import services as identity
from certgov.parties import services as registry
from certgov.parties.models import PartyKind
from certgov.settings import Settings
from certgov.store import migrate
from certgov.store.engine import make_engine, unit_of_work

PG_ENV = "CERTGOV_TEST_DATABASE_URL"
#: A Thursday in 2025, China time: the tests' "now".
DEFAULT_NOW = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL tests skipped: set {PG_ENV} (e.g. by .ci/run) to run them")
    name = f"certgov_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # an unreachable server is a skip with its reason, not an error
        admin.dispose()
        pytest.skip(f"PostgreSQL at {PG_ENV} is not usable: {exc}")
    test_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(test_url)
    yield test_url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_KEEP = {"jurisdictions", "alembic_version"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "certgov.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_server_url")
    engine = make_engine(url)
    tables = [t.name for t in metadata().sorted_tables if t.name not in _KEEP]
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def ctx(database_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Context]:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    context = build_context(settings, clock=clock)
    yield context
    bind = context.sessions.kw["bind"]
    bind.dispose()


@dataclass
class World:
    """Parties and credentials for one test: one of each kind and a token per role."""

    ctx: Context
    parties: dict[str, int]
    tokens: dict[str, str]
    actors: dict[str, Actor]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who != "public" else {}


def uscc_for(division: str, serial: str) -> str:
    body = f"91{division}{serial}"
    return body + check_character(body)


PARTY_SPECS: dict[str, tuple[PartyKind, str]] = {
    "ca_beijing": (PartyKind.CA, "110000"),
    "ca_shanghai": (PartyKind.CA, "310000"),
    "app_operator": (PartyKind.APP_OPERATOR, "440000"),
    "app_operator_2": (PartyKind.APP_OPERATOR, "310000"),
    "testing_agency": (PartyKind.TESTING_AGENCY, "110000"),
    "testing_agency_2": (PartyKind.TESTING_AGENCY, "320000"),
    "certification_body": (PartyKind.CERTIFICATION_BODY, "110000"),
}

#: Who acts in the tests: name -> (role, jurisdiction, party key).
ACTOR_SPECS: dict[str, tuple[Role, str, str | None]] = {
    "national_regulator": (Role.NATIONAL_REGULATOR, "national", None),
    "provincial_regulator": (Role.PROVINCIAL_REGULATOR, "310000", None),
    "provincial_regulator_gd": (Role.PROVINCIAL_REGULATOR, "440000", None),
    "certification_body": (Role.CERTIFICATION_BODY, "national", "certification_body"),
    "testing_agency": (Role.TESTING_AGENCY, "national", "testing_agency"),
    "testing_agency_2": (Role.TESTING_AGENCY, "national", "testing_agency_2"),
    "ca_operator": (Role.CA_OPERATOR, "national", "ca_shanghai"),
    "ca_operator_beijing": (Role.CA_OPERATOR, "national", "ca_beijing"),
    "app_operator": (Role.APP_OPERATOR, "national", "app_operator"),
    "app_operator_2": (Role.APP_OPERATOR, "national", "app_operator_2"),
}


@pytest.fixture
def world(ctx: Context) -> World:
    parties: dict[str, int] = {}
    tokens: dict[str, str] = {}
    actors: dict[str, Actor] = {}
    with unit_of_work(ctx.sessions) as session:
        for i, (key, (kind, province)) in enumerate(PARTY_SPECS.items()):
            party = registry.create_party(
                session,
                ctx.clock,
                registry.NewParty(
                    name=f"Test {key}",
                    kind=kind,
                    uscc=uscc_for(province, f"MA0TXPQ{i:02d}"),
                    home_province=province,
                ),
            )
            parties[key] = party.id
        for name, (role, jurisdiction, party_key) in ACTOR_SPECS.items():
            grant = identity.Grant(role, jurisdiction, parties[party_key] if party_key else None)
            secret, _token = identity.create_token(
                session, ctx.audit, by=SYSTEM_ACTOR, name=name, grant=grant
            )
            tokens[name] = secret
            actors[name] = identity.actor_for_token(session, ctx.clock, secret)
    return World(ctx, parties, tokens, actors)


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as test_client:
        yield test_client


def json_of(response: Any) -> Any:
    assert response.headers.get("content-type", "").startswith("application/json"), response.text
    return response.json()
