"""Sensitive API use found as call sites: for every rule of the table, the methods that call
the API (androguard's cross-references, with the bytecode offset of the call), each attributed
to the app, an SDK or nobody, and whether an entry point reaches it before any activity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certgov.appscan.apis import ApiRules
from certgov.appscan.attribution import Attribution, Attributor, java_name
from certgov.appscan.startup import Reach, StartupPath

_CONST_STRING = (0x1A, 0x1B)
_SGET = range(0x60, 0x67)


@dataclass(frozen=True, slots=True)
class CallSite:
    pi_type: str
    api: str  # android.telephony.TelephonyManager.getDeviceId
    caller_class: str
    caller_method: str  # getId()Ljava/lang/String;
    offset: int  # bytes from the start of the caller's bytecode
    attribution: Attribution
    before_consent: StartupPath | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What identifies the site across versions (offsets move when code changes)."""
        return (self.pi_type, self.api, self.caller_class, self.caller_method)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pi_type": self.pi_type,
            "api": self.api,
            "caller_class": self.caller_class,
            "caller_method": self.caller_method,
            "offset": self.offset,
            "attribution": self.attribution.as_dict(),
            "before_consent": self.before_consent.as_dict() if self.before_consent else None,
        }


def find_call_sites(
    analysis: Any, rules: ApiRules, attributor: Attributor, reach: Reach | None = None
) -> tuple[CallSite, ...]:
    """Every call site of every rule in ``analysis`` (an androguard ``Analysis`` whose
    cross-references are created), sorted by PI type, caller and offset."""
    sites: dict[tuple[str, str, int, str], CallSite] = {}

    def add(pi_type: str, api: str, caller: Any, offset: int) -> None:
        caller_class = java_name(caller.class_name)
        key = (caller_class, caller.name + caller.descriptor, offset, pi_type)
        if key in sites:
            return
        sites[key] = CallSite(
            pi_type=pi_type,
            api=api,
            caller_class=caller_class,
            caller_method=caller.name + caller.descriptor.replace(" ", ""),
            offset=offset,
            attribution=attributor.attribute(caller_class),
            before_consent=reach.path_to(caller) if reach is not None else None,
        )

    for rule in rules.apis:
        for method in _methods(analysis, rule.descriptor, rule.methods):
            api = f"{rule.java_class}.{method.name}"
            for _cls, caller, offset in method.get_xref_from():
                if rule.with_strings and not _loads_any(caller, rule.with_strings):
                    continue
                add(rule.pi_type, api, caller, offset)
    if rules.providers:
        for cls_descriptor, names in rules.query_methods.items():
            for method in _methods(analysis, cls_descriptor, names):
                api = f"{java_name(cls_descriptor)}.{method.name}"
                for _cls, caller, offset in method.get_xref_from():
                    strings, fields = _constants_near(analysis, caller)
                    for provider in rules.providers:
                        class_names = tuple(java_name(c + ";") for c in provider.uri_classes)
                        if any(
                            s.startswith(provider.uri_prefixes + class_names) for s in strings
                        ) or any(f.startswith(provider.uri_classes) for f in fields):
                            add(provider.pi_type, f"{api} ({provider.pi_type})", caller, offset)
    return tuple(
        sorted(sites.values(), key=lambda s: (s.pi_type, s.caller_class, s.caller_method, s.offset))
    )


def _methods(analysis: Any, class_descriptor: str, names: frozenset[str]) -> list[Any]:
    cls = analysis.classes.get(class_descriptor)
    if cls is None:
        return []
    return [m for m in cls.get_methods() if m.name in names]


def _constants_near(
    analysis: Any, caller: Any, depth: int = 2, max_methods: int = 50
) -> tuple[list[str], list[str]]:
    """The constants of ``caller`` and of the code it leans on, ``depth`` steps out: the app
    methods it calls and the static initialisers of the app classes whose static fields it
    reads. The URI of a query is often built by a helper or kept in a static field."""
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


def _loads_any(caller: Any, wanted: tuple[str, ...]) -> bool:
    # Settings.Secure.getString(resolver, "android_id"): the key is a constant of the caller.
    strings, _ = _constants(caller)
    return any(s in wanted for s in strings)


def _constants(caller: Any) -> tuple[list[str], list[str]]:
    """The strings a method loads and the classes of the static fields it reads."""
    if caller.is_external():
        return [], []
    strings: list[str] = []
    fields: list[str] = []
    method = caller.get_method()
    for instruction in method.get_instructions():
        op = instruction.get_op_value()
        if op in _CONST_STRING:
            strings.append(str(instruction.cm.vm.get_cm_string(instruction.get_ref_kind())))
        elif op in _SGET:
            fields.append(str(instruction.cm.vm.get_cm_field(instruction.get_ref_kind())[0]))
    return strings, fields
