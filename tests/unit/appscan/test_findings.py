"""APP-11: every finding kind against a declaration, each with its GB/T 35273 clause and
2019 Methods item; the clause table as data; version comparison."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from certgov.appscan import (
    FindingKind,
    Report,
    analyse,
    check_declaration,
    clause_table_from,
    compare,
    declaration_from_dict,
    shipped_clause_table,
)
from certgov.appscan.errors import InvalidDeclaration
from certgov.errors import ConfigurationError
from certgov.rules import ClauseRow, ClauseTable
from unit.appscan.samples import POLITEDROID, shop_apk

#: What the shop app really does, declared honestly (the baseline for the cases below).
HONEST = {
    "purposes": ["online shop"],
    "pi_types": [
        {"type": "device_id", "purpose": "fraud prevention"},
        {"type": "location", "purpose": "nearby stores", "necessary": True},
        {"type": "clipboard", "purpose": "paste coupon codes"},
        {"type": "camera", "purpose": "scan codes"},
    ],
    "sdks": [
        {"name": "Umeng", "id": "umeng", "collects": ["android_id", "device_id"]},
        {"name": "JPush", "packages": ["cn.jpush"], "collects": []},
        {"name": "Bugly", "collects": []},
    ],
}
EXPECTED_CLAUSES = {
    FindingKind.UNDECLARED_PERMISSION: ("5.5", "2.3"),
    FindingKind.UNDECLARED_PI_TYPE: ("5.5", "2.1"),
    FindingKind.SDK_UNDECLARED_PI_TYPE: ("9.7", "2.1"),
    FindingKind.UNDECLARED_SDK: ("9.7", "5.1"),
    FindingKind.UNNECESSARY_PI_COLLECTED: ("5.2", "4.1"),
    FindingKind.COLLECTION_BEFORE_CONSENT: ("5.4", "3.1"),
    FindingKind.SDK_BEFORE_CONSENT: ("5.4", "3.1"),
}


def kinds(findings: tuple[object, ...]) -> dict[FindingKind, list[str]]:
    found: dict[FindingKind, list[str]] = {}
    for finding in findings:
        found.setdefault(finding.kind, []).append(finding.subject)  # type: ignore[attr-defined]
    return found


def declared(**changes: object) -> dict[str, object]:
    body = json.loads(json.dumps(HONEST))
    body.update(changes)
    return body


def test_honest_declaration_leaves_only_what_runs_before_consent(shop_report: Report) -> None:
    findings = check_declaration(shop_report, declaration_from_dict(HONEST), shipped_clause_table())
    assert kinds(findings) == {
        FindingKind.COLLECTION_BEFORE_CONSENT: ["android_id", "device_id"],
        FindingKind.SDK_BEFORE_CONSENT: ["umeng"],
    }
    early = next(f for f in findings if f.subject == "device_id")
    assert "as far as static analysis can tell" in early.message
    assert "ShopApp" in early.message


@pytest.mark.parametrize("kind", list(FindingKind))
def test_every_finding_kind_cites_its_clause(shop_report: Report, kind: FindingKind) -> None:
    declaration = {
        FindingKind.UNDECLARED_PERMISSION: declared(
            pi_types=[p for p in HONEST["pi_types"] if p["type"] != "camera"]  # type: ignore[attr-defined]
        ),
        FindingKind.UNDECLARED_PI_TYPE: declared(
            pi_types=[p for p in HONEST["pi_types"] if p["type"] != "clipboard"]  # type: ignore[attr-defined]
        ),
        FindingKind.SDK_UNDECLARED_PI_TYPE: declared(
            sdks=[{"name": "Umeng", "collects": ["device_id"]}, *HONEST["sdks"][1:]]  # type: ignore[index]
        ),
        FindingKind.UNDECLARED_SDK: declared(sdks=HONEST["sdks"][:2]),  # type: ignore[index]
        FindingKind.UNNECESSARY_PI_COLLECTED: declared(
            pi_types=[
                *HONEST["pi_types"][:1],  # type: ignore[index]
                {"type": "location", "purpose": "ads", "necessary": False},
                *HONEST["pi_types"][2:],  # type: ignore[index]
            ]
        ),
        FindingKind.COLLECTION_BEFORE_CONSENT: HONEST,
        FindingKind.SDK_BEFORE_CONSENT: HONEST,
    }[kind]
    findings = check_declaration(
        shop_report, declaration_from_dict(declaration), shipped_clause_table()
    )
    subjects = kinds(findings).get(kind)
    assert subjects, f"no {kind} finding"
    expected_subject = {
        FindingKind.UNDECLARED_PERMISSION: "android.permission.CAMERA",
        FindingKind.UNDECLARED_PI_TYPE: "clipboard",
        FindingKind.SDK_UNDECLARED_PI_TYPE: "umeng",
        FindingKind.UNDECLARED_SDK: "bugly",
        FindingKind.UNNECESSARY_PI_COLLECTED: "location",
        FindingKind.COLLECTION_BEFORE_CONSENT: "device_id",
        FindingKind.SDK_BEFORE_CONSENT: "umeng",
    }[kind]
    assert expected_subject in subjects
    finding = next(f for f in findings if f.kind is kind and f.subject == expected_subject)
    body = finding.as_dict()
    assert (body["clause"]["gbt35273"], body["clause"]["methods_item"]) == EXPECTED_CLAUSES[kind]
    assert body["clause"]["source"] and isinstance(body["clause"]["assumed"], bool)
    assert body["evidence"]


def test_undeclared_sdk_names_what_its_code_reads(shop_report: Report) -> None:
    findings = check_declaration(
        shop_report, declaration_from_dict(declared(sdks=[])), shipped_clause_table()
    )
    undeclared = {f.subject: f.message for f in findings if f.kind is FindingKind.UNDECLARED_SDK}
    assert set(undeclared) == {"umeng", "jpush", "bugly"}
    assert "reads android_id" in undeclared["umeng"]


def test_a_real_apk_with_an_empty_declaration(shared_reports: dict[str, Report]) -> None:
    findings = check_declaration(
        shared_reports[POLITEDROID], declaration_from_dict({}), shipped_clause_table()
    )
    assert kinds(findings) == {
        FindingKind.UNDECLARED_PERMISSION: ["android.permission.READ_CALENDAR"],
        FindingKind.UNDECLARED_PI_TYPE: ["calendar"],
        FindingKind.COLLECTION_BEFORE_CONSENT: ["calendar"],
    }


def test_a_clean_app_has_no_finding(clean_report: Report) -> None:
    assert check_declaration(clean_report, declaration_from_dict({}), shipped_clause_table()) == ()


def test_the_clause_table_is_data_passed_in(shop_report: Report) -> None:
    table = shipped_clause_table()
    assert all(table[kind].source for kind in FindingKind)
    from certgov.rules import load_rule_sets

    rule_set = load_rule_sets()["ccrc-app-2019"]
    # The rule set's parameter is the table (one source of truth), read as is...
    assert clause_table_from(rule_set.clause_table("app_finding_clauses")) == table
    # ...and any parsed form of it can be changed and passed in.
    data = rule_set.clause_table("app_finding_clauses").as_dict()
    data["finding"]["undeclared_sdk"]["gbt35273_clause"] = "8.2"
    data["finding"]["undeclared_sdk"]["assumed"] = False
    custom = clause_table_from(data)
    findings = check_declaration(shop_report, declaration_from_dict(declared(sdks=[])), custom)
    sdk = next(f for f in findings if f.kind is FindingKind.UNDECLARED_SDK)
    assert (sdk.clause.gbt35273_clause, sdk.clause.assumed) == ("8.2", False)
    del data["finding"]["sdk_before_consent"]
    with pytest.raises(ConfigurationError, match="sdk_before_consent"):
        clause_table_from(data)


def test_the_clause_table_is_the_rule_sets_type_round_tripping_its_parsed_form() -> None:
    """One definition: the rows the analysis cites are the rule library's ``ClauseRow``s, and
    the parsed form the worker hands its child process reads back to the same table."""
    table = shipped_clause_table()
    assert isinstance(table, ClauseTable)
    assert all(isinstance(table[kind], ClauseRow) for kind in FindingKind)
    assert clause_table_from(table.as_dict()) == table
    assert clause_table_from(json.loads(json.dumps(table.as_dict()))) == table


def _without(table: ClauseTable, kind: FindingKind) -> ClauseTable:
    return replace(table, rows=tuple(row for row in table.rows if row.kind != kind.value))


def test_a_clause_table_must_fit_the_finding_kinds(shop_report: Report) -> None:
    table = shipped_clause_table()
    # Every kind needs its row, whichever form the table comes in...
    with pytest.raises(ConfigurationError, match="no row for finding kind 'undeclared_sdk'"):
        clause_table_from(_without(table, FindingKind.UNDECLARED_SDK))
    # ...and a row for a kind the analysis does not know (a misspelt kind) is refused.
    extra = replace(table.rows[0], kind="undeclared_sdks")
    with pytest.raises(ConfigurationError, match=r"unknown finding kind.*undeclared_sdks"):
        clause_table_from(replace(table, rows=(*table.rows, extra)))
    data = table.as_dict()
    data["finding"]["undeclared_sdks"] = data["finding"]["undeclared_sdk"]
    with pytest.raises(ConfigurationError, match="undeclared_sdks"):
        clause_table_from(data)
    # A parsed form is checked as the rule-set loader checks the parameter.
    data = table.as_dict()
    data["finding"]["undeclared_sdk"]["colour"] = "red"
    with pytest.raises(ConfigurationError, match=r"finding\.undeclared_sdk\.colour"):
        clause_table_from(data)
    # check_declaration reads the table through the same check, however it was obtained.
    declaration = declaration_from_dict(HONEST)
    with pytest.raises(ConfigurationError, match="sdk_before_consent"):
        check_declaration(shop_report, declaration, _without(table, FindingKind.SDK_BEFORE_CONSENT))


def test_a_finding_cites_its_clause_under_the_stored_keys(shop_report: Report) -> None:
    """Stored analyses and their readers (the case's findings, the CLI) rely on these keys."""
    table = shipped_clause_table()
    findings = check_declaration(shop_report, declaration_from_dict(HONEST), table)
    assert findings
    for finding in findings:
        row = table[finding.kind]
        assert finding.clause == row
        assert finding.as_dict()["clause"] == {
            "gbt35273": row.gbt35273_clause,
            "gbt35273_2017": row.gbt35273_2017_clause,
            "gbt35273_title": row.gbt35273_title,
            "methods_item": row.methods_item,
            "methods_text": row.methods_text,
            "source": row.source,
            "assumed": row.assumed,
            "note": row.note,
        }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "must be a JSON object"),
        ({"pi_type": []}, "unknown field"),
        ({"pi_types": [{"purpose": "x"}]}, r"pi_types\[0\].type"),
        ({"pi_types": [{"type": "location", "necessary": "no"}]}, "necessary"),
        ({"sdks": [{"name": "X", "collects": "device_id"}]}, r"sdks\[0\].collects"),
        ({"sharing": [{"pi_types": []}]}, "recipient"),
    ],
)
def test_a_malformed_declaration_is_named(body: object, message: str) -> None:
    with pytest.raises(InvalidDeclaration, match=message):
        declaration_from_dict(body)


def test_version_comparison_lists_what_the_new_sample_adds(clean_report: Report) -> None:
    old = analyse(shop_apk(with_location=False))
    new = analyse(shop_apk(version_code=2))
    result = compare(old, new)
    assert result.widened
    assert result.new_permissions == ("android.permission.ACCESS_FINE_LOCATION",)
    assert result.new_dangerous_permissions == result.new_permissions
    assert result.new_pi_types == ("location",)
    assert [s["api"] for s in result.new_call_sites] == [
        "android.location.LocationManager.getLastKnownLocation"
    ]
    assert (result.old_version, result.new_version) == ("1.0 (1)", "2.0 (2)")
    # the stored JSON form compares like the report itself
    assert compare(json.loads(json.dumps(old.as_dict())), new.as_dict()) == result
    unchanged = compare(new, new)
    assert not unchanged.widened and unchanged.removed_call_sites == ()
    shrunk = compare(new, clean_report)
    assert set(shrunk.removed_sdks) == {"umeng", "jpush", "bugly"} and not shrunk.widened
