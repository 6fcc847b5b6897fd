"""Cross-border recognition of foreign CAs (ECS-8): applications reviewed against the foreign
scheme's trusted list, decisions with scope and validity, withdrawal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certgov.cases.hooks import Hooks


def register(hooks: Hooks) -> None:
    """Register this domain's guards and effects with the case engine (at start-up)."""
    from certgov.recognition import services

    hooks.case_effect("grant_recognition", services.grant_recognition)
