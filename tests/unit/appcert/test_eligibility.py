"""Eligibility bars of APP-2 as a pure function of records, revocations and the rule set."""

from __future__ import annotations

import dataclasses
import datetime as dt

from certgov.appcert.eligibility import (
    LAW_VIOLATION,
    SERIOUS_INCIDENT,
    SIMILAR_REVOKED,
    RecordFact,
    Revocation,
    ban_until,
    evaluate,
    record_kinds,
)
from certgov.rules import load_rule_sets
from certgov.rules.model import Parameter, ParameterKind, RuleSet

APP = load_rule_sets()["ccrc-app-2019"]
ON = dt.date(2025, 9, 25)


def _with_added_bar(bar: str) -> RuleSet:
    """The shipped rule set with one bar the certification body added."""
    parameters = dict(APP.parameters)
    old = parameters["additional_eligibility_bars"]
    parameters["additional_eligibility_bars"] = dataclasses.replace(old, value=(bar,))
    return dataclasses.replace(APP, id="ccrc-app-test", parameters=parameters)


def test_app_2_incident_lookback_boundaries() -> None:
    """APP-2: an incident 11 months before bars, 13 months before does not; exactly 12 months
    before is outside the window; a later one (after the application date) is not judged."""

    def barred(day: dt.date) -> bool:
        return not evaluate(APP, ON, [RecordFact(1, SERIOUS_INCIDENT, day, "x")]).eligible

    assert barred(dt.date(2024, 10, 25))
    assert not barred(dt.date(2024, 8, 25))
    assert not barred(dt.date(2024, 9, 25))
    assert barred(dt.date(2024, 9, 26))
    assert not barred(dt.date(2025, 9, 26))


def test_app_2_violation_until_it_ends_and_ban_after_revocation() -> None:
    """APP-2: a violation bars until its end date; a revocation (of this scheme or recorded from
    another) bars for revocation_ban_period, the last day included."""
    ended = RecordFact(1, LAW_VIOLATION, dt.date(2024, 1, 1), "x", ends_on=dt.date(2025, 9, 24))
    running = RecordFact(2, LAW_VIOLATION, dt.date(2024, 1, 1), "y", ends_on=dt.date(2025, 9, 25))
    assert evaluate(APP, ON, [ended]).eligible
    assert [b.record_id for b in evaluate(APP, ON, [ended, running]).bars] == [2]
    assert ban_until(dt.date(2025, 1, 10), APP) == dt.date(2026, 1, 9)
    revoked = Revocation("CCRC-AS-2024-000001", dt.date(2024, 9, 26), dt.date(2025, 9, 25))
    assert not evaluate(APP, ON, [], [revoked]).eligible
    assert evaluate(APP, ON + dt.timedelta(days=1), [], [revoked]).eligible
    elsewhere = RecordFact(3, SIMILAR_REVOKED, dt.date(2024, 9, 26), "other scheme")
    assert not evaluate(APP, ON, [elsewhere]).eligible
    assert evaluate(APP, ON + dt.timedelta(days=1), [elsewhere]).eligible


def test_app_2_every_bar_is_listed_with_its_parameter() -> None:
    """APP-2: every applicable bar, each citing the rule parameter it rests on."""
    result = evaluate(
        APP,
        ON,
        [
            RecordFact(1, LAW_VIOLATION, dt.date(2025, 1, 1), "fined"),
            RecordFact(2, SERIOUS_INCIDENT, dt.date(2025, 6, 1), "breach"),
        ],
        [Revocation("CCRC-AS-2025-000001", dt.date(2025, 2, 1), dt.date(2026, 1, 31))],
    )
    assert [b.parameter["name"] for b in result.bars] == [
        "eligibility_bars",
        "serious_incident_lookback",
        "revocation_ban_period",
    ]
    assert result.as_dict()["eligible"] is False and len(result.reasons) == 3


def test_app_2_configurable_bars_of_the_certification_body() -> None:
    """APP-2: a bar the certification body adds to its rule set is a record kind and bars while
    in force; under a rule set without it, the same record does not bar."""
    bar = "listed as a seriously dishonest entity"
    custom = _with_added_bar(bar)
    assert bar in record_kinds(custom) and bar not in record_kinds(APP)
    record = RecordFact(1, bar, dt.date(2025, 5, 1), "credit blacklist")
    barred = evaluate(custom, ON, [record])
    assert [b.bar for b in barred.bars] == [bar]
    assert barred.bars[0].parameter["name"] == "additional_eligibility_bars"
    assert evaluate(APP, ON, [record]).eligible


def test_rule_parameters_exist() -> None:
    assert isinstance(APP.parameter("self_assessment_report_period"), Parameter)
    assert APP.parameter("certification_mark_rules").kind is ParameterKind.LIST
