"""RFC 3161 timestamp tokens (a signature-time-stamp of CAdES / PAdES, or a PDF document
timestamp): read, their message imprint compared with what they stamp, their own signature
checked. Whether their TSA is trusted is the trust evaluator's question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from asn1crypto import tsp

from certgov.docsig.cms import (
    ASN1_ERRORS,
    DIGESTS,
    ID_TST_INFO,
    check_signer,
    digest,
    find_signer_certificate,
    format_failure,
    parse_signed_data,
)
from certgov.docsig.indications import Reason, ReasonCode
from certgov.docsig.limits import Limits
from certgov.pki import Certificate

__all__ = ["TimestampToken", "check_timestamp"]


@dataclass(frozen=True, slots=True)
class TimestampToken:
    """An RFC 3161 token read and checked for integrity (trust is judged by the caller)."""

    gen_time: datetime
    imprint_algorithm: str
    imprint_ok: bool
    signature_ok: bool
    digest_ok: bool | None
    certificate: Certificate | None
    certificates: tuple[Certificate, ...]
    policy: str | None
    serial: int | None
    reasons: tuple[Reason, ...]


def check_timestamp(token: bytes, stamped: bytes, limits: Limits) -> TimestampToken:
    """Read the RFC 3161 token ``token`` and check that its message imprint is the hash of
    ``stamped`` (the signature value it timestamps, RFC 3161 Appendix A) and that its own
    signature holds. Raises :class:`CmsFormatError` when it does not read."""
    parsed = parse_signed_data(token, limits, what="the timestamp token")
    if parsed.content_type != ID_TST_INFO or parsed.content is None:
        raise format_failure(
            ReasonCode.CMS_MALFORMED,
            what="the timestamp token",
            error=f"its content is {parsed.content_type}, not TSTInfo",
        )
    try:
        info = tsp.TSTInfo.load(parsed.content)
        imprint = info["message_imprint"]
        imprint_oid = imprint["hash_algorithm"]["algorithm"].dotted
        hashed = imprint["hashed_message"].native
        gen_time = info["gen_time"].native
        policy = info["policy"].dotted
        serial = info["serial_number"].native
    except ASN1_ERRORS as exc:
        raise format_failure(
            ReasonCode.CMS_MALFORMED, what="the timestamp token", error=str(exc)
        ) from exc
    imprint_name = DIGESTS.get(imprint_oid)
    if imprint_name is None:
        raise format_failure(ReasonCode.UNSUPPORTED_DIGEST, algorithm=imprint_oid)
    reasons: list[Reason] = []
    imprint_ok = digest(imprint_name, stamped) == hashed
    if not imprint_ok:
        reasons.append(Reason(ReasonCode.TIMESTAMP_INVALID, None, {"problem": "imprint"}))
    signer = parsed.signers[0]
    certificate = find_signer_certificate(signer, parsed.certificates)
    signature_ok = False
    digest_ok = None
    if certificate is None:
        reasons.append(Reason(ReasonCode.TIMESTAMP_INVALID, None, {"problem": "no_certificate"}))
    else:
        checked = check_signer(signer, certificate, parsed.content, ID_TST_INFO)
        signature_ok, digest_ok = checked.signature_ok, checked.digest_ok
        if not signature_ok or digest_ok is False:
            reasons.append(Reason(ReasonCode.TIMESTAMP_INVALID, None, {"problem": "signature"}))
    return TimestampToken(
        gen_time=gen_time,
        imprint_algorithm=imprint_name,
        imprint_ok=imprint_ok,
        signature_ok=signature_ok,
        digest_ok=digest_ok,
        certificate=certificate,
        certificates=parsed.certificates,
        policy=policy,
        serial=serial,
        reasons=tuple(reasons),
    )
