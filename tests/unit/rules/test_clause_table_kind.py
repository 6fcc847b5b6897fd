"""The ``clause_table`` parameter kind: for each kind of app-scan finding, the GB/T 35273 clause
and the 2019 Methods item it cites, row by row with its source and ``assumed`` (APP-11)."""

from __future__ import annotations

import pytest

from certgov.appscan import FindingKind, clause_table_from
from certgov.errors import ConfigurationError
from certgov.rules import ClauseRow, ClauseTable, ParameterKind, load_rule_sets
from certgov.rules.loader import loads_rule_set, parse_clause_table

HEAD = """
id = "t"
title = "t"
regime = "app"
status = "in_force"
source = "s"
effective_from = 2020-01-01

[parameters.clauses]
kind = "clause_table"
source = "s"
requirements = ["APP-11"]
assumed = {assumed}
note = "n"

[parameters.clauses.value]
version = "1"
gbt35273 = "GB/T 35273-2020"
methods = "Methods 2019"
"""


def _row(kind: str = "undeclared_sdk", **fields: str) -> str:
    body = {
        "title": '"an SDK not named"',
        "gbt35273_clause": '"9.7"',
        "gbt35273_2017_clause": '"8.2"',
        "gbt35273_title": '"third-party access"',
        "methods_item": '"5.1"',
        "methods_text": '"..."',
        "source": '"GB/T 35273-2020 9.7"',
        "assumed": "true",
        "note": '"our reading"',
        **fields,
    }
    return f"\n[parameters.clauses.value.finding.{kind}]\n" + "\n".join(
        f"{k} = {v}" for k, v in body.items() if v
    )


def test_app_11_a_clause_table_loads_row_by_row_with_source_and_assumed() -> None:
    rule_set = loads_rule_set(HEAD.format(assumed="true") + _row())
    table = rule_set.clause_table("clauses")
    assert table == ClauseTable(
        "1",
        "GB/T 35273-2020",
        "Methods 2019",
        (
            ClauseRow(
                kind="undeclared_sdk",
                title="an SDK not named",
                gbt35273_clause="9.7",
                gbt35273_2017_clause="8.2",
                gbt35273_title="third-party access",
                methods_item="5.1",
                methods_text="...",
                source="GB/T 35273-2020 9.7",
                assumed=True,
                note="our reading",
            ),
        ),
    )
    parameter = rule_set.parameter("clauses")
    assert parameter.kind is ParameterKind.CLAUSE_TABLE
    shown = parameter.as_dict()["value"]
    assert shown["finding"]["undeclared_sdk"]["gbt35273_clause"] == "9.7"
    assert shown["finding"]["undeclared_sdk"]["assumed"] is True
    # Typed accessors refuse the wrong kind.
    with pytest.raises(ConfigurationError, match="clause_table"):
        rule_set.items("clauses")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (HEAD.format(assumed="true") + _row(note=""), "finding.undeclared_sdk.note"),
        (HEAD.format(assumed="true") + _row(source=""), "finding.undeclared_sdk.source"),
        (HEAD.format(assumed="true") + _row(assumed='"yes"'), "finding.undeclared_sdk.assumed"),
        (HEAD.format(assumed="true") + _row(colour='"red"'), "finding.undeclared_sdk.colour"),
        (HEAD.format(assumed="true") + _row(gbt35273_clause="5"), "gbt35273_clause"),
        (HEAD.format(assumed="true") + _row("Bad-Kind"), "snake_case"),
        (HEAD.format(assumed="true"), "finding"),
        (HEAD.format(assumed="false") + _row(), "itself assumed"),
        (HEAD.format(assumed="true").replace('version = "1"\n', "") + _row(), "version"),
    ],
)
def test_app_11_a_wrong_clause_table_is_refused_naming_the_key(text: str, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        loads_rule_set(text)


def test_app_11_the_shipped_app_rule_set_carries_the_table_for_every_finding_kind() -> None:
    """One source of truth: the ccrc-app-2019 rule set's parameter is the table the analysis
    reads; every kind of finding has its row with a source, assumed rows a note."""
    rule_set = load_rule_sets()["ccrc-app-2019"]
    table = rule_set.clause_table("app_finding_clauses")
    assert {row.kind for row in table.rows} == {kind.value for kind in FindingKind}
    assert all(row.source and (row.note or not row.assumed) for row in table.rows)
    read = clause_table_from(table)
    assert read[FindingKind.UNDECLARED_PI_TYPE].gbt35273_clause == "5.5"
    assert read[FindingKind.UNDECLARED_PI_TYPE].assumed is False
    assert rule_set.parameter("app_finding_clauses").assumed is True


def test_app_11_a_clause_table_reads_back_from_its_parsed_form_and_finds_rows_by_kind() -> None:
    assumed = loads_rule_set(HEAD.format(assumed="true") + _row()).clause_table("clauses")
    plain = loads_rule_set(
        HEAD.format(assumed="false") + _row(assumed="false", note="")
    ).clause_table("clauses")
    for table in (assumed, plain):
        # as_dict() writes note = "" for a row without one; that reads back as no note.
        assert parse_clause_table(table.as_dict()) == table
        assert table["undeclared_sdk"] is table.rows[0]
        with pytest.raises(KeyError):
            table["undeclared_pi_type"]
    data = assumed.as_dict()
    data["finding"]["undeclared_sdk"]["note"] = ""
    with pytest.raises(ConfigurationError, match="an assumed row needs a note"):
        parse_clause_table(data)
    with pytest.raises(ConfigurationError, match="finding"):
        parse_clause_table({**assumed.as_dict(), "finding": {}})
