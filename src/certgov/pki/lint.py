"""Standards lints of certificates with pkilint (ECS-3.4): RFC 5280 profile checks.

:func:`lint_certificate` runs `pkilint <https://github.com/digicert/pkilint>`_'s RFC 5280
certificate profile (the validators its ``lint_pkix_cert`` command composes: names, validity,
extensions, subject public key, serial number, version, unique identifiers, signature
algorithm match) on one DER certificate, plus pkilint's empty-name check on the subject of a
CA certificate (RFC 5280 §4.1.2.6: a CA's subject MUST be a non-empty name; pkilint's RFC 5280
profile checks only the issuer, since an end-entity may have an empty subject). The CA/Browser
Forum profiles (TLS Baseline Requirements, S/MIME) and the ETSI ones are not applied: they
govern publicly trusted Web PKI and EU qualified certificates, not every Chinese CA
certificate.

pkilint works on the ASN.1 structure, so SM2 certificates (GM/T 0015) are linted like any
other; a certificate pkilint cannot decode at all gives a report that says so
(``linted=False`` and the ``reason``), never an exception. Pure: no I/O, no clock.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pkilint import loader  # type: ignore[import-untyped]
from pkilint.pkix import certificate, extension, name  # type: ignore[import-untyped]

__all__ = ["LINTER", "PROFILE", "LintFinding", "LintReport", "LintSeverity", "lint_certificate"]

# pkilint logs each validator that fails with an exception (reported as a finding too); without
# this, a process that configures no logging would print those tracebacks on stderr.
logging.getLogger("pkilint").addHandler(logging.NullHandler())


def _linter() -> str:
    try:
        return f"pkilint {version('pkilint')}"
    except PackageNotFoundError:  # pragma: no cover - installed as a dependency
        return "pkilint"


#: The linter and its version, as recorded with each report (e.g. ``pkilint 0.13.3``).
LINTER = _linter()
#: The profile :func:`lint_certificate` applies.
PROFILE = "rfc5280"


class LintSeverity(StrEnum):
    """pkilint's finding severities, most severe first (``ValidationFindingSeverity``)."""

    #: A violation so severe that a validator cannot proceed (e.g. an undecodable extension).
    FATAL = "fatal"
    #: A clear violation of the standard (a "MUST").
    ERROR = "error"
    #: A clear violation of best practice (a "SHOULD").
    WARNING = "warning"
    #: Something to be noted, not a violation.
    NOTICE = "notice"
    #: Informative, not indicative of any problem.
    INFO = "info"
    #: Solely useful for debugging.
    DEBUG = "debug"

    @property
    def rank(self) -> int:
        """0 for ``fatal`` to 5 for ``debug``: lower is more severe."""
        return _RANKS[self]


_RANKS = {severity: rank for rank, severity in enumerate(LintSeverity)}


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One pkilint finding: its code (e.g. ``pkix.ca_certificate_no_ku_extension``), severity,
    message (often none: the code says it), the node of the certificate it is about (e.g.
    ``certificate.tbsCertificate.extensions``) and the validator that raised it."""

    code: str
    severity: LintSeverity
    message: str | None
    path: str
    validator: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
            "validator": self.validator,
        }


@dataclass(frozen=True, slots=True)
class LintReport:
    """The lint of one certificate. ``linted`` is False when pkilint could not decode the
    certificate at all; ``reason`` then says why and there are no findings."""

    linter: str
    profile: str
    linted: bool
    findings: tuple[LintFinding, ...] = ()
    reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def at_least(self, severity: LintSeverity) -> tuple[LintFinding, ...]:
        """The findings of ``severity`` or more severe."""
        return tuple(f for f in self.findings if f.severity.rank <= severity.rank)

    def as_dict(self) -> dict[str, Any]:
        return {
            "linter": self.linter,
            "profile": self.profile,
            "linted": self.linted,
            "reason": self.reason,
            "counts": dict(self.counts),
            "findings": [f.as_dict() for f in self.findings],
        }


@cache
def _validator() -> Any:
    """pkilint's RFC 5280 certificate profile (as its ``lint_pkix_cert`` builds it) with the
    CA subject check; validators hold no per-document state, so one serves every call."""
    ca_subject_not_empty = name.EmptyNameValidator(predicate=_in_ca_certificate)
    return certificate.create_pkix_certificate_validator_container(
        certificate.create_decoding_validators(
            name.ATTRIBUTE_TYPE_MAPPINGS, extension.EXTENSION_MAPPINGS
        ),
        [
            certificate.create_issuer_validator_container([]),
            certificate.create_validity_validator_container(),
            certificate.create_subject_validator_container([ca_subject_not_empty]),
            certificate.create_extensions_validator_container([]),
            certificate.create_spki_validator_container([]),
        ],
    )


def _in_ca_certificate(node: Any) -> bool:
    return bool(node.document.is_ca)


def _not_linted(reason: str) -> LintReport:
    zero = {severity.value: 0 for severity in LintSeverity}
    return LintReport(LINTER, PROFILE, linted=False, reason=reason[:1000], counts=zero)


def lint_certificate(der: bytes) -> LintReport:
    """Lint the DER certificate ``der`` with pkilint's RFC 5280 profile (module docstring).

    Never raises: bytes pkilint cannot decode as a certificate (not DER, not a Certificate,
    trailing data) give a report with ``linted=False`` and the reason; a validator that fails
    on odd content is a ``fatal`` finding (pkilint's ``base.unhandled_exception``). Findings
    are ordered most severe first, then by node path and code."""
    if not isinstance(der, bytes | bytearray | memoryview):
        return _not_linted(f"not bytes but {type(der).__name__}")
    data = bytes(der)
    try:
        document = loader.load_der_certificate(data, "certificate")
    except Exception as exc:  # pkilint's and pyasn1's decoding errors are of many types
        return _not_linted(f"pkilint cannot decode the certificate: {_describe(exc)}")
    try:
        findings = [
            LintFinding(
                code=str(description.finding.code),
                severity=LintSeverity(description.finding.severity.name.lower()),
                message=None if description.message is None else str(description.message),
                path=str(result.node.path),
                validator=str(result.validator),
            )
            for result in _validator().validate(document.root)
            for description in result.finding_descriptions
        ]
    except Exception as exc:  # a validator container failing outside its own guard
        return _not_linted(f"pkilint failed on the certificate: {_describe(exc)}")
    findings.sort(key=lambda f: (f.severity.rank, f.path, f.code))
    counts = Counter(f.severity.value for f in findings)
    return LintReport(
        LINTER,
        PROFILE,
        linted=True,
        findings=tuple(findings),
        counts={severity.value: counts.get(severity.value, 0) for severity in LintSeverity},
    )


def _describe(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:300] + "…"
