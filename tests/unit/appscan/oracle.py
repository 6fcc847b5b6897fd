"""The reference the dex scanner is checked against: the call-site finder, the walk from the
entry points and the class list as they were built on androguard's whole-program ``Analysis``
(certgov-appscan 1). Slow and memory-hungry (about 130 MB per MB of dex), so only the tests
run it, on small APKs.

androguard keeps cross-references in sets of objects hashed by identity, so the order it walks
them in changes from run to run: which of two equally short paths it finds, and which method
of an SDK it reaches first, are not fixed. :func:`oracle` therefore gives what is fixed: every
call site with its PI type, API, caller, offset and attribution, whether it is reachable and
how far from an entry point; the SDKs; for each SDK reached, how far.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from loguru import logger

from certgov.appscan import shipped_api_rules, shipped_signature_data
from certgov.appscan.apis import descriptor
from certgov.appscan.archive import open_archive
from certgov.appscan.attribution import Attributor, Owner, detect_sdks, java_name
from certgov.appscan.manifest import parse_manifest
from certgov.appscan.report import Report
from certgov.appscan.startup import ENTRY_METHODS, EntryPoint, entry_points

logger.disable("androguard")

from androguard.core.analysis.analysis import Analysis  # noqa: E402
from androguard.core.dex import DEX  # noqa: E402

_CONST_STRING = (0x1A, 0x1B)
_SGET = range(0x60, 0x67)


def oracle(apk: bytes) -> dict[str, Any]:
    """What androguard's ``Analysis`` finds in ``apk`` under the shipped data, in the form of
    :func:`summary`."""
    signatures, rules = shipped_signature_data(), shipped_api_rules()
    archive = open_archive(apk)
    manifest = parse_manifest(archive.manifest)
    analysis = Analysis()
    for _name, data in archive.dex:
        analysis.add(DEX(data, using_api=manifest.target_sdk))
    analysis.create_xref()
    attributor = Attributor(signatures, manifest)
    reach = _Reach(analysis, entry_points(manifest), 200_000)
    names = [java_name(str(c.name)) for c in analysis.get_internal_classes()]
    sites: dict[tuple[str, str, int, str], tuple[Any, ...]] = {}

    def add(pi_type: str, api: str, caller: Any, offset: int) -> None:
        caller_class = java_name(caller.class_name)
        caller_method = caller.name + caller.descriptor.replace(" ", "")
        key = (caller_class, caller_method, offset, pi_type)
        if key not in sites:
            depth = reach.depth(caller)
            owner = attributor.attribute(caller_class)
            sites[key] = (pi_type, api, caller_class, caller_method, offset, owner.as_dict(), depth)

    for rule in rules.apis:
        for method in _methods(analysis, rule.descriptor, rule.methods):
            api = f"{rule.java_class}.{method.name}"
            for _cls, caller, offset in method.get_xref_from():
                if rule.with_strings and not any(
                    s in rule.with_strings for s in _constants(caller)[0]
                ):
                    continue
                add(rule.pi_type, api, caller, offset)
    for cls_descriptor, query_names in rules.query_methods.items():
        for method in _methods(analysis, cls_descriptor, query_names):
            api = f"{java_name(cls_descriptor)}.{method.name}"
            for _cls, caller, offset in method.get_xref_from():
                strings, fields = _constants_near(analysis, caller)
                for provider in rules.providers:
                    class_names = tuple(java_name(c + ";") for c in provider.uri_classes)
                    if any(
                        s.startswith(provider.uri_prefixes + class_names) for s in strings
                    ) or any(f.startswith(provider.uri_classes) for f in fields):
                        add(provider.pi_type, f"{api} ({provider.pi_type})", caller, offset)
    startup: dict[str, int] = {}
    for method, depth in reach.depths():
        owner = attributor.attribute(java_name(method.class_name))
        if owner.owner is Owner.SDK and owner.sdk:
            startup[owner.sdk] = min(depth, startup.get(owner.sdk, depth))
    return {
        "call_sites": sorted(sites.values(), key=repr),
        "sdks": [
            h.as_dict() for h in detect_sdks(signatures, names, manifest, archive.native_libraries)
        ],
        "sdk_startup": sorted(startup.items()),
        "classes": names,
    }


def summary(report: Report, classes: list[str]) -> dict[str, Any]:
    """``report`` (with the Java names of the classes the scanner read) in the form of
    :func:`oracle`: a path becomes its length less one (the depth of the method reached)."""
    sites = [
        (
            s.pi_type,
            s.api,
            s.caller_class,
            s.caller_method,
            s.offset,
            s.attribution.as_dict(),
            None if s.before_consent is None else len(s.before_consent.calls) - 1,
        )
        for s in report.call_sites
    ]
    return {
        "call_sites": sorted(sites, key=repr),
        "sdks": [h.as_dict() for h in report.sdks],
        "sdk_startup": sorted((s.sdk, len(s.path.calls) - 1) for s in report.sdk_startup),
        "classes": classes,
    }


class _Reach:
    def __init__(self, analysis: Any, entries: tuple[EntryPoint, ...], limit: int) -> None:
        self._depth: dict[Any, int] = {}
        queue: deque[Any] = deque()
        for entry in entries:
            for method in _entry_methods(analysis, entry):
                if method not in self._depth:
                    self._depth[method] = 0
                    queue.append(method)
        while queue:
            method = queue.popleft()
            for _cls, callee, _offset in method.get_xref_to():
                if callee in self._depth or callee.is_external():
                    continue
                if len(self._depth) >= limit:
                    queue.clear()
                    break
                self._depth[callee] = self._depth[method] + 1
                queue.append(callee)

    def depth(self, method: Any) -> int | None:
        return self._depth.get(method)

    def depths(self) -> list[tuple[Any, int]]:
        return list(self._depth.items())


def _entry_methods(analysis: Any, entry: EntryPoint) -> list[Any]:
    names = ENTRY_METHODS[entry.kind]
    methods = []
    current = analysis.classes.get(descriptor(entry.class_name))
    depth = 0
    while current is not None and not current.is_external() and depth < 8:
        methods += [m for m in current.get_methods() if m.name in names]
        current = analysis.classes.get(current.extends)
        depth += 1
    return methods


def _methods(analysis: Any, class_descriptor: str, names: frozenset[str]) -> list[Any]:
    cls = analysis.classes.get(class_descriptor)
    if cls is None:
        return []
    return [m for m in cls.get_methods() if m.name in names]


def _constants_near(
    analysis: Any, caller: Any, depth: int = 2, max_methods: int = 50
) -> tuple[list[str], list[str]]:
    strings: list[str] = []
    fields: list[str] = []
    seen: set[Any] = set()
    frontier = [caller]
    for _step in range(depth + 1):
        following: list[Any] = []
        for method in frontier:
            if method in seen or method.is_external() or len(seen) >= max_methods:
                continue
            seen.add(method)
            more_strings, more_fields = _constants(method)
            strings += more_strings
            fields += more_fields
            following += [callee for _c, callee, _o in method.get_xref_to()]
            for field_class in more_fields:
                owner = analysis.classes.get(field_class)
                if owner is not None and not owner.is_external():
                    following += [m for m in owner.get_methods() if m.name == "<clinit>"]
        frontier = following
    return strings, fields


def _constants(caller: Any) -> tuple[list[str], list[str]]:
    if caller.is_external():
        return [], []
    strings: list[str] = []
    fields: list[str] = []
    for instruction in caller.get_method().get_instructions():
        op = instruction.get_op_value()
        if op in _CONST_STRING:
            strings.append(str(instruction.cm.vm.get_cm_string(instruction.get_ref_kind())))
        elif op in _SGET:
            fields.append(str(instruction.cm.vm.get_cm_field(instruction.get_ref_kind())[0]))
    return strings, fields
