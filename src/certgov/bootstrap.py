"""The composition root: builds the :class:`~certgov.context.Context` of a process, registers
each domain's guards and effects with the case engine, and lists every mapped model for
Alembic and the tests.

Only adapters (API, web, CLI, worker), the Alembic environment, demo data and tests import
this module; nothing in the domains or below does. A new domain is added to :data:`DOMAINS`
(see docs/architecture.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from types import ModuleType

from sqlalchemy import MetaData

from certgov.actors import ALL_ROLES
from certgov.calendar import china_calendar
from certgov.cases.hooks import Hooks, engine_hooks
from certgov.clock import Clock, FixedClock, SystemClock
from certgov.context import Context
from certgov.errors import ConfigurationError
from certgov.logs.audit import AUDIT_LOG, parse_audit_entry
from certgov.logs.keys import LogKeys
from certgov.logs.sequencer import sequence_after_commit
from certgov.logs.store import LogStore
from certgov.rules import load_rule_sets
from certgov.settings import Settings, get_settings
from certgov.store.base import Base
from certgov.store.engine import make_engine, make_session_factory
from certgov.workflow.definition import ProcessDef, load_process

#: The domains, each a package with ``register(hooks)`` in its ``__init__``; order matters only
#: for readability (a name registered twice is an error whatever the order).
DOMAINS: tuple[str, ...] = (
    "certgov.licensing",
    "certgov.appcert",
    "certgov.recognition",
    "certgov.enforcement",
    "certgov.complaints",
    "certgov.credit",
)

#: Every package with mapped models (``<package>.models``): the platform's and the domains'.
MODEL_PACKAGES: tuple[str, ...] = (
    "certgov.parties",
    "certgov.identity",
    "certgov.rulebook",
    "certgov.logs",
    "certgov.cases",
    "certgov.findings",
    "certgov.licensing",
    "certgov.conduct",
    "certgov.filings",
    "certgov.appcert",
    "certgov.recognition",
    "certgov.enforcement",
    "certgov.complaints",
    "certgov.uploads",
    "certgov.notifications",
    "certgov.documents",
)


def model_modules() -> list[ModuleType]:
    """Import every models module, so the metadata knows every table."""
    return [importlib.import_module(f"{package}.models") for package in MODEL_PACKAGES]


def metadata() -> MetaData:
    """The complete metadata of the schema (Alembic autogenerate and check, tests)."""
    model_modules()
    return Base.metadata


def register_all(domains: Iterable[str] = DOMAINS) -> Hooks:
    """The engine's hooks plus every domain's, each registered by the domain itself."""
    hooks = engine_hooks()
    for name in domains:
        module = importlib.import_module(name)
        register = getattr(module, "register", None)
        if register is None:
            raise ConfigurationError(f"domain {name} has no register(hooks) function")
        register(hooks)
    return hooks


def load_processes(
    hooks: Hooks | None = None, extra_dir: Path | None = None
) -> dict[str, ProcessDef]:
    """The shipped process definitions, plus any ``*.toml`` in ``extra_dir``, checked against
    the guards and effects registered in ``hooks`` (by default every domain's)."""
    hooks = hooks or register_all()
    roles = [r.value for r in ALL_ROLES]
    paths: list[Path] = []
    shipped = resources.files("certgov.cases") / "processes"
    with resources.as_file(shipped) as folder:
        paths.extend(sorted(Path(folder).glob("*.toml")))
    if extra_dir is not None:
        paths.extend(sorted(extra_dir.glob("*.toml")))
    processes: dict[str, ProcessDef] = {}
    for path in paths:
        process = load_process(path, roles=roles, guards=hooks.guards, effects=hooks.effect_names())
        if process.id in processes:
            raise ConfigurationError(f"process {process.id!r} is defined twice ({path})")
        processes[process.id] = process
    return processes


def build_context(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    database_url: str | None = None,
    process_dir: Path | None = None,
) -> Context:
    """The context of one process: its database, logs, rules, calendar and every domain's hooks."""
    settings = settings or get_settings()
    model_modules()
    engine = make_engine(database_url or settings.resolved_database_url())
    logs = LogStore(LogKeys(settings.resolved_log_key_dir()), settings.log_origin)
    hooks = register_all()
    # CERTGOV_NOW fixes the clock of a training or demonstration deployment; a caller's own
    # clock (tests, benchmarks) wins.
    clock = clock or (FixedClock(settings.now) if settings.now is not None else SystemClock())
    sessions = make_session_factory(engine)
    ctx = Context(
        clock=clock,
        calendar=china_calendar(settings.resolved_calendar_overrides()),
        rule_sets=load_rule_sets(settings.rules_dir),
        processes=load_processes(hooks, process_dir),
        sessions=sessions,
        logs=logs,
        hooks=hooks,
        settings=settings,
    )
    logs.on_queued = lambda names: sequence_after_commit(sessions, logs, clock, names)
    logs.validators[AUDIT_LOG] = parse_audit_entry
    return ctx
