"""Rule sets: versioned, effective-dated sets of the regulations' numbers (SYS-2).

A pure library: TOML files in, immutable typed values out, no database. The shipped sets live
in ``data/``; operators add theirs in ``CERTGOV_RULES_DIR``; which set is in force on a date is
:func:`rule_set_in_force`. :mod:`certgov.rules.trace` maps the requirement catalogue to code
and tests.
"""

from certgov.rules.loader import (
    REQUIREMENT_ID_RE,
    load_rule_set,
    load_rule_sets,
    loads_rule_set,
    shipped_rule_set_files,
)
from certgov.rules.model import (
    ClauseRow,
    ClauseTable,
    Duration,
    DurationUnit,
    IntRange,
    Money,
    MoneyRange,
    Parameter,
    ParameterKind,
    ParameterValue,
    Regime,
    RuleSet,
    RuleSetStatus,
)
from certgov.rules.selection import effective_window, rule_set_in_force, start_date
from certgov.rules.trace import (
    Location,
    LocationKind,
    Requirement,
    TraceEntry,
    TraceReport,
    TraceStatus,
    find_catalogue,
    parse_catalogue,
    scan,
)

__all__ = [
    "REQUIREMENT_ID_RE",
    "ClauseRow",
    "ClauseTable",
    "Duration",
    "DurationUnit",
    "IntRange",
    "Location",
    "LocationKind",
    "Money",
    "MoneyRange",
    "Parameter",
    "ParameterKind",
    "ParameterValue",
    "Regime",
    "Requirement",
    "RuleSet",
    "RuleSetStatus",
    "TraceEntry",
    "TraceReport",
    "TraceStatus",
    "effective_window",
    "find_catalogue",
    "load_rule_set",
    "load_rule_sets",
    "loads_rule_set",
    "parse_catalogue",
    "rule_set_in_force",
    "scan",
    "shipped_rule_set_files",
    "start_date",
]
