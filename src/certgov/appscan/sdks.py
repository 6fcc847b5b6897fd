"""Third-party SDK signature data: our own ``sdks.toml`` and an importer for Exodus-format
tracker files (APP-11).

Pure functions over text; :func:`shipped_signature_data` reads the file shipped with certgov.
The data's ``version`` (with a digest of the exact bytes) goes into every report so that a
stored report says which signatures judged it.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from certgov.appscan.errors import InvalidSignatureData, ShippedDataError


@dataclass(frozen=True, slots=True)
class SdkSignature:
    """One SDK: Java package prefixes (or class names), native-library globs, and where each
    fact comes from."""

    id: str
    name: str
    vendor: str
    categories: tuple[str, ...]
    prefixes: tuple[str, ...]
    source: str
    native_libraries: tuple[str, ...] = ()
    native_source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "vendor": self.vendor,
            "categories": list(self.categories),
            "prefixes": list(self.prefixes),
            "source": self.source,
        }
        if self.native_libraries:
            body["native_libraries"] = list(self.native_libraries)
            body["native_source"] = self.native_source
        return body


@dataclass(frozen=True, slots=True)
class SignatureData:
    """A set of SDK signatures and the open-source library prefixes, with their version."""

    version: str
    sdks: tuple[SdkSignature, ...]
    library_prefixes: tuple[str, ...] = ()
    library_source: str = ""
    digests: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        """``version`` with the digest of the data, e.g. ``2025.1 (sha256:0a1b2c3d4e5f)``."""
        return f"{self.version} (sha256:{'+'.join(self.digests)})" if self.digests else self.version

    def merged(self, other: SignatureData) -> SignatureData:
        """These signatures and ``other``'s; an id present in both keeps ours."""
        known = {sdk.id for sdk in self.sdks}
        return SignatureData(
            version=f"{self.version}+{other.version}",
            sdks=self.sdks + tuple(s for s in other.sdks if s.id not in known),
            library_prefixes=self.library_prefixes,
            library_source=self.library_source,
            digests=self.digests + other.digests,
        )


def shipped_signature_data() -> SignatureData:
    """The signature data shipped with certgov (``certgov/appscan/sdks.toml``)."""
    text = resources.files("certgov.appscan").joinpath("sdks.toml").read_text(encoding="utf-8")
    try:
        return load_signature_data(text)
    except InvalidSignatureData as error:
        raise ShippedDataError(
            "{file}: {problem}", file="certgov/appscan/sdks.toml", problem=error.message
        ) from None


def load_signature_data(text: str) -> SignatureData:
    """Signature data in our TOML format (see ``sdks.toml``); :class:`InvalidSignatureData`
    naming the first wrong row."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidSignatureData("not TOML: {error}", error=str(error)) from None
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise InvalidSignatureData('no version = "…" at the top of the signature data')
    sdks: list[SdkSignature] = []
    seen: set[str] = set()
    for index, row in enumerate(data.get("sdk", []), start=1):
        where = f"[[sdk]] #{index} ({row.get('id', '?')})"
        for key in ("id", "name", "vendor", "source"):
            if not isinstance(row.get(key), str) or not row[key]:
                raise InvalidSignatureData(
                    "{where}: {key} must be a non-empty string", where=where, key=key
                )
        prefixes = _strings(row.get("prefixes"), f"{where}: prefixes")
        if not prefixes:
            raise InvalidSignatureData(
                "{where}: prefixes must name at least one package", where=where
            )
        natives = _strings(row.get("native_libraries", []), f"{where}: native_libraries")
        if natives and not row.get("native_source"):
            raise InvalidSignatureData(
                "{where}: native_libraries need a native_source", where=where
            )
        if row["id"] in seen:
            raise InvalidSignatureData("{where}: the id is used twice", where=where)
        seen.add(row["id"])
        sdks.append(
            SdkSignature(
                id=row["id"],
                name=row["name"],
                vendor=row["vendor"],
                categories=_strings(row.get("categories", []), f"{where}: categories"),
                prefixes=prefixes,
                source=row["source"],
                native_libraries=natives,
                native_source=row.get("native_source"),
            )
        )
    libraries = data.get("libraries", {})
    return SignatureData(
        version=version,
        sdks=tuple(sdks),
        library_prefixes=_strings(libraries.get("prefixes", []), "[libraries] prefixes"),
        library_source=str(libraries.get("source", "")),
        digests=(_digest(text.encode("utf-8")),),
    )


def import_exodus(data: bytes) -> SignatureData:
    """Signatures from an Exodus Privacy tracker file (the JSON of its ``/api/trackers``:
    ``{"trackers": {"<id>": {"name", "code_signature", "website", "categories", …}}}``, or a
    list of such trackers). ``code_signature`` is a ``|``-separated list of package prefixes,
    sometimes with regex escapes; trackers without one are skipped. Network signatures are not
    used (no traffic is analysed). The imported rows name the file's digest as their source."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidSignatureData(
            "the Exodus tracker file is not JSON: {error}", error=str(error)
        ) from None
    trackers: Any = body.get("trackers") if isinstance(body, dict) else body
    if isinstance(trackers, dict):
        trackers = list(trackers.values())
    if not isinstance(trackers, list):
        raise InvalidSignatureData(
            "the Exodus tracker file has no list of trackers",
            hint='expected {"trackers": {"1": {"name": …, "code_signature": …}, …}}',
        )
    digest = _digest(data)
    sdks = []
    for index, tracker in enumerate(trackers, start=1):
        if not isinstance(tracker, dict) or not isinstance(tracker.get("name"), str):
            raise InvalidSignatureData("Exodus tracker #{index} has no name", index=index)
        prefixes = tuple(
            p
            for part in str(tracker.get("code_signature") or "").split("|")
            if (p := _exodus_prefix(part))
        )
        if not prefixes:
            continue
        ident = str(tracker.get("id", index))
        sdks.append(
            SdkSignature(
                id=f"exodus-{ident}",
                name=tracker["name"],
                vendor=str(tracker.get("website") or "unknown"),
                categories=tuple(str(c).lower() for c in tracker.get("categories") or ()),
                prefixes=prefixes,
                source=f"Exodus Privacy tracker {ident}, imported file sha256:{digest}",
            )
        )
    return SignatureData(version=f"exodus:{digest}", sdks=tuple(sdks), digests=(digest,))


def _exodus_prefix(pattern: str) -> str:
    # Exodus signatures are regular expressions over class names; nearly all are literal
    # package prefixes with escaped dots. Anything with other regex syntax is kept up to it.
    literal = pattern.strip().replace("\\.", ".").replace("\\$", "$").lstrip("^")
    literal = re.split(r"[\\\[\](){}*+?|]", literal, maxsplit=1)[0]
    return literal if len(literal.strip(".")) >= 3 else ""


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidSignatureData("{where} must be a list of non-empty strings", where=where)
    return tuple(value)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]
