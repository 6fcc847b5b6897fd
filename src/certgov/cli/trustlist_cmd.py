"""``certgov trustlist …``: our signed ETSI TS 119 612 list (SYS-4), offline verification of
any list against a pinned certificate, and import of a foreign list (ECS-8.2); ``certgov
recognition list`` (ECS-8.2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from certgov.cli.common import CLI_ACTOR, EXIT_REFUSED, JsonFlag, emit_json, handled, work
from certgov.errors import InvalidInput
from certgov.recognition.schemas import import_out, recognition_out
from certgov.trustlist import TrustListSignatureError, fingerprint, load_certificate

trustlist_app = typer.Typer(
    help="Trusted lists, ETSI TS 119 612 (SYS-4, ECS-8.2).", no_args_is_help=True
)
recognition_app = typer.Typer(help="Recognised foreign CAs (ECS-8).", no_args_is_help=True)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


@trustlist_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="Where to write the signed list.")],
    signer_out: Annotated[
        Path | None, typer.Option("--signer-out", help="Also write the signer certificate (PEM).")
    ] = None,
) -> None:
    """Write our trusted list (licensed and recognised CAs), signed (XAdES enveloped)."""
    from certgov.publication import trusted_list as publication

    with work(readonly=True) as (session, ctx):
        document = publication.export_trust_list(session, ctx)
        signer_pem = publication.signer(ctx).certificate_pem
    with handled():
        try:
            out.write_bytes(document)
            if signer_out is not None:
                signer_out.write_bytes(signer_pem)
        except OSError as exc:
            raise InvalidInput(f"cannot write {exc.filename}: {exc.strerror}") from None
    typer.echo(f"wrote {out} ({len(document)} bytes)")


@trustlist_app.command("signer")
def signer() -> None:
    """Print the certificate that signs our list (PEM), to pin it."""
    from certgov.cli.common import context
    from certgov.publication import trusted_list as publication

    with handled():
        typer.echo(publication.signer(context()).certificate_pem.decode().rstrip())


@trustlist_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="A signed TS 119 612 list (XML).")],
    cert: Annotated[Path, typer.Option("--cert", help="The pinned signer certificate (PEM/DER).")],
    at: Annotated[
        str | None, typer.Option(help="Check the signer's validity at this ISO 8601 time.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Verify a list's signature against a pinned certificate, offline (no database). Exit 0
    when it verifies, 1 when the signature does not, 2 when the input cannot be read."""
    from certgov.trustlist import verify_trusted_list

    with handled():
        when = None
        if at is not None:
            try:
                when = dt.datetime.fromisoformat(at)
            except ValueError:
                raise InvalidInput(f"--at must be an ISO 8601 time, not {at!r}") from None
            if when.tzinfo is None:
                raise InvalidInput("--at needs an offset, e.g. 2025-09-25T10:00:00+08:00")
        data, pinned = _read(file), _read(cert)
        try:
            verified = verify_trusted_list(data, pinned, at=when)
        except TrustListSignatureError as exc:
            if as_json:
                emit_json({"valid": False, "reason": exc.message})
            else:
                typer.echo(f"NOT VALID: {exc.message}")
            raise typer.Exit(EXIT_REFUSED) from None
    content = verified.content
    if as_json:
        emit_json(
            {
                "valid": True,
                "signer_sha256": verified.signer_sha256,
                "signed_at": verified.signed_at.isoformat() if verified.signed_at else None,
                "xades": verified.xades,
                "document_sha256": verified.document_sha256,
                "list": content.as_dict(),
            }
        )
        return
    typer.echo(
        f"valid: signed by {verified.signer_sha256[:16]}… "
        f"({'XAdES' if verified.xades else 'XML-DSig'}); {content.territory} list "
        f"#{content.sequence_number} of {content.scheme_operator}, issued "
        f"{content.issued_at.isoformat()}, {len(content.providers)} provider(s), "
        f"{len(content.services)} service(s)"
    )


@trustlist_app.command("import")
def import_list(
    file: Annotated[Path, typer.Argument(help="The foreign scheme's signed list (XML).")],
    cert: Annotated[Path, typer.Option("--cert", help="The pinned signer certificate (PEM/DER).")],
    scheme: Annotated[
        str | None, typer.Option(help="Scheme code (default: the list's SchemeTerritory).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import a foreign list verified against ``--cert``. A scheme without pinned signers gets
    ``--cert`` pinned (the operator vouches for it); otherwise ``--cert`` must be pinned."""
    from certgov.recognition import trusted_lists as lists
    from certgov.recognition.models import TrustListScheme
    from certgov.trustlist import parse_trusted_list

    with work() as (session, ctx):
        data, pinned_bytes = _read(file), _read(cert)
        pinned = load_certificate(pinned_bytes)
        code = scheme or parse_trusted_list(data).territory
        from sqlalchemy import select

        existing = session.scalar(
            select(TrustListScheme).where(TrustListScheme.code == lists.scheme_code(code))
        )
        pins = lists.pinned_certificates(session, existing) if existing is not None else []
        sha = fingerprint(pinned)
        if not pins:
            lists.pin_certificate(session, ctx, CLI_ACTOR, code, pinned_bytes)
            typer.echo(f"pinned {sha[:16]}… for scheme {lists.scheme_code(code)}", err=True)
        elif sha not in {p.sha256 for p in pins}:
            raise InvalidInput(
                f"{cert} is not pinned for scheme {lists.scheme_code(code)}",
                hint="pin it first through POST /api/v1/trust-lists/schemes/{code}/signers",
            )
        imported = lists.import_list(session, ctx, CLI_ACTOR, code, data, signer_sha256=sha)
        out = {
            **import_out(imported.trusted_list, lists.scheme_code(code)),
            "created": imported.created,
        }
    if as_json:
        emit_json(out)
        return
    verb = "imported" if out["created"] else "already imported"
    typer.echo(
        f"{verb}: {out['territory']} list #{out['sequence_number']} ({out['services']} "
        f"service(s)), signature verified with {out['signature']['signer_sha256'][:16]}…"
    )


@recognition_app.command("list")
def list_recognitions(
    status: Annotated[str | None, typer.Option(help="in_force, withdrawn or expired")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Recognised foreign CAs with scope and validity (ECS-8.2)."""
    from certgov.recognition import services as recognition

    with work(readonly=True) as (session, _ctx):
        items = [
            recognition_out(session, r)
            for r in recognition.list_recognitions(session, status=status)
        ]
    if as_json:
        emit_json(items)
        return
    for item in items:
        typer.echo(
            f"{item['number']}  {item['status']:<9}  {item['foreign_ca']['name']} "
            f"({item['foreign_ca']['country']})  until {item['valid_until']}  "
            f"types: {', '.join(item['scope']['certificate_types'])}"
        )
