"""Who owns a piece of code: the app, an SDK, an open-source library, or nobody we can name.

A class belongs to the SDK with the longest matching prefix; to the app when it lies under
the manifest package or under the package of one of the app's own manifest components; to a
library by the library prefixes; otherwise it is *unattributed*, with the reason (obfuscated
package names such as ``a.b.c`` hide their owner from any static analysis).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from certgov.appscan.manifest import Manifest
from certgov.appscan.sdks import SdkSignature, SignatureData


class Owner(StrEnum):
    APP = "app"
    SDK = "sdk"
    LIBRARY = "library"
    UNATTRIBUTED = "unattributed"


@dataclass(frozen=True, slots=True)
class Attribution:
    owner: Owner
    sdk: str | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"owner": self.owner.value, "sdk": self.sdk, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str  # "code", "component" or "native_library"
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class SdkHit:
    """An SDK found in the APK, and what shows it."""

    sdk: SdkSignature
    evidence: tuple[Evidence, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.sdk.id,
            "name": self.sdk.name,
            "vendor": self.sdk.vendor,
            "categories": list(self.sdk.categories),
            "evidence": [e.as_dict() for e in self.evidence],
            "source": self.sdk.source,
        }


def java_name(descriptor: str) -> str:
    """``Lcom/example/Foo;`` → ``com.example.Foo`` (other strings unchanged)."""
    if descriptor.startswith("L") and descriptor.endswith(";"):
        return descriptor[1:-1].replace("/", ".")
    return descriptor


def is_obfuscated(class_name: str) -> bool:
    """True when every package segment has at most two characters (``a.b.c.d``, ``o0.a``) or
    the class is in the default package with a short name."""
    package, _, simple = class_name.rpartition(".")
    if not package:
        return len(simple.split("$")[0]) <= 2
    return all(len(segment) <= 2 for segment in package.split("."))


class Attributor:
    """Attributes Java class names to an owner; built once per analysis."""

    def __init__(self, data: SignatureData, manifest: Manifest) -> None:
        pairs = [(p, sdk) for sdk in data.sdks for p in sdk.prefixes]
        self._sdk_prefixes = sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)
        self._libraries = tuple(data.library_prefixes)
        roots = {manifest.package}
        own = [c.name for c in manifest.components]
        if manifest.application_class:
            own.append(manifest.application_class)
        for name in own:
            package = name.rpartition(".")[0]
            if (
                package.count(".") >= 1
                and self._sdk_of(name) is None
                and not self._is_library(name)
                and not is_obfuscated(name)
            ):
                roots.add(package)
        self._app_roots = tuple(sorted(roots))

    def attribute(self, class_name: str) -> Attribution:
        sdk = self._sdk_of(class_name)
        if sdk is not None:
            return Attribution(Owner.SDK, sdk.id)
        if any(class_name == r or class_name.startswith(r + ".") for r in self._app_roots):
            return Attribution(Owner.APP)
        if self._is_library(class_name):
            return Attribution(Owner.LIBRARY)
        if is_obfuscated(class_name):
            return Attribution(
                Owner.UNATTRIBUTED, reason="obfuscated package name: its owner cannot be told"
            )
        return Attribution(
            Owner.UNATTRIBUTED,
            reason="not under the app's packages and matches no known SDK or library",
        )

    def _sdk_of(self, class_name: str) -> SdkSignature | None:
        for prefix, sdk in self._sdk_prefixes:
            if class_name.startswith(prefix):
                return sdk
        return None

    def _is_library(self, class_name: str) -> bool:
        return class_name.startswith(self._libraries)


def detect_sdks(
    data: SignatureData,
    class_names: Iterable[str],
    manifest: Manifest,
    native_libraries: Iterable[str],
) -> tuple[SdkHit, ...]:
    """The SDKs of ``data`` present by code (a class under a prefix: the first few such classes
    are given as evidence), by a manifest component, or by a native library. Precondition:
    ``class_names`` are Java names (``com.example.Foo``)."""
    by_prefix = sorted(
        ((p, sdk) for sdk in data.sdks for p in sdk.prefixes),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    found: dict[str, list[Evidence]] = {}
    counts: dict[str, int] = {}
    for name in class_names:
        for prefix, sdk in by_prefix:
            if name.startswith(prefix):
                counts[sdk.id] = counts.get(sdk.id, 0) + 1
                if counts[sdk.id] <= 3:
                    found.setdefault(sdk.id, []).append(Evidence("code", name))
                break
    for component in manifest.components:
        for prefix, sdk in by_prefix:
            if component.name.startswith(prefix):
                found.setdefault(sdk.id, []).append(
                    Evidence("component", f"{component.kind} {component.name}")
                )
                break
    libraries = list(native_libraries)
    for sdk in data.sdks:
        for library in libraries:
            if any(fnmatch.fnmatchcase(library, glob) for glob in sdk.native_libraries):
                found.setdefault(sdk.id, []).append(Evidence("native_library", library))
    for sdk_id, count in counts.items():
        if count > 3:
            found[sdk_id].insert(3, Evidence("code", f"… {count} classes in all"))
    return tuple(SdkHit(sdk, tuple(found[sdk.id])) for sdk in data.sdks if sdk.id in found)
