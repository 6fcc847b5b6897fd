"""Licensing of CAs (ECS-2): applications judged item by item and reviewed (ECS-2.1, 2.2),
licences issued on approval with their status history, renewal, and the ban on transfer
(ECS-2.3), modification cases and business-registration change filings (ECS-2.4).

Every function is one use case inside the caller's unit of work; none commits."""

from __future__ import annotations

from certgov.licensing.services.applications import (
    REVIEW_STATES,
    Submitted,
    application_view,
    review_item,
    submit_application,
)
from certgov.licensing.services.common import MODIFICATION_PROCESS, PROCESS, RENEWAL_PROCESS
from certgov.licensing.services.licences import (
    STATUS_ACTIONS,
    LicenceAt,
    LicenceSweep,
    change_status,
    get_licence,
    issue_licence,
    licence_at,
    licence_history,
    licence_status_at,
    list_licences,
    live_licence,
    open_modification,
    open_renewal,
    record_modification,
    refuse_transfer,
    renew_licence,
    sweep_licences,
)
from certgov.licensing.services.registration import (
    ChangeRecorded,
    record_registration_change,
    registration_changes,
    sweep_registration_changes,
)

__all__ = [
    "MODIFICATION_PROCESS",
    "PROCESS",
    "RENEWAL_PROCESS",
    "REVIEW_STATES",
    "STATUS_ACTIONS",
    "ChangeRecorded",
    "LicenceAt",
    "LicenceSweep",
    "Submitted",
    "application_view",
    "change_status",
    "get_licence",
    "issue_licence",
    "licence_at",
    "licence_history",
    "licence_status_at",
    "list_licences",
    "live_licence",
    "open_modification",
    "open_renewal",
    "record_modification",
    "record_registration_change",
    "refuse_transfer",
    "registration_changes",
    "renew_licence",
    "review_item",
    "submit_application",
    "sweep_licences",
    "sweep_registration_changes",
]
