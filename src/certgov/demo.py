"""Demonstration data for ``make run``: parties in several provinces, one account per role,
and a few cases in different states. Passwords are generated at load time (none is in the
repository), written to ``<data_dir>/demo-logins.txt`` (mode 600) and printed."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.cases import services as cases
from certgov.context import Context
from certgov.errors import Conflict
from certgov.identity import services as identity
from certgov.identity.roles import SYSTEM_ACTOR, Role
from certgov.registry import services as registry
from certgov.registry.models import Party, PartyKind
from certgov.registry.uscc import check_character

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
    ("ca-zhejiang", "Zhejiang applicant", Role.CA_OPERATOR, "national", 3),
    ("app-shenzhen", "App operator", Role.APP_OPERATOR, "national", 4),
]


def load_demo(session: Session, ctx: Context, *, only_if_empty: bool = False) -> str:
    logins = Path(ctx.settings.data_dir) / LOGINS_FILE
    if session.scalar(select(Party.id).limit(1)) is not None:
        if only_if_empty:
            shown = logins.read_text(encoding="utf-8") if logins.exists() else ""
            return "demo data already loaded.\n" + shown
        raise Conflict("the database has parties already; demo data loads into an empty one")
    parties: list[Party] = []
    for name, name_en, kind, province, serial in PARTIES:
        parties.append(
            registry.create_party(
                session,
                ctx.clock,
                registry.NewParty(
                    name=name,
                    name_en=name_en,
                    kind=kind,
                    uscc=demo_uscc(province, serial),
                    home_province=province,
                ),
            )
        )
    lines = ["demo logins (console: http://127.0.0.1:8000/console):"]
    users = {}
    for username, display, role, jurisdiction, party_index in ACCOUNTS:
        password = secrets.token_urlsafe(12)
        users[username] = identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name=display,
            password=password,
            grant=identity.Grant(
                role, jurisdiction, parties[party_index].id if party_index is not None else None
            ),
        )
        lines.append(
            f"  {username:<14} {password}  ({role.value}{'' if jurisdiction == 'national' else ' ' + jurisdiction})"
        )

    regulator = identity.user_actor(users["miit"])
    today = ctx.clock.now().date()
    applying = cases.open_case(
        session,
        ctx,
        regulator,
        cases.OpenCase(
            "ca-licence-application",
            "Licence application of Zhejiang New Applicant",
            subject_party_id=parties[3].id,
            relevant_date=today,
        ),
    )
    cases.transition(
        session, ctx, regulator, applying.id, "accept", expected_version=applying.version
    )
    stalled = cases.open_case(
        session,
        ctx,
        regulator,
        cases.OpenCase(
            "ca-licence-application",
            "Licence application of Shanghai Example (documents requested)",
            subject_party_id=parties[1].id,
            relevant_date=today - dt.timedelta(days=20),
        ),
    )
    cases.transition(
        session, ctx, regulator, stalled.id, "accept", expected_version=stalled.version
    )
    cases.transition(
        session,
        ctx,
        regulator,
        stalled.id,
        "request_documents",
        expected_version=stalled.version,
        reason="premises security assessment missing",
    )
    session.flush()
    text = "\n".join(lines) + "\n"
    logins.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(logins, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return text
