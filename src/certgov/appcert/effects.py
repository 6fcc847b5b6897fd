"""The scheme's transition effects by the names its processes use (SYS-1), and its worker job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from certgov.appcert import applications, certifications, compliance, technical_verification
from certgov.context import Context

if TYPE_CHECKING:
    from certgov.cases.hooks import CaseEffect


def case_effects() -> dict[str, CaseEffect]:
    """The scheme's transition effects by the names its process files use."""
    return {
        "check_app_application": applications.check_application_effect,
        "record_app_sample": applications.record_sample_effect,
        "record_app_decision": applications.record_decision_effect,
        "verify_complaint_record": applications.verify_complaint_effect,
        "conclude_app_stage": technical_verification.conclude_stage_effect,
        "check_no_overdue_deficiency": technical_verification.check_no_overdue_effect,
        "issue_app_certification": certifications.issue_effect,
        "suspend_app_certification": certifications.suspend_effect,
        "reinstate_app_certification": certifications.reinstate_effect,
        "revoke_app_certification": certifications.revoke_effect,
        "record_self_assessment": compliance.record_self_assessment_effect,
    }


@dataclass(frozen=True)
class AppSweep:
    suspended_cases: list[int]
    expired_certifications: list[str]
    failures: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "suspended_cases": self.suspended_cases,
            "expired_certifications": self.expired_certifications,
            "failures": self.failures,
        }


def sweep(session: Session, ctx: Context) -> AppSweep:
    """Worker job: suspend processes with a deficiency past its deadline (APP-3, APP-4) and
    expire certifications past their validity (APP-5). Suspensions that end unremedied are the
    case engine's sweep (their deadline's ``lapse`` transition, APP-10)."""
    deficiencies = technical_verification.sweep_deficiencies(session, ctx)
    expired = certifications.sweep_certifications(session, ctx)
    return AppSweep(deficiencies.suspended, expired.expired, deficiencies.failures)
