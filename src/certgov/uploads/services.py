"""Sniffing, checking and storing uploads; see the package docstring."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.clock import Clock
from certgov.errors import InvalidInput, NotFound
from certgov.settings import Settings
from certgov.uploads.models import StoredUpload


class Kind(StrEnum):
    PEM = "pem"
    DER = "der"
    PKCS7 = "pkcs7"
    PDF = "pdf"
    APK = "apk"
    ZIP = "zip"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"
    #: A record the platform makes (a filing receipt); never sniffed from an upload.
    JSON = "json"


#: What an upload may be for each purpose of a form: certificates, documents, samples.
CERTIFICATES = frozenset({Kind.PEM, Kind.DER, Kind.PKCS7})
DOCUMENTS = frozenset({Kind.PDF, Kind.PNG, Kind.JPEG, Kind.GIF, Kind.WEBP})
SAMPLES = frozenset({Kind.APK})

#: Why an upload was refused: a code pages put in words, and the English message.
REASONS = ("empty", "too_large", "wrong_type", "bad_pem", "zip_bomb", "bad_archive")

#: An archive whose entries expand past this many times its size, or past the limit of an
#: upload times this, is refused as a decompression bomb.
ZIP_RATIO_LIMIT = 100
ZIP_MAX_ENTRIES = 20_000

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 #]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)


class UploadRefused(InvalidInput):
    """An upload that may not be kept; ``reason`` is one of :data:`REASONS`. The message is a
    template whose parameters are ``filename`` and ``params`` (``limit`` for ``too_large``);
    ``details`` adds to the error's details (the field, the reason and the file's name)."""

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        filename: str = "",
        details: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(
            message,
            details={"field": "file", "reason": reason, "filename": filename, **(details or {})},
            filename=filename,
            **params,
        )
        self.reason = reason
        self.filename = filename


@dataclass(frozen=True)
class Checked:
    filename: str
    kind: Kind
    sha256: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def _der_length(data: bytes, offset: int) -> tuple[int, int] | None:
    """The length and header size of the DER element at ``offset``, or None."""
    if len(data) < offset + 2:
        return None
    first = data[offset + 1]
    if first < 0x80:
        return first, 2
    count = first & 0x7F
    if count == 0 or count > 4 or len(data) < offset + 2 + count:
        return None
    return int.from_bytes(data[offset + 2 : offset + 2 + count], "big"), 2 + count


_PKCS7_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")


def _der_kind(data: bytes) -> Kind | None:
    """A DER certificate or PKCS #7 bundle: one SEQUENCE spanning the whole file."""
    if not data.startswith(b"\x30"):
        return None
    length = _der_length(data, 0)
    if length is None or length[0] + length[1] != len(data):
        return None
    # SignedData's OID comes right after the outer SEQUENCE's header.
    if data[length[1] : length[1] + len(_PKCS7_SIGNED_DATA)] == _PKCS7_SIGNED_DATA:
        return Kind.PKCS7
    return Kind.DER


def sniff(data: bytes) -> Kind | None:
    """What ``data`` is, by its bytes alone (the file name is never consulted)."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return Kind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Kind.GIF
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return Kind.WEBP
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return Kind.ZIP
        return Kind.APK if "AndroidManifest.xml" in names else Kind.ZIP
    if b"-----BEGIN " in data[:4096].lstrip()[:64] or data.lstrip().startswith(b"-----BEGIN "):
        return Kind.PEM
    return _der_kind(data)


def _check_pem(data: bytes, filename: str) -> None:
    """Every byte of a PEM file is in a well-formed block (or whitespace between blocks)."""
    rest = data
    found = 0
    for match in _PEM_BLOCK.finditer(data):
        found += 1
        try:
            decoded = base64.b64decode(b"".join(match.group(2).split()), validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if not decoded or _der_kind(decoded) is None:
            raise UploadRefused(
                "{filename}: block {block} ({label}) is not valid base64 DER",
                reason="bad_pem",
                filename=filename,
                block=found,
                label=match.group(1).decode(),
            )
    rest = _PEM_BLOCK.sub(b"", data)
    if found == 0 or rest.strip():
        raise UploadRefused(
            "{filename}: text outside the PEM blocks (or no complete block)",
            reason="bad_pem",
            filename=filename,
        )


def _check_archive(data: bytes, filename: str, max_bytes: int) -> None:
    """A zip (APK) that would not expand into a bomb: bounded entries, total and ratio."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UploadRefused(
            "{filename}: not a readable archive ({error})",
            reason="bad_archive",
            filename=filename,
            error=str(exc),
        ) from None
    total = sum(info.file_size for info in infos)
    if (
        len(infos) > ZIP_MAX_ENTRIES
        or total > max_bytes * ZIP_RATIO_LIMIT
        or total > max(len(data), 1) * ZIP_RATIO_LIMIT
    ):
        raise UploadRefused(
            "{filename}: the archive would expand to {total} bytes from {size} (at most "
            "{ratio} times its size)",
            reason="zip_bomb",
            filename=filename,
            total=total,
            size=len(data),
            ratio=ZIP_RATIO_LIMIT,
        )


def check(data: bytes, filename: str, allowed: Iterable[Kind], max_bytes: int) -> Checked:
    """``data`` if it may be kept: not empty, at most ``max_bytes``, one of ``allowed`` by its
    content; PEM with nothing but well-formed blocks; an APK that is no decompression bomb."""
    filename = (Path(filename or "upload").name or "upload")[:255]
    allowed = frozenset(allowed)
    if not data:
        raise UploadRefused("{filename} is empty", reason="empty", filename=filename)
    if len(data) > max_bytes:
        raise UploadRefused(
            "{filename} is larger than {limit} bytes",
            reason="too_large",
            filename=filename,
            details={"limit": max_bytes},
            limit=max_bytes,
        )
    kind = sniff(data)
    if kind is None or kind not in allowed:
        kinds = sorted(k.value for k in allowed)
        details = {"found": kind.value if kind else "", "allowed": kinds}
        if kind is None:
            raise UploadRefused(
                "{filename} is of an unknown type, not one of {allowed}",
                reason="wrong_type",
                filename=filename,
                details=details,
                allowed=", ".join(kinds),
            )
        raise UploadRefused(
            "{filename} is {kind}, not one of {allowed}",
            reason="wrong_type",
            filename=filename,
            details=details,
            kind=kind.value,
            allowed=", ".join(kinds),
        )
    if kind is Kind.PEM:
        _check_pem(data, filename)
    if kind in (Kind.APK, Kind.ZIP):
        _check_archive(data, filename, max_bytes)
    return Checked(filename, kind, hashlib.sha256(data).hexdigest(), data)


# --- storage ----------------------------------------------------------------------------------


def backend_of(settings: Settings) -> str:
    return settings.upload_storage


def _directory(settings: Settings) -> Path:
    return settings.upload_dir if settings.upload_dir is not None else settings.data_dir / "uploads"


def _s3(settings: Settings) -> Any:
    import boto3  # type: ignore[import-untyped]  # imported when S3 storage is configured

    return boto3.client(
        "s3",
        endpoint_url=settings.upload_s3_endpoint or None,
        region_name=settings.upload_s3_region or None,
        aws_access_key_id=settings.upload_s3_access_key or None,
        aws_secret_access_key=settings.upload_s3_secret_key or None,
    )


def _key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


def _put(settings: Settings, checked: Checked) -> str | None:
    backend = backend_of(settings)
    if backend == "database":
        return None
    key = _key(checked.sha256)
    if backend == "directory":
        path = _directory(settings) / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            partial.write_bytes(checked.data)
            partial.replace(path)
        return key
    _s3(settings).put_object(
        Bucket=settings.upload_s3_bucket,
        Key=settings.upload_s3_prefix + key,
        Body=checked.data,
        ContentType="application/octet-stream",
    )
    return settings.upload_s3_prefix + key


def store(
    session: Session,
    settings: Settings,
    clock: Clock,
    actor: Actor,
    checked: Checked,
    *,
    purpose: str,
    party_id: int | None,
) -> StoredUpload:
    """Keep ``checked`` in the configured storage; a row records where. Content-addressed:
    the same bytes are written once per storage."""
    backend = backend_of(settings)
    location = _put(settings, checked)
    row = StoredUpload(
        sha256=checked.sha256,
        size=checked.size,
        kind=checked.kind.value,
        filename=checked.filename,
        purpose=purpose,
        party_id=party_id,
        backend=backend,
        location=location,
        content=checked.data if backend == "database" else None,
        created_by=actor.name,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def content(settings: Settings, row: StoredUpload) -> bytes:
    """The bytes of a stored upload, from wherever it was kept."""
    if row.backend == "database":
        if row.content is None:
            raise NotFound("upload {upload} has no content", upload=row.id)
        return row.content
    if row.location is None:
        raise NotFound("upload {upload} has no location", upload=row.id)
    if row.backend == "directory":
        return (_directory(settings) / row.location).read_bytes()
    answer = _s3(settings).get_object(Bucket=settings.upload_s3_bucket, Key=row.location)
    body: bytes = answer["Body"].read()
    return body


def uploads_of(session: Session, party_id: int, purpose: str | None = None) -> list[StoredUpload]:
    from sqlalchemy import select

    query = select(StoredUpload).where(StoredUpload.party_id == party_id)
    if purpose is not None:
        query = query.where(StoredUpload.purpose == purpose)
    return list(session.scalars(query.order_by(StoredUpload.id.desc())))
