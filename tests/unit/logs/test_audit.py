"""SYS-3: audit records are canonical JSON, and the parser refuses anything else cleanly."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certgov.actors import SYSTEM_ACTOR, Actor, ActorKind, Role
from certgov.errors import InvalidInput
from certgov.logs.audit import audit_entry, canonical_json, parse_audit_entry
from certgov.tlog.tiles import MAX_ENTRY_SIZE

AT = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)
OFFICIAL = Actor(ActorKind.USER, Role.PROVINCIAL_REGULATOR, "shanghai", "310000", user_id=7)


def test_a_record_is_canonical_and_complete() -> None:
    data = audit_entry(
        "case.transition",
        OFFICIAL,
        AT,
        case_id=12,
        subject={"process": "ca-licence-application", "transition": "accept"},
        before={"state": "submitted"},
        after={"state": "document_review"},
        reason="complete",
        details={"payload": {"capital": 1.5, "on": dt.date(2025, 9, 30)}},
    )
    record = parse_audit_entry(data)
    assert data == canonical_json(record)
    assert record["v"] == 1 and record["action"] == "case.transition"
    assert record["at"] == "2025-09-25T02:00:00.000000Z"
    assert record["actor"] == {
        "kind": "user",
        "name": "shanghai",
        "role": "provincial_regulator",
        "jurisdiction": "310000",
        "user": 7,
    }
    assert record["details"]["payload"] == {"capital": "1.5", "on": "2025-09-30"}
    assert b" " not in data.replace(b"ca-licence", b"")  # no whitespace between tokens


def test_absent_fields_are_left_out_and_local_times_become_utc() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    record = parse_audit_entry(
        audit_entry(
            "identity.login", SYSTEM_ACTOR, dt.datetime(2025, 9, 25, 10, 0, tzinfo=shanghai)
        )
    )
    assert set(record) == {"v", "action", "at", "actor"}
    assert record["at"] == "2025-09-25T02:00:00.000000Z"


def test_oversized_details_are_kept_as_their_digest() -> None:
    data = audit_entry("case.opened", SYSTEM_ACTOR, AT, details={"blob": "x" * MAX_ENTRY_SIZE})
    record = parse_audit_entry(data)
    assert len(data) <= MAX_ENTRY_SIZE
    assert "details" not in record and len(record["details_sha256"]) == 64


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\xff", "UTF-8"),
        (b"[1]", "object"),
        (b'{"v":1}', "lacks"),
        (b'{"action": "x", "actor": {}, "at": "t", "v": 1}', "canonical"),
    ],
)
def test_malformed_records_are_refused_with_the_reason(data: bytes, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        parse_audit_entry(data)


@given(st.binary(max_size=300))
def test_the_parser_refuses_any_bytes_only_with_invalid_input(data: bytes) -> None:
    with contextlib.suppress(InvalidInput):
        parse_audit_entry(data)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_details_round_trip_canonically(details: object) -> None:
    data = audit_entry("test.any", SYSTEM_ACTOR, AT, details={"value": details})
    record = parse_audit_entry(data)
    assert json.loads(data) == record
    assert canonical_json(record) == data
