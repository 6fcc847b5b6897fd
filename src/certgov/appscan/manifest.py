"""The binary ``AndroidManifest.xml``: package, versions, SDK levels, components and whether
each can be started from outside, requested permissions with their protection level.

androguard's :class:`AXMLPrinter` decodes the binary XML; anything it cannot decode, or a
document that is not a ``<manifest>``, is a :class:`MalformedManifest`. Protection levels come
from androguard's AOSP permission tables at :data:`PERMISSION_API_LEVEL` (the runtime
permission model of Android 6 and later), not from the app's target SDK: a permission that was
"dangerous" only in Android 1.x (``INTERNET``) is normal today.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from androguard.core.api_specific_resources import load_permissions
from androguard.core.axml import AXMLPrinter

from certgov.appscan.errors import MalformedManifest

ANDROID_NS = "{http://schemas.android.com/apk/res/android}"
#: The newest AOSP permission table androguard 4.1 ships (Android 11).
PERMISSION_API_LEVEL = 30
COMPONENT_KINDS = ("activity", "activity-alias", "service", "receiver", "provider")


class Protection(StrEnum):
    """Android permission protection levels, as the runtime model groups them."""

    DANGEROUS = "dangerous"
    NORMAL = "normal"
    SIGNATURE = "signature"
    UNKNOWN = "unknown"  # neither AOSP nor declared by the app (a vendor's or another app's)


@dataclass(frozen=True, slots=True)
class Component:
    """An activity, service, receiver or provider. ``exported`` is the effective value: the
    explicit attribute, else Android's default (exported when it has an intent filter; a
    provider when the target SDK is below 17)."""

    kind: str
    name: str
    exported: bool
    actions: tuple[str, ...]
    launcher: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "exported": self.exported,
            "actions": list(self.actions),
            "launcher": self.launcher,
        }


@dataclass(frozen=True, slots=True)
class Permission:
    name: str
    protection: Protection

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "protection": self.protection.value}


@dataclass(frozen=True, slots=True)
class Manifest:
    package: str
    version_code: str | None
    version_name: str | None
    min_sdk: int | None
    target_sdk: int | None
    max_sdk: int | None
    application_class: str | None
    components: tuple[Component, ...]
    permissions: tuple[Permission, ...]
    declared_permissions: tuple[Permission, ...]

    @property
    def exported_components(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.exported)

    def as_dict(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "version_code": self.version_code,
            "version_name": self.version_name,
            "min_sdk": self.min_sdk,
            "target_sdk": self.target_sdk,
            "max_sdk": self.max_sdk,
            "application_class": self.application_class,
            "components": [c.as_dict() for c in self.components],
            "exported_components": [c.name for c in self.exported_components],
            "declared_permissions": [p.as_dict() for p in self.declared_permissions],
        }


def parse_manifest(data: bytes) -> Manifest:
    """The manifest in binary AXML ``data``; :class:`MalformedManifest` naming the problem."""
    root = _decode(data)
    package = root.get("package") or ""
    if not package:
        raise MalformedManifest("the manifest names no package (<manifest package=…> is empty)")
    uses_sdk = root.find("uses-sdk")
    min_sdk = _int(uses_sdk, "minSdkVersion")
    target_sdk = _int(uses_sdk, "targetSdkVersion") or min_sdk
    application = root.find("application")
    application_class = None
    components: list[Component] = []
    if application is not None:
        name = application.get(ANDROID_NS + "name")
        application_class = _qualify(package, name) if name else None
        for element in application:
            if element.tag in COMPONENT_KINDS:
                components.append(_component(package, element, target_sdk))
    declared = tuple(
        Permission(
            str(p.get(ANDROID_NS + "name")), _protection_of(p.get(ANDROID_NS + "protectionLevel"))
        )
        for p in root.findall("permission")
        if p.get(ANDROID_NS + "name")
    )
    requested = sorted(
        {
            str(p.get(ANDROID_NS + "name"))
            for tag in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m")
            for p in root.findall(tag)
            if p.get(ANDROID_NS + "name")
        }
    )
    return Manifest(
        package=package,
        version_code=root.get(ANDROID_NS + "versionCode"),
        version_name=root.get(ANDROID_NS + "versionName"),
        min_sdk=min_sdk,
        target_sdk=target_sdk,
        max_sdk=_int(uses_sdk, "maxSdkVersion"),
        application_class=application_class,
        components=tuple(components),
        permissions=protection_levels(requested, declared),
        declared_permissions=declared,
    )


def protection_levels(
    names: list[str], declared: tuple[Permission, ...] = ()
) -> tuple[Permission, ...]:
    """Each permission of ``names`` with its protection level: the AOSP table, else the app's
    own ``<permission>`` declaration, else :attr:`Protection.UNKNOWN`."""
    aosp = load_permissions(PERMISSION_API_LEVEL)
    own = {p.name: p.protection for p in declared}
    result = []
    for name in names:
        if name in aosp:
            level = _protection_of(aosp[name].get("protectionLevel"))
        else:
            level = own.get(name, Protection.UNKNOWN)
        result.append(Permission(name, level))
    return tuple(result)


def _decode(data: bytes) -> Any:
    if not data:
        raise MalformedManifest("AndroidManifest.xml is empty")
    if data.lstrip()[:1] == b"<":
        raise MalformedManifest(
            "AndroidManifest.xml is plain-text XML: an APK holds the compiled binary form",
            hint="build the APK with the Android build tools (aapt2) rather than zipping sources",
        )
    try:
        printer = AXMLPrinter(data)
        root = printer.get_xml_obj() if printer.is_valid() else None
    except Exception as error:  # androguard raises anything on hostile bytes
        raise MalformedManifest(
            "AndroidManifest.xml is not a readable binary manifest ({problem})",
            problem=f"{type(error).__name__}: {str(error)[:200]}",
        ) from None
    if root is None:
        raise MalformedManifest("AndroidManifest.xml is not a readable binary Android manifest")
    if root.tag != "manifest":
        raise MalformedManifest(
            "AndroidManifest.xml starts with <{tag}>, not <manifest>", tag=str(root.tag)[:60]
        )
    return root


def _component(package: str, element: Any, target_sdk: int | None) -> Component:
    name = _qualify(
        package,
        element.get(ANDROID_NS + "name") or element.get(ANDROID_NS + "targetActivity") or "",
    )
    actions: list[str] = []
    categories: set[str] = set()
    filters = element.findall("intent-filter")
    for intent_filter in filters:
        actions += [a.get(ANDROID_NS + "name") or "" for a in intent_filter.findall("action")]
        categories |= {c.get(ANDROID_NS + "name") or "" for c in intent_filter.findall("category")}
    explicit = element.get(ANDROID_NS + "exported")
    if explicit is not None:
        exported = str(explicit).lower() == "true"
    elif element.tag == "provider":
        exported = target_sdk is not None and target_sdk < 17
    else:
        exported = bool(filters)
    launcher = "android.intent.action.MAIN" in actions and (
        "android.intent.category.LAUNCHER" in categories
    )
    return Component(element.tag, name, exported, tuple(a for a in actions if a), launcher)


def _qualify(package: str, name: str) -> str:
    if name.startswith("."):
        return package + name
    return name if "." in name else f"{package}.{name}"


def _int(element: Any, attribute: str) -> int | None:
    if element is None:
        return None
    value = element.get(ANDROID_NS + attribute)
    try:
        return int(str(value), 0) if value is not None else None
    except ValueError:
        return None  # a resource reference or a codename ("Q"): no number to compare


def _protection_of(level: object) -> Protection:
    text = str(level or "normal").lower()
    if text.startswith("0x") or text.isdigit():  # numeric form in compiled manifests
        base = int(text, 0) & 0xF
        return {1: Protection.DANGEROUS, 2: Protection.SIGNATURE, 3: Protection.SIGNATURE}.get(
            base, Protection.NORMAL
        )
    parts = set(text.split("|"))
    if "dangerous" in parts:
        return Protection.DANGEROUS
    if parts & {"signature", "signatureorsystem", "system"}:
        return Protection.SIGNATURE
    return Protection.NORMAL
