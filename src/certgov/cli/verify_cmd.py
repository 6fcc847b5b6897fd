"""``certgov verify-document``: a relying party validates a signed document against the
registry (SYS-5 "or signed data")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from certgov.cli.common import EXIT_REFUSED, JsonFlag, context, emit_json, run
from certgov.errors import InvalidInput


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


def _time(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"--at must be an ISO 8601 time, not {text!r}", hint="e.g. 2026-01-05T10:00:00+08:00"
        ) from None
    if when.tzinfo is None:
        raise InvalidInput(
            f"--at needs its offset: {text!r}", hint="e.g. 2026-01-05T10:00:00+08:00"
        )
    return when


def verify_document(
    file: Annotated[Path, typer.Argument(help="The signed PDF, or CMS / PKCS #7 (.p7s, .p7m).")],
    content: Annotated[
        Path | None, typer.Option("--content", help="The signed content of a detached .p7s.")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Validation time, ISO 8601 with offset (default: now)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the reasons: en or zh.")] = "en",
    signed: Annotated[
        bool, typer.Option("--signed", help="With --json: add the platform's signature.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Validate every signature of a signed document against the registry: filed CA
    certificate, licence (or recognition) and revocation at the signing time (SYS-5).
    Exit 0 when TOTAL_PASSED, 1 otherwise (FAILED or INDETERMINATE), 2 on invalid input."""
    import hashlib

    from certgov.docsig import explain, report_json, sign_report
    from certgov.verification import documents

    def work() -> tuple[dict[str, object], dict[str, object]]:
        ctx = context()
        report = documents.validate_signed_document(
            ctx, _read(file), _read(content) if content else None, _time(at)
        )
        answer: dict[str, object] = {"report": report.as_dict(), "explanation": explain(report)}
        if signed:
            signer = documents.report_signer(ctx)
            canonical = report_json(report)
            answer["signature"] = {
                "line": sign_report(canonical, signer),
                "key_name": signer.name,
                "verifier_key": signer.verifier_key(),
                "signed_sha256": hashlib.sha256(canonical).hexdigest(),
            }
        return answer, explain(report)

    answer, explained = run(work)
    if as_json:
        emit_json(answer)
    else:
        language = "zh" if lang == "zh" else "en"
        label = explained["label"]
        assert isinstance(label, dict)
        sub = explained["sub_indication"]
        typer.echo(f"{explained['indication']}{f' / {sub}' if sub else ''} ({label[language]})")
        signatures = explained["signatures"]
        reasons = explained["reasons"]
        assert isinstance(signatures, list) and isinstance(reasons, list)
        for signature in signatures:
            sub = signature["sub_indication"]
            typer.echo(
                f"  {signature['id']}: {signature['indication']}{f' / {sub}' if sub else ''}"
            )
        for reason in reasons:
            where = f"{reason['signature']}: " if reason["signature"] else ""
            typer.echo(f"  - {where}{reason[language]}")
    if explained["indication"] != "TOTAL_PASSED":
        raise typer.Exit(EXIT_REFUSED)
