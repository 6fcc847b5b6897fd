"""The domains' transition effects, by the names process definitions use (SYS-1).

The case engine runs them in a transition's transaction; registering them here, at the
composition root, keeps the engine free of imports from the domains built on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certgov.cases.services import CaseEffect


def case_effects() -> dict[str, CaseEffect]:
    from certgov.appcert.effects import case_effects as appcert_effects
    from certgov.complaints import services as complaints
    from certgov.credit import withdrawal
    from certgov.enforcement import services as enforcement
    from certgov.licensing import services as licensing
    from certgov.recognition import services as recognition

    return {
        **appcert_effects(),
        "issue_licence": licensing.issue_licence,
        "renew_licence": licensing.renew_licence,
        "record_modification": licensing.record_modification,
        "grant_recognition": recognition.grant_recognition,
        "open_enforcement_from_complaint": complaints.open_enforcement_from_complaint,
        "record_penalty": enforcement.record_penalty,
        "publish_penalty": enforcement.publish_penalty,
        "end_withdrawn_licence": withdrawal.end_withdrawn_licence,
    }
