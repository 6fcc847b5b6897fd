"""``certgov tlog …`` and ``certgov audit …``: transparency logs and the audit trail (SYS-3)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from certgov.cli.common import EXIT_REFUSED, JsonFlag, context, emit_json, handled, out, work
from certgov.errors import ConfigurationError, InvalidInput, NotFound
from certgov.logs.audit import AUDIT_LOG, parse_audit_entry
from certgov.logs.sequencer import sequence_pending
from certgov.logs.store import BUILTIN_LOGS, b64, check_log_name
from certgov.tlog import merkle
from certgov.tlog.archive import ArchiveError, verify_archive
from certgov.tlog.checkpoint import Checkpoint, open_checkpoint
from certgov.tlog.note import Verifier, parse_note
from certgov.tlog.tiles import TileCoord, TileHashReader

tlog_app = typer.Typer(help="Transparency logs: append, checkpoints, proofs, keys.")
audit_app = typer.Typer(help="The audit log (SYS-3): export and offline verification.")

#: File an export writes beside the archive: the log's public verifier key.
KEY_FILE = "verifier-key"


@tlog_app.command("list")
def tlog_list(as_json: JsonFlag = False) -> None:
    """The logs, their sizes, roots and queued entries."""
    with work(readonly=True) as (session, ctx):
        pending = ctx.logs.pending(session)
        rows = [
            {
                "name": row.name,
                "origin": row.origin,
                "size": row.size,
                "root_hash": b64(row.root_hash),
                "queued": pending.get(row.name, 0),
                "public_entries": row.public_entries,
                "verifier_key": row.verifier_key,
            }
            for row in ctx.logs.list(session)
        ]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        typer.echo("no logs yet (filings and audit are created on first use)")
    for row in rows:
        typer.echo(
            f"{row['name']:<12} size {row['size']:>10}  queued {row['queued']:>6}  "
            f"{row['origin']}  root {row['root_hash']}"
        )


@tlog_app.command("create")
def tlog_create(
    name: str,
    private: Annotated[
        bool, typer.Option("--private", help="Only the national regulator reads entries.")
    ] = False,
) -> None:
    """Create a new, empty log (``filings`` and ``audit`` exist without this)."""
    with work() as (session, ctx):
        row = ctx.logs.create(session, name, ctx.clock.now(), public_entries=not private)
        origin, key = row.origin, row.verifier_key
    typer.echo(f"log {name} created: origin {origin}")
    typer.echo(key)


@tlog_app.command("key")
def tlog_key(
    log: Annotated[str | None, typer.Argument(help="One log; default: every log.")] = None,
) -> None:
    """Print the public verifier key (signed-note ``name+keyid+base64``) of each log.

    A built-in log's key is created on first use, here included; it stays in the data
    directory (``CERTGOV_LOG_KEY_DIR``) and must be backed up.
    """
    with work() as (session, ctx):
        names = (
            [log] if log else sorted(set(BUILTIN_LOGS) | {r.name for r in ctx.logs.list(session)})
        )
        keys = []
        for name in names:
            check_log_name(name)
            row = ctx.logs.ensure(session, name, ctx.clock.now())
            signer = ctx.logs.keys.signer(name, row.origin)
            if signer.verifier_key() != row.verifier_key:
                raise ConfigurationError(
                    f"the key file of log {name!r} is not the key of its checkpoints",
                    hint=f"restore {ctx.logs.keys.path_of(name)}",
                )
            keys.append(row.verifier_key)
    for key in keys:
        typer.echo(key)


def _read_entries(files: list[Path], lines: bool) -> list[bytes]:
    entries: list[bytes] = []
    for path in files:
        try:
            data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}") from exc
        if lines:
            entries.extend(line for line in data.split(b"\n") if line)
        else:
            entries.append(data)
    return entries


@tlog_app.command("append")
def tlog_append(
    log: str,
    files: Annotated[list[Path], typer.Argument(help="One entry per file ('-' for stdin).")],
    lines: Annotated[
        bool, typer.Option("--lines", help="Each non-empty line of each file is one entry.")
    ] = False,
    batch: Annotated[
        int, typer.Option(min=1, max=100_000, help="Entries per durable transaction.")
    ] = 5_000,
    as_json: JsonFlag = False,
) -> None:
    """Append entries (tests, bulk loads); prints each batch's indices once it is durable."""
    with handled():
        check_log_name(log)
        entries = _read_entries(files, lines)
        if not entries:
            raise InvalidInput("nothing to append")
    first: int | None = None
    result = None
    for start in range(0, len(entries), batch):
        with work() as (session, ctx):
            result = ctx.logs.sequence(
                session, log, ctx.clock.now(), entries[start : start + batch]
            )
        # Printed only after the commit: an index shown here is durable.
        first = result.first_index if first is None else first
        if not as_json:
            last = result.first_index + result.appended - 1
            typer.echo(f"{result.first_index}..{last} durable, size {result.size}", nl=True)
            sys.stdout.flush()
    assert result is not None and first is not None
    if as_json:
        emit_json(
            {
                "log": log,
                "first_index": first,
                "count": len(entries),
                "size": result.size,
                "root_hash": b64(result.root_hash),
                "checkpoint": result.checkpoint,
            }
        )


@tlog_app.command("sequence")
def tlog_sequence() -> None:
    """Sequence every queued entry now (the worker does this on each pass)."""
    with handled():
        ctx = context()
        done = sequence_pending(ctx.sessions, ctx.logs, ctx.clock)
    typer.echo(", ".join(f"{n}: {c}" for n, c in done.items()) or "nothing queued")


@tlog_app.command("checkpoint")
def tlog_checkpoint(
    log: str,
    size: Annotated[int | None, typer.Option(help="A past checkpoint of this size.")] = None,
) -> None:
    """Print the log's latest signed checkpoint (or the one it published at ``--size``)."""
    with work(readonly=True) as (session, ctx):
        check_log_name(log)
        row = ctx.logs.get(session, log)
        note = (
            ctx.logs.latest_checkpoint(session, row)
            if size is None
            else ctx.logs.checkpoint_at(session, row, size)
        )
    sys.stdout.write(note)


@tlog_app.command("prove")
def tlog_prove(
    log: str,
    index: int,
    size: Annotated[int | None, typer.Option(help="Tree size (default: the latest).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Inclusion proof of entry INDEX, checked here before it is printed."""
    with work(readonly=True) as (session, ctx):
        check_log_name(log)
        row = ctx.logs.get(session, log)
        proof = ctx.logs.inclusion(session, row, index, size)
        data = ctx.logs.entry(session, row, index)
    with handled():
        merkle.verify_inclusion(
            merkle.leaf_hash(data), proof.index, proof.size, proof.hashes, proof.root_hash
        )
    body = proof.as_dict()
    if as_json:
        emit_json(body)
        return
    typer.echo(f"entry {index} of {log} is in the tree of size {proof.size}")
    typer.echo(f"leaf hash  {body['leaf_hash']}")
    typer.echo(f"root hash  {body['root_hash']}")
    for number, node in enumerate(body["hashes"]):
        typer.echo(f"proof[{number:2d}] {node}")


def _verifiers(keys: list[str]) -> list[Verifier]:
    verifiers = []
    for key in keys:
        text = key
        if os.path.exists(key):
            try:
                text = Path(key).read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise InvalidInput(f"cannot read the key file {key}: {exc}") from exc
        verifiers.append(Verifier.from_vkey(text))
    return verifiers


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the {what} {path}: {exc}") from exc


@tlog_app.command("verify-consistency")
def tlog_verify_consistency(
    old: Annotated[Path, typer.Argument(help="A checkpoint you kept (signed note file).")],
    new: Annotated[Path, typer.Argument(help="A later checkpoint of the same log.")],
    key: Annotated[
        list[str] | None,
        typer.Option(help="Verifier key (or a file holding it); default: the log's own."),
    ] = None,
    tiles: Annotated[
        Path | None,
        typer.Option(help="Read the proof from an exported log directory (no database)."),
    ] = None,
) -> None:
    """Prove the log only grew from OLD to NEW (RFC 9162 consistency proof)."""
    with handled():
        old_text, new_text = _read_text(old, "checkpoint"), _read_text(new, "checkpoint")
        origin = Checkpoint.parse(parse_note(new_text).text).origin
        if key:
            verifiers = _verifiers(key)
        else:
            with work(readonly=True) as (session, ctx):
                rows = [r for r in ctx.logs.list(session) if r.origin == origin]
                if not rows:
                    raise NotFound(f"this installation has no log with origin {origin!r}")
                verifiers = [Verifier.from_vkey(rows[0].verifier_key)]
        first, _ = open_checkpoint(old_text, verifiers, origin=origin)
        second, _ = open_checkpoint(new_text, verifiers, origin=origin)
        if first.size > second.size:
            raise InvalidInput(
                f"OLD has {first.size} entries and NEW {second.size}: give the older one first"
            )
        if tiles is not None:
            directory = tiles

            def read_tile(coord: TileCoord) -> bytes:
                # The export holds each tile at the export's size: a wider one serves too.
                full = TileCoord(coord.level, coord.index)
                wider = [directory / coord.path(), directory / full.path()]
                partials = directory / (full.path() + ".p")
                if partials.is_dir():
                    wider += sorted(partials.iterdir())
                for path in wider:
                    try:
                        data = path.read_bytes()
                    except OSError:
                        continue
                    if len(data) >= coord.byte_length:
                        return data[: coord.byte_length]
                raise NotFound(f"the export has no {coord.path()} (nor a wider copy)")

            reader = TileHashReader(second.size, read_tile)
            proof = merkle.consistency_proof(first.size, second.size, reader) if first.size else []
        else:
            with work(readonly=True) as (session, ctx):
                name = next(r.name for r in ctx.logs.list(session) if r.origin == origin)
                row = ctx.logs.get(session, name)
                proof = (
                    ctx.logs.consistency(session, row, first.size, second.size).hashes
                    if first.size
                    else []
                )
        if first.size == 0:
            if first.root_hash != merkle.EMPTY_ROOT:
                raise InvalidInput("OLD claims size 0 but not the empty tree's root")
        else:
            merkle.verify_consistency(
                first.size, second.size, first.root_hash, second.root_hash, proof
            )
    typer.echo(
        f"consistent: {origin} grew from {first.size} to {second.size} entries "
        f"({len(proof)} proof hashes)"
    )


# -- audit ----------------------------------------------------------------------------------


@audit_app.command("export")
def audit_export(
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write (created).")],
    log: Annotated[str, typer.Option(help="Which log.")] = AUDIT_LOG,
    force: Annotated[bool, typer.Option(help="Overwrite an earlier export there.")] = False,
) -> None:
    """Write the log as C2SP tiles, entry bundles, its checkpoint and its verifier key."""
    with handled():
        check_log_name(log)
        if (out_dir / "checkpoint").exists() and not force:
            raise InvalidInput(
                f"{out_dir} holds an export already", hint="use --force or another directory"
            )
    files = 0
    with work(readonly=True) as (session, ctx):
        row = ctx.logs.get(session, log)
        key = row.verifier_key
        checkpoint_text = ""
        try:
            for path, data in ctx.logs.archive(session, row):
                target = out_dir / path
                target.parent.mkdir(parents=True, exist_ok=True)
                if path == "checkpoint":  # written last: a reader never sees a newer head
                    checkpoint_text = data.decode("utf-8")
                    continue
                target.write_bytes(data)
                files += 1
            (out_dir / KEY_FILE).write_text(key + "\n", encoding="utf-8")
            (out_dir / "checkpoint").write_text(checkpoint_text, encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot write the export to {out_dir}: {exc.strerror}") from exc
    size = Checkpoint.parse(parse_note(checkpoint_text).text).size
    typer.echo(f"exported {log}: {size} entries in {files} files to {out_dir}")
    typer.echo(f"verifier key: {key}")


@audit_app.command("verify")
def audit_verify(
    directory: Annotated[Path, typer.Argument(help="An export (see `certgov audit export`).")],
    key: Annotated[
        list[str] | None,
        typer.Option(help="The verifier key you trust (or a file holding it)."),
    ] = None,
    origin: Annotated[str | None, typer.Option(help="Require this log origin.")] = None,
    raw: Annotated[
        bool, typer.Option("--raw", help="Entries are not audit records (any log).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Verify an exported log offline (no database): every entry, tile and the checkpoint.

    Names the first entry, tile or checkpoint that does not match. Without ``--key`` the key
    is read from the export itself, which proves integrity, not who signed it.
    """

    def read(path: str) -> bytes | None:
        target = directory / path
        try:
            return target.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise InvalidInput(f"cannot read {target}: {exc.strerror}") from exc

    def check_entry(_index: int, data: bytes) -> None:
        parse_audit_entry(data)

    with handled():
        if not directory.is_dir():
            raise InvalidInput(f"{directory} is not a directory")
        if key:
            verifiers = _verifiers(key)
        else:
            key_file = directory / KEY_FILE
            if not key_file.exists():
                raise InvalidInput("give --key: the export has no verifier-key file")
            typer.echo(
                "note: using the key inside the export; pass --key to check who signed it",
                err=True,
            )
            verifiers = _verifiers([str(key_file)])
        try:
            report = verify_archive(
                read, verifiers, origin=origin, check_entry=None if raw else check_entry
            )
        except ArchiveError as error:
            # A negative answer (exit 1), not invalid input: the export was read and is wrong.
            if as_json:
                emit_json({"valid": False, "place": error.place, **error.as_dict()})
            else:
                typer.echo(f"NOT VALID at {error.place}", err=True)
                typer.echo(f"error: {error.message}", err=True)
            raise typer.Exit(EXIT_REFUSED) from error
    result: dict[str, Any] = {
        "valid": True,
        "origin": report.checkpoint.origin,
        "size": report.checkpoint.size,
        "root_hash": b64(report.checkpoint.root_hash),
        "entries": report.entries,
        "tiles": report.tiles,
        "signed_by": report.signed_by,
    }
    if as_json:
        emit_json(result)
        return
    out.print(
        f"valid: {result['origin']}, {result['entries']} entries and {result['tiles']} tiles "
        f"match the checkpoint (root {result['root_hash']}) signed by "
        f"{', '.join(report.signed_by)}"
    )
