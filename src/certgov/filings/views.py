"""Filings as JSON-ready dictionaries, for the API and the CLI."""

from __future__ import annotations

from typing import Any

from certgov.filings import services as filings
from certgov.filings.models import FiledCertificate


def filed_out(row: FiledCertificate) -> dict[str, Any]:
    return {
        "id": row.id,
        "filing_id": row.filing_id,
        "party_id": row.party_id,
        "role": row.role,
        "sha256": row.sha256,
        "subject": row.subject,
        "issuer": row.issuer,
        "serial": row.serial,
        "not_before": row.not_before.isoformat(),
        "not_after": row.not_after.isoformat(),
        "key": row.key,
        "signature_algorithm": row.signature_algorithm,
        "crl_urls": row.crl_urls,
        "ocsp_urls": row.ocsp_urls,
        "log_index": row.log_index,
        "filed_at": row.filed_at.isoformat(),
        "late": row.late,
    }


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
