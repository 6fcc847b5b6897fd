"""The clause table: for each kind of finding, the GB/T 35273 clause and the 2019 Methods item
it concerns, with its source and whether the mapping is ``assumed``.

It is data passed in: a rule-set parameter of kind ``clause_table`` (SYS-2; the ``ccrc-app-2019``
rule set ships it as ``app_finding_clauses``), so that a case judged under one table keeps it.
:func:`clause_table_from` reads that parameter's value (or any parsed form of it);
:func:`shipped_clause_table` is the table of the shipped rule set, for offline use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from certgov import rules
from certgov.appscan.errors import ShippedDataError
from certgov.errors import ConfigurationError

#: The rule set and parameter the shipped table comes from.
SHIPPED_RULE_SET = "ccrc-app-2019"
CLAUSE_PARAMETER = "app_finding_clauses"


class FindingKind(StrEnum):
    UNDECLARED_PERMISSION = "undeclared_permission"
    UNDECLARED_PI_TYPE = "undeclared_pi_type"
    SDK_UNDECLARED_PI_TYPE = "sdk_undeclared_pi_type"
    UNDECLARED_SDK = "undeclared_sdk"
    UNNECESSARY_PI_COLLECTED = "unnecessary_pi_collected"
    COLLECTION_BEFORE_CONSENT = "collection_before_consent"
    SDK_BEFORE_CONSENT = "sdk_before_consent"


@dataclass(frozen=True, slots=True)
class Clause:
    kind: FindingKind
    title: str
    gbt35273_clause: str
    gbt35273_2017_clause: str
    gbt35273_title: str
    methods_item: str
    methods_text: str
    source: str
    assumed: bool
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "gbt35273": self.gbt35273_clause,
            "gbt35273_2017": self.gbt35273_2017_clause,
            "gbt35273_title": self.gbt35273_title,
            "methods_item": self.methods_item,
            "methods_text": self.methods_text,
            "source": self.source,
            "assumed": self.assumed,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ClauseTable:
    version: str
    gbt35273: str
    methods: str
    clauses: Mapping[FindingKind, Clause]

    def __getitem__(self, kind: FindingKind) -> Clause:
        return self.clauses[kind]


def shipped_clause_table() -> ClauseTable:
    """The table of the shipped ``ccrc-app-2019`` rule set (``app_finding_clauses``), for
    offline use; a case uses the table of the rule set it is judged under."""
    files = [f for f in rules.shipped_rule_set_files() if f.name == f"{SHIPPED_RULE_SET}.toml"]
    try:
        if not files:
            raise ConfigurationError(f"no shipped rule set {SHIPPED_RULE_SET}")
        rule_set = rules.loads_rule_set(files[0].read_text(encoding="utf-8"), origin=files[0].name)
        return clause_table_from(rule_set.clause_table(CLAUSE_PARAMETER))
    except ConfigurationError as error:
        raise ShippedDataError(f"{SHIPPED_RULE_SET} {CLAUSE_PARAMETER}: {error.message}") from None


def clause_table_from(data: rules.ClauseTable | Mapping[str, Any]) -> ClauseTable:
    """A table from a rule set's ``clause_table`` parameter value, or from its parsed form
    (``{"version", "gbt35273", "methods", "finding": {kind: row}}``);
    :class:`ConfigurationError` naming the first missing kind or field."""
    if isinstance(data, rules.ClauseTable):
        data = data.as_dict()
    rows = data.get("finding")
    if not isinstance(rows, Mapping):
        raise ConfigurationError("the clause table has no [finding.<kind>] rows")
    clauses: dict[FindingKind, Clause] = {}
    for kind in FindingKind:
        row = rows.get(kind.value)
        if not isinstance(row, Mapping):
            raise ConfigurationError(
                f"the clause table has no row for finding kind {kind.value!r}",
                hint=f"add [finding.{kind.value}] with its GB/T 35273 clause and Methods item",
            )
        values: dict[str, str] = {}
        for key in (
            "title",
            "gbt35273_clause",
            "gbt35273_2017_clause",
            "gbt35273_title",
            "methods_item",
            "methods_text",
            "source",
        ):
            value = row.get(key)
            if not isinstance(value, str) or not value:
                raise ConfigurationError(f"[finding.{kind.value}] needs {key} (a string)")
            values[key] = value
        if not isinstance(row.get("assumed"), bool):
            raise ConfigurationError(f"[finding.{kind.value}] needs assumed = true or false")
        clauses[kind] = Clause(
            kind=kind, assumed=row["assumed"], note=str(row.get("note", "")), **values
        )
    return ClauseTable(
        version=str(data.get("version", "")),
        gbt35273=str(data.get("gbt35273", "")),
        methods=str(data.get("methods", "")),
        clauses=clauses,
    )
