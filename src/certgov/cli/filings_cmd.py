"""``certgov filings …`` (ECS-3.4) and ``certgov verify`` (SYS-5)."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path
from typing import Annotated

import typer

from certgov.cli.common import CLI_ACTOR, EXIT_REFUSED, JsonFlag, emit_json, work
from certgov.errors import InvalidInput
from certgov.pki import parse_bundle

filings_app = typer.Typer(help="CA certificate filings (ECS-3.4).", no_args_is_help=True)


def read_files(paths: list[Path]) -> bytes:
    """The files' bytes, PEM blocks or DER certificates, joined for one bundle."""
    chunks = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
        if b"-----BEGIN" not in data and len(paths) > 1:
            try:
                certificates = parse_bundle(data)
            except InvalidInput as exc:
                raise InvalidInput(f"{path}: {exc.message}", hint=exc.hint) from None
            data = "".join(ssl.DER_cert_to_PEM_cert(c.der) for c in certificates).encode()
        chunks.append(data if data.endswith(b"\n") else data + b"\n")
    return b"".join(chunks)


@filings_app.command("submit")
def submit(
    files: Annotated[list[Path], typer.Argument(help="CA certificates: PEM, DER or PKCS #7.")],
    ca: Annotated[int, typer.Option("--ca", help="The filing CA's party id.")],
    as_json: JsonFlag = False,
) -> None:
    """File root and subordinate CA certificates for a CA (as the system: for operators who
    load a CA's certificates by hand); prints the receipt."""
    from certgov.filings import services as filings
    from certgov.filings.schemas import receipt_out

    with work() as (session, ctx):
        data = read_files(files)
        receipt = receipt_out(filings.submit_filing(session, ctx, CLI_ACTOR, data, party_id=ca))
    if as_json:
        emit_json(receipt)
        return
    typer.echo(f"filing {receipt['filing_id']} accepted; log size {receipt['log_size']}")
    for entry in receipt["certificates"]:
        late = "  LATE" if entry["late"] else ""
        typer.echo(f"  #{entry['log_index']} {entry['role']:<11} {entry['subject']}{late}")
    for entry in receipt["already_filed"]:
        typer.echo(f"  (already filed) {entry['subject']}")


def verify(
    files: Annotated[list[Path], typer.Argument(help="The chain: target certificate first.")],
    at: Annotated[
        str | None,
        typer.Option(help="Signing time, ISO 8601 with offset (default: now)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Does the chain lead to a filed CA certificate of a CA licensed at that time? (SYS-5)
    Exit 0 when valid, 1 when not, 2 on invalid input."""
    from certgov.verification import chains as verification

    with work(readonly=True) as (session, ctx):
        when = None
        if at is not None:
            try:
                when = dt.datetime.fromisoformat(at)
            except ValueError:
                raise InvalidInput(f"--at must be an ISO 8601 time, not {at!r}") from None
        answer = verification.verify(session, ctx, read_files(files), when)
    if as_json:
        emit_json(answer)
    else:
        typer.echo("valid" if answer["valid"] else "not valid")
        if answer["licence"]:
            licence = answer["licence"]
            typer.echo(f"licence {licence['number']}: {licence['status_at']} at {answer['at']}")
        if answer["filed"]:
            typer.echo(f"filed CA certificate at log index {answer['filed']['inclusion']['index']}")
        for reason in answer["reasons"]:
            typer.echo(f"- {reason}")
    if not answer["valid"]:
        raise typer.Exit(EXIT_REFUSED)
