"""``analyse(apk_bytes)``: the whole analysis of one APK into a :class:`Report` (APP-11).

Order matters for hostile input: the zip limits are checked on the central directory
(:mod:`certgov.appscan.archive`), then the manifest is decoded, and only then is the dex code
read (:mod:`certgov.appscan.dexscan`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from certgov.appscan import _androguard
from certgov.appscan.apis import ApiRules, shipped_api_rules
from certgov.appscan.archive import ApkArchive, Limits, open_archive
from certgov.appscan.attribution import Attribution, Attributor, Owner, detect_sdks, java_name
from certgov.appscan.callsites import find_call_sites
from certgov.appscan.dexscan import Program, read_program
from certgov.appscan.manifest import Manifest, parse_manifest
from certgov.appscan.report import PermissionUse, Report, SdkStartup, SigningCertificate
from certgov.appscan.sdks import SignatureData, shipped_signature_data
from certgov.appscan.startup import Reach, entry_points
from certgov.pki import parse_bundle, parse_certificate
from certgov.pki.errors import PkiError

#: Bumped when the analysis would report differently on the same APK and data.
ANALYSER_VERSION = f"certgov-appscan 2 (dexscan; androguard {_androguard.VERSION})"
#: Most methods the walk from entry points visits before it stops (and says so).
DEFAULT_MAX_REACHED_METHODS = 200_000


def analyse(
    apk: bytes,
    *,
    signatures: SignatureData | None = None,
    rules: ApiRules | None = None,
    limits: Limits | None = None,
    max_reached_methods: int = DEFAULT_MAX_REACHED_METHODS,
) -> Report:
    """The report of the APK ``apk`` under the SDK ``signatures`` and API ``rules`` (default:
    those shipped). Raises a :class:`certgov.appscan.errors.ApkError` naming what is wrong for
    anything that is not a readable APK within ``limits``; a readable APK with no sensitive
    behaviour gets a report whose ``clean`` is true."""
    signatures = signatures or shipped_signature_data()
    rules = rules or shipped_api_rules()
    archive = open_archive(apk, limits)
    manifest = parse_manifest(archive.manifest)
    program = read_program(archive.dex)
    attributor = Attributor(signatures, manifest)
    entries = entry_points(manifest)
    reach = Reach(program, entries, max_reached_methods)
    class_names = [java_name(name) for name in program.classes]
    notes = []
    if reach.truncated:
        notes.append(
            f"the walk from the entry points stopped after {max_reached_methods:,} methods: "
            "collection before consent may be under-reported"
        )
    certificates, signing_note = _certificates(apk, archive)
    if signing_note:
        notes.append(signing_note)
    return Report(
        analyser_version=ANALYSER_VERSION,
        signature_data_version=signatures.label,
        api_rules_version=rules.label,
        apk_sha256=hashlib.sha256(apk).hexdigest(),
        apk_size=len(apk),
        dex_files=tuple(name for name, _ in archive.dex),
        dex_bytes=archive.dex_bytes,
        manifest=manifest,
        permissions=_permissions(manifest, rules),
        certificates=certificates,
        sdks=detect_sdks(signatures, class_names, manifest, archive.native_libraries),
        call_sites=find_call_sites(program, rules, attributor, reach),
        entry_points=entries,
        sdk_startup=_sdk_startup(program, reach, attributor),
        native_libraries=archive.native_libraries,
        notes=tuple(notes),
    )


@dataclass(frozen=True, slots=True)
class SampleIdentity:
    """What an upload is, read from its content (not its name): the APK's SHA-256 and size and
    the app's package and version from its manifest."""

    sha256: str
    size: int
    package: str
    version_code: str | None
    version_name: str | None
    dex_bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "package": self.package,
            "version_code": self.version_code,
            "version_name": self.version_name,
            "dex_bytes": self.dex_bytes,
        }


def identify(apk: bytes, limits: Limits | None = None) -> SampleIdentity:
    """Check that ``apk`` is an APK within ``limits`` (zip limits on the central directory
    before anything is inflated, then the manifest decoded) without analysing its code: what an
    upload does before it stores and queues the sample. Raises the same
    :class:`certgov.appscan.errors.ApkError` subclasses as :func:`analyse`."""
    archive = open_archive(apk, limits)
    manifest = parse_manifest(archive.manifest)
    return SampleIdentity(
        sha256=hashlib.sha256(apk).hexdigest(),
        size=len(apk),
        package=manifest.package,
        version_code=manifest.version_code,
        version_name=manifest.version_name,
        dex_bytes=archive.dex_bytes,
    )


def _permissions(manifest: Manifest, rules: ApiRules) -> tuple[PermissionUse, ...]:
    return tuple(
        PermissionUse(p.name, p.protection, rules.permissions.get(p.name, ()))
        for p in manifest.permissions
    )


def _sdk_startup(program: Program, reach: Reach, attributor: Attributor) -> tuple[SdkStartup, ...]:
    first: dict[str, int] = {}
    owners: dict[str, Attribution] = {}
    for method in reach.methods():
        cls = program.refs[method][0]
        attribution = owners.get(cls)
        if attribution is None:
            attribution = owners[cls] = attributor.attribute(java_name(cls))
        if attribution.owner is Owner.SDK and attribution.sdk and attribution.sdk not in first:
            first[attribution.sdk] = method
    result = []
    for sdk, method in first.items():
        path = reach.path_to(method)
        if path is not None:
            result.append(SdkStartup(sdk, program.method_name(method), path))
    return tuple(sorted(result, key=lambda s: s.sdk))


def _certificates(apk: bytes, archive: ApkArchive) -> tuple[tuple[SigningCertificate, ...], str]:
    found: list[SigningCertificate] = []
    seen: set[tuple[str, str]] = set()

    def add(scheme: str, der_or_pkcs7: bytes, *, bundle: bool) -> None:
        try:
            certs = parse_bundle(der_or_pkcs7) if bundle else (parse_certificate(der_or_pkcs7),)
        except PkiError:
            return
        for cert in certs:
            summary = cert.summary
            if (scheme, summary.fingerprint_sha256) in seen:
                continue
            seen.add((scheme, summary.fingerprint_sha256))
            found.append(
                SigningCertificate(
                    scheme=scheme,
                    subject=summary.subject,
                    issuer=summary.issuer,
                    serial=format(summary.serial, "x"),
                    sha256=summary.fingerprint_sha256,
                    not_before=summary.not_before.isoformat(),
                    not_after=summary.not_after.isoformat(),
                )
            )

    for _name, data in archive.signature_files:
        add("v1", data, bundle=True)
    note = ""
    try:
        for scheme, ders in _androguard.signing_block_certificates(apk).items():
            for der in ders:
                add(scheme, der, bundle=False)
    except Exception as error:  # androguard raises anything on a damaged signing block
        note = f"the APK signing block (v2/v3) could not be read: {type(error).__name__}"
    if not found:
        note = note or "the APK is not signed (no v1, v2 or v3 signature found)"
    return tuple(found), note
