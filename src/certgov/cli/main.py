"""The ``certgov`` command line (Typer)."""

from __future__ import annotations

from typing import Annotated

import typer

from certgov.cli import calendar_cmd
from certgov.cli.admin import db_app, parties_app, tokens_app, users_app
from certgov.cli.app_cmd import app_app
from certgov.cli.cases_cmd import cases_app
from certgov.cli.common import (
    EXIT_INVALID,
    JsonFlag,
    context,
    emit_json,
    run,
    work,
)
from certgov.cli.ecs_cmd import ecs_app
from certgov.cli.enforcement_cmd import complaints_app, credit_app, enforcement_app
from certgov.cli.filings_cmd import filings_app
from certgov.cli.filings_cmd import verify as verify_command
from certgov.cli.rules_cmd import rules_app
from certgov.cli.tlog_cmd import audit_app, tlog_app
from certgov.cli.trustlist_cmd import recognition_app, trustlist_app
from certgov.cli.verify_cmd import verify_document
from certgov.cli.x509_cmd import x509_app
from certgov.logs.store import BUILTIN_LOGS

app = typer.Typer(
    help="certgov: supervision of electronic certification services and app security certification.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
demo_app = typer.Typer(help="Demonstration data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(parties_app, name="parties")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(rules_app, name="rules")
app.add_typer(calendar_cmd.app, name="calendar")
app.add_typer(cases_app, name="cases")
app.add_typer(ecs_app, name="ecs")
app.add_typer(app_app, name="app")
app.add_typer(x509_app, name="x509")
app.add_typer(filings_app, name="filings")
app.command("verify")(verify_command)
app.command("verify-document")(verify_document)
app.add_typer(tlog_app, name="tlog")
app.add_typer(audit_app, name="audit")
app.add_typer(trustlist_app, name="trustlist")
app.add_typer(recognition_app, name="recognition")
app.add_typer(complaints_app, name="complaints")
app.add_typer(enforcement_app, name="enforcement")
app.add_typer(credit_app, name="credit")
app.add_typer(demo_app, name="demo")


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
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Web server processes (one per core is a good start); the background jobs "
            "run once, in this process.",
        ),
    ] = 1,
) -> None:
    """Serve the API and the web console, with the worker in-process."""
    import uvicorn

    from certgov.asgi import create_app
    from certgov.worker import BackgroundWorker

    ctx = run(context)
    # The built-in logs and their signing keys exist from the first start (SYS-3).
    with work() as (session, _ctx):
        for name in BUILTIN_LOGS:
            ctx.logs.ensure(session, name, ctx.clock.now())
    background = BackgroundWorker(ctx, worker_interval) if worker_interval > 0 else None
    if background:
        background.start()
    if workers > 1:
        from certgov.cli.serving import serve_processes

        # Each process builds its own context from the same settings (environment) and
        # listens on the port itself (SO_REUSEPORT); the jobs run here, once.
        serve_processes(host, port, workers, background.stop if background else lambda: None)
        return
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
