"""Parsers of the app certification bodies (APP-1, APP-2, APP-3): strict, every refusal an
InvalidInput naming the field; Hypothesis checks that no input makes them fail otherwise."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.appcert.checklist import checklist, item_of
from certgov.appcert.parsing import (
    parse_application,
    parse_record,
    parse_remedy,
    parse_remedy_review,
    parse_results,
)
from certgov.errors import InvalidInput
from certgov.rules import load_rule_sets

APP = load_rule_sets()["ccrc-app-2019"]
TODAY = dt.date(2025, 9, 25)


def _documents() -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "filename": f"{i}.pdf",
            "content_base64": base64.b64encode(b"doc %d" % i).decode(),
        }
        for i, kind in enumerate(APP.items("required_documents"))
    ]


def _application(**changes: Any) -> dict[str, Any]:
    return {
        "app_name": "Example",
        "version_line": "1.x",
        "operating_systems": ["android", "IOS"],
        "documents": _documents(),
        **changes,
    }


def test_app_1_application_is_read_with_canonical_names_and_digests() -> None:
    """APP-1: systems and document kinds match the rule set whatever their case or underscores;
    digests and sizes are computed from the bytes."""
    parsed = parse_application(
        _application(
            documents=[{**d, "kind": d["kind"].upper().replace(" ", "_")} for d in _documents()]
        ),
        APP,
    )
    assert parsed.operating_systems == ("Android", "iOS")
    assert [d.kind for d in parsed.documents] == list(APP.items("required_documents"))
    assert parsed.documents[0].size == len(b"doc 0") and len(parsed.documents[0].sha256) == 64


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"operating_systems": "Android"}, "operating_systems"),
        ({"documents": _documents()[:4]}, "documents"),
        ({"version_line": "x" * 65}, "version_line"),
        (
            {"documents": [{**_documents()[0], "filename": "../etc/passwd"}, *_documents()[1:]]},
            "documents[0].filename",
        ),
        (
            {"documents": [{**_documents()[0], "content_base64": ""}, *_documents()[1:]]},
            "documents[0].content_base64",
        ),
    ],
)
def test_app_1_bad_applications_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_application(_application(**changes), APP)
    assert caught.value.message.startswith(field)


def test_app_3_checklist_has_twelve_coded_items() -> None:
    """APP-3: six GB/T 35273 groups and six 2019 categories, coded by position."""
    items = checklist(APP)
    assert len(items) == 12 and items[0].code == "group-1" and items[-1].code == "category-6"
    with pytest.raises(InvalidInput):
        item_of(APP, "group-7")


def test_app_3_results_refuse_due_dates_unless_deficient_and_in_the_future() -> None:
    ok = parse_results(
        {
            "results": [
                {"item": "group-1", "result": "Deficient", "note": "x", "due_on": "2025-10-01"}
            ]
        },
        APP,
        TODAY,
    )
    assert ok[0].due_on == dt.date(2025, 10, 1)
    for entry in (
        {"item": "group-1", "result": "conforms", "note": "x", "due_on": "2025-10-01"},
        {"item": "group-1", "result": "deficient", "note": "x", "due_on": "2025-09-25"},
        {"item": "group-9", "result": "conforms", "note": "x"},
        {"item": "group-1", "result": "maybe", "note": "x"},
    ):
        with pytest.raises(InvalidInput):
            parse_results({"results": [entry]}, APP, TODAY)


def test_app_2_records_refuse_unknown_kinds_and_future_dates() -> None:
    record = parse_record(
        {"kind": "Serious_Security_Incident", "occurred_on": "2025-01-01", "description": "x"},
        APP,
        TODAY,
    )
    assert record.kind == "serious_security_incident"
    for body in (
        {"kind": "rumour", "occurred_on": "2025-01-01", "description": "x"},
        {"kind": "law_violation", "occurred_on": "2025-10-01", "description": "x"},
        {
            "kind": "law_violation",
            "occurred_on": "2025-01-01",
            "ends_on": "2024-01-01",
            "description": "x",
        },
    ):
        with pytest.raises(InvalidInput):
            parse_record(body, APP, TODAY)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    [
        "app_name",
        "version_line",
        "operating_systems",
        "documents",
        "kind",
        "filename",
        "content_base64",
        "sha256",
        "results",
        "item",
        "result",
        "note",
        "due_on",
        "occurred_on",
        "description",
        "deficiency_id",
        "statement",
        "accepted",
    ]
)
NEAR = st.dictionaries(KEYS, JSON, max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, NEAR, st.builds(lambda d: {**_application(), **d}, NEAR)))
def test_parsers_refuse_any_bad_input_with_invalid_input(value: Any) -> None:
    """Whatever JSON arrives, the parsers answer or raise InvalidInput, never anything else."""
    for parse in (
        lambda v: parse_application(v, APP),
        lambda v: parse_record(v, APP, TODAY),
        lambda v: parse_results(v, APP, TODAY),
        parse_remedy,
        parse_remedy_review,
    ):
        with contextlib.suppress(InvalidInput):
            parse(value)
