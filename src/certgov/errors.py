"""One error hierarchy for all of certgov.

Libraries and the domain raise these; only adapters translate them (HTTP status, exit code,
page message). Every error says what was expected, what was found and, where it helps, what to
do next (``hint``).
"""

from __future__ import annotations

from typing import Any

from certgov.text import Text, fill, jsonable


class CertgovError(Exception):
    """Base of every error certgov raises on purpose.

    The message (and the hint) is an English template, its parameters given as keywords:
    ``Conflict("Case {case} is {state}", case=7, state=Term("case_state", "closed"))``.
    ``message`` is the English text (the API's and the CLI's); a page says it in the reader's
    language from the template (a msgid of the catalogues, extracted from the raise sites) and
    the parameters (:mod:`certgov.i18n.errors`). A test keeps the raise sites of the domain
    from building the message with an f-string, which no catalogue could translate.
    """

    code: str = "error"

    def __init__(
        self,
        message: str | Text,
        *,
        hint: str | None = None,
        details: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        if isinstance(message, Text):
            params = {**message.params, **params}
            message = message.template
        self.template = message
        self.hint_template = hint
        self.params: dict[str, Any] = params
        self.message = fill(message, params)
        super().__init__(self.message)
        self.hint = fill(hint, params) if hint else hint
        self.details: dict[str, Any] = details or {}

    @property
    def text(self) -> Text:
        """The message as a template and its parameters."""
        return Text(self.template, **self.params)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.hint:
            body["hint"] = self.hint
        if self.details:
            body["details"] = self.details
        if self.params:
            body["template"] = self.template
            body["params"] = {key: jsonable(value) for key, value in self.params.items()}
        return body


class InvalidInput(CertgovError):
    """The input is malformed or violates a rule (bad code, bad date, bad file)."""

    code = "invalid_input"


class Prohibited(InvalidInput):
    """The law forbids what is asked, whoever asks (a licence cannot be transferred)."""

    code = "prohibited"


class NotFound(CertgovError):
    """An id names nothing that exists (or nothing the caller may see)."""

    code = "not_found"


class Unauthenticated(CertgovError):
    """No valid credentials were presented."""

    code = "unauthenticated"


class Forbidden(CertgovError):
    """The caller is known but may not do this (SYS-6)."""

    code = "forbidden"


class Conflict(CertgovError):
    """The action conflicts with the current state (stale version, duplicate, wrong state)."""

    code = "conflict"


class TooManyRequests(CertgovError):
    """The caller asked too often; ``details['retry_after']`` says in how many seconds to try
    again (login throttling, complaint rate limits)."""

    code = "too_many_requests"


class ConfigurationError(CertgovError):
    """Shipped or operator-supplied configuration (rule sets, calendars, processes) is wrong."""

    code = "configuration_error"
