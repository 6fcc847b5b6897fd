"""``certgov complaints …`` (ECS-5), ``certgov enforcement …`` (ECS-6) and
``certgov credit …`` (ECS-7): the same service functions as the API."""

from __future__ import annotations

from typing import Annotated

import typer

from certgov.cli.common import JsonFlag, emit_json, work

complaints_app = typer.Typer(help="Complaints and reports (ECS-5).", no_args_is_help=True)
enforcement_app = typer.Typer(help="Violations and penalties (ECS-6).", no_args_is_help=True)
credit_app = typer.Typer(help="Credit records and restrictions (ECS-7).", no_args_is_help=True)


@complaints_app.command("show")
def show_complaint(
    code: Annotated[str, typer.Argument(help="The tracking code given when filing.")],
    as_json: JsonFlag = False,
) -> None:
    """The public status of a complaint by its tracking code (exit 1 when unknown)."""
    from certgov.complaints.services import public_status

    with work(readonly=True) as (session, _ctx):
        status = public_status(session, code)
    if as_json:
        emit_json(status)
        return
    typer.echo(f"{status['subject']}: {status['status_text']}")
    typer.echo(f"  received {status['received_on']}, handled by {status['handled_by']['name']}")
    for name, due in status["due"].items():
        typer.echo(f"  {name} due by {due}")


@enforcement_app.command("violations")
def violations(
    rule_set: Annotated[str | None, typer.Option(help="Rule set id (default: in force).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The violation catalogue: legal basis, outcomes and fine range of each violation."""
    from certgov.enforcement import catalogue
    from certgov.enforcement.services import ecs_rules
    from certgov.errors import NotFound

    with work(readonly=True) as (session, ctx):
        if rule_set is not None and rule_set not in ctx.rule_sets:
            raise NotFound(f"no rule set {rule_set!r}")
        chosen = ctx.rule_sets[rule_set] if rule_set else ecs_rules(session, ctx)
        entries = catalogue.catalogue_out(chosen)
    if as_json:
        emit_json({"rule_set": chosen.id, "violations": entries})
        return
    typer.echo(f"rule set {chosen.id}")
    for entry in entries:
        fine = entry.get("fine_range", {}).get("value")
        rng = f"{fine['low']:,}–{fine['high']:,} CNY" if fine else "no fine"
        gains = " (1–3 × illegal gains at or above the threshold)" if "gains_rule" in entry else ""
        typer.echo(f"  {entry['id']:<32} {rng}{gains}  [{entry['basis']}]")
        typer.echo(f"  {'':<32} outcomes: {', '.join(entry['outcomes'])}")


@credit_app.command("show")
def show_credit(
    party: Annotated[int, typer.Argument(help="The CA's party id.")],
    as_json: JsonFlag = False,
) -> None:
    """A CA's credit record: weighted penalties and findings, standing, restrictions."""
    from certgov.clock import china_date
    from certgov.credit.services import credit_record
    from certgov.enforcement.services import ecs_rules
    from certgov.parties.services import get_ca

    with work(readonly=True) as (session, ctx):
        record = credit_record(
            session, ecs_rules(session, ctx), get_ca(session, party), china_date(ctx.clock.now())
        )
    if as_json:
        emit_json(record)
        return
    typer.echo(f"{record['party']['name']}: {record['standing']} (score {record['score']})")
    for ban in record["restrictions"]:
        typer.echo(f"  barred from {', '.join(ban['restricts'])} until {ban['until']}")
