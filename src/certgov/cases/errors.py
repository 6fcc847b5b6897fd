"""Errors of the case engine."""

from __future__ import annotations

from collections.abc import Sequence

from certgov.errors import InvalidInput
from certgov.text import Text


class GuardFailed(InvalidInput):
    """A transition's guards refused it; ``details['reasons']`` lists every reason."""

    code = "guard_failed"

    @classmethod
    def of(cls, reasons: Sequence[str | Text]) -> GuardFailed:
        """The refusal for the guards' ``reasons``: the one reason as it is (a template and
        its parameters, said in the reader's language), several joined in English."""
        said = [str(reason) for reason in reasons]
        if len(reasons) == 1:
            return cls(reasons[0], details={"reasons": said})
        return cls("{reasons}", details={"reasons": said}, reasons="; ".join(said))
