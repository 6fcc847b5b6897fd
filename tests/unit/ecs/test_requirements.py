"""Licence application requirements (ECS-2.1), checked under the shipped rule sets."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certgov.ecs import Application, Evaluation, ItemStatus, evaluate, parse_application
from certgov.errors import ConfigurationError, InvalidInput
from certgov.rules import RuleSet, load_rule_sets

RULE_SETS = load_rule_sets()
M2015 = RULE_SETS["measures-2015"]
DRAFT = RULE_SETS["measures-2024-draft"]
ECS_SETS = [M2015, DRAFT]
ECS_IDS = ["measures-2015", "draft"]

#: A published code (see tests/unit/registry/test_uscc.py); its check character is 'L'.
USCC = "91110000600037341L"
DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _application(**changes: Any) -> dict[str, Any]:
    """An application meeting the 2024 draft, with top-level fields replaced by ``changes``."""
    body: dict[str, Any] = {
        "legal_person": {
            "name": "Example Certification Co., Ltd.",
            "uscc": USCC,
            "independent_legal_person": True,
        },
        "registered_capital_yuan": 70_000_000,
        "technical_staff": 60,
        "premises": {"fixed_premises": True, "description": "Floors 5-6, 1 Example Road, Beijing"},
        "physical_environment": {
            "fit_for_secure_operation": True,
            "evidence": ["machine-room-inspection.pdf"],
        },
        "equipment": {
            "meets_national_security_standards": True,
            "certificates": ["test report 2024-0815"],
        },
        "cryptography": {"approved": True, "approval_number": "SCA-2024-001"},
        "documents": [
            {
                "kind": "business licence",
                "filename": "licence.pdf",
                "sha256": DIGEST,
                "size": 182_044,
            }
        ],
    }
    body.update(changes)
    return body


def _evaluate(rule_set: RuleSet, **changes: Any) -> Evaluation:
    return evaluate(parse_application(_application(**changes)), rule_set)


def test_capital_of_50_million_fails_the_draft_and_passes_2015() -> None:
    """ECS-2.1: registered capital against RMB 70,000,000 (draft) and 30,000,000 (M2015)."""
    draft = _evaluate(DRAFT, registered_capital_yuan=50_000_000).item("registered_capital")
    assert draft.status is ItemStatus.NOT_MET
    assert draft.reason.startswith(
        "registered capital RMB 50,000,000 is below the minimum of RMB 70,000,000 "
        "(measures-2024-draft registered_capital_min; source: Draft revision"
    )
    (citation,) = draft.parameters
    assert citation.as_dict() == {
        "name": "registered_capital_min",
        "value": 70_000_000,
        "source": DRAFT.parameter("registered_capital_min").source,
        "assumed": False,
        "note": None,
        "currency": "CNY",
    }

    in_force = _evaluate(M2015, registered_capital_yuan=50_000_000).item("registered_capital")
    assert in_force.status is ItemStatus.MET
    assert "RMB 50,000,000 meets the minimum of RMB 30,000,000" in in_force.reason
    assert "M2015 Art. 5(3)" in in_force.reason
    assert in_force.parameters[0].as_dict()["value"] == 30_000_000


def test_capital_exactly_at_the_minimum_is_met() -> None:
    """ECS-2.1: "not less than" the minimum."""
    result = _evaluate(DRAFT, registered_capital_yuan=70_000_000).item("registered_capital")
    assert result.status is ItemStatus.MET


@pytest.mark.parametrize(
    ("rule_set", "changes", "status", "fragment"),
    [
        (
            DRAFT,
            {"technical_staff": 59},
            "not_met",
            "59 dedicated technical staff fall short of the minimum of 60",
        ),
        (
            DRAFT,
            {"technical_staff": 60},
            "met",
            "60 dedicated technical staff meet the minimum of 60",
        ),
        (
            DRAFT,
            {"technical_staff": 59, "service_staff": 120},
            "not_met",
            "59 dedicated technical staff",
        ),
        (
            M2015,
            {"technical_staff": 30},
            "met",
            "30 dedicated technical staff meet the minimum of 30 staff engaged in the service",
        ),
        (M2015, {"technical_staff": 29}, "not_met", "declare service_staff"),
        (
            M2015,
            {"technical_staff": 20, "service_staff": 30},
            "met",
            "30 staff engaged in the service meet the minimum of 30",
        ),
        (
            M2015,
            {"technical_staff": 20, "service_staff": 29},
            "not_met",
            "29 staff engaged in the service fall short",
        ),
    ],
    ids=[
        "draft-59",
        "draft-60",
        "draft-counts-only-the-team",
        "2015-30-technical",
        "2015-29-technical-no-total",
        "2015-30-in-service",
        "2015-29-in-service",
    ],
)
def test_staff_minimum_and_what_it_counts(
    rule_set: RuleSet, changes: dict[str, Any], status: str, fragment: str
) -> None:
    """ECS-2.1: 60 dedicated technical staff (draft); 30 staff engaged in the service (M2015)."""
    result = _evaluate(rule_set, **changes).item("technical_staff")
    assert result.status == status
    assert fragment in result.reason
    assert f"{rule_set.id} technical_staff_min" in result.reason
    assert [c.name for c in result.parameters] == ["technical_staff_min", "staff_count_basis"]


def test_an_invalid_code_is_not_met_naming_the_expected_check_character() -> None:
    """ECS-2.1: the legal person's unified social credit code passes GB 32100-2015."""
    person = {"name": "Example", "uscc": USCC[:-1] + "M", "independent_legal_person": True}
    result = _evaluate(DRAFT, legal_person=person).item("uscc")
    assert result.status is ItemStatus.NOT_MET
    assert "check character is 'M' but GB 32100-2015 gives 'L'" in result.reason
    assert _evaluate(DRAFT).item("uscc").status is ItemStatus.MET


def test_a_legal_person_that_is_not_independent_is_not_met() -> None:
    """ECS-2.1: an independent legal person (ESL Art. 17)."""
    person = {"name": "Branch office", "uscc": USCC, "independent_legal_person": False}
    result = _evaluate(M2015, legal_person=person).item("legal_person")
    assert result.status is ItemStatus.NOT_MET
    assert "condition 'independent legal person'" in result.reason
    assert "ESL Art. 17" in result.reason


@pytest.mark.parametrize(
    ("cryptography", "status", "fragment"),
    [
        ({"approved": False}, "not_met", "approval to use commercial cryptography: not claimed"),
        ({"approved": True}, "not_met", "claimed without an approval number"),
        ({"approved": True, "approval_number": None}, "not_met", "claimed without"),
        ({"approved": True, "approval_number": "SCA-1"}, "needs_review", "(SCA-1), for a reviewer"),
    ],
    ids=["not-approved", "no-number", "null-number", "with-number"],
)
def test_cryptography_approval(cryptography: dict[str, Any], status: str, fragment: str) -> None:
    """ECS-2.1: approval to use commercial cryptography; missing approval is not met."""
    result = _evaluate(DRAFT, cryptography=cryptography).item("cryptography")
    assert result.status == status
    assert fragment in result.reason


@pytest.mark.parametrize(
    ("item", "section", "status"),
    [
        ("premises", {"fixed_premises": True, "description": "Floor 5"}, "needs_review"),
        ("premises", {"fixed_premises": True}, "not_met"),
        ("premises", {"fixed_premises": False, "description": "Floor 5"}, "not_met"),
        (
            "physical_environment",
            {"fit_for_secure_operation": True, "evidence": ["r.pdf"]},
            "needs_review",
        ),
        ("physical_environment", {"fit_for_secure_operation": True, "evidence": []}, "not_met"),
        ("physical_environment", {"fit_for_secure_operation": False}, "not_met"),
        (
            "equipment",
            {"meets_national_security_standards": True, "certificates": ["C-1"]},
            "needs_review",
        ),
        ("equipment", {"meets_national_security_standards": True}, "not_met"),
        (
            "equipment",
            {"meets_national_security_standards": False, "certificates": ["C-1"]},
            "not_met",
        ),
    ],
)
def test_facts_for_a_reviewer(item: str, section: dict[str, Any], status: str) -> None:
    """ECS-2.1: premises, environment and equipment claimed with evidence need review;
    unclaimed or without evidence they are not met."""
    result = _evaluate(M2015, **{item: section}).item(item)
    assert result.status == status
    assert "application_conditions" in result.reason


def test_a_complete_application_is_ready_with_items_left_for_review() -> None:
    """ECS-2.1: ready when no item is not met; one result per item, in a stable order."""
    evaluation = _evaluate(DRAFT)
    assert evaluation.ready
    assert [item.item for item in evaluation.items] == [
        "registered_capital",
        "technical_staff",
        "legal_person",
        "uscc",
        "premises",
        "physical_environment",
        "equipment",
        "cryptography",
    ]
    body = evaluation.as_dict()
    assert json.loads(json.dumps(body, ensure_ascii=False)) == body
    assert body["summary"] == {"met": 4, "not_met": 0, "needs_review": 4}
    assert (body["requirement"], body["rule_set"], body["rule_set_status"]) == (
        "ECS-2.1",
        "measures-2024-draft",
        "draft",
    )


def test_readiness_for_the_draft_while_2015_is_in_force() -> None:
    """ECS-2.1: a readiness check is the evaluation under the draft rule set."""
    application = parse_application(_application(registered_capital_yuan=40_000_000))
    assert evaluate(application, M2015).ready
    readiness = evaluate(application, DRAFT)
    assert not readiness.ready
    assert [item.item for item in readiness.items if item.status is ItemStatus.NOT_MET] == [
        "registered_capital"
    ]


def test_a_condition_without_an_automatic_check_is_left_for_review() -> None:
    """ECS-2.1: a rule set listing a new condition gets it reviewed, not silently dropped."""
    conditions = DRAFT.parameter("application_conditions")
    added = (*DRAFT.items(conditions.key), "a business continuity plan")
    extended = dataclasses.replace(conditions, value=added)
    rule_set = dataclasses.replace(DRAFT, parameters={**DRAFT.parameters, conditions.key: extended})
    result = evaluate(parse_application(_application()), rule_set).item("condition_5")
    assert result.status is ItemStatus.NEEDS_REVIEW
    assert result.title == "a business continuity plan"
    assert "no automatic check" in result.reason


def test_an_unknown_staff_count_basis_is_a_configuration_error() -> None:
    """ECS-2.1: the rule set names which staff the minimum counts; a typo is not guessed at."""
    basis = DRAFT.parameter("staff_count_basis")
    wrong = dataclasses.replace(basis, value="all_staff")
    rule_set = dataclasses.replace(DRAFT, parameters={**DRAFT.parameters, basis.key: wrong})
    with pytest.raises(ConfigurationError, match="staff_count_basis"):
        evaluate(parse_application(_application()), rule_set)


def test_an_app_rule_set_is_refused() -> None:
    """ECS-2.1 is judged under ECS rule sets only."""
    with pytest.raises(InvalidInput, match="expected an ecs rule set"):
        evaluate(parse_application(_application()), RULE_SETS["ccrc-app-2019"])


def _document(**changes: Any) -> list[dict[str, Any]]:
    document: dict[str, Any] = {"kind": "k", "filename": "a.pdf", "sha256": DIGEST, "size": 1}
    document.update(changes)
    return [document]


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        (
            {"registered_capital_yuan": -1},
            "registered_capital_yuan",
            "of at least 0, found a whole number -1",
        ),
        ({"registered_capital_yuan": 7e7}, "registered_capital_yuan", "found a decimal number"),
        ({"registered_capital_yuan": "70000000"}, "registered_capital_yuan", "found a string"),
        ({"technical_staff": True}, "technical_staff", "found a boolean true"),
        (
            {"technical_staff": 60, "service_staff": 59},
            "service_staff",
            "at least technical_staff (60)",
        ),
        (
            {"legal_person": {"name": "X", "uscc": USCC, "independent_legal_person": "true"}},
            "legal_person.independent_legal_person",
            "expected true or false, found a string 'true'",
        ),
        (
            {"legal_person": {"name": "X", "uscc": USCC}},
            "legal_person.independent_legal_person",
            "missing",
        ),
        (
            {"legal_person": {"name": " ", "uscc": USCC, "independent_legal_person": True}},
            "legal_person.name",
            "a non-empty string",
        ),
        (
            {"premises": {"fixed_premises": True, "area_m2": 900}},
            "premises.area_m2",
            "unknown field",
        ),
        (
            {"premises": {"fixed_premises": True, "description": ""}},
            "premises.description",
            "or null",
        ),
        (
            {"physical_environment": {"fit_for_secure_operation": True, "evidence": "r.pdf"}},
            "physical_environment.evidence",
            "expected an array",
        ),
        (
            {"equipment": {"meets_national_security_standards": True, "certificates": [1]}},
            "equipment.certificates[0]",
            "a non-empty string",
        ),
        ({"cryptography": None}, "cryptography", "expected an object, found null"),
        ({"documents": {}}, "documents", "expected an array"),
        ({"documents": _document(sha256="xyz")}, "documents[0].sha256", "64 hexadecimal digits"),
        ({"documents": _document(sha256=DIGEST + "0")}, "documents[0].sha256", "64 hexadecimal"),
        ({"documents": _document(size=0)}, "documents[0].size", "of at least 1"),
        (
            {"documents": _document(filename="../etc/passwd")},
            "documents[0].filename",
            "without '/'",
        ),
        ({"documents": _document(mime="pdf")}, "documents[0].mime", "unknown field"),
        (
            {"documents": [*_document(), *_document(kind="other")]},
            "documents[1].filename",
            "documents[0] has it",
        ),
        ({"licence_type": "national"}, "licence_type", "unknown field"),
    ],
    ids=[
        "negative-capital",
        "decimal-capital",
        "capital-as-string",
        "bool-as-count",
        "service-staff-below-technical",
        "bool-as-string",
        "missing-flag",
        "blank-name",
        "unknown-nested-field",
        "blank-description",
        "evidence-not-a-list",
        "certificate-not-a-string",
        "null-section",
        "documents-not-a-list",
        "malformed-sha256",
        "long-sha256",
        "empty-document",
        "path-as-filename",
        "unknown-document-field",
        "duplicate-filename",
        "unknown-top-level-field",
    ],
)
def test_malformed_applications_are_refused_naming_the_field(
    changes: dict[str, Any], field: str, fragment: str
) -> None:
    """ECS-2.1: the application is read strictly; the error names the field path and what was
    expected, and carries both in ``details``."""
    with pytest.raises(InvalidInput) as caught:
        parse_application(_application(**changes))
    assert caught.value.message.startswith(f"{field}:"), caught.value.message
    assert fragment in caught.value.message
    assert caught.value.details["field"] == field


def test_a_missing_top_level_field_is_named() -> None:
    body = _application()
    del body["technical_staff"]
    with pytest.raises(InvalidInput, match=r"^technical_staff: missing required field$"):
        parse_application(body)
    with pytest.raises(InvalidInput, match="expected an object, found an array"):
        parse_application([body])


def test_numbers_beyond_64_bits_are_refused() -> None:
    """ECS-2.1: amounts and counts fit a signed 64-bit integer; a huge number is refused."""
    with pytest.raises(InvalidInput, match="at most 9,223,372,036,854,775,807") as caught:
        parse_application(_application(registered_capital_yuan=10**5000))
    assert caught.value.details["found"] == "a whole number of 16610 bits"
    largest = parse_application(_application(registered_capital_yuan=2**63 - 1))
    assert evaluate(largest, DRAFT).item("registered_capital").status is ItemStatus.MET


def test_digests_are_stored_in_lower_case_and_the_application_round_trips() -> None:
    """ECS-2.1: the application's JSON form is what the parser reads."""
    application = parse_application(_application(documents=_document(sha256=DIGEST.upper())))
    assert application.documents[0].sha256 == DIGEST
    assert parse_application(json.loads(json.dumps(application.as_dict()))) == application


# --- Properties ---------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (object keys and array indices)."""
    paths: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            paths.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths.extend(_paths(item, (*prefix, index)))
    return paths


def _parse_or_refuse(data: object) -> Application | None:
    try:
        return parse_application(data)
    except InvalidInput as error:
        assert error.message
        assert error.details["field"]
        return None


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*_application(), "service_staff", "x"]), _JSON) | _JSON)
def test_parsing_arbitrary_json_raises_only_invalid_input(data: object) -> None:
    """ECS-2.1: any JSON value is either an application or an InvalidInput naming a field."""
    application = _parse_or_refuse(data)
    assert application is None or isinstance(application, Application)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_parsing_a_corrupted_application_raises_only_invalid_input(data: st.DataObject) -> None:
    """ECS-2.1: one field of a good application replaced or removed: refused or parsed."""
    body = _application(service_staff=80)
    path = data.draw(st.sampled_from(_paths(body)))
    corrupted = copy.deepcopy(body)
    parent = corrupted
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()):
        parent[path[-1]] = data.draw(_JSON)
    elif isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent.pop(path[-1])
    application = _parse_or_refuse(corrupted)
    if application is not None:
        for rule_set in ECS_SETS:
            evaluate(application, rule_set)


_TEXT = st.text(min_size=1, max_size=12).filter(str.strip)
_TEXTS = st.lists(_TEXT, max_size=3)


@st.composite
def _valid_applications(draw: st.DrawFn) -> dict[str, Any]:
    technical = draw(st.integers(0, 200))
    filenames = draw(
        st.lists(
            _TEXT.filter(lambda n: "/" not in n and "\\" not in n and n.isprintable()),
            max_size=3,
            unique=True,
        )
    )
    return {
        "legal_person": {
            "name": draw(_TEXT),
            "uscc": draw(st.sampled_from([USCC, USCC[:-1] + "M", "91110000600037341"]) | _TEXT),
            "independent_legal_person": draw(st.booleans()),
        },
        "registered_capital_yuan": draw(st.integers(0, 10**12)),
        "technical_staff": technical,
        "service_staff": draw(st.none() | st.integers(technical, 400)),
        "premises": {"fixed_premises": draw(st.booleans()), "description": draw(st.none() | _TEXT)},
        "physical_environment": {
            "fit_for_secure_operation": draw(st.booleans()),
            "evidence": draw(_TEXTS),
        },
        "equipment": {
            "meets_national_security_standards": draw(st.booleans()),
            "certificates": draw(_TEXTS),
        },
        "cryptography": {
            "approved": draw(st.booleans()),
            "approval_number": draw(st.none() | _TEXT),
        },
        "documents": [
            {
                "kind": draw(_TEXT),
                "filename": name,
                "sha256": DIGEST,
                "size": draw(st.integers(1, 10**9)),
            }
            for name in filenames
        ],
    }


@settings(max_examples=200, deadline=None)
@given(_valid_applications(), st.sampled_from(ECS_SETS))
def test_evaluate_never_raises_for_a_valid_application(
    body: dict[str, Any], rule_set: RuleSet
) -> None:
    """ECS-2.1: every valid application gets one result per item; ready iff none is not met."""
    application = parse_application(body)
    evaluation = evaluate(application, rule_set)
    assert len(evaluation.items) == 8
    assert evaluation.ready is all(item.status != "not_met" for item in evaluation.items)
    assert all(item.reason and item.parameters for item in evaluation.items)
    dumped = evaluation.as_dict()
    assert json.loads(json.dumps(dumped, ensure_ascii=False)) == dumped
    assert parse_application(application.as_dict()) == application
