"""The licence application's reasons item by item in the reader's language (issue 16): each
reason is kept as a template and its parameters (``reason_text``), its English (``reason``)
as before, said in Chinese with the rule set's conditions and the citations in Chinese words;
the names, codes and evidence the application gives stay as they are."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from certgov.ecs import evaluate, parse_application
from certgov.ecs.review import approval_blockers
from certgov.ecs.uscc import check_uscc
from certgov.i18n.texts import say
from certgov.rules import load_rule_sets
from certgov.text import Text

RULE_SETS = load_rule_sets()
M2015 = RULE_SETS["measures-2015"]
DRAFT = RULE_SETS["measures-2024-draft"]
USCC = "91110000600037341L"


def _application(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "legal_person": {"name": "Example CA", "uscc": USCC, "independent_legal_person": True},
        "registered_capital_yuan": 70_000_000,
        "technical_staff": 60,
        "premises": {"fixed_premises": True, "description": "Floor 5, 1 Example Road"},
        "physical_environment": {"fit_for_secure_operation": True, "evidence": ["room.pdf"]},
        "equipment": {"meets_national_security_standards": True, "certificates": ["SJJ1"]},
        "cryptography": {"approved": True, "approval_number": "SC-1"},
        "documents": [],
    }
    body.update(changes)
    return body


#: Applications meeting everything, and failing each item in turn (capital, staff, the legal
#: person, its code, each claim without its proof and not claimed at all).
FAILING = {
    "all-met": {},
    "below": {
        "registered_capital_yuan": 10_000_000,
        "technical_staff": 5,
        "legal_person": {
            "name": "Branch",
            "uscc": "9Y110000600037341M",
            "independent_legal_person": False,
        },
        "premises": {"fixed_premises": True},
        "physical_environment": {"fit_for_secure_operation": True, "evidence": []},
        "equipment": {"meets_national_security_standards": True, "certificates": []},
        "cryptography": {"approved": True},
    },
    "not-claimed": {
        "technical_staff": 5,
        "service_staff": 20,
        "legal_person": {"name": "Short", "uscc": "123", "independent_legal_person": True},
        "premises": {"fixed_premises": False},
        "physical_environment": {"fit_for_secure_operation": False},
        "equipment": {"meets_national_security_standards": False},
        "cryptography": {"approved": False},
    },
}


def _stored_items(changes: dict[str, Any], rule_set: Any) -> list[dict[str, Any]]:
    evaluation = evaluate(parse_application(_application(**changes)), rule_set)
    items: list[dict[str, Any]] = json.loads(json.dumps(evaluation.as_dict()))["items"]
    return items


def _data(text: Text) -> list[str]:
    """The plain-text parameters of ``text`` and of the texts within it: what the record
    gives (names, codes, evidence, the rule set's id and its source), not words to say."""
    found: list[str] = []
    for value in text.params.values():
        if isinstance(value, Text):
            found += _data(value)
        elif isinstance(value, str) and type(value) is str:
            found.append(value)
    return found


@pytest.mark.parametrize("rule_set", [M2015, DRAFT], ids=["measures-2015", "draft"])
@pytest.mark.parametrize("changes", list(FAILING.values()), ids=list(FAILING))
def test_the_english_reason_is_the_stored_template_filled_in(
    changes: dict[str, Any], rule_set: Any
) -> None:
    for item in _stored_items(changes, rule_set):
        text = Text.of_record(item["reason_text"])
        assert text is not None and str(text) == item["reason"]


def test_the_english_reasons_are_as_before() -> None:
    items = {i["item"]: i["reason"] for i in _stored_items(FAILING["below"], DRAFT)}
    source = DRAFT.parameter("registered_capital_min").source
    assert items["registered_capital"] == (
        "registered capital RMB 10,000,000 is below the minimum of RMB 70,000,000 "
        f"(measures-2024-draft registered_capital_min; source: {source})"
    )
    conditions = DRAFT.parameter("application_conditions").source
    assert items["legal_person"] == (
        "Branch does not declare that it is an independent legal person; condition "
        f"'independent legal person' (measures-2024-draft application_conditions; source: "
        f"{conditions})"
    )
    assert items["uscc"].startswith(
        "unified social credit code '9Y110000600037341M' is not valid: organisation type 'Y' is "
        "not assigned by industry and commerce (market regulation) authorities (authority '9' "
        "allows 1, 2, 3); check character is 'M' but GB 32100-2015 gives 'T' for the first 17 "
        "characters; the code identifies the legal person of condition 'independent legal "
        "person' ("
    )
    assert items["cryptography"].startswith(
        "approval to use commercial cryptography: claimed without an approval number; "
        "condition 'approval to use commercial cryptography' (measures-2024-draft"
    )
    staff = {i["item"]: i["reason"] for i in _stored_items(FAILING["below"], M2015)}
    assert staff["technical_staff"].startswith(
        "5 dedicated technical staff fall short of the minimum of 30 staff engaged in the "
        "service (measures-2015 technical_staff_min; source: "
    )
    assert staff["technical_staff"].endswith(
        "; the technical team is only part of the service staff: declare service_staff "
        "(technical, operations management, security management and customer service staff "
        "together)"
    )
    assert check_uscc("123").reasons == (
        "a unified social credit code has 18 characters; this one has 3",
    )


@pytest.mark.parametrize("rule_set", [M2015, DRAFT], ids=["measures-2015", "draft"])
@pytest.mark.parametrize("changes", list(FAILING.values()), ids=list(FAILING))
def test_every_reason_reads_in_chinese(changes: dict[str, Any], rule_set: Any) -> None:
    """No English word is left in a Chinese reason but the data it names."""
    for item in _stored_items(changes, rule_set):
        text = Text.of_record(item["reason_text"])
        assert text is not None
        said = say(text, "zh")
        words = said
        for data in sorted(_data(text), key=len, reverse=True):
            words = words.replace(data, "")
        assert re.findall(r"[A-Za-z]+", words) in ([], ["GB"], ["GB", "GB"]), (
            item["item"],
            said,
        )


def test_chinese_reasons_in_the_registers_words() -> None:
    items = {i["item"]: i for i in _stored_items(FAILING["below"], DRAFT)}

    def zh(item: str) -> str:
        text = Text.of_record(items[item]["reason_text"])
        assert text is not None
        return say(text, "zh")

    assert zh("registered_capital").startswith(
        "注册资本人民币10,000,000元，低于最低限额人民币70,000,000元（规则集 measures-2024-draft"
    )
    assert zh("technical_staff").startswith("专职技术人员5名，低于专职技术人员不少于60名的要求（")
    assert zh("legal_person").startswith("Branch未声明其为独立法人；申请条件“独立法人”（规则集")
    assert "机构类别代码“Y”不由工商（市场监督管理）部门赋码" in zh("uscc")
    assert "校验码为“M”，但按GB 32100-2015根据前17位计算应为“T”" in zh("uscc")
    assert zh("premises").startswith("固定的经营场所：声明具备，但未说明场所情况；申请条件“")
    met = {i["item"]: i for i in _stored_items({}, M2015)}
    text = Text.of_record(met["equipment"]["reason_text"])
    assert text is not None
    assert say(text, "zh").startswith(
        "符合国家安全标准的技术和设备：声明具备并提供了证书或检测报告编号（SJJ1），待审查人员确认"
    )


def test_approval_blockers_name_the_items_by_title_in_chinese_and_by_code_in_english() -> None:
    evaluation = evaluate(parse_application(_application(**FAILING["below"])), M2015).as_dict()
    blockers = approval_blockers(evaluation, {})
    english = [str(blocker) for blocker in blockers]
    assert english[0] == (
        "items not met: registered_capital, technical_staff, legal_person, uscc, premises, "
        "physical_environment, equipment, cryptography"
    )
    assert say(blockers[0], "zh").startswith(
        "不符合的事项：注册资本、人员、独立法人、统一社会信用代码、"
    )
    assert [str(b) for b in approval_blockers(None, {})] == [
        "the case holds no evaluated application; applications are submitted through "
        "/api/v1/ecs/applications"
    ]
