"""Complaints about CAs (ECS-5): anonymous filing with a tracking code, routing to the
competent regulator, acceptance and outcome deadlines, referral, enforcement."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certgov.cases.hooks import Hooks


def register(hooks: Hooks) -> None:
    """Register this domain's guards and effects with the case engine (at start-up)."""
    from certgov.complaints import services

    hooks.case_effect("open_enforcement_from_complaint", services.open_enforcement_from_complaint)
