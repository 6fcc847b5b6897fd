"""Shared CLI plumbing: turning certgov errors into messages and exit codes, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from certgov.actors import SYSTEM_ACTOR, Actor
from certgov.bootstrap import build_context
from certgov.context import Context
from certgov.errors import CertgovError, InvalidInput
from certgov.store.engine import unit_of_work

T = TypeVar("T")

#: The `--json` flag of every query command.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
#: Rich output for tables.
out = Console()

#: Exit codes: 0 success, 1 refused / not found / negative answer, 2 invalid input.
EXIT_REFUSED = 1
EXIT_INVALID = 2


def fail(error: CertgovError) -> NoReturn:
    typer.echo(f"error: {error.message}", err=True)
    if error.hint:
        typer.echo(f"hint: {error.hint}", err=True)
    raise typer.Exit(EXIT_INVALID if isinstance(error, InvalidInput) else EXIT_REFUSED)


@contextmanager
def handled() -> Iterator[None]:
    """Report certgov errors as one clear line (never a traceback) with the right exit code."""
    try:
        yield
    except CertgovError as error:
        fail(error)


@lru_cache(maxsize=1)
def context() -> Context:
    return build_context()


@contextmanager
def work(readonly: bool = False) -> Iterator[tuple[Session, Context]]:
    """A unit of work for one command."""
    with handled():
        ctx = context()
        with unit_of_work(ctx.sessions, readonly=readonly) as session:
            yield session, ctx


#: The CLI runs with the machine operator's authority: it acts as the system.
CLI_ACTOR: Actor = SYSTEM_ACTOR


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def run(fn: Callable[[], T]) -> T:
    with handled():
        return fn()
