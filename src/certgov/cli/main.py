"""The ``certgov`` command line (Typer)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from certgov.cli import calendar_cmd
from certgov.cli.common import (
    CLI_ACTOR,
    EXIT_INVALID,
    EXIT_REFUSED,
    context,
    emit_json,
    handled,
    run,
    work,
)
from certgov.errors import InvalidInput, NotFound

app = typer.Typer(
    help="certgov: supervision of electronic certification services and app security certification.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
parties_app = typer.Typer(help="Parties (organisations) and their codes.", no_args_is_help=True)
users_app = typer.Typer(help="People who log in (SYS-6).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens of machine clients (SYS-6).", no_args_is_help=True)
rules_app = typer.Typer(
    help="Rule sets and requirement traceability (SYS-2).", no_args_is_help=True
)
cases_app = typer.Typer(help="Cases and process definitions (SYS-1).", no_args_is_help=True)
demo_app = typer.Typer(help="Demonstration data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(parties_app, name="parties")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(rules_app, name="rules")
app.add_typer(calendar_cmd.app, name="calendar")
app.add_typer(cases_app, name="cases")
app.add_typer(demo_app, name="demo")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
out = Console()


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
    from certgov.registry.uscc import check_uscc as check

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
    from certgov.registry import services as registry
    from certgov.registry.models import PartyKind

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
    from certgov.registry import services as registry

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
    from certgov.identity.roles import Role
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
            ctx.clock,
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
            ctx.clock,
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
        identity.revoke_token(session, ctx.clock, token_id)
    typer.echo(f"token {token_id} revoked")


# --- rules ----------------------------------------------------------------------------------


@rules_app.command("list")
def rules_list(as_json: JsonFlag = False) -> None:
    """Every rule set, its status and when it is in force."""
    from certgov.rulebook import services as rulebook
    from certgov.rules.selection import effective_window

    with work(readonly=True) as (session, ctx):
        activations = rulebook.activations(session)
        rows: list[dict[str, Any]] = []
        for rule_set_id in sorted(ctx.rule_sets):
            rs = ctx.rule_sets[rule_set_id]
            start, until = effective_window(ctx.rule_sets, activations, rule_set_id)
            rows.append(
                {
                    "id": rs.id,
                    "regime": str(rs.regime),
                    "status": str(rs.status),
                    "title": rs.title,
                    "in_force_from": start.isoformat() if start else None,
                    "in_force_until": until.isoformat() if until else None,
                    "activated": rule_set_id in activations,
                    "assumed_parameters": len(rs.assumed_parameters()),
                }
            )
    if as_json:
        emit_json(rows)
        return
    table = Table("id", "regime", "status", "in force", "assumed", "title")
    for r in rows:
        window = (
            "never (not activated)"
            if r["in_force_from"] is None
            else f"{r['in_force_from']} – {r['in_force_until'] or ''}"
        )
        table.add_row(
            r["id"],
            r["regime"],
            r["status"] + (" (activated)" if r["activated"] else ""),
            window,
            str(r["assumed_parameters"]),
            r["title"],
        )
    out.print(table)


@rules_app.command("show")
def rules_show(rule_set_id: str, as_json: JsonFlag = False) -> None:
    """Every parameter of a rule set with its source; assumptions marked."""
    ctx = run(context)
    if rule_set_id not in ctx.rule_sets:
        with handled():
            raise NotFound(f"no rule set {rule_set_id!r}", hint="see `certgov rules list`")
    rs = ctx.rule_sets[rule_set_id]
    if as_json:
        emit_json(rs.as_dict())
        return
    out.print(f"[bold]{rs.id}[/bold] — {rs.title} ({rs.status}, regime {rs.regime})")
    out.print(f"source: {rs.source}")
    table = Table("parameter", "value", "source", "assumed")
    for key, p in rs.parameters.items():
        value = p.as_dict()["value"]
        table.add_row(
            key,
            json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value,
            p.source,
            "yes: " + (p.note or "") if p.assumed else "",
        )
    out.print(table)


@rules_app.command("activate")
def rules_activate(
    rule_set_id: str,
    start: Annotated[str, typer.Option("--from", metavar="YYYY-MM-DD", help="First day in force.")],
    reason: Annotated[str, typer.Option(help="Why (e.g. the promulgation order).")] = "",
) -> None:
    """Put a rule set in force from a date (e.g. the 2024 draft once promulgated)."""
    from certgov.rulebook import services as rulebook

    with work() as (session, ctx):
        try:
            effective = dt.date.fromisoformat(start)
        except ValueError:
            raise InvalidInput(f"--from must be a date YYYY-MM-DD, not {start!r}") from None
        rulebook.activate(
            session, ctx.clock, ctx.rule_sets, CLI_ACTOR, rule_set_id, effective, reason
        )
    typer.echo(f"{rule_set_id} is in force from {start}")


@rules_app.command("in-force")
def rules_in_force(
    regime: Annotated[str, typer.Option(help="ecs or app.")],
    on: Annotated[str, typer.Option(metavar="YYYY-MM-DD", help="The date.")],
) -> None:
    """Which rule set of a regime is in force on a date."""
    from certgov.rulebook import services as rulebook
    from certgov.rules.model import Regime

    with work(readonly=True) as (session, ctx):
        try:
            day = dt.date.fromisoformat(on)
            regime_value = Regime(regime)
        except ValueError:
            raise InvalidInput("give --regime ecs|app and --on YYYY-MM-DD") from None
        typer.echo(rulebook.in_force(session, ctx.rule_sets, regime_value, day).id)


@rules_app.command("trace")
def rules_trace(
    as_json: JsonFlag = False,
    root: Annotated[Path, typer.Option(help="Repository root to scan.")] = Path("."),
    catalogue: Annotated[
        Path | None, typer.Option(help="REGULATIONS.md (default: found beside the repository).")
    ] = None,
) -> None:
    """For every requirement ID of REGULATIONS.md, the code and tests that implement it."""
    from certgov.rules import trace

    def build() -> Any:
        path = catalogue or trace.find_catalogue(root.resolve())
        requirements = trace.parse_catalogue(path.read_text(encoding="utf-8"))
        return trace.scan(root.resolve(), requirements)

    report = run(build)
    if as_json:
        emit_json(report.as_dict())
    else:
        typer.echo(report.render_text())


# --- cases ----------------------------------------------------------------------------------


@cases_app.command("processes")
def cases_processes(as_json: JsonFlag = False) -> None:
    """The process definitions cases follow."""
    ctx = run(context)
    rows = [
        {"id": p.id, "title": p.title, "regime": p.regime, "requirements": list(p.requirements)}
        for p in sorted(ctx.processes.values(), key=lambda p: p.id)
    ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['id']:<28} {r['regime']:<4} {r['title']}")


@cases_app.command("diagram")
def cases_diagram(
    process_id: str,
    output: Annotated[Path | None, typer.Option("--out", help="Write the SVG here.")] = None,
) -> None:
    """Render a process as an SVG diagram."""
    from certgov.cases.services import process_of
    from certgov.workflow.diagram import render_svg

    ctx = run(context)
    svg = render_svg(run(lambda: process_of(ctx, process_id)))
    if output is None:
        sys.stdout.write(svg + "\n")
    else:
        output.write_text(svg, encoding="utf-8")
        typer.echo(f"wrote {output}")


@cases_app.command("list")
def cases_list(
    open_only: Annotated[bool, typer.Option("--open")] = False, as_json: JsonFlag = False
) -> None:
    """List cases."""
    from certgov.cases import services as cases

    with work(readonly=True) as (session, ctx):
        rows = [
            {
                "id": c.id,
                "process": c.process_id,
                "state": c.state,
                "version": c.version,
                "jurisdiction": c.jurisdiction,
                "title": c.title,
            }
            for c in cases.list_cases(session, ctx, CLI_ACTOR, open_only=open_only, limit=500)
        ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['id']:>6}  {r['process']:<26} {r['state']:<20} v{r['version']}  {r['title']}"
        )


# --- worker, serve, demo --------------------------------------------------------------------


@app.command("worker")
def worker(
    once: Annotated[bool, typer.Option("--once", help="Run one sweep and exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between sweeps.")] = 60.0,
    as_json: JsonFlag = False,
) -> None:
    """Run the background jobs: the deadline sweep (and, later, monitors)."""
    from certgov.worker import run_forever, run_once

    ctx = run(context)
    if once:
        report = run(lambda: run_once(ctx))
        if as_json:
            emit_json(report.as_dict())
        else:
            typer.echo(
                f"sweep: {report.expired} deadline(s) passed, {report.findings_opened} finding(s) "
                f"opened, {report.transitions} automatic transition(s)"
            )
        return
    run(lambda: run_forever(ctx, interval))


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    worker_interval: Annotated[
        float, typer.Option(help="Seconds between in-process sweeps; 0 disables the worker.")
    ] = 60.0,
) -> None:
    """Serve the API and the web console, with the worker in-process."""
    import uvicorn

    from certgov.api.app import create_app
    from certgov.worker import BackgroundWorker

    ctx = run(context)
    background = BackgroundWorker(ctx, worker_interval) if worker_interval > 0 else None
    if background:
        background.start()
    try:
        uvicorn.run(create_app(ctx), host=host, port=port, log_level="info")
    finally:
        if background:
            background.stop()


@demo_app.command("load")
def demo_load(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only when no party exists yet.")
    ] = False,
) -> None:
    """Load demonstration parties, users and cases; print the logins."""
    from certgov.demo import load_demo

    with work() as (session, ctx):
        summary = load_demo(session, ctx, only_if_empty=if_empty)
    typer.echo(summary)


def main() -> None:
    """Entry point: a user never sees a traceback unless CERTGOV_DEBUG is set."""
    import os

    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        raise SystemExit(130) from None
    except Exception as exc:
        if os.environ.get("CERTGOV_DEBUG"):
            raise
        typer.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "this is a defect in certgov; run again with CERTGOV_DEBUG=1 and report the output",
            err=True,
        )
        raise SystemExit(70) from None


__all__ = ["EXIT_INVALID", "app", "main"]
