"""Demonstration CA scenarios: applications in each state, licences, conduct and findings."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.clock import china_date
from certgov.conduct import services as conduct
from certgov.context import Context
from certgov.demo.common import _license, _step, demo_application
from certgov.licensing import services as licensing
from certgov.parties.models import Party


def load_ca_scenarios(
    session: Session, ctx: Context, actors: dict[str, Actor], parties: list[Party]
) -> None:
    """CAs in four states (issue 4): Beijing licensed and compliant; Guangdong licensed with
    conduct findings; Zhejiang applying; Shanghai applying with RMB 50 million of capital, which
    meets the 2015 Measures in force but not the 2024 draft (see its readiness check)."""
    regulator = actors["miit"]
    beijing, shanghai, guangdong, zhejiang = parties[0], parties[1], parties[2], parties[3]
    today = china_date(ctx.clock.now())

    _license(session, ctx, regulator, actors["ca-beijing"], beijing)
    conduct.file_practice_statement(
        session,
        ctx,
        actors["ca-beijing"],
        beijing.id,
        {
            "label": "V4.2",
            "title": "Certification practice statement",
            "sha256": hashlib.sha256(b"beijing cps 4.2").hexdigest(),
            "size": 312_554,
            "url": "https://ca-beijing.example/cps/4.2.pdf",
            "effective_on": (today - dt.timedelta(days=90)).isoformat(),
        },
    )
    for province, outlet in (("110000", "Haidian"), ("120000", "Binhai")):
        conduct.open_outlet(
            session,
            ctx,
            actors["ca-beijing"],
            beijing.id,
            {"jurisdiction": province, "name": f"{outlet} service hall", "address": outlet},
        )
    conduct.set_operating_provinces(
        session, ctx, actors["ca-beijing"], beijing.id, {"provinces": ["110000", "120000"]}
    )
    conduct.declare_outsourcing(
        session,
        ctx,
        actors["ca-beijing"],
        beijing.id,
        {"functions": [{"function": "customer service hotline", "provider": "Example Call Ltd"}]},
    )

    _license(session, ctx, regulator, actors["ca-guangdong"], guangdong)
    conduct.file_practice_statement(
        session,
        ctx,
        actors["ca-guangdong"],
        guangdong.id,
        {
            "label": "2.0",
            "sha256": hashlib.sha256(b"guangdong cps 2.0").hexdigest(),
            "effective_on": (today - dt.timedelta(days=30)).isoformat(),
        },
    )
    conduct.open_outlet(
        session,
        ctx,
        actors["ca-guangdong"],
        guangdong.id,
        {"jurisdiction": "440000", "name": "Tianhe service hall", "address": "Tianhe, Guangzhou"},
    )
    conduct.set_operating_provinces(  # Guangxi without an outlet: a finding (ECS-3.3)
        session, ctx, actors["ca-guangdong"], guangdong.id, {"provinces": ["440000", "450000"]}
    )
    conduct.declare_outsourcing(  # a critical function outsourced: a finding (ECS-3.2)
        session,
        ctx,
        actors["ca-guangdong"],
        guangdong.id,
        {
            "functions": [
                {"function": "identity vetting decision", "provider": "Example RA Services"},
                {"function": "data centre hosting", "provider": "Example IDC"},
            ]
        },
    )
    licensing.record_registration_change(  # filed 20 days after the change: a finding (ECS-2.4)
        session,
        ctx,
        actors["ca-guangdong"],
        guangdong.id,
        {
            "item": "legal representative",
            "changed_on": (today - dt.timedelta(days=20)).isoformat(),
            "new_value": "Li Si",
        },
    )

    zhejiang_case = licensing.submit_application(
        session, ctx, actors["ca-zhejiang"], demo_application(zhejiang, 100_000_000, 70)
    ).case
    _step(session, ctx, regulator, zhejiang_case, "accept")

    shanghai_case = licensing.submit_application(
        session, ctx, actors["ca-shanghai"], demo_application(shanghai, 50_000_000, 59)
    ).case
    shanghai_case = _step(session, ctx, actors["shanghai"], shanghai_case, "accept")
    _step(
        session,
        ctx,
        actors["shanghai"],
        shanghai_case,
        "request_documents",
        reason="premises security assessment missing",
    )
