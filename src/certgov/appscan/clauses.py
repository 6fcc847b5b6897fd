"""The clause table: for each kind of finding, the GB/T 35273 clause and the 2019 Methods item
it concerns, with its source and whether the mapping is ``assumed``.

It is data passed in, so that it can become a rule-set parameter (SYS-2): a case judged under
one table keeps it. :func:`shipped_clause_table` loads ``clauses.toml`` until then.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from certgov.appscan.errors import ShippedDataError
from certgov.errors import ConfigurationError


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
    """The table shipped in ``certgov/appscan/clauses.toml``."""
    text = resources.files("certgov.appscan").joinpath("clauses.toml").read_text(encoding="utf-8")
    try:
        return clause_table_from(tomllib.loads(text))
    except (ConfigurationError, tomllib.TOMLDecodeError) as error:
        raise ShippedDataError(f"certgov/appscan/clauses.toml: {error}") from None


def clause_table_from(data: Mapping[str, Any]) -> ClauseTable:
    """A table from its parsed form (the TOML document, or a rule-set parameter's value);
    :class:`ConfigurationError` naming the first missing kind or field."""
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
