"""Cross-border recognition (ECS-8): applications naming a foreign CA and its certificates
(ECS-8.1), technical review and the decision recording scope and validity, withdrawal
(ECS-8.2), and the evidence relying-party verification (SYS-5) cites for a chain that leads to a
recognised foreign CA certificate.

Every function is one use case inside the caller's unit of work; none commits."""

from __future__ import annotations

from certgov.recognition.records import certificates_of, history
from certgov.recognition.services.applications import (
    Application,
    application_case,
    application_view,
    parse_application,
    parse_scope,
    review_again,
    submit_application,
)
from certgov.recognition.services.common import MAX_CERTIFICATES, PROCESS, REVIEW_STATES
from certgov.recognition.services.decisions import (
    StatusAt,
    get_recognition,
    grant_recognition,
    list_recognitions,
    name_hash,
    status_at,
    sweep_recognitions,
    withdraw_recognition,
)
from certgov.recognition.services.evidence import recognition_evidence

__all__ = [
    "MAX_CERTIFICATES",
    "PROCESS",
    "REVIEW_STATES",
    "Application",
    "StatusAt",
    "application_case",
    "application_view",
    "certificates_of",
    "get_recognition",
    "grant_recognition",
    "history",
    "list_recognitions",
    "name_hash",
    "parse_application",
    "parse_scope",
    "recognition_evidence",
    "review_again",
    "status_at",
    "submit_application",
    "sweep_recognitions",
    "withdraw_recognition",
]
