"""What can run before the user has seen anything: code reachable from the entry points Android
starts without an activity (APP-11, collection before consent).

Entry points: the ``Application`` subclass (constructor, ``attachBaseContext``, ``onCreate``),
every ``ContentProvider`` (created when the process starts, before ``Application.onCreate``),
and every exported service and broadcast receiver (another app or the system, e.g. on
``BOOT_COMPLETED``, can start them before any activity). From these, a breadth-first walk over
the calls in the bytecode (:mod:`certgov.appscan.dexscan`) finds the methods they reach and the shortest path to each.

What a static walk cannot see, and this therefore misses: calls by virtual dispatch to an
override (a call to ``Base.run`` reaches ``Base.run`` only), work handed to threads, handlers,
executors or callbacks, reflection, code loaded at run time. A path found is a real sequence of
calls in the bytecode; whether it runs depends on conditions a static analysis does not judge.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from certgov.appscan.apis import descriptor
from certgov.appscan.dexscan import Program
from certgov.appscan.manifest import Manifest

ENTRY_METHODS = {
    "application": ("<clinit>", "<init>", "attachBaseContext", "onCreate"),
    "provider": ("<clinit>", "<init>", "attachInfo", "onCreate"),
    "service": ("<clinit>", "<init>", "onCreate", "onStartCommand", "onBind", "onHandleIntent"),
    "receiver": ("<clinit>", "<init>", "onReceive"),
}
MAX_PATH = 16


@dataclass(frozen=True, slots=True)
class EntryPoint:
    kind: str  # application, provider, service, receiver
    class_name: str

    @property
    def description(self) -> str:
        what = {
            "application": "Application subclass",
            "provider": "content provider",
            "service": "exported service",
            "receiver": "exported broadcast receiver",
        }[self.kind]
        return f"{what} {self.class_name}"

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "class": self.class_name, "description": self.description}


@dataclass(frozen=True, slots=True)
class StartupPath:
    """How a method is reached from an entry point: the calls, entry first."""

    entry: EntryPoint
    calls: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"entry": self.entry.as_dict(), "calls": list(self.calls)}


def entry_points(manifest: Manifest) -> tuple[EntryPoint, ...]:
    """The components Android may start before any activity, application class first."""
    found: list[EntryPoint] = []
    if manifest.application_class:
        found.append(EntryPoint("application", manifest.application_class))
    for component in manifest.components:
        if component.kind == "provider" or (
            component.kind in ("service", "receiver") and component.exported
        ):
            found.append(EntryPoint(component.kind, component.name))
    return tuple(found)


class Reach:
    """The methods reachable from the entry points, each with its first-found path: a
    breadth-first walk over the calls of ``program`` (calls are followed in bytecode order, so
    the path found is the same on every run)."""

    def __init__(self, program: Program, entries: tuple[EntryPoint, ...], limit: int) -> None:
        self._program = program
        self._entries = entries
        count = len(program.refs)
        # Per method number: the caller it was reached from (-1: an entry method, -2: not
        # reached) and the entry point; the methods reached in order.
        self._parent = array("i", [-2]) * count
        self._entry = array("i", [0]) * count
        self._order = array("i")
        self.truncated = False
        parent, entry_of, order = self._parent, self._entry, self._order
        for number, entry in enumerate(entries):
            for method in _entry_methods(program, entry):
                if parent[method] == -2:
                    parent[method] = -1
                    entry_of[method] = number
                    order.append(method)
        is_defined = program.is_defined
        position = 0
        while position < len(order):
            method = order[position]
            position += 1
            for callee in program.callees(method):
                if callee < 0 or parent[callee] != -2 or not is_defined(callee):
                    continue
                if len(order) >= limit:
                    self.truncated = True
                    return
                parent[callee] = method
                entry_of[callee] = entry_of[method]
                order.append(callee)

    def __contains__(self, method: object) -> bool:
        return (
            isinstance(method, int)
            and 0 <= method < len(self._parent)
            and (self._parent[method] != -2)
        )

    def methods(self) -> list[int]:
        """Reached methods (their numbers in the program) in breadth-first order (shortest
        paths first)."""
        return list(self._order)

    def path_to(self, method: int) -> StartupPath | None:
        if method not in self:
            return None
        calls: list[str] = []
        current = method
        entry = self._entries[self._entry[method]]
        while current >= 0:
            calls.append(self._program.method_name(current))
            current = self._parent[current]
        calls.reverse()
        if len(calls) > MAX_PATH:
            calls = [*calls[: MAX_PATH // 2], "…", *calls[-MAX_PATH // 2 :]]
        return StartupPath(entry, tuple(calls))


def _entry_methods(program: Program, entry: EntryPoint) -> list[int]:
    names = ENTRY_METHODS[entry.kind]
    methods = []
    current: str | None = descriptor(entry.class_name)
    depth = 0
    # Walk up through the app's own superclasses: super.onCreate() of an app base class runs.
    while current is not None and program.is_internal_class(current) and depth < 8:
        methods += program.methods_of(current, names)
        current = program.superclass[current]
        depth += 1
    return methods
