"""Is an activity regulated by the Measures? (ECS-1.1), under the shipped rule sets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.ecs import Activity, assess, parse_activity
from certgov.errors import InvalidInput
from certgov.rules import RuleSet, load_rule_sets

RULE_SETS = load_rule_sets()
M2015 = RULE_SETS["measures-2015"]
DRAFT = RULE_SETS["measures-2024-draft"]
ECS_SETS = [M2015, DRAFT]
ECS_IDS = ["measures-2015", "draft"]


def _activity(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "issues_signature_certificates": False,
        "third_party_verification": False,
        "identity_verification_only": False,
        "description": "",
    }
    body.update(changes)
    return body


@pytest.mark.parametrize("rule_set", ECS_SETS, ids=ECS_IDS)
def test_issuing_signature_certificates_is_regulated(rule_set: RuleSet) -> None:
    """ECS-1.1: issuing electronic-signature certificates is regulated, citing the rule set."""
    result = assess(parse_activity(_activity(issues_signature_certificates=True)), rule_set)
    assert result.regulated
    assert not result.needs_review
    assert (result.requirement, result.rule_set) == ("ECS-1.1", rule_set.id)
    verdict = result.reasons[0]
    assert verdict.startswith("Regulated: the activity issues electronic-signature certificates")
    assert "regulated_activities" in verdict
    assert rule_set.parameter("regulated_activities").source in verdict
    assert rule_set.items("regulated_activities")[0] in verdict
    assert [citation.name for citation in result.parameters] == ["regulated_activities"]


def test_third_party_verification_without_certificates_is_regulated() -> None:
    """ECS-1.1: verifying electronic signatures for others is regulated (M2015 Art. 2)."""
    result = assess(parse_activity(_activity(third_party_verification=True)), M2015)
    assert result.regulated
    assert "verifies electronic signatures for other parties" in result.reasons[0]
    assert "M2015 Art. 2" in result.reasons[0]


@pytest.mark.parametrize("rule_set", ECS_SETS, ids=ECS_IDS)
def test_identity_verification_only_is_not_regulated(rule_set: RuleSet) -> None:
    """ECS-1.1: activities solely for identity verification are out of scope."""
    result = assess(parse_activity(_activity(identity_verification_only=True)), rule_set)
    assert not result.regulated
    assert not result.needs_review
    verdict = result.reasons[0]
    assert verdict.startswith("Not regulated: the activity verifies identities only")
    assert "out_of_scope_activities" in verdict
    assert ("an assumed value" in verdict) is rule_set.parameter("out_of_scope_activities").assumed
    assert {citation.name for citation in result.parameters} == {
        "regulated_activities",
        "out_of_scope_activities",
    }


def test_the_2015_exclusion_is_shown_as_an_assumption() -> None:
    """ECS-1.1: M2015 does not exclude identity-only services in words; the answer says so."""
    activity = parse_activity(_activity(identity_verification_only=True))
    cited = {
        rule_set.id: {c.name: c for c in assess(activity, rule_set).parameters}
        for rule_set in ECS_SETS
    }
    assert cited["measures-2015"]["out_of_scope_activities"].assumed
    assert cited["measures-2015"]["out_of_scope_activities"].as_dict()["note"]
    assert not cited["measures-2024-draft"]["out_of_scope_activities"].assumed


def test_a_certificate_issuer_calling_itself_identity_only_is_regulated_and_flagged() -> None:
    """ECS-1.1: substance over labels; the contradiction is reported for review."""
    activity = _activity(issues_signature_certificates=True, identity_verification_only=True)
    result = assess(parse_activity(activity), DRAFT)
    assert result.regulated
    assert result.needs_review
    (conflict,) = result.conflicts
    assert "described as identity verification only" in conflict
    assert "so it is regulated" in conflict
    assert result.reasons[-1] == conflict


def test_certificate_types_without_issuing_certificates_need_review() -> None:
    """ECS-1.1: listing certificate types while denying issuing certificates is ambiguous."""
    activity = _activity(identity_verification_only=True, certificate_types=["SM2 signing"])
    result = assess(parse_activity(activity), DRAFT)
    assert not result.regulated
    assert result.needs_review
    assert "SM2 signing" in result.conflicts[0]


def test_an_activity_that_does_neither_is_not_regulated() -> None:
    """ECS-1.1: neither issuing certificates nor verifying signatures: not regulated."""
    result = assess(parse_activity(_activity(description="document storage")), DRAFT)
    assert not result.regulated
    assert not result.needs_review
    assert result.reasons[0].startswith("Not regulated: the activity neither issues")


def test_the_answer_serialises_to_json() -> None:
    """ECS-1.1: the answer is JSON-ready."""
    activity = _activity(issues_signature_certificates=True, identity_verification_only=True)
    body = assess(parse_activity(activity), M2015).as_dict()
    assert json.loads(json.dumps(body, ensure_ascii=False)) == body
    assert body["requirement"] == "ECS-1.1"
    assert body["rule_set"] == "measures-2015"
    assert body["regulated"] is True
    assert body["needs_review"] is True
    assert body["parameters"][0]["name"] == "regulated_activities"


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ([], "(the document)", "expected an object, found an array"),
        (
            _activity(issues_signature_certificates="true"),
            "issues_signature_certificates",
            "a string 'true'",
        ),
        (
            _activity(third_party_verification=1),
            "third_party_verification",
            "expected true or false",
        ),
        (_activity(sells_tokens=True), "sells_tokens", "unknown field"),
        ({"issues_signature_certificates": True}, "third_party_verification", "missing"),
        (_activity(description=5), "description", "expected a string"),
        (_activity(certificate_types="SM2"), "certificate_types", "expected an array"),
        (_activity(certificate_types=["SM2", 3]), "certificate_types[1]", "a non-empty string"),
    ],
    ids=[
        "not-an-object",
        "bool-as-string",
        "bool-as-number",
        "unknown-field",
        "missing-field",
        "description-a-number",
        "types-not-a-list",
        "type-not-a-string",
    ],
)
def test_malformed_activities_are_refused_naming_the_field(
    data: object, field: str, fragment: str
) -> None:
    """ECS-1.1: the activity is read strictly; the error names the field and what was expected."""
    with pytest.raises(InvalidInput) as caught:
        parse_activity(data)
    assert caught.value.message.startswith(f"{field}:")
    assert fragment in caught.value.message
    assert caught.value.details["field"] == field


def test_an_activity_round_trips_through_json() -> None:
    activity = Activity(True, False, False, "qualified signing", ("SM2 signing", "RSA signing"))
    assert parse_activity(json.loads(json.dumps(activity.as_dict()))) == activity


def test_an_app_rule_set_is_refused() -> None:
    """ECS-1.1 is judged under ECS rule sets only."""
    with pytest.raises(InvalidInput, match="expected an ecs rule set"):
        assess(parse_activity(_activity()), RULE_SETS["ccrc-app-2019"])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
# Mostly the activity's own field names, so that parsing gets past the unknown-field check.
_FIELDS = st.sampled_from([*_activity(), "certificate_types", "other"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_FIELDS, _JSON | st.booleans(), max_size=6) | _JSON)
def test_parsing_arbitrary_json_refuses_with_invalid_input_only(data: object) -> None:
    """ECS-1.1: any JSON value is either an activity or an InvalidInput, never a crash."""
    try:
        activity = parse_activity(data)
    except InvalidInput as error:
        assert error.details["field"]
    else:
        assert isinstance(activity, Activity)


@settings(max_examples=100, deadline=None)
@given(
    st.builds(
        Activity,
        st.booleans(),
        st.booleans(),
        st.booleans(),
        st.text(max_size=20),
        st.lists(st.text(min_size=1, max_size=10).filter(str.strip), max_size=3).map(tuple),
    ),
    st.sampled_from(ECS_SETS),
)
def test_every_activity_gets_an_answer(activity: Activity, rule_set: RuleSet) -> None:
    """ECS-1.1: regulated exactly when the activity issues certificates or verifies signatures."""
    result = assess(activity, rule_set)
    assert result.regulated is (
        activity.issues_signature_certificates or activity.third_party_verification
    )
    assert result.reasons
    assert set(result.conflicts) <= set(result.reasons)
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()
