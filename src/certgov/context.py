"""The environment a use case runs in: clock, calendar, rule sets and process definitions.

Built once per process from the settings and passed down, so tests can set the clock or load
other rule sets without globals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy.orm import Session, sessionmaker

from certgov.calendar import BusinessCalendar, china_calendar
from certgov.cases.guards import EFFECTS, GUARDS
from certgov.clock import Clock, SystemClock
from certgov.errors import ConfigurationError
from certgov.identity.roles import ALL_ROLES
from certgov.logs.audit import AUDIT_LOG, Auditor, parse_audit_entry
from certgov.logs.keys import LogKeys
from certgov.logs.store import LogStore
from certgov.rules import RuleSet, load_rule_sets
from certgov.settings import Settings, get_settings
from certgov.store.engine import make_engine, make_session_factory
from certgov.workflow.definition import ProcessDef, load_process

if TYPE_CHECKING:
    from certgov.cases.services import CaseEffect

T = TypeVar("T")


def load_processes(
    extra_dir: Path | None = None, domain_effects: Iterable[str] | None = None
) -> dict[str, ProcessDef]:
    """The shipped process definitions, plus any ``*.toml`` in ``extra_dir``; a transition may
    name the engine's data effects and the domains' effects (``domain_effects``, by default
    those of :func:`certgov.effects.case_effects`)."""
    if domain_effects is None:
        from certgov.effects import case_effects

        domain_effects = case_effects()
    known_effects = [*EFFECTS, *domain_effects]
    roles = [r.value for r in ALL_ROLES]
    paths: list[Path] = []
    shipped = resources.files("certgov.cases") / "processes"
    with resources.as_file(shipped) as folder:
        paths.extend(sorted(Path(folder).glob("*.toml")))
    if extra_dir is not None:
        paths.extend(sorted(extra_dir.glob("*.toml")))
    processes: dict[str, ProcessDef] = {}
    for path in paths:
        process = load_process(path, roles=roles, guards=GUARDS, effects=known_effects)
        if process.id in processes:
            raise ConfigurationError(f"process {process.id!r} is defined twice ({path})")
        processes[process.id] = process
    return processes


@dataclass
class Context:
    clock: Clock
    calendar: BusinessCalendar
    rule_sets: Mapping[str, RuleSet]
    processes: Mapping[str, ProcessDef]
    sessions: sessionmaker[Session]
    logs: LogStore
    settings: Settings = field(default_factory=get_settings)
    #: The domains' transition effects by name (:data:`certgov.cases.services.CaseEffect`).
    case_effects: Mapping[str, CaseEffect] = field(default_factory=dict)
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


def build_context(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    database_url: str | None = None,
    process_dir: Path | None = None,
) -> Context:
    settings = settings or get_settings()
    engine = make_engine(database_url or settings.resolved_database_url())
    logs = LogStore(LogKeys(settings.resolved_log_key_dir()), settings.log_origin)
    # Imported here: the domains' effects are use cases, which need the context type.
    from certgov.effects import case_effects

    effects = case_effects()
    ctx = Context(
        clock=clock or SystemClock(),
        calendar=china_calendar(settings.resolved_calendar_overrides()),
        rule_sets=load_rule_sets(settings.rules_dir),
        processes=load_processes(process_dir, effects),
        sessions=make_session_factory(engine),
        logs=logs,
        settings=settings,
        case_effects=effects,
    )
    # Imported here: the sequencer runs use cases, which need the context type.
    from certgov.logs.sequencer import sequence_after_commit

    logs.on_queued = lambda names: sequence_after_commit(ctx, names)
    logs.validators[AUDIT_LOG] = parse_audit_entry
    return ctx
