"""`certgov rules`: rule sets, their activation and requirement traceability (SYS-2)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from certgov.cli.common import (
    CLI_ACTOR,
    JsonFlag,
    context,
    emit_json,
    handled,
    out,
    run,
    work,
)
from certgov.errors import InvalidInput, NotFound

rules_app = typer.Typer(
    help="Rule sets and requirement traceability (SYS-2).", no_args_is_help=True
)


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
            session, ctx.audit, ctx.rule_sets, CLI_ACTOR, rule_set_id, effective, reason
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
