"""``certgov ecs …``: electronic certification services — scope, licence readiness, the
registry of licensed CAs and record retention."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from certgov.cli.common import EXIT_REFUSED, JsonFlag, emit_json, work
from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs import assess, evaluate, parse_activity, parse_application
from certgov.ecs.retention import retention_dates
from certgov.errors import InvalidInput
from certgov.pki import parse_bundle
from certgov.publication.registry import ca_registry
from certgov.rulebook import services as rulebook
from certgov.rules.model import Regime, RuleSet

ecs_app = typer.Typer(help="Electronic certification services (ECS-1 to ECS-3).")

RuleSetOption = Annotated[
    str | None,
    typer.Option(help="Rule set to judge under (default: the one in force on --on)."),
]
OnOption = Annotated[
    str | None, typer.Option(metavar="YYYY-MM-DD", help="Date (default: today, China time).")
]


def read_json_stdin(what: str) -> Any:
    try:
        return json.loads(sys.stdin.buffer.read(4 * 1024 * 1024 + 1))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"the {what} on standard input is not JSON: {exc}") from exc


def choose_rule_set(
    session: Session, ctx: Context, rule_set_id: str | None, on: str | None
) -> RuleSet:
    """The named ECS rule set, else the one in force on the date (default: today)."""
    try:
        day = dt.date.fromisoformat(on) if on else china_date(ctx.clock.now())
    except ValueError:
        raise InvalidInput(f"--on must be a date YYYY-MM-DD, not {on!r}") from None
    return rulebook.named_or_in_force(session, ctx.rule_sets, Regime.ECS, rule_set_id, day)


@ecs_app.command("applicability")
def applicability(
    rule_set: RuleSetOption = None, on: OnOption = None, as_json: JsonFlag = False
) -> None:
    """Is an activity (JSON on stdin) a regulated electronic certification service? (ECS-1.1)

    Exit 0 when regulated, 1 when not, 2 on invalid input.
    """
    with work(readonly=True) as (session, ctx):
        activity = parse_activity(read_json_stdin("activity"))
        result = assess(activity, choose_rule_set(session, ctx, rule_set, on))
    if as_json:
        emit_json(result.as_dict())
    else:
        typer.echo("regulated" if result.regulated else "not regulated")
        for reason in result.reasons:
            typer.echo(f"- {reason}")
    if not result.regulated:
        raise typer.Exit(EXIT_REFUSED)


@ecs_app.command("readiness")
def readiness(
    rule_set: RuleSetOption = None, on: OnOption = None, as_json: JsonFlag = False
) -> None:
    """Check a licence application (JSON on stdin) item by item against a rule set (ECS-2.1).

    E.g. ``--rule-set measures-2024-draft`` while the 2015 Measures are in force. Exit 0 when
    no item is unmet, 1 otherwise, 2 on invalid input.
    """
    with work(readonly=True) as (session, ctx):
        application = parse_application(read_json_stdin("application"))
        result = evaluate(application, choose_rule_set(session, ctx, rule_set, on))
    if as_json:
        emit_json(result.as_dict())
    else:
        body = result.as_dict()
        typer.echo(f"{'ready' if result.ready else 'not ready'} under {body['rule_set']}")
        for item in body["items"]:
            typer.echo(f"{item['status']:<13} {item['title']}: {item['reason']}")
    if not result.ready:
        raise typer.Exit(EXIT_REFUSED)


@ecs_app.command("registry")
def registry(
    status: Annotated[
        str | None, typer.Option(help="Only CAs whose licence has this status (e.g. valid).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """The public registry of licensed CAs: licence and status history, practice statement,
    operating provinces and outlets, open conduct findings (SYS-4, ECS-2.3, ECS-3)."""
    with work(readonly=True) as (session, ctx):
        entries = ca_registry(session, ctx, licence_status=status)
    if as_json:
        emit_json(entries)
        return
    if not entries:
        typer.echo("no licensed CA")
    for entry in entries:
        licence = entry["licences"][-1]
        typer.echo(
            f"{licence['number']}  {licence['status']:<9} until {licence['valid_until']}  "
            f"{entry['name']} ({entry['home_province']})"
        )
        if entry["provinces_without_outlet"]:
            typer.echo(f"    no outlet in: {', '.join(entry['provinces_without_outlet'])}")
        for finding in entry["findings"]:
            typer.echo(f"    finding {finding['requirement']}: {finding['title']}")


@ecs_app.command("retention")
def retention(
    files: Annotated[list[Path], typer.Argument(help="PEM, DER or PKCS #7 files.")],
    rule_set: RuleSetOption = None,
    on: OnOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Until when each certificate's records must be kept (ECS-3.6: 5 years after expiry)."""
    results: list[dict[str, Any]] = []
    with work(readonly=True) as (session, ctx):
        chosen = choose_rule_set(session, ctx, rule_set, on)
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
            try:
                certificates = parse_bundle(data)
            except InvalidInput as exc:
                raise InvalidInput(f"{path}: {exc.message}", hint=exc.hint) from None
            results.extend(
                {"file": str(path), **r.as_dict()} for r in retention_dates(certificates, chosen)
            )
    if as_json:
        emit_json(results)
        return
    for r in results:
        typer.echo(
            f"{r['retain_until']}  (expires {r['expires_on']})  {r['subject']}  [{r['file']}]"
        )
