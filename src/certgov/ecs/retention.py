"""Record retention per certificate (ECS-3.6, ESL Art. 24): a CA keeps the information of a
certificate for at least ``record_retention_after_expiry`` (5 years) after the certificate
ceases to be valid.

Counted from the certificate's notAfter, as a China calendar date; a certificate revoked earlier
ceased to be valid on revocation, which the CA knows and may count from, but its records must
still be kept until this date at least (the later of the two is never shorter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from certgov.clock import CHINA_TZ
from certgov.ecs.citation import ParameterCitation, cite, require_ecs
from certgov.pki import Certificate
from certgov.rules.model import RuleSet
from certgov.workflow.clocks import date_after

__all__ = ["Retention", "retention_dates"]

REQUIREMENT = "ECS-3.6"


@dataclass(frozen=True, slots=True)
class Retention:
    subject: str
    issuer: str
    serial: str
    fingerprint: str
    not_after: dt.datetime
    expires_on: dt.date
    retain_until: dt.date
    citation: ParameterCitation

    def as_dict(self) -> dict[str, Any]:
        return {
            "requirement": REQUIREMENT,
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "sha256": self.fingerprint,
            "not_after": self.not_after.isoformat(),
            "expires_on": self.expires_on.isoformat(),
            "retain_until": self.retain_until.isoformat(),
            "parameter": self.citation.as_dict(),
            "rule_set": self.citation.rule_set,
        }


def retention_dates(certificates: Iterable[Certificate], rule_set: RuleSet) -> list[Retention]:
    """The date until which each certificate's records must be kept, under ``rule_set``."""
    require_ecs(rule_set)
    citation = cite(rule_set, "record_retention_after_expiry")
    period = rule_set.duration("record_retention_after_expiry")
    results = []
    for certificate in certificates:
        summary = certificate.summary
        expires_on = summary.not_after.astimezone(CHINA_TZ).date()
        results.append(
            Retention(
                subject=summary.subject,
                issuer=summary.issuer,
                serial=summary.serial_hex,
                fingerprint=summary.fingerprint_sha256,
                not_after=summary.not_after,
                expires_on=expires_on,
                retain_until=date_after(expires_on, period),
                citation=citation,
            )
        )
    return results
