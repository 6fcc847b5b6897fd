"""The domains' transition effects, by the names process definitions use (SYS-1).

The case engine runs them in a transition's transaction; registering them here, at the
composition root, keeps the engine free of imports from the domains built on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certgov.cases.services import CaseEffect


def case_effects() -> dict[str, CaseEffect]:
    from certgov.licensing import services as licensing

    return {
        "issue_licence": licensing.issue_licence,
        "renew_licence": licensing.renew_licence,
        "record_modification": licensing.record_modification,
    }
