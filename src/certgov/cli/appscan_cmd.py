"""``certgov app scan FILE.apk``: the offline analysis of an app sample (APP-11) — what it
collects, where, which SDK does it, and, with ``--declared``, what contradicts the operator's
declared practices, each finding with its GB/T 35273 clause and 2019 Methods item. Nothing is
stored and no database is needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from certgov.appscan import (
    analyse,
    check_declaration,
    declaration_from_dict,
    import_exodus,
    shipped_clause_table,
    shipped_signature_data,
)
from certgov.cli.common import EXIT_REFUSED, JsonFlag, emit_json, handled
from certgov.errors import InvalidInput


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"cannot read {what} {path}: {error.strerror}") from None


def scan(
    apk: Annotated[Path, typer.Argument(help="The APK file (the app sample).")],
    declared: Annotated[
        Path | None,
        typer.Option(help="The operator's declared practices (JSON, see docs/app-analysis.md)."),
    ] = None,
    exodus: Annotated[
        Path | None, typer.Option(help="Also use the trackers of an Exodus-format JSON file.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Analyse an APK offline (APP-11): permissions, SDKs, sensitive-API call sites and their
    owners, collection before consent; with --declared, the findings against the declaration.
    Exit 0 when nothing is found against the declaration, 1 when something is, 2 for a file
    that cannot be analysed."""
    with handled():
        signatures = shipped_signature_data()
        if exodus is not None:
            signatures = signatures.merged(import_exodus(_read(exodus, "tracker file")))
        report = analyse(_read(apk, "APK"), signatures=signatures)
        findings = None
        if declared is not None:
            try:
                body = json.loads(_read(declared, "declaration"))
            except ValueError as error:
                raise InvalidInput(f"{declared} is not JSON: {error}") from None
            table = shipped_clause_table()
            findings = check_declaration(report, declaration_from_dict(body), table)
    if as_json:
        output: dict[str, Any] = {"report": report.as_dict()}
        if findings is not None:
            output["findings"] = [f.as_dict() for f in findings]
        emit_json(output)
    else:
        _print(report.as_dict(), [f.as_dict() for f in findings] if findings is not None else None)
    if findings:
        raise typer.Exit(EXIT_REFUSED)


def _print(report: dict[str, Any], findings: list[dict[str, Any]] | None) -> None:
    manifest = report["manifest"]
    echo = typer.echo
    echo(
        f"{manifest['package']} {manifest['version_name'] or ''} ({manifest['version_code']}), "
        f"SDK {manifest['min_sdk']}–{manifest['target_sdk']}, sha256 {report['apk']['sha256']}"
    )
    for cert in report["certificates"]:
        echo(f"  signed ({cert['scheme']}) by {cert['subject']}, sha256 {cert['sha256'][:16]}…")
    dangerous = [p for p in report["permissions"] if p["protection"] == "dangerous"]
    echo(f"permissions: {len(report['permissions'])}, dangerous: {len(dangerous)}")
    for permission in dangerous:
        echo(f"  {permission['name']} → {', '.join(permission['pi_types']) or '?'}")
    echo(f"SDKs: {len(report['sdks'])}")
    for sdk in report["sdks"]:
        evidence = "; ".join(f"{e['kind']} {e['detail']}" for e in sdk["evidence"][:2])
        echo(f"  {sdk['name']} — {sdk['vendor']} ({evidence})")
    echo(f"sensitive call sites: {len(report['call_sites'])}")
    for site in report["call_sites"]:
        owner = site["attribution"]
        who = owner["sdk"] if owner["owner"] == "sdk" else owner["owner"]
        early = " BEFORE CONSENT" if site["before_consent"] else ""
        echo(
            f"  {site['pi_type']:<14} {site['api']} in {site['caller_class']}."
            f"{site['caller_method']} @{site['offset']} [{who}]{early}"
        )
    for startup in report["sdk_startup"]:
        echo(f"  SDK {startup['sdk']} initialised from {startup['path']['entry']['description']}")
    for note in report["notes"][1:]:
        echo(f"note: {note}")
    if report["clean"]:
        echo("clean: no dangerous permission, sensitive call or known SDK")
    if findings is None:
        return
    echo(f"findings against the declaration: {len(findings)}")
    for finding in findings:
        clause = finding["clause"]
        assumed = ", mapping assumed" if clause["assumed"] else ""
        echo(
            f"- [{finding['kind']}] {finding['message']} "
            f"(GB/T 35273 {clause['gbt35273']}, Methods {clause['methods_item']}{assumed})"
        )
