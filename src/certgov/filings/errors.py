"""Errors of certificate filing (ECS-3.4)."""

from __future__ import annotations

from certgov.errors import InvalidInput


class FilingRefused(InvalidInput):
    """Every certificate's reasons are in ``details['certificates']``."""

    code = "filing_refused"
