"""The validation report: one :class:`SignatureReport` per signature in a
:class:`DocumentReport`, their JSON form (:meth:`DocumentReport.as_dict`, canonical bytes by
:func:`report_json`), and a detached Ed25519 signature over those bytes so that a report
stands as evidence (:func:`sign_report`, :func:`verify_report`).

The report signature is a C2SP signed-note signature line made with the platform's
:class:`certgov.tlog.note.Signer` (the keys of the transparency logs are of the same kind):
``— <key name> base64(key ID || Ed25519(report JSON))``, verified with the key's published
verifier key (:class:`certgov.tlog.note.Verifier`).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from certgov.docsig.indications import Indication, Reason, SubIndication
from certgov.docsig.trust import TimeBasis, TrustResult
from certgov.errors import InvalidInput
from certgov.pki import Certificate
from certgov.tlog.note import Signer, Verifier

__all__ = [
    "Coverage",
    "DocumentReport",
    "Integrity",
    "ReportSignatureError",
    "SignatureReport",
    "SigningTime",
    "TimestampReport",
    "certificate_info",
    "explain",
    "report_json",
    "sign_report",
    "verify_report",
]


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def certificate_info(certificate: Certificate) -> dict[str, Any]:
    """How a report shows a certificate."""
    summary = certificate.summary
    return {
        "subject": summary.subject,
        "issuer": summary.issuer,
        "serial": summary.serial_hex,
        "sha256": certificate.fingerprint,
        "key_algorithm": summary.key_algorithm.value,
        "curve": summary.curve,
        "not_before": summary.not_before.isoformat(),
        "not_after": summary.not_after.isoformat(),
    }


@dataclass(frozen=True, slots=True)
class Integrity:
    """``message_digest_ok`` is None when there are no signed attributes (the signature is
    directly over the content); both are None when the checks could not run."""

    digest_algorithm: str | None = None
    message_digest_ok: bool | None = None
    signature_scheme: str | None = None
    signature_ok: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "digest_algorithm": self.digest_algorithm,
            "message_digest_ok": self.message_digest_ok,
            "signature_scheme": self.signature_scheme,
            "signature_ok": self.signature_ok,
        }


@dataclass(frozen=True, slots=True)
class Coverage:
    """What a PDF signature covers. ``extent``: ``whole_file`` (nothing was added after
    it), ``revision`` (the whole revision it signed; later incremental updates follow),
    ``partial`` (a block from the start that is not a whole revision). ``later_changes``
    sums up the updates after the signed revision (pyHanko's difference analysis):
    ``none``, ``signatures_and_timestamps``, ``form_filling`` (filling fields and signing
    them), ``annotations``, ``content`` (anything else: the document shown is not the one
    signed), or ``not_analysed``."""

    byte_range: tuple[int, ...]
    signed_bytes: int
    file_bytes: int
    extent: str
    signed_revision: int | None
    revisions: int
    later_changes: str
    changed_fields: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "byte_range": list(self.byte_range),
            "signed_bytes": self.signed_bytes,
            "file_bytes": self.file_bytes,
            "extent": self.extent,
            "signed_revision": self.signed_revision,
            "revisions": self.revisions,
            "later_changes": self.later_changes,
            "changed_fields": sorted(self.changed_fields),
        }


@dataclass(frozen=True, slots=True)
class TimestampReport:
    """The RFC 3161 signature timestamp: its time, whether its imprint matches the
    signature value and its own signature verifies, its TSA and the evaluator's answer on
    the TSA (None when the token did not verify)."""

    gen_time: datetime | None
    imprint_ok: bool
    signature_ok: bool
    tsa: Certificate | None
    trust: TrustResult | None
    policy: str | None = None
    serial: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "gen_time": _time(self.gen_time),
            "imprint_ok": self.imprint_ok,
            "signature_ok": self.signature_ok,
            "tsa": certificate_info(self.tsa) if self.tsa is not None else None,
            "trust": self.trust.as_dict() if self.trust is not None else None,
            "policy": self.policy,
            "serial": format(self.serial, "x") if self.serial is not None else None,
        }


@dataclass(frozen=True, slots=True)
class SigningTime:
    """``claimed`` by the signer (``claimed_source``: ``signing_time_attribute`` or
    ``pdf_m_entry``), ``proven`` by a trusted timestamp, and the time the signature was
    judged at with its ``basis``."""

    judged_at: datetime
    basis: TimeBasis
    claimed: datetime | None = None
    claimed_source: str | None = None
    proven: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "judged_at": self.judged_at.isoformat(),
            "basis": self.basis.value,
            "claimed": _time(self.claimed),
            "claimed_source": self.claimed_source,
            "proven": _time(self.proven),
        }


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """The verdict on one signature and what it rests on. ``id`` is the PDF field name or
    ``signer-<n>`` in a CMS; ``format`` one of ``pdf-pkcs7``, ``pades``,
    ``pdf-document-timestamp``, ``cms-attached``, ``cms-detached``."""

    id: str
    format: str
    indication: Indication
    sub_indication: SubIndication | None
    reasons: tuple[Reason, ...]
    integrity: Integrity
    sub_filter: str | None = None
    coverage: Coverage | None = None
    signing_time: SigningTime | None = None
    timestamp: TimestampReport | None = None
    signer: Certificate | None = None
    embedded: tuple[Certificate, ...] = ()
    trust: TrustResult | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "format": self.format,
            "sub_filter": self.sub_filter,
            "indication": self.indication.value,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "integrity": self.integrity.as_dict(),
            "coverage": self.coverage.as_dict() if self.coverage else None,
            "signing_time": self.signing_time.as_dict() if self.signing_time else None,
            "timestamp": self.timestamp.as_dict() if self.timestamp else None,
            "signer": certificate_info(self.signer) if self.signer is not None else None,
            "embedded_certificates": [certificate_info(c) for c in self.embedded],
            "trust": self.trust.as_dict() if self.trust is not None else None,
        }


@dataclass(frozen=True, slots=True)
class DocumentReport:
    """The report on one document: ``kind`` ``pdf`` or ``cms``, the SHA-256 and size of
    what was validated, the validation time, every signature, and document-level reasons
    (``no_signature``). The document's verdict is the worst of its signatures'; a document
    without signatures is INDETERMINATE."""

    kind: str
    sha256: str
    size: int
    validation_time: datetime
    signatures: tuple[SignatureReport, ...]
    reasons: tuple[Reason, ...] = ()

    @property
    def indication(self) -> Indication:
        found = {signature.indication for signature in self.signatures}
        if Indication.TOTAL_FAILED in found:
            return Indication.TOTAL_FAILED
        if Indication.INDETERMINATE in found or not self.signatures:
            return Indication.INDETERMINATE
        return Indication.TOTAL_PASSED

    @property
    def sub_indication(self) -> SubIndication | None:
        indication = self.indication
        return next((s.sub_indication for s in self.signatures if s.indication is indication), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sha256": self.sha256,
            "size": self.size,
            "validation_time": self.validation_time.isoformat(),
            "indication": self.indication.value,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "signatures": [signature.as_dict() for signature in self.signatures],
        }


def report_json(report: DocumentReport) -> bytes:
    """The canonical JSON of ``report`` (keys sorted, no spaces, UTF-8) and a newline: the
    bytes :func:`sign_report` signs."""
    text = json.dumps(
        report.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return (text + "\n").encode("utf-8")


def explain(report: DocumentReport) -> dict[str, Any]:
    """For people: the document's verdict with its labels and every reason (the document's,
    then each signature's) rendered in English and Chinese. Not part of the signed JSON:
    the codes and parameters there are the evidence; these are their readings."""
    from certgov.docsig.messages import INDICATION_LABELS, SUB_INDICATION_LABELS, render_reason

    def reading(reason: Reason, signature: str | None) -> dict[str, Any]:
        return {
            "signature": signature,
            "code": reason.code,
            "sub_indication": reason.sub_indication.value if reason.sub_indication else None,
            "en": render_reason(reason, "en"),
            "zh": render_reason(reason, "zh"),
        }

    def verdict(indication: Indication, sub: SubIndication | None) -> dict[str, Any]:
        return {
            "indication": indication.value,
            "sub_indication": sub.value if sub else None,
            "label": dict(INDICATION_LABELS[indication]),
            "sub_label": dict(SUB_INDICATION_LABELS[sub]) if sub else None,
        }

    return {
        **verdict(report.indication, report.sub_indication),
        "signatures": [
            {"id": s.id, **verdict(s.indication, s.sub_indication)} for s in report.signatures
        ],
        "reasons": [reading(reason, None) for reason in report.reasons]
        + [reading(reason, s.id) for s in report.signatures for reason in s.reasons],
    }


class ReportSignatureError(InvalidInput):
    """A report signature that is malformed, by another key, or does not verify."""

    code = "docsig_report_signature"


_PREFIX = "\u2014 "


def sign_report(report_bytes: bytes, signer: Signer) -> str:
    """A detached signature line over ``report_bytes`` (as made by :func:`report_json`):
    ``— <key name> base64(key ID || Ed25519 signature)`` and a newline."""
    try:
        text = report_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportSignatureError("a report to sign must be UTF-8 JSON") from exc
    return signer.signature_line(text)


def verify_report(report_bytes: bytes, signature: str, verifier: Verifier) -> None:
    """Check a line made by :func:`sign_report` with ``verifier`` (the signer's published
    key). Raises :class:`ReportSignatureError` saying what does not match."""
    line = signature.strip("\n")
    if not line.startswith(_PREFIX) or " " not in line[len(_PREFIX) :]:
        raise ReportSignatureError(
            "expected a signature line '— <key name> <base64>', found something else"
        )
    name, encoded = line[len(_PREFIX) :].rsplit(" ", 1)
    if name != verifier.name:
        raise ReportSignatureError(
            "the report is signed by key {name!r}, expected {expected!r}",
            name=name,
            expected=verifier.name,
        )
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ReportSignatureError("the signature is not base64: {error}", error=str(exc)) from exc
    if base64.b64encode(raw).decode("ascii") != encoded:
        raise ReportSignatureError("the signature is not canonical base64")
    if raw[:4] != verifier.key_id:
        raise ReportSignatureError(
            "the signature names key ID {key_id}, expected {expected}",
            key_id=raw[:4].hex(),
            expected=verifier.key_id.hex(),
        )
    if not verifier.verify(report_bytes, raw[4:]):
        raise ReportSignatureError(
            "the signature does not verify: the report was changed or signed by another key"
        )
