"""Enforcement (ECS-6): violations confirmed from findings, penalty decisions in the fine
ranges of the violation catalogue, and their publication."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certgov.cases.hooks import Hooks


def register(hooks: Hooks) -> None:
    """Register this domain's guards and effects with the case engine (at start-up)."""
    from certgov.enforcement import services
    from certgov.enforcement.guards import penalty_decision_valid

    hooks.guard("penalty_decision_valid", penalty_decision_valid)
    hooks.case_effect("record_penalty", services.record_penalty)
    hooks.case_effect("publish_penalty", services.publish_penalty)
