"""`certgov cases`: process definitions, diagrams and case listings (SYS-1)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from certgov.cli.common import (
    CLI_ACTOR,
    JsonFlag,
    context,
    emit_json,
    run,
    work,
)

cases_app = typer.Typer(help="Cases and process definitions (SYS-1).", no_args_is_help=True)


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


@cases_app.command("show")
def cases_show(case_id: int, as_json: JsonFlag = False) -> None:
    """One case: its data, deadlines and history."""
    from certgov.cases import services as cases
    from certgov.cases.schemas import case_detail, event_out

    with work(readonly=True) as (session, ctx):
        case = cases.get_case(session, ctx, CLI_ACTOR, case_id)
        body = case_detail(session, ctx, CLI_ACTOR, case)
        body["history"] = [event_out(e) for e in cases.history(session, case)]
    if as_json:
        emit_json(body)
        return
    typer.echo(f"case {body['id']} {body['process_id']} {body['state']}: {body['title']}")
    for deadline in body["deadlines"]:
        typer.echo(f"  deadline {deadline['name']} {deadline['status']} due {deadline['due_on']}")
    for event in body["history"]:
        what = event["transition"] or event["kind"]
        typer.echo(f"  {event['at']}  {event['actor']['name']:<24} {what}")
