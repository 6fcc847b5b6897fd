"""``certgov app …``: app security certification (APP-1 to APP-10) — verify a certification by
number, the certified apps, an application unit, an operator's eligibility, the checklist, and
the registry of testing agencies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from certgov.appcert import agencies, certifications, records, schemas
from certgov.appcert.base import rules_on, today
from certgov.appcert.checklist import checklist as checklist_of
from certgov.cli.appscan_cmd import scan
from certgov.cli.common import CLI_ACTOR, EXIT_REFUSED, JsonFlag, emit_json, work
from certgov.errors import InvalidInput

app_app = typer.Typer(help="App security certification (APP-1 to APP-10).", no_args_is_help=True)
app_app.command("scan")(scan)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option} must be a date YYYY-MM-DD, not {value!r}") from None


@app_app.command("verify")
def verify(
    number: Annotated[str, typer.Argument(help="Certificate number, e.g. CCRC-AS-2025-000001.")],
    as_json: JsonFlag = False,
) -> None:
    """Verify a certification by its number: status, what it means for the certificate and the
    mark, history (APP-9, APP-10). Exit 0 when it may be used, 1 when not or unknown."""
    with work(readonly=True) as (session, ctx):
        body = schemas.certification_out(session, ctx, certifications.get(session, number))
    if as_json:
        emit_json(body)
    else:
        typer.echo(f"{body['number']}: {body['statement']}")
        typer.echo(
            f"  {body['app_name']} ({body['operating_system']}, {body['version_line']}) — "
            f"{body['holder']['name']}"
        )
        typer.echo(f"  valid {body['valid_from']} to {body['valid_until']}; scope: {body['scope']}")
        for event in body["history"]:
            reason = f": {event['reason']}" if event["reason"] else ""
            typer.echo(f"  {event['at'][:10]} {event['kind']} ({event['actor']['role']}){reason}")
    if not body["usable"]:
        raise typer.Exit(EXIT_REFUSED)


@app_app.command("list")
def list_certifications(
    status: Annotated[
        str | None, typer.Option(help="Only this status (valid, suspended, …).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Certified apps and their status (APP-9)."""
    with work(readonly=True) as (session, ctx):
        found = [
            schemas.certification_out(session, ctx, cert, history=False)
            for cert in certifications.list_certifications(session, status=status)
        ]
    if as_json:
        emit_json(found)
        return
    if not found:
        typer.echo("no certification")
    for cert in found:
        typer.echo(
            f"{cert['number']}  {cert['status']:<9} until {cert['valid_until']}  "
            f"{cert['app_name']} ({cert['operating_system']}, {cert['version_line']}) — "
            f"{cert['holder']['name']}"
        )


@app_app.command("show")
def show(
    case_id: Annotated[int, typer.Argument(help="The application unit's case id.")],
    as_json: JsonFlag = False,
) -> None:
    """An application unit: documents, eligibility, checklist results, deficiencies, decision."""
    with work(readonly=True) as (session, ctx):
        body = schemas.application_view(session, ctx, CLI_ACTOR, case_id)
    if as_json:
        emit_json(body)
        return
    case = body["case"]
    typer.echo(f"case {case['id']}: {case['title']} — {case['state']}")
    typer.echo(f"  documents: {', '.join(d['kind'] for d in body['documents'])}")
    for bar in body["eligibility"]["bars"]:
        typer.echo(f"  barred: {bar['reason']}")
    for deficiency in body["deficiencies"]:
        typer.echo(
            f"  deficiency #{deficiency['id']} {deficiency['item']} ({deficiency['status']}, due "
            f"{deficiency['due_on']}): {deficiency['description']}"
        )
    if body["decision"]:
        decision = body["decision"]
        typer.echo(
            f"  decision: {decision['outcome']} on {decision['decided_on']}"
            + (f", received {decision['received_on']}" if decision["received_on"] else "")
        )
    if body["certification"]:
        typer.echo(f"  certification: {body['certification']}")


@app_app.command("eligibility")
def eligibility(
    party: Annotated[int, typer.Argument(help="The app operator's party id.")],
    on: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD", help="Application date.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Would the operator's application be barred, and why (APP-2)? Exit 1 when barred."""
    with work(readonly=True) as (session, ctx):
        result = records.eligibility_of(session, ctx, CLI_ACTOR, party, _date(on, "--on"))
    if as_json:
        emit_json(result.as_dict())
    else:
        typer.echo(
            f"{'eligible' if result.eligible else 'barred'} on {result.on} ({result.rule_set})"
        )
        for reason in result.reasons:
            typer.echo(f"- {reason}")
    if not result.eligible:
        raise typer.Exit(EXIT_REFUSED)


@app_app.command("checklist")
def checklist(
    on: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Date (default: today).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """The checklist of the technical verification and on-site review (APP-3, APP-4)."""
    with work(readonly=True) as (session, ctx):
        rule_set = rules_on(session, ctx, _date(on, "--on") or today(ctx))
        items = [i.as_dict() for i in checklist_of(rule_set)]
    if as_json:
        emit_json({"rule_set": rule_set.id, "items": items})
        return
    for item in items:
        typer.echo(f"{item['code']:<11} {item['title']}")


@app_app.command("agencies")
def list_agencies(as_json: JsonFlag = False) -> None:
    """The testing agencies appointed by the certification body (APP-3)."""
    with work(readonly=True) as (session, _ctx):
        found = [schemas.agency_out(row, party) for row, party in agencies.agencies(session)]
    if as_json:
        emit_json(found)
        return
    if not found:
        typer.echo("no testing agency appointed")
    for agency in found:
        typer.echo(
            f"{agency['party_id']:>4}  {agency['status']:<9} since {agency['appointed_on']}  "
            f"{agency['name']}"
        )


@app_app.command("appoint")
def appoint(
    party: Annotated[int, typer.Argument(help="The testing agency's party id.")],
    note: Annotated[str | None, typer.Option(help="Scope or basis of the appointment.")] = None,
) -> None:
    """Appoint a testing agency (as the system, for the operator of the installation)."""
    body: dict[str, object] = {"party_id": party}
    if note:
        body["note"] = note
    with work() as (session, ctx):
        row = agencies.appoint(session, ctx, CLI_ACTOR, body)
        typer.echo(f"party {row.party_id} appointed on {row.appointed_on.isoformat()}")
