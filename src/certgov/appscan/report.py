"""The analysis report of one APK (APP-11): dataclasses with a JSON form (:meth:`as_dict`) that
names the analyser, signature-data and rule-table versions it was made with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certgov.appscan.attribution import SdkHit
from certgov.appscan.callsites import CallSite
from certgov.appscan.manifest import Manifest, Protection
from certgov.appscan.startup import EntryPoint, StartupPath

#: What static analysis cannot see; every report carries it.
LIMITS_NOTE = (
    "Static analysis of the bytecode: calls made through reflection, code loaded or decrypted "
    "at run time, native code, and calls reached only through virtual dispatch, threads or "
    "callbacks are not seen; obfuscated packages cannot be attributed. A call site is code "
    "that can run, not proof that it runs."
)


@dataclass(frozen=True, slots=True)
class PermissionUse:
    name: str
    protection: Protection
    pi_types: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "protection": self.protection.value,
            "pi_types": list(self.pi_types),
        }


@dataclass(frozen=True, slots=True)
class SigningCertificate:
    scheme: str  # v1 (JAR signature), v2, v3
    subject: str
    issuer: str
    serial: str
    sha256: str
    not_before: str
    not_after: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "sha256": self.sha256,
            "not_before": self.not_before,
            "not_after": self.not_after,
        }


@dataclass(frozen=True, slots=True)
class SdkStartup:
    """An SDK's code reached from an entry point before any activity (SDK initialisation)."""

    sdk: str
    method: str
    path: StartupPath

    def as_dict(self) -> dict[str, Any]:
        return {"sdk": self.sdk, "method": self.method, "path": self.path.as_dict()}


@dataclass(frozen=True, slots=True)
class Report:
    analyser_version: str
    signature_data_version: str
    api_rules_version: str
    apk_sha256: str
    apk_size: int
    dex_files: tuple[str, ...]
    dex_bytes: int
    manifest: Manifest
    permissions: tuple[PermissionUse, ...]
    certificates: tuple[SigningCertificate, ...]
    sdks: tuple[SdkHit, ...]
    call_sites: tuple[CallSite, ...]
    entry_points: tuple[EntryPoint, ...]
    sdk_startup: tuple[SdkStartup, ...]
    native_libraries: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def pi_types(self) -> tuple[str, ...]:
        """The PI types the code reads (from call sites), sorted."""
        return tuple(sorted({site.pi_type for site in self.call_sites}))

    @property
    def dangerous_permissions(self) -> tuple[PermissionUse, ...]:
        return tuple(p for p in self.permissions if p.protection is Protection.DANGEROUS)

    @property
    def clean(self) -> bool:
        """No dangerous permission, no sensitive call site and no known SDK."""
        return not (self.dangerous_permissions or self.call_sites or self.sdks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "analyser_version": self.analyser_version,
            "signature_data_version": self.signature_data_version,
            "api_rules_version": self.api_rules_version,
            "apk": {
                "sha256": self.apk_sha256,
                "size": self.apk_size,
                "dex_files": list(self.dex_files),
                "dex_bytes": self.dex_bytes,
            },
            "manifest": self.manifest.as_dict(),
            "permissions": [p.as_dict() for p in self.permissions],
            "certificates": [c.as_dict() for c in self.certificates],
            "sdks": [s.as_dict() for s in self.sdks],
            "pi_types": list(self.pi_types),
            "call_sites": [c.as_dict() for c in self.call_sites],
            "entry_points": [e.as_dict() for e in self.entry_points],
            "sdk_startup": [s.as_dict() for s in self.sdk_startup],
            "native_libraries": list(self.native_libraries),
            "clean": self.clean,
            "notes": [LIMITS_NOTE, *self.notes],
        }
