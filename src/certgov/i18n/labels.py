"""Words for the codes records carry (statuses, roles, kinds), so that no page shows a raw
code: ``label("licence_status", "suspended", "zh")`` is ``已暂停``. Every value of the enums
below has a label; a test checks it."""

from __future__ import annotations

from certgov.i18n import N_, translate

LABELS: dict[str, dict[str, str]] = {
    "licence_status": {
        "valid": N_("Valid"),
        "suspended": N_("Suspended"),
        "revoked": N_("Revoked"),
        "expired": N_("Expired"),
        "withdrawn": N_("Withdrawn"),
    },
    "certification_status": {
        "valid": N_("Valid — may be used"),
        "suspended": N_("Suspended — may not be used"),
        "revoked": N_("Revoked — may not be used"),
        "expired": N_("Expired — may not be used"),
    },
    "recognition_status": {
        "in_force": N_("In force"),
        "withdrawn": N_("Withdrawn"),
        "expired": N_("Expired"),
    },
    "clock_status": {
        "running": N_("Running"),
        "paused": N_("Paused"),
        "met": N_("Met in time"),
        "expired": N_("Overdue"),
    },
    "finding_status": {"open": N_("Open"), "closed": N_("Closed")},
    "severity": {
        "critical": N_("Critical"),
        "high": N_("High"),
        "medium": N_("Medium"),
        "low": N_("Low"),
        "info": N_("For information"),
    },
    "evaluation": {
        "met": N_("Met"),
        "not_met": N_("Not met"),
        "needs_review": N_("Needs a reviewer's judgement"),
    },
    "role": {
        "national_regulator": N_("National regulator"),
        "provincial_regulator": N_("Provincial regulator"),
        "certification_body": N_("Certification body"),
        "testing_agency": N_("Testing agency"),
        "ca_operator": N_("Electronic certification service provider"),
        "app_operator": N_("App operator"),
        "public": N_("The public"),
        "system": N_("The system"),
    },
    "party_kind": {
        "ca": N_("Electronic certification service provider"),
        "app_operator": N_("App operator"),
        "testing_agency": N_("Testing agency"),
        "foreign_ca": N_("Foreign certification authority"),
        "certification_body": N_("Certification body"),
        "regulator": N_("Regulator"),
    },
    "check_result": {
        "conforms": N_("Conforms"),
        "deficient": N_("Deficient"),
        "not_applicable": N_("Not applicable"),
    },
    "deficiency_status": {
        "open": N_("Open"),
        "remedy_submitted": N_("Remedy submitted"),
        "remedied": N_("Remedied"),
    },
    "analysis_status": {
        "queued": N_("Queued"),
        "running": N_("Analysing"),
        "done": N_("Done"),
        "failed": N_("Failed"),
    },
    # What kind of refusal an error is, for a page that cannot yet say more in the reader's
    # language (the domain's messages are English; a page shows them as the detail).
    "error": {
        "invalid_input": N_("The input was not accepted"),
        "prohibited": N_("The law does not allow this"),
        "not_found": N_("Not found"),
        "unauthenticated": N_("Please log in"),
        "forbidden": N_("You may not do this"),
        "conflict": N_("This conflicts with the current state of the record"),
        "guard_failed": N_("The conditions for this step are not met"),
        "too_many_requests": N_("Too many requests: please wait and try again"),
        "filing_refused": N_("The filing was refused"),
        "configuration_error": N_("The system is not configured for this"),
        "error": N_("The request could not be completed"),
    },
    "lint_severity": {
        "fatal": N_("Fatal"),
        "error": N_("Error"),
        "warning": N_("Warning"),
        "notice": N_("Notice"),
        "info": N_("For information"),
        "debug": N_("Debug"),
    },
}


def label(kind: str, code: object, lang: str) -> str:
    """The words for ``code`` of ``kind`` in ``lang``; an unknown code is named as such (a
    test keeps that from happening for the known enums)."""
    words = LABELS.get(kind, {}).get(str(code))
    if words is None:
        return translate(lang, "unknown ({code})").format(code=code)
    return translate(lang, words)
