"""``certgov x509 …``: offline X.509 reports — certificate summaries, chain verification, the
algorithm policy of the ECS rule set and standards lints (pkilint, RFC 5280) (issue 5), without
storing anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from certgov.cli.common import EXIT_REFUSED, JsonFlag, emit_json, handled, work
from certgov.clock import CHINA_TZ, china_date
from certgov.errors import InvalidInput, NotFound
from certgov.pki import (
    AlgorithmPolicy,
    Certificate,
    ChainVerifier,
    check_signature,
    parse_bundle,
)
from certgov.rulebook import services as rulebook
from certgov.rules.model import Regime

x509_app = typer.Typer(
    help="X.509 certificates: offline chain and lint reports.", no_args_is_help=True
)

#: Roles of a certificate in a report.
ANCHOR, INTERMEDIATE, TARGET = "anchor", "intermediate", "target"


@dataclass(frozen=True, slots=True)
class Given:
    """A certificate read from a file, and its role in the report."""

    file: str
    certificate: Certificate
    role: str


def parse_at(text: str | None, now: dt.datetime) -> dt.datetime:
    """``--at``: a date (``YYYY-MM-DD``, the start of that day in China) or an ISO 8601 date
    and time (China time unless it has an offset or ``Z``); ``now`` when absent. UTC."""
    if text is None:
        return now.astimezone(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"--at must be a date YYYY-MM-DD or an ISO 8601 date and time, not {text[:60]!r}",
            hint="e.g. --at 2025-09-25 or --at 2025-09-25T10:00:00+08:00",
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_TZ)
    return value.astimezone(dt.UTC)


def read_certificates(path: Path) -> tuple[Certificate, ...]:
    """The certificates of a PEM, DER or PKCS #7 file; :class:`InvalidInput` naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return parse_bundle(data)
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc.message}", hint=exc.hint) from None


def _is_self_signed(certificate: Certificate) -> bool:
    return certificate.summary.is_self_issued and check_signature(certificate, certificate) is None


def classify(
    files: list[tuple[str, Certificate]], anchors: tuple[Certificate, ...] | None
) -> tuple[list[Given], tuple[Certificate, ...]]:
    """Roles of the given certificates (duplicates dropped) and the trust anchors: those of
    ``anchors`` when given, else the self-signed given ones. The targets are the other
    certificates that issue none of the given ones (the leaves), or all of them when each
    issues another; when every given certificate is an anchor, the anchors are the targets."""
    seen: dict[bytes, tuple[str, Certificate]] = {}
    for file, certificate in files:
        seen.setdefault(certificate.der, (file, certificate))
    unique = list(seen.values())
    if anchors is None:
        anchors = tuple(c for _, c in unique if _is_self_signed(c))
    anchor_ders = {c.der for c in anchors}
    others = [c for _, c in unique if c.der not in anchor_ders]
    leaves = {c.der for c in others if not _issues_another(c, others)}
    targets = leaves or {c.der for c in others} or {c.der for _, c in unique}
    given: list[Given] = []
    for file, certificate in unique:
        if certificate.der in targets:
            role = TARGET
        elif certificate.der in anchor_ders:
            role = ANCHOR
        else:
            role = INTERMEDIATE
        given.append(Given(file, certificate, role))
    return given, anchors


def _issues_another(issuer: Certificate, certificates: list[Certificate]) -> bool:
    return any(
        other.der != issuer.der and other.issuer_key == issuer.subject_key for other in certificates
    )


def _reference(certificate: Certificate, files: dict[bytes, str]) -> dict[str, Any]:
    return {
        "subject": certificate.subject,
        "fingerprint_sha256": certificate.fingerprint,
        "file": files.get(certificate.der),
    }


def check_report(
    given: list[Given],
    anchors: tuple[Certificate, ...],
    at: dt.datetime,
    policy: AlgorithmPolicy | None,
    rule_set_id: str | None,
    *,
    lint: bool = True,
) -> dict[str, Any]:
    """The report (JSON-ready): ``certificates`` with their roles and (unless ``lint`` is
    False) each one's pkilint report, one chain per target."""
    files = {item.certificate.der: item.file for item in given}
    verifier = ChainVerifier(
        anchors,
        [item.certificate for item in given],
        policy=policy,
    )
    results = [verifier.verify(item.certificate, at) for item in given if item.role == TARGET]
    anchor_ders = {c.der for c in anchors}
    lints: dict[bytes, dict[str, Any] | None] = {item.certificate.der: None for item in given}
    if lint:
        from certgov.pki.lint import lint_certificate  # pkilint loads only when asked for

        lints = {der: lint_certificate(der).as_dict() for der in lints}
    chains = []
    for result in results:
        chains.append(
            {
                "target": _reference(result.path[0], files),
                "ok": result.ok,
                "anchored": result.anchored,
                "path": [
                    {**_reference(c, files), "anchor": c.der in anchor_ders} for c in result.path
                ],
                "problems": [problem.as_dict() for problem in result.problems],
            }
        )
    report = {
        "at": at.isoformat(),
        "rule_set": rule_set_id,
        "ok": all(result.ok for result in results),
        "anchors": [_reference(c, files) for c in anchors],
        "certificates": [
            {
                "file": item.file,
                "role": item.role,
                **item.certificate.summary.as_dict(),
                "lint": lints[item.certificate.der],
            }
            for item in given
        ],
        "chains": chains,
    }
    return report


@x509_app.command("check")
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help="Certificates: PEM, DER or PKCS #7 files.", metavar="FILE"),
    ],
    at: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Verify at this time: YYYY-MM-DD (start of the day, China time) or an ISO "
            "8601 date and time (China time unless it has an offset). Default: now.",
        ),
    ] = None,
    anchors: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Trust anchors (PEM, DER or PKCS #7). Default: the self-signed certificates "
            "among the FILEs.",
        ),
    ] = None,
    rule_set: Annotated[
        str | None,
        typer.Option(
            "--rule-set",
            metavar="ID",
            help="ECS rule set whose algorithm policy applies (default: the one in force today).",
        ),
    ] = None,
    no_lint: Annotated[
        bool,
        typer.Option("--no-lint", help="Skip the standards lints (pkilint, RFC 5280)."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Offline chain and lint report of certificates (nothing is stored).

    Prints each certificate's summary and its standards lint (pkilint's RFC 5280 profile),
    and a path from each leaf to a trust anchor checked at --at: signatures (SM2 included),
    validity, CA flags, path length, key usage, name constraints and the algorithm policy of
    the rule set.

    Exit 0 when every chain is sound, 1 when any chain problem is found (lint findings are
    reported but do not change the exit status), 2 on invalid input.
    """
    with work(readonly=True) as (session, ctx):
        now = ctx.clock.now()
        moment = parse_at(at, now)
        loaded = [(str(path), c) for path in files for c in read_certificates(path)]
        trusted = read_certificates(anchors) if anchors is not None else None
        try:
            chosen = rulebook.named_or_in_force(
                session, ctx.rule_sets, Regime.ECS, rule_set, china_date(now)
            )
        except NotFound as exc:
            raise InvalidInput(exc.message, hint=exc.hint) from None
        if chosen.regime is not Regime.ECS:
            raise InvalidInput(
                f"rule set {chosen.id!r} belongs to the {chosen.regime} regime, not to ECS",
                hint="see `certgov rules list` for the ECS rule sets",
            )
        policy = AlgorithmPolicy.from_rule_set(chosen)
    with handled():
        given, trust_anchors = classify(loaded, trusted)
        report = check_report(given, trust_anchors, moment, policy, chosen.id, lint=not no_lint)
    if as_json:
        emit_json(report)
    else:
        _print(report)
    if not report["ok"]:
        raise typer.Exit(EXIT_REFUSED)


def _key(summary: dict[str, Any]) -> str:
    algorithm = summary["key_algorithm"]
    if algorithm == "rsa":
        return f"rsa {summary['key_size']} bits"
    if algorithm == "ec":
        return f"ec {summary['curve']} ({summary['key_size']} bits)"
    return str(algorithm)


#: Lint severities listed one by one in the text report; the others are only counted.
_LISTED = ("fatal", "error", "warning", "notice")


def _print_lint(lint: dict[str, Any]) -> None:
    echo = typer.echo
    if not lint["linted"]:
        echo(f"  {'lint':<10} not linted ({lint['linter']}): {lint['reason']}")
        return
    counts = lint["counts"]
    tally = ", ".join(f"{counts[s]} {s}" for s in (*_LISTED, "info") if counts.get(s))
    echo(f"  {'lint':<10} {lint['linter']} {lint['profile']}: {tally or 'no findings'}")
    for finding in lint["findings"]:
        if finding["severity"] in _LISTED:
            said = f": {finding['message']}" if finding["message"] else ""
            echo(f"    - {finding['severity']} {finding['code']} at {finding['path']}{said}")


def _print(report: dict[str, Any]) -> None:
    echo = typer.echo
    echo(f"checked at {report['at']} under rule set {report['rule_set']}")
    for number, cert in enumerate(report["certificates"], start=1):
        echo("")
        echo(f"certificate {number} [{cert['role']}] {cert['subject'] or '(empty subject)'}")
        ca = "no"
        if cert["is_ca"]:
            ca = "yes" + (
                f", pathLen {cert['path_length']}" if cert["path_length"] is not None else ""
            )
        hash_name = f" ({cert['signature_hash']})" if cert["signature_hash"] else ""
        usage = cert["key_usage"]
        rows = [
            ("file", cert["file"]),
            ("issuer", cert["issuer"]),
            ("serial", cert["serial"]),
            ("valid", f"{cert['not_before']} to {cert['not_after']}"),
            ("key", _key(cert)),
            ("signature", f"{cert['signature_algorithm']}{hash_name}"),
            ("CA", ca),
            ("key usage", ", ".join(usage) if usage is not None else "(no extension)"),
            ("sha256", cert["fingerprint_sha256"]),
        ]
        rows += [("CRL", url) for url in cert["crl_urls"]]
        rows += [("OCSP", url) for url in cert["ocsp_urls"]]
        rows += [("warning", warning) for warning in cert["parse_warnings"]]
        for label, value in rows:
            echo(f"  {label:<10} {value}")
        if cert["lint"] is not None:
            _print_lint(cert["lint"])
    for chain in report["chains"]:
        echo("")
        problems = chain["problems"]
        verdict = "ok" if chain["ok"] else f"{len(problems)} problem(s)"
        echo(f"chain of {chain['target']['subject'] or '(empty subject)'}: {verdict}")
        for position, link in enumerate(chain["path"]):
            anchor = "  (trust anchor)" if link["anchor"] else ""
            echo(f"  {position} {link['subject']} sha256 {link['fingerprint_sha256'][:16]}{anchor}")
        for problem in problems:
            echo(f"  - {problem['code']}: {problem['message']}")
    if not report["chains"]:
        echo("no certificate to verify")
