"""Demonstration app-certification scenarios: applications, verification, certificates (valid, suspended, revoked)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.demo.common import _step, demo_uscc
from certgov.parties import services as registry
from certgov.parties.models import Party, PartyKind


def load_app_scenarios(
    session: Session, ctx: Context, actors: dict[str, Actor], parties: list[Party]
) -> None:
    """App security certification (issue 6): the Shenzhen operator's apps applying, under
    technical verification with an open deficiency, certified, suspended, and denied with a
    complaint pending; a Hangzhou operator whose certification was revoked (and who is barred
    from applying again for the ban period, APP-2)."""
    import base64

    from certgov.actors import ActorKind
    from certgov.appcert import agencies, applications, certifications, technical_verification
    from certgov.appcert.checklist import checklist

    body_ccrc, lab = actors["ccrc"], actors["testlab"]
    shenzhen = actors["app-shenzhen"]
    rule_set = ctx.rule_sets["ccrc-app-2019"]
    items = [i.code for i in checklist(rule_set)]
    agencies.appoint(
        session, ctx, body_ccrc, {"party_id": parties[5].id, "note": "Android and iOS"}
    )

    def apply(operator: Actor, name: str, system: str) -> Case:
        documents = [
            {
                "kind": kind,
                "filename": f"{kind.replace('/', '').replace(' ', '-')}.pdf",
                "content_base64": base64.b64encode(f"{name} {system}: {kind}".encode()).decode(),
            }
            for kind in rule_set.items("required_documents")
        ]
        body = {"app_name": name, "version_line": "3.x", "operating_systems": [system]}
        return applications.submit(session, ctx, operator, {**body, "documents": documents})[0].case

    def verify(operator: Actor, case: Case, deficient: str | None = None) -> Case:
        case = _step(session, ctx, body_ccrc, case, "accept")
        applications.assign(session, ctx, body_ccrc, case.id, {"agency_party_id": parties[5].id})
        digest = hashlib.sha256(case.title.encode()).hexdigest()
        sample = {"filename": "app.bin", "sha256": digest, "size": 41_000_000, "version": "3.2.1"}
        case = _step(session, ctx, operator, case, "submit_sample", payload={"sample": sample})
        results = [
            {"item": item, "result": "conforms", "note": "tested on the sample"} for item in items
        ]
        if deficient is not None:
            note = "contacts read before the user agrees to the privacy policy"
            results[items.index(deficient)] = {
                "item": deficient,
                "result": "deficient",
                "note": note,
            }
        return technical_verification.record_results(
            session, ctx, lab, case.id, {"results": results}
        )

    def certify(operator: Actor, name: str, system: str) -> str:
        case = verify(operator, apply(operator, name, system))
        case = _step(session, ctx, lab, case, "complete_verification")
        results = [{"item": item, "result": "conforms", "note": "seen on site"} for item in items]
        case = technical_verification.record_results(
            session, ctx, body_ccrc, case.id, {"results": results}
        )
        case = _step(session, ctx, body_ccrc, case, "complete_onsite")
        case = _step(session, ctx, body_ccrc, case, "grant", reason="conforms to GB/T 35273")
        number: str = case.data["certification"]
        return number

    apply(shenzhen, "示例支付 Example Pay", "Android")
    verify(shenzhen, apply(shenzhen, "示例地图 Example Maps", "iOS"), deficient="category-3")
    certify(shenzhen, "示例出行 Example Ride", "Android")
    suspended = certify(shenzhen, "示例出行 Example Ride", "iOS")
    certifications.change_status(
        session,
        ctx,
        body_ccrc,
        suspended,
        {"action": "suspend", "reason": "SDK update collects the device list without consent"},
    )
    denied = _step(
        session, ctx, body_ccrc, apply(shenzhen, "示例聊天 Example Chat", "Android"), "accept"
    )
    denied = _step(session, ctx, body_ccrc, denied, "deny", reason="no account deletion function")
    applications.record_receipt(
        session, ctx, shenzhen, denied.id, {"received_on": china_date(ctx.clock.now()).isoformat()}
    )
    applications.file_complaint(
        session,
        ctx,
        shenzhen,
        {"application_case_id": denied.id, "grounds": "deletion is offered in the web console"},
    )
    hangzhou = registry.create_party(
        session,
        ctx.clock,
        registry.NewParty(
            name="杭州示例应用科技有限公司",
            name_en="Hangzhou Example Apps Co.",
            kind=PartyKind.APP_OPERATOR,
            uscc=demo_uscc("330000", "MA2HHHH08"),
            home_province="330000",
        ),
    )
    operator = Actor(
        ActorKind.USER, Role.APP_OPERATOR, "Hangzhou demo operator", party_id=hangzhou.id
    )
    revoked = certify(operator, "示例相册 Example Photos", "Android")
    certifications.change_status(
        session,
        ctx,
        body_ccrc,
        revoked,
        {"action": "revoke", "reason": "photos uploaded to a third party"},
    )
