"""Schemathesis over the whole API (issue 15): generated requests for every operation, as the
national regulator, a CA operator and the public, on SQLite and PostgreSQL. No server error,
every status code documented, every JSON answer of the documented shape.

Bounded for the suite's time budget: a few examples per operation and role (the measured
defects were found by the first examples: huge integers, lone surrogates, NUL, wrong types).
Run with ``CERTGOV_FUZZ_EXAMPLES=50`` for a deeper pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.asgi import create_app
from certgov.bootstrap import build_context
from certgov.clock import FixedClock
from certgov.identity import services as identity
from certgov.parties import services as parties
from certgov.parties.models import PartyKind
from certgov.settings import Settings
from certgov.store.engine import unit_of_work
from conftest import DEFAULT_NOW, uscc_for

EXAMPLES = int(os.environ.get("CERTGOV_FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ("national_regulator", "ca_operator", "public")


@schemathesis.serializer(
    "application/x-pem-file", "application/pkix-cert", "application/vnd.android.package-archive"
)
def _as_bytes(_ctx: Any, value: Any) -> bytes:
    """Certificates and APKs are sent as they are: generated text as UTF-8, bytes as bytes."""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, dict[str, dict[str, str]]]]:
    """One application per database, with a CA and a token per role."""
    import shutil

    tmp = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, tmp / "certgov.db")
        url = f"sqlite:///{tmp / 'certgov.db'}"
    else:
        url = request.getfixturevalue("postgres_server_url")
    ctx = build_context(
        Settings(data_dir=tmp / "data", database_url=url), clock=FixedClock(DEFAULT_NOW)
    )
    headers: dict[str, dict[str, str]] = {"public": {}}
    with unit_of_work(ctx.sessions) as session:
        ca = parties.create_party(
            session,
            ctx.clock,
            parties.NewParty(
                name="Fuzz CA",
                kind=PartyKind.CA,
                uscc=uscc_for("310000", "MA0TXPQ90"),
                home_province="310000",
            ),
        )
        for who, grant in (
            ("national_regulator", identity.Grant(Role.NATIONAL_REGULATOR)),
            ("ca_operator", identity.Grant(Role.CA_OPERATOR, party_id=ca.id)),
        ):
            secret, _token = identity.create_token(
                session, ctx.audit, by=SYSTEM_ACTOR, name=f"fuzz {who}", grant=grant
            )
            headers[who] = {"Authorization": f"Bearer {secret}"}
    app = create_app(ctx)
    with TestClient(app):  # runs the application's start-up
        yield app, headers
    ctx.sessions.kw["bind"].dispose()


def test_no_server_error_and_every_answer_documented(
    fuzzed_app: tuple[Any, dict[str, dict[str, str]]],
) -> None:
    """Every operation, each generated request sent as each role: failures are collected
    across operations, so one run reports all of them."""
    app, role_headers = fuzzed_app
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            for who in ROLES:
                case.call_and_validate(headers=role_headers[who], checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # collected, reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    assert operations >= 100
    assert not failures, "\n\n".join(failures)
