"""Which rule set is in force on a date (SYS-2). Pure functions, no I/O.

A rule set *starts* on its ``effective_from``, unless an operator activated it from another date
(``certgov rules activate ID --from DATE``): the activation wins, and is the only way a draft
ever starts. Of the sets of a regime that have started by a date and not passed their
``effective_until``, the one that started last is in force: a newer set supersedes an older one
from its start date on, without the older one needing an ``effective_until``.

A set whose file says ``superseded`` is selected like one that says ``in_force``: it still
governs the dates it covers, so cases decided under it are judged the same way later.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date, timedelta

from certgov.errors import ConfigurationError, NotFound
from certgov.rules.model import Regime, RuleSet, RuleSetStatus

__all__ = ["effective_window", "rule_set_in_force", "start_date"]


def start_date(rule_set: RuleSet, activations: Mapping[str, date] | None = None) -> date | None:
    """The date ``rule_set`` starts: its activation, else its own ``effective_from``.

    An unactivated draft never starts (``None``), whatever its file says.
    """
    if activations and rule_set.id in activations:
        return activations[rule_set.id]
    if rule_set.status is RuleSetStatus.DRAFT:
        return None
    return rule_set.effective_from


def _check_activations(
    rule_sets: Mapping[str, RuleSet], activations: Mapping[str, date] | None
) -> None:
    # An activation of a set that is no longer loaded would silently fall back to an older set
    # and judge cases under the wrong rules, so it is an error, not something to skip.
    for rule_set_id in activations or {}:
        if rule_set_id not in rule_sets:
            raise ConfigurationError(
                f"rule set {rule_set_id!r} is activated but not loaded",
                hint="restore its file (shipped or in CERTGOV_RULES_DIR) or deactivate it",
                details={"rule_set": rule_set_id, "loaded": sorted(rule_sets)},
            )


def _started(
    rule_sets: Mapping[str, RuleSet], regime: Regime, activations: Mapping[str, date] | None
) -> list[tuple[date, RuleSet]]:
    """(start, set) of every set of ``regime`` that starts, by start date; ties are an error."""
    started = sorted(
        (
            (start, rule_set)
            for rule_set in rule_sets.values()
            if rule_set.regime is regime
            and (start := start_date(rule_set, activations)) is not None
        ),
        key=lambda pair: (pair[0], pair[1].id),
    )
    for (start, first), (next_start, second) in itertools.pairwise(started):
        if start == next_start:
            raise ConfigurationError(
                f"rule sets {first.id!r} and {second.id!r} of regime {regime} both start on "
                f"{start}; which one is in force is ambiguous",
                hint="change one effective_from or activation date",
                details={"regime": regime.value, "date": start.isoformat()},
            )
    return started


def _covers(start: date, rule_set: RuleSet, on: date) -> bool:
    until = rule_set.effective_until
    return start <= on and (until is None or on <= until)


def rule_set_in_force(
    rule_sets: Mapping[str, RuleSet],
    regime: Regime,
    on: date,
    activations: Mapping[str, date] | None = None,
) -> RuleSet:
    """The rule set of ``regime`` in force on ``on`` (SYS-2).

    ``activations`` maps rule-set ids to the date an operator activated them from. Raises
    NotFound when no set is in force that day, ConfigurationError when an activation names a
    set that is not loaded or two sets of the regime start on the same day.
    """
    _check_activations(rule_sets, activations)
    started = _started(rule_sets, regime, activations)
    in_force = [rule_set for start, rule_set in started if _covers(start, rule_set, on)]
    if in_force:
        return in_force[-1]

    if started:
        earliest_start, earliest = started[0]
        message = (
            f"no {regime} rule set is in force on {on.isoformat()}; the earliest, "
            f"{earliest.id!r}, starts on {earliest_start.isoformat()}"
        )
        later = [(start, rs) for start, rs in started if start > on]
        if later and later[0][1] is not earliest:
            message += f", the next, {later[0][1].id!r}, on {later[0][0].isoformat()}"
        elif not later:
            message += ", and every one of them had ended by then"
        hint = "check the case's relevant date, or load a rule set covering it"
    else:
        message = (
            f"no {regime} rule set is in force on {on.isoformat()}: none is loaded with an "
            f"effective_from or activated"
        )
        drafts = sorted(
            rs.id
            for rs in rule_sets.values()
            if rs.regime is regime and rs.status is RuleSetStatus.DRAFT
        )
        hint = (
            f"activate one of {', '.join(drafts)}: certgov rules activate ID --from DATE"
            if drafts
            else "load a rule set of this regime"
        )
    raise NotFound(
        message,
        hint=hint,
        details={"regime": regime.value, "date": on.isoformat()},
    )


def effective_window(
    rule_sets: Mapping[str, RuleSet],
    activations: Mapping[str, date] | None,
    rule_set_id: str,
) -> tuple[date | None, date | None]:
    """When ``rule_set_id`` is in force, after supersession: ``(from, until)``, both inclusive.

    ``(None, None)`` for a set that is never in force (an unactivated draft, or one that ends
    before it starts); ``until`` is ``None`` while no later set or end date is known. Where a
    later set itself ends early the earlier set is in force again afterwards; the window
    returned is the first, contiguous one.
    """
    _check_activations(rule_sets, activations)
    if rule_set_id not in rule_sets:
        raise NotFound(
            f"no rule set {rule_set_id!r} is loaded",
            hint=f"loaded: {', '.join(sorted(rule_sets))}",
            details={"rule_set": rule_set_id},
        )
    rule_set = rule_sets[rule_set_id]
    start = start_date(rule_set, activations)
    if start is None or not _covers(start, rule_set, start):
        return None, None
    until = rule_set.effective_until
    for other_start, other in _started(rule_sets, rule_set.regime, activations):
        # The first set to start after this one takes over, if it is in force on its start day.
        if other_start > start and _covers(other_start, other, other_start):
            superseded_on = other_start - timedelta(days=1)
            if until is None or superseded_on < until:
                until = superseded_on
            break
    return start, until
