"""Filings as JSON-ready dictionaries, for the API and the CLI."""

from __future__ import annotations

import datetime as dt
from typing import Any

from certgov.filings import services as filings
from certgov.filings.models import CertificateLint, FiledCertificate


def filed_out(row: FiledCertificate | dict[str, Any]) -> dict[str, Any]:
    """A filed certificate: its row, or the columns of a row just inserted."""
    if isinstance(row, dict):
        return {name: _json(row[name]) for name in _FIELDS}
    return {name: _json(getattr(row, name)) for name in _FIELDS}


_FIELDS = (
    "id",
    "filing_id",
    "party_id",
    "role",
    "sha256",
    "subject",
    "issuer",
    "serial",
    "not_before",
    "not_after",
    "key",
    "signature_algorithm",
    "crl_urls",
    "ocsp_urls",
    "log_index",
    "filed_at",
    "late",
)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def receipt_out(receipt: filings.Receipt) -> dict[str, Any]:
    return {
        "filing_id": receipt.filing.id,
        "party_id": receipt.filing.party_id,
        "filed_at": receipt.filing.filed_at.isoformat(),
        "rule_set": receipt.filing.rule_set_id,
        "log": filings.FILINGS_LOG,
        "log_size": receipt.filing.log_size,
        "checkpoint": receipt.filing.checkpoint,
        "certificates": [
            {**filed_out(entry.certificate), "inclusion": entry.inclusion}
            for entry in receipt.entries
        ],
        "already_filed": [filed_out(row) for row in receipt.already_filed],
        "findings": receipt.findings,
    }


def lint_out(lint: CertificateLint | None) -> dict[str, Any] | None:
    """A stored lint, JSON-ready (None: not linted yet)."""
    if lint is None:
        return None
    return {
        "linter": lint.linter,
        "profile": lint.profile,
        "linted_at": lint.linted_at.isoformat(),
        "linted": lint.linted,
        "reason": lint.reason,
        "counts": {
            "fatal": lint.fatal_count,
            "error": lint.error_count,
            "warning": lint.warning_count,
            "notice": lint.notice_count,
            "info": lint.info_count,
        },
        "findings": lint.results,
    }
