"""The environment a use case runs in: clock, calendar, rule sets, process definitions, the
case engine's hooks, the database and the logs.

Only the type: :mod:`certgov.bootstrap` builds one per process from the settings, and tests
build their own (another clock, other rule sets) without globals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy.orm import Session, sessionmaker

from certgov.calendar import BusinessCalendar
from certgov.clock import Clock
from certgov.logs.audit import Auditor
from certgov.logs.store import LogStore
from certgov.rules import RuleSet
from certgov.settings import Settings, get_settings
from certgov.workflow.definition import ProcessDef

if TYPE_CHECKING:
    from certgov.cases.hooks import Hooks

T = TypeVar("T")


@dataclass
class Context:
    clock: Clock
    calendar: BusinessCalendar
    rule_sets: Mapping[str, RuleSet]
    processes: Mapping[str, ProcessDef]
    sessions: sessionmaker[Session]
    logs: LogStore
    #: The guards and effects the process definitions name (:mod:`certgov.cases.hooks`).
    hooks: Hooks
    settings: Settings = field(default_factory=get_settings)
    #: Per-process caches of what was read from this context's database, by name.
    caches: dict[str, Any] = field(default_factory=dict)

    def cache(self, name: str, make: Callable[[], T]) -> T:
        """The cache called ``name`` of this context (one database), made on first use.
        A cache of database facts belongs to the context, not to the module: two contexts
        (two databases, as in the tests) never see each other's entries."""
        found = self.caches.get(name)
        if found is None:
            found = self.caches.setdefault(name, make())
        return cast(T, found)

    @property
    def audit(self) -> Auditor:
        """The audit trail (SYS-3): records go into the ``audit`` log with the change."""
        return Auditor(self.logs, self.clock)
