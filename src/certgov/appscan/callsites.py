"""Sensitive API use found as call sites: for every rule of the table, the methods that call
the API (from the calls :mod:`certgov.appscan.dexscan` reads, with the bytecode offset of
the call), each attributed
to the app, an SDK or nobody, and whether an entry point reaches it before any activity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certgov.appscan.apis import ApiRules
from certgov.appscan.attribution import Attribution, Attributor, java_name
from certgov.appscan.dexscan import Program
from certgov.appscan.startup import Reach, StartupPath


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
    program: Program, rules: ApiRules, attributor: Attributor, reach: Reach | None = None
) -> tuple[CallSite, ...]:
    """Every call site of every rule in ``program``, sorted by PI type, caller and offset."""
    sites: dict[tuple[str, str, int, str], CallSite] = {}

    def add(pi_type: str, api: str, caller: int, offset: int) -> None:
        cls, name, proto = program.refs[caller]
        caller_class = java_name(cls)
        key = (caller_class, name + proto, offset, pi_type)
        if key in sites:
            return
        sites[key] = CallSite(
            pi_type=pi_type,
            api=api,
            caller_class=caller_class,
            caller_method=name + proto,
            offset=offset,
            attribution=attributor.attribute(caller_class),
            before_consent=reach.path_to(caller) if reach is not None else None,
        )

    # Every API method a rule names, and the calls to them, in one pass over the calls.
    wanted = {m for rule in rules.apis for m in program.methods_of(rule.descriptor, rule.methods)}
    if rules.providers:
        wanted |= {
            m for cls, names in rules.query_methods.items() for m in program.methods_of(cls, names)
        }
    callers: dict[int, list[tuple[int, int]]] = {}
    for caller, callee, offset in program.calls_to(wanted):
        callers.setdefault(callee, []).append((caller, offset))
    for rule in rules.apis:
        for method in program.methods_of(rule.descriptor, rule.methods):
            api = f"{rule.java_class}.{program.refs[method][1]}"
            for caller, offset in callers.get(method, ()):
                if rule.with_strings and not _loads_any(program, caller, rule.with_strings):
                    continue
                add(rule.pi_type, api, caller, offset)
    if rules.providers:
        for cls_descriptor, names in rules.query_methods.items():
            for method in program.methods_of(cls_descriptor, names):
                api = f"{java_name(cls_descriptor)}.{program.refs[method][1]}"
                for caller, offset in callers.get(method, ()):
                    strings, fields = _constants_near(program, caller)
                    for provider in rules.providers:
                        class_names = tuple(java_name(c + ";") for c in provider.uri_classes)
                        if any(
                            s.startswith(provider.uri_prefixes + class_names) for s in strings
                        ) or any(f.startswith(provider.uri_classes) for f in fields):
                            add(provider.pi_type, f"{api} ({provider.pi_type})", caller, offset)
    return tuple(
        sorted(sites.values(), key=lambda s: (s.pi_type, s.caller_class, s.caller_method, s.offset))
    )


def _constants_near(
    program: Program, caller: int, depth: int = 2, max_methods: int = 50
) -> tuple[list[str], list[str]]:
    """The constants of ``caller`` and of the code it leans on, ``depth`` steps out: the app
    methods it calls and the static initialisers of the app classes whose static fields it
    reads, at most ``max_methods`` methods (nearest first, in bytecode order). The URI of a
    query is often built by a helper or kept in a static field."""
    strings: list[str] = []
    fields: list[str] = []
    seen: set[int] = set()
    frontier = [caller]
    for _step in range(depth + 1):
        following: list[int] = []
        for method in frontier:
            if method in seen or not program.is_defined(method) or len(seen) >= max_methods:
                continue
            seen.add(method)
            more_strings, more_fields = program.constants(method)
            strings += more_strings
            fields += more_fields
            following += [callee for callee in program.callees(method) if callee >= 0]
            for field_class in more_fields:
                if program.is_internal_class(field_class):
                    following += program.methods_of(field_class, ("<clinit>",))
        frontier = following
    return strings, fields


def _loads_any(program: Program, caller: int, wanted: tuple[str, ...]) -> bool:
    # Settings.Secure.getString(resolver, "android_id"): the key is a constant of the caller.
    strings, _ = program.constants(caller)
    return any(s in wanted for s in strings)
