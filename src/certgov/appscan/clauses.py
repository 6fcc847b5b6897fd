"""The clause table: for each kind of finding, the GB/T 35273 clause and the 2019 Methods item
it concerns, with its source and whether the mapping is ``assumed``.

It is data passed in: a rule-set parameter of kind ``clause_table`` (SYS-2; the ``ccrc-app-2019``
rule set ships it as ``app_finding_clauses``), so that a case judged under one table keeps it.
The table and its rows are the rule library's types (:class:`certgov.rules.ClauseTable`,
:class:`certgov.rules.ClauseRow`); what this module adds is the check that the table fits the
analysis: one row for every :class:`FindingKind`, and no row for a kind it does not know.
:func:`clause_table_from` reads that parameter's value (or its parsed form) and checks it;
:func:`shipped_clause_table` is the table of the shipped rule set, for offline use.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from certgov import rules
from certgov.appscan.errors import ShippedDataError
from certgov.errors import ConfigurationError
from certgov.rules import ClauseRow, ClauseTable
from certgov.rules.loader import parse_clause_table

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


def shipped_clause_table() -> ClauseTable:
    """The table of the shipped ``ccrc-app-2019`` rule set (``app_finding_clauses``), for
    offline use; a case uses the table of the rule set it is judged under."""
    files = [f for f in rules.shipped_rule_set_files() if f.name == f"{SHIPPED_RULE_SET}.toml"]
    try:
        if not files:
            raise ConfigurationError("no shipped rule set {rule_set}", rule_set=SHIPPED_RULE_SET)
        rule_set = rules.loads_rule_set(files[0].read_text(encoding="utf-8"), origin=files[0].name)
        return clause_table_from(rule_set.clause_table(CLAUSE_PARAMETER))
    except ConfigurationError as error:
        raise ShippedDataError(
            "{rule_set} {parameter}: {problem}",
            rule_set=SHIPPED_RULE_SET,
            parameter=CLAUSE_PARAMETER,
            problem=error.message,
        ) from None


def clause_table_from(data: ClauseTable | Mapping[str, Any]) -> ClauseTable:
    """The table a rule set's ``clause_table`` parameter holds, or one read from its parsed form
    (``ClauseTable.as_dict()``: ``{"version", "gbt35273", "methods", "finding": {kind: row}}``),
    checked to fit the analysis (:func:`finding_clauses`); :class:`ConfigurationError` naming
    the first wrong key, missing kind or unknown kind."""
    table = data if isinstance(data, ClauseTable) else parse_clause_table(data)
    finding_clauses(table)
    return table


def finding_clauses(table: ClauseTable) -> dict[FindingKind, ClauseRow]:
    """The rows of ``table`` by finding kind: one for every :class:`FindingKind`, and none for a
    kind the analysis does not know (a row it would never cite is a mistake in the rule set,
    most likely a misspelt kind); :class:`ConfigurationError` otherwise."""
    known = {kind.value for kind in FindingKind}
    unknown = sorted(row.kind for row in table.rows if row.kind not in known)
    if unknown:
        raise ConfigurationError(
            "the clause table has a row for unknown finding kind(s) {unknown}",
            hint="finding kinds: {known}",
            unknown=unknown,
            known=", ".join(sorted(known)),
        )
    rows = {FindingKind(row.kind): row for row in table.rows}
    for kind in FindingKind:
        if kind not in rows:
            raise ConfigurationError(
                "the clause table has no row for finding kind {kind!r}",
                hint="add [finding.{kind}] with its GB/T 35273 clause and Methods item",
                kind=kind.value,
            )
    return rows
