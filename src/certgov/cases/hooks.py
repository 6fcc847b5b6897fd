"""The case engine's registry of guards and effects (SYS-1).

Process definitions name guards and effects; the engine looks them up here. The engine
registers its generic ones (:func:`engine_hooks`); each domain registers its own at start-up
through the ``register(hooks)`` function of its package, which :mod:`certgov.bootstrap` calls
over an explicit list of domains. So the engine never imports a domain, and a reaction of one
domain to another's transition is an effect listed in the process file, not a call between
the two domains' services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from certgov.cases.guards import (
    Effect,
    Guard,
    assigned,
    filed_within,
    record_decision,
    requires_data,
)
from certgov.errors import ConfigurationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from certgov.actors import Actor
    from certgov.cases.models import Case
    from certgov.context import Context

#: A domain effect of a transition: runs in the transition's transaction, after the case has
#: moved and its history is written, so it may create records of its own domain (the licence
#: an approval issues, ECS-2.3).
CaseEffect = Callable[["Session", "Context", "Actor", "Case", "str | None"], None]

T = TypeVar("T")


def _add(table: dict[str, T], kind: str, name: str, value: T) -> None:
    if name in table:
        raise ConfigurationError("the {kind} {name!r} is registered twice", kind=kind, name=name)
    table[name] = value


@dataclass
class Hooks:
    """Guards and effects by the names process files use."""

    #: Why a transition may not be taken (``None`` when it may).
    guards: dict[str, Guard] = field(default_factory=dict)
    #: Changes to the case's data, made before the case moves.
    data_effects: dict[str, Effect] = field(default_factory=dict)
    #: Use cases run after the case has moved, in the same transaction.
    case_effects: dict[str, CaseEffect] = field(default_factory=dict)

    def guard(self, name: str, guard: Guard) -> None:
        _add(self.guards, "guard", name, guard)

    def data_effect(self, name: str, effect: Effect) -> None:
        _add(self.data_effects, "effect", name, effect)
        if name in self.case_effects:
            raise ConfigurationError("the effect {name!r} is registered twice", name=name)

    def case_effect(self, name: str, effect: CaseEffect) -> None:
        _add(self.case_effects, "effect", name, effect)
        if name in self.data_effects:
            raise ConfigurationError("the effect {name!r} is registered twice", name=name)

    def effect_names(self) -> list[str]:
        return [*self.data_effects, *self.case_effects]


def engine_hooks() -> Hooks:
    """The engine's own guards and effects, which any process may use."""
    hooks = Hooks()
    hooks.guard("filed_within", filed_within)
    hooks.guard("assigned", assigned)
    hooks.guard("requires_data", requires_data)
    hooks.data_effect("record_decision", record_decision)
    return hooks
