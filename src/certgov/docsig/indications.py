"""Verdicts in the terms of ETSI EN 319 102-1 (clause 5.1.3): an indication, a sub-indication,
and reasons that each carry a machine code and parameters.

The sub-indications below are those of EN 319 102-1 Table 5 that this library or a trust
evaluator can reach; which indication each belongs to is fixed by the standard
(:data:`INDICATION_OF`). FORMAT_FAILURE is a TOTAL-FAILED sub-indication there (a signature
that cannot be processed), as in pyHanko's ``AdESFailure``.

Messages for people are in :mod:`certgov.docsig.messages`, in English and Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "INDICATION_OF",
    "Indication",
    "Reason",
    "ReasonCode",
    "SubIndication",
    "Verdict",
    "worst",
]


class Indication(StrEnum):
    """The three indications of EN 319 102-1 clause 5.1.3."""

    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"


class SubIndication(StrEnum):
    """Sub-indications of EN 319 102-1 Table 5 (the ones this library reports)."""

    # TOTAL-FAILED
    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    # INDETERMINATE
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    NO_SIGNING_CERTIFICATE_FOUND = "NO_SIGNING_CERTIFICATE_FOUND"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    OUT_OF_BOUNDS_NOT_REVOKED = "OUT_OF_BOUNDS_NOT_REVOKED"
    NOT_YET_VALID_NO_POE = "NOT_YET_VALID_NO_POE"
    TIMESTAMP_ORDER_FAILURE = "TIMESTAMP_ORDER_FAILURE"
    NO_POE = "NO_POE"
    TRY_LATER = "TRY_LATER"
    SIGNED_DATA_NOT_FOUND = "SIGNED_DATA_NOT_FOUND"


_FAILED = {
    SubIndication.FORMAT_FAILURE,
    SubIndication.HASH_FAILURE,
    SubIndication.SIG_CRYPTO_FAILURE,
    SubIndication.REVOKED,
    SubIndication.EXPIRED,
    SubIndication.NOT_YET_VALID,
}

#: The indication each sub-indication belongs to (EN 319 102-1 Table 5). NOT_YET_VALID_NO_POE
#: is this library's name for Table 5's INDETERMINATE NOT_YET_VALID (the certificate was not
#: yet valid at a time that is claimed, not proven).
INDICATION_OF: Mapping[SubIndication, Indication] = {
    sub: Indication.TOTAL_FAILED if sub in _FAILED else Indication.INDETERMINATE
    for sub in SubIndication
}

#: Order of precedence when several sub-indications apply: the first one found in this order
#: is the one reported (the others stay in the reasons).
_PRECEDENCE = list(SubIndication)


class ReasonCode(StrEnum):
    """Why a verdict is what it is. Each has an English and a Chinese template in
    :data:`certgov.docsig.messages.MESSAGES`; its parameters fill the template."""

    # format
    CMS_MALFORMED = "cms_malformed"
    CMS_NOT_SIGNED_DATA = "cms_not_signed_data"
    CMS_NO_SIGNER = "cms_no_signer"
    CMS_SEVERAL_SIGNERS = "cms_several_signers"
    CMS_TOO_MANY_CERTIFICATES = "cms_too_many_certificates"
    CMS_TOO_DEEP = "cms_too_deep"
    CMS_TOO_LARGE = "cms_too_large"
    SIGNED_ATTRIBUTES_MALFORMED = "signed_attributes_malformed"
    CONTENT_TYPE_MISMATCH = "content_type_mismatch"
    MESSAGE_DIGEST_MISSING = "message_digest_missing"
    UNSUPPORTED_DIGEST = "unsupported_digest"
    UNSUPPORTED_SIGNATURE_ALGORITHM = "unsupported_signature_algorithm"
    DETACHED_CONTENT_MISSING = "detached_content_missing"
    BYTE_RANGE_MALFORMED = "byte_range_malformed"
    BYTE_RANGE_OUTSIDE_FILE = "byte_range_outside_file"
    BYTE_RANGE_OVERLAP = "byte_range_overlap"
    BYTE_RANGE_GAP = "byte_range_gap"
    SIGNATURE_DICTIONARY_MALFORMED = "signature_dictionary_malformed"
    # integrity
    MESSAGE_DIGEST_MISMATCH = "message_digest_mismatch"
    SIGNATURE_INVALID = "signature_invalid"
    WEAK_DIGEST = "weak_digest"
    # signer
    SIGNER_CERTIFICATE_NOT_FOUND = "signer_certificate_not_found"
    SIGNER_CERTIFICATE_MALFORMED = "signer_certificate_malformed"
    SIGNER_KEY_USAGE = "signer_key_usage"
    # time
    SIGNER_EXPIRED_NO_POE = "signer_expired_no_poe"
    SIGNER_NOT_YET_VALID_NO_POE = "signer_not_yet_valid_no_poe"
    SIGNED_AFTER_EXPIRY = "signed_after_expiry"
    SIGNED_BEFORE_VALIDITY = "signed_before_validity"
    CLAIMED_TIME_AFTER_VALIDATION = "claimed_time_after_validation"
    TIMESTAMP_INVALID = "timestamp_invalid"
    TIMESTAMP_UNTRUSTED = "timestamp_untrusted"
    TIMESTAMP_BEFORE_CLAIMED_TIME = "timestamp_before_claimed_time"
    # PDF coverage
    MODIFIED_AFTER_SIGNING = "modified_after_signing"
    COVERAGE_UNCLEAR = "coverage_unclear"
    # chain (standalone evaluator; registry evaluators add their own)
    NO_CHAIN_TO_ANCHOR = "no_chain_to_anchor"
    CHAIN_PROBLEM = "chain_problem"
    CHAIN_OUT_OF_VALIDITY = "chain_out_of_validity"
    REVOKED = "revoked"
    REVOCATION_UNKNOWN = "revocation_unknown"
    TRUST_EVALUATION_FAILED = "trust_evaluation_failed"
    # registry (certgov.verification.documents: SYS-5 against the filings, licences,
    # recognitions and the CAs' CRLs / OCSP responders)
    CA_NOT_FILED = "ca_not_filed"
    CA_FILED_LATER = "ca_filed_later"
    NO_LICENCE = "no_licence"
    LICENCE_NOT_VALID = "licence_not_valid"
    RECOGNITION_NOT_ACCEPTED = "recognition_not_accepted"
    REVOKED_NO_POE = "revoked_no_poe"
    REVOKED_AFTER_SIGNING = "revoked_after_signing"
    REVOCATION_NOT_CHECKED = "revocation_not_checked"
    # document
    NO_SIGNATURE = "no_signature"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason: a code, the sub-indication it leads to (None for a note that does not
    change the verdict) and its parameters (JSON scalars)."""

    code: str
    sub_indication: SubIndication | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "params": dict(self.params),
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """An indication with its sub-indication (None for TOTAL_PASSED)."""

    indication: Indication
    sub_indication: SubIndication | None


def worst(reasons: Iterable[Reason]) -> Verdict:
    """The verdict the reasons lead to: TOTAL_FAILED over INDETERMINATE over TOTAL_PASSED;
    among sub-indications of one indication, the first in :class:`SubIndication` order."""
    subs = {reason.sub_indication for reason in reasons if reason.sub_indication is not None}
    if not subs:
        return Verdict(Indication.TOTAL_PASSED, None)
    for wanted in (Indication.TOTAL_FAILED, Indication.INDETERMINATE):
        for sub in _PRECEDENCE:
            if sub in subs and INDICATION_OF[sub] is wanted:
                return Verdict(wanted, sub)
    raise AssertionError("unreachable: every sub-indication has an indication")
