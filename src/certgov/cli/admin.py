"""`certgov db|parties|users|tokens`: schema, organisations, accounts and API tokens."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from certgov.cli.common import (
    CLI_ACTOR,
    EXIT_REFUSED,
    JsonFlag,
    emit_json,
    out,
    run,
    work,
)
from certgov.errors import InvalidInput

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
parties_app = typer.Typer(help="Parties (organisations) and their codes.", no_args_is_help=True)
users_app = typer.Typer(help="People who log in (SYS-6).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens of machine clients (SYS-6).", no_args_is_help=True)


def _database_url() -> str:
    from certgov.settings import get_settings

    return get_settings().resolved_database_url()


# --- db -------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest revision."""
    from certgov.store import migrate

    run(lambda: migrate.upgrade(_database_url()))
    typer.echo("database is at the latest schema revision")


@db_app.command("check")
def db_check() -> None:
    """Fail (exit 1) when the models and the migrations differ."""
    from certgov.store import migrate

    run(lambda: migrate.check(_database_url()))
    typer.echo("models and migrations agree")


# --- parties --------------------------------------------------------------------------------


@parties_app.command("check-uscc")
def check_uscc(code: str, as_json: JsonFlag = False) -> None:
    """Check a unified social credit code (GB 32100-2015); exit 0 if valid, 1 if not."""
    from certgov.ecs.uscc import check_uscc as check

    result = check(code)
    if as_json:
        emit_json(
            {
                "code": result.code,
                "valid": result.valid,
                "reasons": list(result.reasons),
                "expected_check_character": result.expected_check_character,
            }
        )
    elif result.valid:
        typer.echo(f"{result.code}: valid")
    else:
        typer.echo(f"{result.code}: invalid")
        for reason in result.reasons:
            typer.echo(f"  - {reason}")
    raise typer.Exit(0 if result.valid else EXIT_REFUSED)


@parties_app.command("create")
def parties_create(
    name: Annotated[str, typer.Option(help="Registered name.")],
    kind: Annotated[
        str,
        typer.Option(
            help="ca, app_operator, testing_agency, foreign_ca, certification_body, regulator."
        ),
    ],
    uscc: Annotated[str | None, typer.Option(help="Unified social credit code.")] = None,
    province: Annotated[str | None, typer.Option(help="Home province (GB/T 2260 code).")] = None,
    name_en: Annotated[str | None, typer.Option(help="English name.")] = None,
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country.")] = "CN",
    as_json: JsonFlag = False,
) -> None:
    """Register an organisation."""
    from certgov.parties import services as registry
    from certgov.parties.models import PartyKind

    with work() as (session, ctx):
        try:
            party_kind = PartyKind(kind)
        except ValueError:
            raise InvalidInput(
                f"unknown party kind {kind!r}: one of {', '.join(PartyKind)}"
            ) from None
        party = registry.create_party(
            session,
            ctx.clock,
            registry.NewParty(
                name=name,
                kind=party_kind,
                uscc=uscc,
                name_en=name_en,
                home_province=province,
                country=country,
            ),
        )
        result = {
            "id": party.id,
            "name": party.name,
            "kind": party.kind.value,
            "uscc": party.uscc,
            "home_province": party.home_province,
        }
    if as_json:
        emit_json(result)
    else:
        typer.echo(f"party {result['id']} registered: {result['name']}")


@parties_app.command("list")
def parties_list(as_json: JsonFlag = False) -> None:
    """List registered organisations."""
    from certgov.parties import services as registry

    with work(readonly=True) as (session, _ctx):
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind.value,
                "uscc": p.uscc,
                "home_province": p.home_province,
                "country": p.country,
            }
            for p in registry.list_parties(session)
        ]
    if as_json:
        emit_json(rows)
        return
    table = Table("id", "name", "kind", "USCC", "province")
    for r in rows:
        table.add_row(
            str(r["id"]),
            str(r["name"]),
            str(r["kind"]),
            str(r["uscc"] or ""),
            str(r["home_province"] or ""),
        )
    out.print(table)


# --- users and tokens -----------------------------------------------------------------------


def _grant(role: str, jurisdiction: str, party: int | None) -> Any:
    from certgov.actors import Role
    from certgov.identity.services import Grant

    try:
        return Grant(Role(role), jurisdiction, party)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}: one of {', '.join(Role)}") from None


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[
        str,
        typer.Option(
            help="national_regulator, provincial_regulator, certification_body, testing_agency, ca_operator, app_operator."
        ),
    ],
    jurisdiction: Annotated[
        str, typer.Option(help="'national' or a province code (provincial regulators).")
    ] = "national",
    party: Annotated[
        int | None, typer.Option(help="Party id (testing agencies, CA and app operators).")
    ] = None,
    display_name: Annotated[str, typer.Option(help="Full name.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a person's account; the password is asked for (or read from stdin)."""
    from certgov.identity import services as identity

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with work() as (session, ctx):
        user = identity.create_user(
            session,
            ctx.audit,
            by=CLI_ACTOR,
            username=username,
            display_name=display_name or username,
            password=password,
            grant=_grant(role, jurisdiction, party),
        )
        user_id = user.id
    typer.echo(f"user {username} created (id {user_id}, role {role})")


@users_app.command("list")
def users_list(as_json: JsonFlag = False) -> None:
    """List accounts (never their passwords)."""
    from certgov.identity import services as identity

    with work(readonly=True) as (session, _ctx):
        rows = [
            {
                "id": u.id,
                "username": u.username,
                "role": u.role.value,
                "jurisdiction": u.jurisdiction,
                "party_id": u.party_id,
                "active": u.active,
            }
            for u in identity.list_users(session)
        ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['id']:>4}  {r['username']:<24} {r['role']:<22} {r['jurisdiction']:<9} party={r['party_id']}"
        )


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Option(help="What uses the token, e.g. 'CA issuance system'.")],
    role: Annotated[
        str, typer.Option(help="Role of the client, e.g. ca_operator, testing_agency.")
    ],
    party: Annotated[int | None, typer.Option(help="Party the client acts for.")] = None,
    jurisdiction: Annotated[str, typer.Option(help="'national' or a province code.")] = "national",
    days: Annotated[int | None, typer.Option(help="Expire after this many days.")] = None,
) -> None:
    """Issue an API token. It is printed once; only its hash is stored."""
    from certgov.identity import services as identity

    with work() as (session, ctx):
        expires = ctx.clock.now() + dt.timedelta(days=days) if days else None
        secret, token = identity.create_token(
            session,
            ctx.audit,
            by=CLI_ACTOR,
            name=name,
            grant=_grant(role, jurisdiction, party),
            expires_at=expires,
        )
        token_id = token.id
    typer.echo(f"token {token_id} for {name!r} (store it now; it is not shown again):", err=True)
    typer.echo(secret)


@tokens_app.command("list")
def tokens_list(as_json: JsonFlag = False) -> None:
    """List tokens (prefix, role, party, expiry, revocation)."""
    from certgov.identity import services as identity

    with work(readonly=True) as (session, _ctx):
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "role": t.role.value,
                "party_id": t.party_id,
                "expires_at": t.expires_at,
                "revoked_at": t.revoked_at,
            }
            for t in identity.list_tokens(session)
        ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        state = "revoked" if r["revoked_at"] else "active"
        typer.echo(
            f"{r['id']:>4}  {r['prefix']}…  {r['role']:<20} party={r['party_id']}  {state}  {r['name']}"
        )


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token at once."""
    from certgov.identity import services as identity

    with work() as (session, ctx):
        identity.revoke_token(session, ctx.audit, token_id, by=CLI_ACTOR)
    typer.echo(f"token {token_id} revoked")
