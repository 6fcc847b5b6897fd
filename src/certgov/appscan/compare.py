"""Two reports of one app compared (APP-7, APP-11): the certified sample against the sample of
a surveillance or self-assessment report. New permissions, SDKs and sensitive call sites are
what an APP-7 event needs; removals are listed too.

Works on :class:`Report` objects or their stored JSON form (``as_dict()``), so that a stored
report can be compared with a fresh one without re-analysing the old APK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from certgov.appscan.report import Report


@dataclass(frozen=True, slots=True)
class Comparison:
    old_version: str | None
    new_version: str | None
    new_permissions: tuple[str, ...]
    removed_permissions: tuple[str, ...]
    new_dangerous_permissions: tuple[str, ...]
    new_sdks: tuple[str, ...]
    removed_sdks: tuple[str, ...]
    new_pi_types: tuple[str, ...]
    new_call_sites: tuple[dict[str, Any], ...]
    removed_call_sites: tuple[dict[str, Any], ...]

    @property
    def widened(self) -> bool:
        """True when the new sample collects or embeds anything the old one did not."""
        return bool(
            self.new_permissions or self.new_sdks or self.new_pi_types or self.new_call_sites
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "widened": self.widened,
            "new_permissions": list(self.new_permissions),
            "removed_permissions": list(self.removed_permissions),
            "new_dangerous_permissions": list(self.new_dangerous_permissions),
            "new_sdks": list(self.new_sdks),
            "removed_sdks": list(self.removed_sdks),
            "new_pi_types": list(self.new_pi_types),
            "new_call_sites": list(self.new_call_sites),
            "removed_call_sites": list(self.removed_call_sites),
        }


def compare(old: Report | Mapping[str, Any], new: Report | Mapping[str, Any]) -> Comparison:
    """What ``new`` adds to and drops from ``old``. Call sites are matched by PI type, API and
    calling method, not by offset (which moves with any change to the method)."""
    before, after = _body(old), _body(new)
    old_permissions = {p["name"]: p for p in before["permissions"]}
    new_permissions = {p["name"]: p for p in after["permissions"]}
    old_sdks = {s["id"] for s in before["sdks"]}
    new_sdks = {s["id"] for s in after["sdks"]}
    old_sites = {_site_key(s): s for s in before["call_sites"]}
    new_sites = {_site_key(s): s for s in after["call_sites"]}
    added_permissions = sorted(set(new_permissions) - set(old_permissions))
    return Comparison(
        old_version=_version(before),
        new_version=_version(after),
        new_permissions=tuple(added_permissions),
        removed_permissions=tuple(sorted(set(old_permissions) - set(new_permissions))),
        new_dangerous_permissions=tuple(
            p for p in added_permissions if new_permissions[p]["protection"] == "dangerous"
        ),
        new_sdks=tuple(sorted(new_sdks - old_sdks)),
        removed_sdks=tuple(sorted(old_sdks - new_sdks)),
        new_pi_types=tuple(sorted(set(after["pi_types"]) - set(before["pi_types"]))),
        new_call_sites=tuple(new_sites[k] for k in sorted(set(new_sites) - set(old_sites))),
        removed_call_sites=tuple(old_sites[k] for k in sorted(set(old_sites) - set(new_sites))),
    )


def _body(report: Report | Mapping[str, Any]) -> Mapping[str, Any]:
    return report.as_dict() if isinstance(report, Report) else report


def _site_key(site: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (site["pi_type"], site["api"], site["caller_class"], site["caller_method"])


def _version(body: Mapping[str, Any]) -> str | None:
    manifest = body["manifest"]
    code, name = manifest.get("version_code"), manifest.get("version_name")
    return f"{name} ({code})" if name or code else None
