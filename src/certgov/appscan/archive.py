"""The APK as a zip archive: limits checked on the central directory before anything is
inflated, then only the entries the analysis needs are inflated, each bounded by its declared
size (:mod:`zipfile` stops at the declared size and checks the CRC).

A zip bomb announces itself in the central directory (huge declared sizes, impossible
compression ratios) or lies there; the first is refused before inflating, the second fails the
bounded read. Entries the analysis never reads (resources, assets) are not inflated at all.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from certgov.appscan.errors import (
    ApkTooLarge,
    DuplicateEntry,
    MalformedManifest,
    NotAnApk,
    TruncatedApk,
    ZipBomb,
)
from certgov.text import Text

MANIFEST = "AndroidManifest.xml"
_DEX_RE = re.compile(r"classes(\d*)\.dex")
_SIGNATURE_RE = re.compile(r"META-INF/[^/]+\.(RSA|DSA|EC)", re.IGNORECASE)
_NATIVE_RE = re.compile(r"lib/([^/]+)/([^/]+\.so)")
_MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """What an APK may be before it is analysed; the defaults suit the worker (≤ 600 MB of
    memory per analysis). ``max_ratio`` applies to entries over ``ratio_floor`` bytes: small
    entries of zeros compress absurdly well in honest files too."""

    max_apk_bytes: int = 512 * _MIB
    max_entries: int = 100_000
    max_total_uncompressed: int = 2048 * _MIB
    max_ratio: float = 100.0
    ratio_floor: int = _MIB
    max_dex_bytes: int = 64 * _MIB
    max_manifest_bytes: int = 4 * _MIB
    max_signature_bytes: int = _MIB


@dataclass(frozen=True, slots=True)
class ApkArchive:
    """The entries the analysis reads, inflated, and the names of the others."""

    manifest: bytes
    dex: tuple[tuple[str, bytes], ...]
    signature_files: tuple[tuple[str, bytes], ...]
    native_libraries: tuple[str, ...]
    entry_names: tuple[str, ...]

    @property
    def dex_bytes(self) -> int:
        return sum(len(data) for _, data in self.dex)


def open_archive(data: bytes, limits: Limits | None = None) -> ApkArchive:
    """The archive of ``data``, checked against ``limits`` (default :class:`Limits`).

    Raises :class:`NotAnApk`, :class:`TruncatedApk`, :class:`ZipBomb`, :class:`ApkTooLarge`,
    :class:`DuplicateEntry` or :class:`MalformedManifest` (no manifest entry), each naming what
    is wrong; never inflates more than the declared sizes it has accepted.
    """
    limits = limits or Limits()
    if len(data) > limits.max_apk_bytes:
        raise ApkTooLarge(
            "the APK is {size} bytes, more than the limit of {limit}",
            details={"expected_at_most": limits.max_apk_bytes, "found": len(data)},
            size=f"{len(data):,}",
            limit=f"{limits.max_apk_bytes:,}",
        )
    archive = _central_directory(data)
    infos = archive.infolist()
    _check_directory(infos, len(data), limits)
    named: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if info.filename in named and _is_read(info.filename):
            raise DuplicateEntry(
                "the archive holds {entry!r} twice; Android and analysis tools would not agree "
                "on which one is the app",
                details={"entry": info.filename},
                entry=info.filename,
            )
        named[info.filename] = info
    if MANIFEST not in named:
        raise MalformedManifest(
            "the archive has no AndroidManifest.xml: it is a zip file but not an APK",
            hint="upload the .apk file itself, not an archive that contains it",
        )
    manifest = _inflate(archive, named[MANIFEST], limits.max_manifest_bytes, "manifest")
    dex_names = sorted((n for n in named if _DEX_RE.fullmatch(n)), key=_dex_order)
    declared_dex = sum(named[n].file_size for n in dex_names)
    if declared_dex > limits.max_dex_bytes:
        raise ApkTooLarge(
            "the APK's dex code is {size} bytes, more than the limit of {limit}",
            hint="an analysis of this size needs a larger limit and more memory for the job",
            details={"expected_at_most": limits.max_dex_bytes, "found": declared_dex},
            size=f"{declared_dex:,}",
            limit=f"{limits.max_dex_bytes:,}",
        )
    dex = tuple((n, _inflate(archive, named[n], limits.max_dex_bytes, "dex")) for n in dex_names)
    signatures = tuple(
        (n, _inflate(archive, named[n], limits.max_signature_bytes, "signature"))
        for n in sorted(named)
        if _SIGNATURE_RE.fullmatch(n)
    )
    native = sorted({m.group(2) for n in named if (m := _NATIVE_RE.fullmatch(n))})
    return ApkArchive(manifest, dex, signatures, tuple(native), tuple(i.filename for i in infos))


def _central_directory(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        if data[:4] == b"PK\x03\x04":
            raise TruncatedApk(
                "the file starts as a zip archive but its central directory is missing or "
                "damaged ({error}); it was probably cut short ({size} bytes)",
                hint="upload the file again",
                error=str(error),
                size=f"{len(data):,}",
            ) from None
        if not data:
            raise NotAnApk(
                "the file is not a zip archive (it starts with nothing); an APK is a zip archive"
            ) from None
        raise NotAnApk(
            "the file is not a zip archive (it starts with {head}); an APK is a zip archive",
            head=data[:8].hex(),
        ) from None
    except (ValueError, OSError, EOFError) as error:
        raise TruncatedApk(
            "the zip central directory does not read: {error}", error=str(error)
        ) from None


def _check_directory(infos: list[zipfile.ZipInfo], size: int, limits: Limits) -> None:
    if len(infos) > limits.max_entries:
        raise ApkTooLarge(
            "the archive has {count} entries, more than the limit of {limit}",
            details={"expected_at_most": limits.max_entries, "found": len(infos)},
            count=f"{len(infos):,}",
            limit=f"{limits.max_entries:,}",
        )
    total = 0
    for info in infos:
        if info.header_offset + info.compress_size > size:
            raise TruncatedApk(
                "entry {entry!r} extends past the end of the file ({end} > {size} bytes)",
                hint="upload the file again",
                details={"entry": info.filename},
                entry=info.filename,
                end=f"{info.header_offset + info.compress_size:,}",
                size=f"{size:,}",
            )
        total += info.file_size
        if info.file_size > limits.ratio_floor:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise ZipBomb(
                    "entry {entry!r} would inflate {compressed} bytes to {inflated} (ratio "
                    "{ratio}, limit {limit}); refused before inflating",
                    details={"entry": info.filename, "ratio": round(ratio, 1)},
                    entry=info.filename,
                    compressed=f"{info.compress_size:,}",
                    inflated=f"{info.file_size:,}",
                    ratio=f"{ratio:,.0f}",
                    limit=f"{limits.max_ratio:g}",
                )
    if total > limits.max_total_uncompressed:
        raise ZipBomb(
            "the entries would inflate to {total} bytes in all, more than the limit of "
            "{limit}; refused before inflating",
            details={"expected_at_most": limits.max_total_uncompressed, "found": total},
            total=f"{total:,}",
            limit=f"{limits.max_total_uncompressed:,}",
        )


#: An entry the analysis reads that is larger than its limit, by what the entry is.
_ENTRY_TOO_LARGE = {
    "manifest": Text("manifest entry {entry!r} is {size} bytes, more than the limit of {limit}"),
    "dex": Text("dex entry {entry!r} is {size} bytes, more than the limit of {limit}"),
    "signature": Text("signature entry {entry!r} is {size} bytes, more than the limit of {limit}"),
}


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, what: str) -> bytes:
    if info.file_size > limit:
        raise ApkTooLarge(
            _ENTRY_TOO_LARGE[what],
            details={"entry": info.filename, "expected_at_most": limit, "found": info.file_size},
            entry=info.filename,
            size=f"{info.file_size:,}",
            limit=f"{limit:,}",
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise NotAnApk(
            "entry {entry!r} uses compression method {method}; APKs use only stored (0) and "
            "deflated (8) entries",
            details={"entry": info.filename},
            entry=info.filename,
            method=info.compress_type,
        )
    try:
        with archive.open(info) as stream:
            # ZipExtFile never returns more than the declared size and checks the CRC at the
            # end: a lying header fails here rather than filling memory.
            return stream.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise TruncatedApk(
            "entry {entry!r} does not inflate: {error}",
            hint="the file is damaged or was cut short; upload it again",
            details={"entry": info.filename},
            entry=info.filename,
            error=str(error),
        ) from None
    except RuntimeError as error:  # encrypted entries
        raise NotAnApk(
            "entry {entry!r} cannot be read: {error}", entry=info.filename, error=str(error)
        ) from None


def _is_read(name: str) -> bool:
    return (
        name == MANIFEST or _DEX_RE.fullmatch(name) is not None or bool(_SIGNATURE_RE.match(name))
    )


def _dex_order(name: str) -> int:
    match = _DEX_RE.fullmatch(name)
    digits = match.group(1) if match else ""
    return int(digits) if digits else 1
