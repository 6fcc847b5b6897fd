"""What the demonstration scenarios share: the parties, the accounts, a USCC of the demo's own, a sample application, one step of a case."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.context import Context
from certgov.ecs.uscc import check_character
from certgov.licensing import services as licensing
from certgov.parties.models import Party, PartyKind

LOGINS_FILE = "demo-logins.txt"


def demo_uscc(division: str, serial: str) -> str:
    """A well-formed code for a fictional company: authority 9 (market regulation), type 1."""
    body = f"91{division}{serial}"
    return body + check_character(body)


PARTIES = [
    (
        "北京示例数字认证股份有限公司",
        "Beijing Example Digital Certification Co.",
        PartyKind.CA,
        "110000",
        "MA01AAAA1",
    ),
    (
        "上海示例电子认证有限公司",
        "Shanghai Example Electronic Certification Co.",
        PartyKind.CA,
        "310000",
        "MA1BBBB02",
    ),
    (
        "广东示例证书服务有限公司",
        "Guangdong Example Certificate Services Co.",
        PartyKind.CA,
        "440000",
        "MA4CCCC03",
    ),
    (
        "浙江新申请认证有限公司",
        "Zhejiang New Applicant Certification Co.",
        PartyKind.CA,
        "330000",
        "MA2DDDD04",
    ),
    (
        "深圳示例移动科技有限公司",
        "Shenzhen Example Mobile Technology Co.",
        PartyKind.APP_OPERATOR,
        "440000",
        "MA5EEEE05",
    ),
    (
        "示例信息安全测评中心",
        "Example Information Security Testing Centre",
        PartyKind.TESTING_AGENCY,
        "110000",
        "MA0FFFF06",
    ),
    (
        "示例网络安全认证中心",
        "Example Cybersecurity Certification Centre",
        PartyKind.CERTIFICATION_BODY,
        "110000",
        "MA0GGGG07",
    ),
]


ACCOUNTS = [
    ("miit", "National regulator (MIIT)", Role.NATIONAL_REGULATOR, "national", None),
    (
        "shanghai",
        "Shanghai communications administration",
        Role.PROVINCIAL_REGULATOR,
        "310000",
        None,
    ),
    ("ccrc", "Certification body officer", Role.CERTIFICATION_BODY, "national", 6),
    ("testlab", "Testing agency engineer", Role.TESTING_AGENCY, "national", 5),
    ("ca-beijing", "Beijing CA compliance officer", Role.CA_OPERATOR, "national", 0),
    ("ca-shanghai", "Shanghai CA compliance officer", Role.CA_OPERATOR, "national", 1),
    ("ca-guangdong", "Guangdong CA compliance officer", Role.CA_OPERATOR, "national", 2),
    ("ca-zhejiang", "Zhejiang applicant", Role.CA_OPERATOR, "national", 3),
    ("app-shenzhen", "App operator", Role.APP_OPERATOR, "national", 4),
]


def demo_application(party: Party, capital: int, staff: int) -> dict[str, Any]:
    """A licence application of ``party`` (ECS-2.1) with the given capital and staff."""
    return {
        "legal_person": {
            "name": party.name,
            "uscc": party.uscc,
            "independent_legal_person": True,
        },
        "registered_capital_yuan": capital,
        "technical_staff": staff,
        "service_staff": staff + 25,
        "premises": {"fixed_premises": True, "description": f"{party.name_en} data centre"},
        "physical_environment": {
            "fit_for_secure_operation": True,
            "evidence": ["GB/T 22239 level 3 assessment report"],
        },
        "equipment": {
            "meets_national_security_standards": True,
            "certificates": ["commercial cryptography product certificate"],
        },
        "cryptography": {"approved": True, "approval_number": f"SCA-{party.id:04d}"},
        "documents": [
            {
                "kind": "articles_of_association",
                "filename": "articles.pdf",
                "sha256": hashlib.sha256(f"articles {party.uscc}".encode()).hexdigest(),
                "size": 48_213,
            }
        ],
    }


def _step(session: Session, ctx: Context, actor: Actor, case: Case, name: str, **kw: Any) -> Case:
    return cases.transition(session, ctx, actor, case.id, name, expected_version=case.version, **kw)


def _license(
    session: Session, ctx: Context, regulator: Actor, operator: Actor, party: Party
) -> Case:
    """Apply, review every item, evaluate and approve: the licence is issued (ECS-2.3)."""
    case = licensing.submit_application(
        session, ctx, operator, demo_application(party, 120_000_000, 85)
    ).case
    case = _step(session, ctx, regulator, case, "accept")
    for item in case.data["evaluation"]["items"]:
        if item["status"] == "needs_review":
            case = licensing.review_item(
                session,
                ctx,
                regulator,
                case.id,
                item=item["item"],
                status="met",
                note="checked during the document review and on site",
                expected_version=case.version,
            )
    case = _step(session, ctx, regulator, case, "to_expert_evaluation")
    case = _step(session, ctx, regulator, case, "to_onsite_evaluation")
    return _step(session, ctx, regulator, case, "approve", reason="all conditions met")
