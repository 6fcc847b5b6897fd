"""What can run before the user has seen anything: code reachable from the entry points Android
starts without an activity (APP-11, collection before consent).

Entry points: the ``Application`` subclass (constructor, ``attachBaseContext``, ``onCreate``),
every ``ContentProvider`` (created when the process starts, before ``Application.onCreate``),
and every exported service and broadcast receiver (another app or the system, e.g. on
``BOOT_COMPLETED``, can start them before any activity). From these, a breadth-first walk over
androguard's call cross-references finds the methods they reach and the shortest path to each.

What a static walk cannot see, and this therefore misses: calls by virtual dispatch to an
override (a call to ``Base.run`` reaches ``Base.run`` only), work handed to threads, handlers,
executors or callbacks, reflection, code loaded at run time. A path found is a real sequence of
calls in the bytecode; whether it runs depends on conditions a static analysis does not judge.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from certgov.appscan.apis import descriptor
from certgov.appscan.attribution import java_name
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
    """The methods reachable from the entry points, each with its first-found path."""

    def __init__(self, analysis: Any, entries: tuple[EntryPoint, ...], limit: int) -> None:
        self._parent: dict[Any, tuple[Any, EntryPoint]] = {}
        self.truncated = False
        queue: deque[Any] = deque()
        for entry in entries:
            for method in _entry_methods(analysis, entry):
                if method not in self._parent:
                    self._parent[method] = (None, entry)
                    queue.append(method)
        while queue:
            method = queue.popleft()
            entry = self._parent[method][1]
            for _cls, callee, _offset in method.get_xref_to():
                if callee in self._parent or callee.is_external():
                    continue
                if len(self._parent) >= limit:
                    self.truncated = True
                    queue.clear()
                    break
                self._parent[callee] = (method, entry)
                queue.append(callee)

    def __contains__(self, method: object) -> bool:
        return method in self._parent

    def methods(self) -> list[Any]:
        """Reached methods in breadth-first order (shortest paths first)."""
        return list(self._parent)

    def path_to(self, method: Any) -> StartupPath | None:
        if method not in self._parent:
            return None
        calls: list[str] = []
        current = method
        entry = self._parent[method][1]
        while current is not None:
            calls.append(method_name(current))
            current = self._parent[current][0]
        calls.reverse()
        if len(calls) > MAX_PATH:
            calls = [*calls[: MAX_PATH // 2], "…", *calls[-MAX_PATH // 2 :]]
        return StartupPath(entry, tuple(calls))


def method_name(method: Any) -> str:
    """``com.example.App.onCreate()V``"""
    return f"{java_name(method.class_name)}.{method.name}{method.descriptor.replace(' ', '')}"


def _entry_methods(analysis: Any, entry: EntryPoint) -> list[Any]:
    names = ENTRY_METHODS[entry.kind]
    methods = []
    current = analysis.classes.get(descriptor(entry.class_name))
    depth = 0
    # Walk up through the app's own superclasses: super.onCreate() of an app base class runs.
    while current is not None and not current.is_external() and depth < 8:
        methods += [m for m in current.get_methods() if m.name in names]
        current = analysis.classes.get(current.extends)
        depth += 1
    return methods
