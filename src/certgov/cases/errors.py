"""Errors of the case engine."""

from __future__ import annotations

from certgov.errors import InvalidInput


class GuardFailed(InvalidInput):
    """A transition's guards refused it; ``details['reasons']`` lists every reason."""

    code = "guard_failed"
