"""PDF signatures (ISO 32000-1 §12.8, ETSI EN 319 142-1 PAdES): ``adbe.pkcs7.detached``,
``ETSI.CAdES.detached`` and ``ETSI.RFC3161`` document timestamps, in any number of
incremental updates.

pyHanko reads the PDF structure (cross-reference sections of every revision, the signature
fields, the revision each signature belongs to) and analyses the updates after a signed
revision (``DEFAULT_DIFF_POLICY``). The byte ranges are checked here before anything is
hashed: four non-negative integers from the start of the file, in order, inside the file,
with exactly the signature's /Contents string between the two ranges. The CMS is read and
checked by :mod:`certgov.docsig.cms`, so SM2 signatures in PDFs are verified too.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.reader import PdfFileReader, process_data_at_eof
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult, ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields

from certgov.docsig._pdfhex import fast_hex
from certgov.docsig.cms import ID_TST_INFO, CmsFormatError, parse_signed_data
from certgov.docsig.errors import (
    EncryptedDocumentError,
    MalformedDocumentError,
    TooManySignaturesError,
)
from certgov.docsig.indications import Reason, ReasonCode, SubIndication, worst
from certgov.docsig.judge import evaluate, failed_format, judge_signer, trust_reasons
from certgov.docsig.limits import Limits
from certgov.docsig.report import Coverage, Integrity, SignatureReport, TimestampReport
from certgov.docsig.timestamp import check_timestamp
from certgov.docsig.trust import Purpose, TimeBasis, TrustEvaluator, TrustRequest
from certgov.errors import CertgovError

__all__ = ["validate_pdf_signatures"]

_HEX = re.compile(rb"[0-9A-Fa-f\s]*")
_WHITESPACE = re.compile(rb"\s+")
_LATER = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "signatures_and_timestamps",
    ModificationLevel.FORM_FILLING: "form_filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "content",
}
_FORMATS = {
    "/adbe.pkcs7.detached": "pdf-pkcs7",
    "/ETSI.CAdES.detached": "pades",
    "/ETSI.RFC3161": "pdf-document-timestamp",
}


def open_pdf(data: bytes, limits: Limits) -> PdfFileReader:
    """A pyHanko reader over ``data``, decrypted with the empty password when the PDF is
    encrypted for permissions only. Raises a :class:`~certgov.docsig.errors.DocumentError`."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        revisions = reader.xrefs.total_revisions
        encrypted = reader.encrypted
    except CertgovError:
        raise
    except Exception as exc:  # pyHanko raises many kinds on hostile input: all mean "malformed"
        raise MalformedDocumentError(
            "the PDF does not parse: {kind}: {error}",
            kind=type(exc).__name__,
            error=str(exc),
            hint="send the signed PDF exactly as received, not a re-saved or printed copy",
        ) from exc
    if revisions > limits.max_revisions:
        raise TooManySignaturesError(
            "the PDF has {revisions} revisions (incremental updates), more than the {limit} "
            "allowed",
            revisions=revisions,
            limit=limits.max_revisions,
            details={"revisions": revisions, "limit": limits.max_revisions},
        )
    if encrypted:
        try:
            opened = reader.decrypt(b"").status is not AuthStatus.FAILED
        except Exception:  # an unsupported security handler is as closed as a wrong password
            opened = False
        if not opened:
            raise EncryptedDocumentError(
                "the PDF is encrypted with a password",
                hint="ask the sender for the document without password protection",
            )
    return reader


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    dictionary: generic.DictionaryObject
    reference: generic.Reference | None


def _fields(reader: PdfFileReader, limits: Limits) -> list[_Field]:
    found: list[_Field] = []
    try:
        for name, value, field_reference in enumerate_sig_fields(reader, filled_status=True):
            if len(found) >= limits.max_signatures:
                raise TooManySignaturesError(
                    "the PDF has more than {limit} signatures",
                    limit=limits.max_signatures,
                    details={"limit": limits.max_signatures},
                )
            field = field_reference.get_object()
            raw = field.raw_get("/V")
            reference = raw.reference if isinstance(raw, generic.IndirectObject) else None
            dictionary = value.get_object() if value is not None else None
            if isinstance(dictionary, generic.DictionaryObject):
                found.append(_Field(str(name), dictionary, reference))
    except CertgovError:
        raise
    except Exception as exc:  # malformed AcroForm trees come in every shape
        raise MalformedDocumentError(
            "the PDF's signature fields do not read: {kind}: {error}",
            kind=type(exc).__name__,
            error=str(exc),
        ) from exc
    return found


def _unhex(digits: bytes) -> bytes:
    """Hex digits and whitespace as a PDF reads them (ISO 32000-1 §7.3.4.3: whitespace
    ignored, a missing final digit is 0)."""
    digits = bytes(_WHITESPACE.sub(b"", digits))
    return bytes.fromhex((digits + b"0" if len(digits) % 2 else digits).decode("ascii"))


def _byte_range(
    dictionary: generic.DictionaryObject, data: bytes
) -> tuple[tuple[int, ...], bytes] | Reason:
    """The checked byte range and the CMS bytes, or the FORMAT_FAILURE reason."""
    size = len(data)

    def fail(code: ReasonCode, **params: Any) -> Reason:
        return Reason(code, SubIndication.FORMAT_FAILURE, params)

    try:
        raw = dictionary.raw_get("/ByteRange")
        ranges = tuple(int(value) for value in raw)
    except (KeyError, TypeError, ValueError) as exc:
        return fail(ReasonCode.BYTE_RANGE_MALFORMED, byte_range=None, error=str(exc))
    shown = list(ranges[:8])
    if len(ranges) != 4 or any(value < 0 for value in ranges):
        return fail(
            ReasonCode.BYTE_RANGE_MALFORMED,
            byte_range=str(shown),
            error="expected four non-negative integers",
        )
    start1, length1, start2, length2 = ranges
    if start1 != 0:
        return fail(
            ReasonCode.BYTE_RANGE_GAP,
            byte_range=str(shown),
            detail=f"bytes 0 to {start1} are not signed",
        )
    if start2 < start1 + length1:
        return fail(ReasonCode.BYTE_RANGE_OVERLAP, byte_range=str(shown))
    if start2 + length2 > size:
        return fail(ReasonCode.BYTE_RANGE_OUTSIDE_FILE, byte_range=str(shown), size=size)
    try:
        contents = dictionary.raw_get("/Contents", decrypt=generic.EncryptedObjAccess.RAW)
        cms_bytes = contents.original_bytes
    except (KeyError, AttributeError) as exc:
        return fail(ReasonCode.SIGNATURE_DICTIONARY_MALFORMED, error=f"no /Contents string: {exc}")
    hole = data[length1:start2]
    if (
        len(hole) < 2
        or hole[:1] != b"<"
        or hole[-1:] != b">"
        or not _HEX.fullmatch(hole[1:-1])
        or _unhex(hole[1:-1]) != cms_bytes
    ):
        return fail(
            ReasonCode.BYTE_RANGE_GAP,
            byte_range=str(shown),
            detail=f"bytes {length1} to {start2} are not the signature's /Contents",
        )
    return ranges, cms_bytes


def _coverage(
    reader: PdfFileReader, field: _Field, ranges: tuple[int, ...], size: int
) -> tuple[Coverage, list[Reason]]:
    signed_end = ranges[2] + ranges[3]
    revisions = reader.xrefs.total_revisions
    signed_bytes = ranges[1] + ranges[3]

    def coverage(extent: str, revision: int | None, later: str, fields: Any = ()) -> Coverage:
        return Coverage(
            ranges, signed_bytes, size, extent, revision, revisions, later, tuple(fields)
        )

    if field.reference is None:
        detail = "the signature dictionary is not an indirect object"
        return coverage("partial", None, "not_analysed"), [
            Reason(
                ReasonCode.COVERAGE_UNCLEAR,
                SubIndication.SIG_CONSTRAINTS_FAILURE,
                {"extent": "partial", "detail": detail},
            )
        ]
    try:
        revision = reader.xrefs.get_last_change(field.reference)
        if signed_end == size:
            return coverage("whole_file", revision, "none"), []
        stream = reader.stream
        stream.seek(signed_end)
        whole = process_data_at_eof(stream) == reader.xrefs.get_startxref_for_revision(revision)
        whole = whole and all(
            reader.xrefs.get_xref_container_info(earlier).end_location <= signed_end
            for earlier in range(revision + 1)
        )
    except Exception as exc:  # a revision structure pyHanko cannot follow
        return coverage("partial", None, "not_analysed"), [
            Reason(
                ReasonCode.COVERAGE_UNCLEAR,
                SubIndication.SIG_CONSTRAINTS_FAILURE,
                {"extent": "partial", "detail": f"{type(exc).__name__}: {exc}"},
            )
        ]
    if not whole:
        detail = "the signed bytes end inside a revision"
        return coverage("partial", revision, "not_analysed"), [
            Reason(
                ReasonCode.COVERAGE_UNCLEAR,
                SubIndication.SIG_CONSTRAINTS_FAILURE,
                {"extent": "partial", "detail": detail},
            )
        ]
    diff: object
    try:
        diff = DEFAULT_DIFF_POLICY.review_file(reader, revision)
    except Exception as exc:  # pyHanko raises SuspiciousModification or worse: both mean "changed"
        diff = exc
    if isinstance(diff, DiffResult):
        later = _LATER.get(diff.modification_level, "content")
        result = coverage("revision", revision, later, diff.changed_form_fields)
    else:
        later = "content"
        result = coverage("revision", revision, later)
    if later == "content":
        return result, [
            Reason(
                ReasonCode.MODIFIED_AFTER_SIGNING,
                SubIndication.SIG_CONSTRAINTS_FAILURE,
                {
                    "later_changes": later,
                    "detail": str(diff) if not isinstance(diff, DiffResult) else "",
                },
            )
        ]
    return result, []


def _claimed(dictionary: generic.DictionaryObject) -> datetime | None:
    try:
        value = dictionary.get("/M")
        return generic.parse_pdf_date(str(value)) if value is not None else None
    except Exception:  # a malformed /M is no claim
        return None


def _document_timestamp(
    field: _Field,
    format_name: str,
    sub_filter: str | None,
    cms_bytes: bytes,
    content: bytes,
    coverage: Coverage,
    coverage_reasons: list[Reason],
    evaluator: TrustEvaluator,
    validation_time: datetime,
    limits: Limits,
) -> SignatureReport:
    """A /DocTimeStamp: its token's imprint is over the byte range, its TSA is judged at
    its own time."""
    try:
        token = check_timestamp(cms_bytes, content, limits)
    except CmsFormatError as exc:
        return failed_format(
            field.name, format_name, exc.reason, sub_filter=sub_filter, coverage=coverage
        )
    reasons = list(coverage_reasons)
    if not token.imprint_ok:
        reasons.append(
            Reason(
                ReasonCode.MESSAGE_DIGEST_MISMATCH,
                SubIndication.HASH_FAILURE,
                {
                    "algorithm": token.imprint_algorithm,
                    "expected": "timestamp imprint",
                    "computed": "byte range digest",
                },
            )
        )
    if not token.signature_ok or token.digest_ok is False or token.certificate is None:
        reasons.append(
            Reason(
                ReasonCode.SIGNATURE_INVALID,
                SubIndication.SIG_CRYPTO_FAILURE,
                {
                    "scheme": "timestamp",
                    "problem": "bad_signature",
                    "detail": "the timestamp token's signature does not verify",
                },
            )
        )
    trust = None
    if token.certificate is not None and token.imprint_ok and token.signature_ok:
        trust = evaluate(
            evaluator,
            TrustRequest(
                token.certificate,
                token.certificates,
                token.gen_time,
                Purpose.TIMESTAMP,
                validation_time,
                TimeBasis.PROVEN,
            ),
        )
        reasons += trust_reasons(trust)
    verdict = worst(reasons)
    return SignatureReport(
        id=field.name,
        format=format_name,
        indication=verdict.indication,
        sub_indication=verdict.sub_indication,
        reasons=tuple(reasons),
        integrity=Integrity(
            token.imprint_algorithm, token.imprint_ok, "timestamp", token.signature_ok
        ),
        sub_filter=sub_filter,
        coverage=coverage,
        timestamp=TimestampReport(
            token.gen_time,
            token.imprint_ok,
            token.signature_ok,
            token.certificate,
            trust,
            token.policy,
            token.serial,
        ),
        signer=token.certificate,
        embedded=token.certificates,
        trust=trust,
    )


def validate_pdf_signatures(
    data: bytes, *, evaluator: TrustEvaluator, validation_time: datetime, limits: Limits
) -> tuple[SignatureReport, ...]:
    """Every filled signature field of the PDF ``data``, each validated, in field order.
    Raises a :class:`~certgov.docsig.errors.DocumentError` when the PDF itself does not
    read; a signature that does not gets a FORMAT_FAILURE report.

    pyHanko reads the hex strings (the signatures' /Contents) with
    :func:`~certgov.docsig._pdfhex.fast_hex` meanwhile: the same objects, in C speed."""
    with fast_hex():
        return _validate(data, evaluator, validation_time, limits)


def _validate(
    data: bytes, evaluator: TrustEvaluator, validation_time: datetime, limits: Limits
) -> tuple[SignatureReport, ...]:
    reader = open_pdf(data, limits)
    reports: list[SignatureReport] = []
    for field in _fields(reader, limits):
        sub_filter_value = field.dictionary.get("/SubFilter")
        sub_filter = str(sub_filter_value) if sub_filter_value is not None else None
        format_name = _FORMATS.get(sub_filter or "", "pdf-unknown")
        checked = _byte_range(field.dictionary, data)
        if isinstance(checked, Reason):
            reports.append(failed_format(field.name, format_name, checked, sub_filter=sub_filter))
            continue
        ranges, cms_bytes = checked
        coverage, coverage_reasons = _coverage(reader, field, ranges, len(data))
        view = memoryview(data)
        content = bytes(view[: ranges[1]]) + bytes(view[ranges[2] : ranges[2] + ranges[3]])
        if format_name == "pdf-document-timestamp":
            reports.append(
                _document_timestamp(
                    field,
                    format_name,
                    sub_filter,
                    cms_bytes,
                    content,
                    coverage,
                    coverage_reasons,
                    evaluator,
                    validation_time,
                    limits,
                )
            )
            continue
        try:
            signed = parse_signed_data(cms_bytes, limits, what="the signature's /Contents")
        except CmsFormatError as exc:
            reports.append(
                failed_format(
                    field.name, format_name, exc.reason, sub_filter=sub_filter, coverage=coverage
                )
            )
            continue
        if signed.content_type == ID_TST_INFO:
            reports.append(
                _document_timestamp(
                    field,
                    "pdf-document-timestamp",
                    sub_filter,
                    cms_bytes,
                    content,
                    coverage,
                    coverage_reasons,
                    evaluator,
                    validation_time,
                    limits,
                )
            )
            continue
        reports.append(
            judge_signer(
                identifier=field.name,
                format_name=format_name,
                signed=signed,
                signer=signed.signers[0],
                content=content,
                evaluator=evaluator,
                validation_time=validation_time,
                limits=limits,
                sub_filter=sub_filter,
                coverage=coverage,
                extra_reasons=coverage_reasons,
                claimed_fallback=_claimed(field.dictionary),
            )
        )
    return tuple(reports)
