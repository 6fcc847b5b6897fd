"""What each official document says, read from its record: the licence (ECS-2.3), a penalty
decision (ECS-6.2), an app security certificate (APP-5, APP-9) and a complaint decision
(ECS-5.2), as a :class:`~certgov.documents.render.Sheet` in the reader's language (Chinese by
default, English on request). Also who may have each one (SYS-6): :func:`sheet_for` checks
the actor before it reads anything more than the record's owner.

Names, numbers and texts someone wrote (reasons, a complaint) are shown as recorded; the
words of the document (headings, labels, outcomes, statuses) come from the catalogues.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.appcert import certifications
from certgov.cases import services as cases
from certgov.clock import china_date
from certgov.complaints import services as complaints
from certgov.complaints.models import Complaint
from certgov.conduct import services as conduct
from certgov.context import Context
from certgov.documents.render import Fact, Section, Sheet
from certgov.enforcement.models import Penalty
from certgov.errors import Conflict, Forbidden, NotFound
from certgov.i18n import N_, formatting, labels, translate
from certgov.jurisdictions import NATIONAL
from certgov.licensing import services as licensing
from certgov.parties.models import Party
from certgov.parties.services import check_party_scope


class DocumentKind(StrEnum):
    LICENCE = "licence"
    PENALTY = "penalty"
    APP_CERTIFICATE = "app_certificate"
    COMPLAINT_DECISION = "complaint_decision"


HEADINGS = {
    DocumentKind.LICENCE: N_("Electronic Certification Service Licence"),
    DocumentKind.PENALTY: N_("Administrative Penalty Decision"),
    DocumentKind.APP_CERTIFICATE: N_(
        "Mobile Internet Application (App) Security Certification Certificate"
    ),
    DocumentKind.COMPLAINT_DECISION: N_("Decision on a Complaint"),
}
#: The document's name in a download's file name (ASCII, so every browser keeps it).
FILE_NAMES = {
    DocumentKind.LICENCE: "licence",
    DocumentKind.PENALTY: "penalty-decision",
    DocumentKind.APP_CERTIFICATE: "app-certificate",
    DocumentKind.COMPLAINT_DECISION: "complaint-decision",
}
NATIONAL_AUTHORITY = N_(
    "Ministry of Industry and Information Technology of the People's Republic of China"
)
PROVINCIAL_AUTHORITY = N_("{province} Communications Administration")
CERTIFICATION_AUTHORITY = N_("China Cybersecurity Review Technology and Certification Center")

#: The outcomes of a penalty decision (the violation catalogue's codes, ECS-6.2).
PENALTY_OUTCOMES = {
    "warning": N_("Warning"),
    "fine": N_("Fine"),
    "order to correct": N_("Order to correct"),
    "licence revocation": N_("Revocation of the licence"),
    "confiscation of illegal gains": N_("Confiscation of illegal gains"),
}
#: The outcomes of a complaint (the transitions of ``ecs-complaint`` that decide it).
COMPLAINT_OUTCOMES = {
    "not_accept": N_("The complaint is not accepted"),
    "close_no_action": N_("The complaint is closed without action"),
    "order_inspection": N_("An inspection of the provider is ordered"),
    "open_enforcement": N_("An enforcement case against the provider is opened"),
}


@dataclass(frozen=True)
class Source:
    """The record a document is made from: its kind, its reference (a licence or certificate
    number, a penalty or case id as text) and the party it concerns."""

    kind: DocumentKind
    reference: str
    party_id: int | None


#: Where anyone holding a copy checks its SHA-256 (the API's lookup by fingerprint).
LOOKUP_PATH = "/api/v1/official-documents/<SHA-256>"


def verification_path(source: Source) -> str:
    """The public page of the record a document is issued for (what its QR code opens): the
    CA's registry page for a licence, the certificate's verification page, the published
    penalty, the complainant's status page (which asks for the tracking code)."""
    if source.kind is DocumentKind.LICENCE:
        return f"/registry/cas/{source.party_id}"
    if source.kind is DocumentKind.APP_CERTIFICATE:
        return f"/apps/certificates/{source.reference}"
    if source.kind is DocumentKind.PENALTY:
        return f"/penalties#penalty-{source.reference}"
    return "/complaints/status"


def authority(jurisdiction: str | None, lang: str) -> str:
    """The regulator of ``jurisdiction`` by name: the Ministry for national, the province's
    communications administration otherwise."""
    if jurisdiction in (None, "", NATIONAL):
        return translate(lang, NATIONAL_AUTHORITY)
    return translate(lang, PROVINCIAL_AUTHORITY).format(
        province=formatting.jurisdiction(jurisdiction, lang)
    )


def _name(party: Party | None, lang: str) -> str:
    if party is None:
        return translate(lang, "not recorded")
    return party.name if lang == "zh" or not party.name_en else party.name_en


def _party_facts(party: Party | None, lang: str, label: str) -> tuple[Fact, ...]:
    facts = [Fact(translate(lang, label), _name(party, lang), data=True)]
    if party is not None and party.uscc:
        facts.append(Fact(translate(lang, "Unified social credit code"), party.uscc, data=True))
    if party is not None and party.home_province:
        facts.append(
            Fact(
                translate(lang, "Registered in"), formatting.jurisdiction(party.home_province, lang)
            )
        )
    return tuple(facts)


def _period(start: dt.date, end: dt.date, lang: str) -> str:
    return translate(lang, "{start} to {end}").format(
        start=formatting.date(start, lang), end=formatting.date(end, lang)
    )


def _money(yuan: int, lang: str) -> str:
    return translate(lang, "RMB {amount} yuan").format(amount=f"{yuan:,}")


def _list(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


@dataclass(frozen=True)
class Made:
    source: Source
    sheet: Sheet


Links = Callable[[str], str]


def _made(
    source: Source,
    lang: str,
    at: dt.datetime,
    link: Links,
    issuer: str,
    number: str,
    sections: tuple[Section, ...],
) -> Made:
    """The sheet of ``source``'s document: its kind's heading, the issuing authority, the
    number, the sections, and the public page it points to."""
    return Made(
        source,
        Sheet(
            lang=lang,
            kind=source.kind.value,
            authority=issuer,
            heading=translate(lang, HEADINGS[source.kind]),
            number=number,
            sections=sections,
            verification_url=link(verification_path(source)),
            lookup_url=link(LOOKUP_PATH),
            issued_at=at,
        ),
    )


def licence(
    session: Session,
    ctx: Context,
    actor: Actor,
    number: str,
    lang: str,
    link: Links,
    at: dt.datetime,
) -> Made:
    """ECS-2.3: the licence: holder, scope, validity, provinces, status. For the national
    regulator, the provincial regulator of the holder's province and the holder itself."""
    if actor.role not in (Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CA_OPERATOR):
        raise Forbidden("a {role} may not have licence documents", role=actor.role.value)
    record = licensing.get_licence(session, number[:64])
    holder = session.get(Party, record.holder_party_id)
    if holder is None:
        raise NotFound("no holder recorded for licence {number}", number=record.number)
    check_party_scope(actor, holder, "have this licence's document")
    provinces = conduct.operating_provinces(session, holder.id)
    facts = (
        *_party_facts(holder, lang, N_("Licence holder")),
        Fact(
            translate(lang, "Scope of the licence"),
            "; ".join(translate(lang, item) for item in record.scope),
        ),
        Fact(
            translate(lang, "Period of validity"),
            _period(record.valid_from, record.valid_until, lang),
        ),
        Fact(
            translate(lang, "Operating provinces"),
            _list([formatting.jurisdiction(p, lang) for p in provinces], lang)
            if provinces
            else translate(lang, "None declared"),
        ),
        Fact(translate(lang, "Supervised by"), authority(record.jurisdiction, lang)),
        Fact(
            translate(lang, "Status on the date of issue"),
            labels.label("licence_status", record.status, lang),
        ),
        Fact(translate(lang, "Licence first issued on"), formatting.date(record.issued_at, lang)),
    )
    notes = (
        translate(
            lang,
            "This licence may not be transferred, rented or lent (Measures for the "
            "Administration of Electronic Certification Services, Art. 11).",
        ),
    )
    source = Source(DocumentKind.LICENCE, record.number, holder.id)
    return _made(
        source,
        lang,
        at,
        link,
        authority(NATIONAL, lang),
        record.number,
        (Section(facts=facts, paragraphs=notes),),
    )


def penalty_number(row: Penalty) -> str:
    """The number of a penalty decision: ``PEN-<jurisdiction>-<year>-<id>``."""
    return f"PEN-{row.jurisdiction}-{row.decided_on.year}-{row.id:06d}"


def penalty(
    session: Session,
    ctx: Context,
    actor: Actor,
    penalty_id: int,
    lang: str,
    link: Links,
    at: dt.datetime,
) -> Made:
    """ECS-6.2: a penalty decision: party, violation and its clause, outcomes and fine, the
    day of decision, the reasons, and the party's rights of remedy. For the regulators who may
    see its enforcement case and the penalised CA."""
    if actor.role not in (Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CA_OPERATOR):
        raise Forbidden("a {role} may not have penalty decisions", role=actor.role.value)
    row = session.get(Penalty, penalty_id)
    if row is None:
        raise NotFound("no penalty decision with id {id}", id=penalty_id)
    if actor.role is Role.CA_OPERATOR and actor.party_id != row.party_id:
        raise NotFound("no penalty decision with id {id}", id=penalty_id)
    cases.get_case(session, ctx, actor, row.case_id)
    party = session.get(Party, row.party_id)
    decision = [
        Fact(
            translate(lang, "Penalty"),
            _list([translate(lang, PENALTY_OUTCOMES.get(o, o)) for o in row.outcomes], lang),
        )
    ]
    if row.fine_yuan:
        decision.append(Fact(translate(lang, "Fine"), _money(row.fine_yuan, lang)))
    if row.illegal_gains_yuan:
        decision.append(
            Fact(translate(lang, "Illegal gains"), _money(row.illegal_gains_yuan, lang))
        )
    if row.licence_number:
        decision.append(Fact(translate(lang, "Licence revoked"), row.licence_number, data=True))
    decision.append(Fact(translate(lang, "Decided on"), formatting.date(row.decided_on, lang)))
    decision.append(Fact(translate(lang, "Rule set applied"), row.rule_set_id, data=True))
    remedies = []
    if row.fine_yuan:
        remedies.append(
            translate(
                lang,
                "The fine is to be paid within 15 days of receiving this decision "
                "(Administrative Penalty Law, Art. 67).",
            )
        )
    remedies.append(
        translate(
            lang,
            "If the party does not accept this decision, it may apply for administrative "
            "reconsideration within 60 days of receiving it (Administrative Reconsideration "
            "Law, Art. 20), or bring an administrative lawsuit before a people's court within "
            "six months (Administrative Procedure Law, Art. 46).",
        )
    )
    remedies.append(
        translate(
            lang,
            "Reconsideration or a lawsuit does not suspend the execution of this decision, "
            "except as the law provides (Administrative Penalty Law, Art. 73).",
        )
    )
    sections = (
        Section(translate(lang, "Party"), _party_facts(party, lang, N_("Name"))),
        Section(
            translate(lang, "Violation"),
            (
                Fact(translate(lang, "Violation"), translate(lang, row.violation_title)),
                Fact(translate(lang, "Legal basis"), translate(lang, row.legal_basis)),
            ),
        ),
        Section(translate(lang, "Decision"), tuple(decision)),
        Section(translate(lang, "Reasons"), quoted=(row.reasons,)),
        Section(translate(lang, "Rights of remedy"), paragraphs=tuple(remedies)),
    )
    source = Source(DocumentKind.PENALTY, str(row.id), row.party_id)
    return _made(
        source, lang, at, link, authority(row.jurisdiction, lang), penalty_number(row), sections
    )


def app_certificate(
    session: Session,
    ctx: Context,
    actor: Actor,
    number: str,
    lang: str,
    link: Links,
    at: dt.datetime,
) -> Made:
    """APP-5, APP-9: an app security certificate: app, operator, operating system, version
    line, scope, validity, surveillance and status. Public, like the certificate's
    verification page: anyone may verify a certificate by its number."""
    record = certifications.get(session, number[:64])
    operator = session.get(Party, record.party_id)
    surveillance = [formatting.date(day, lang) for day in record.surveillance_due]
    facts = (
        Fact(translate(lang, "App"), record.app_name, data=True),
        Fact(translate(lang, "Version line"), record.version_line, data=True),
        Fact(translate(lang, "Operating system"), record.operating_system, data=True),
        *_party_facts(operator, lang, N_("App operator")),
        Fact(translate(lang, "Scope of certification"), translate(lang, record.scope)),
        Fact(
            translate(lang, "Period of validity"),
            _period(record.valid_from, record.valid_until, lang),
        ),
        Fact(
            translate(lang, "Yearly surveillance"),
            _list(surveillance, lang) if surveillance else translate(lang, "None scheduled"),
        ),
        Fact(
            translate(lang, "Status on the date of issue"),
            labels.label("certification_status", record.status, lang),
        ),
        Fact(translate(lang, "Certified on"), formatting.date(record.issued_at, lang)),
    )
    notes = (
        translate(
            lang,
            "The certification is kept under yearly surveillance. A suspended or revoked "
            "certificate may not be used; the public verification page shows its current status.",
        ),
    )
    source = Source(DocumentKind.APP_CERTIFICATE, record.number, record.party_id)
    return _made(
        source,
        lang,
        at,
        link,
        translate(lang, CERTIFICATION_AUTHORITY),
        record.number,
        (Section(facts=facts, paragraphs=notes),),
    )


def complaint_number(case_id: int, jurisdiction: str, year: int) -> str:
    """The number of a complaint decision: ``CMP-<jurisdiction>-<year>-<case id>``."""
    return f"CMP-{jurisdiction}-{year}-{case_id:06d}"


def complaint_decision(
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    lang: str,
    link: Links,
    at: dt.datetime,
) -> Made:
    """ECS-5.2: the decision on a complaint: the complaint, the decision and its reasons. For
    the regulators handling it (a provincial regulator its province's); a complaint not yet
    decided has none."""
    case = complaints.complaint_case(session, ctx, actor, case_id)
    complaint = session.scalar(select(Complaint).where(Complaint.case_id == case.id))
    decided = case.data.get("decision")
    if complaint is None or not isinstance(decided, dict) or "outcome" not in decided:
        raise Conflict("complaint case {case} has no decision yet", case=case.id)
    decided_at = dt.datetime.fromisoformat(str(decided.get("at")))
    target = session.get(Party, complaint.target_party_id) if complaint.target_party_id else None
    about = (
        _name(target, lang) if target else (complaint.target_name or case.data.get("ca_name") or "")
    )
    facts = (
        Fact(translate(lang, "Subject"), complaint.subject, data=True),
        Fact(translate(lang, "Provider complained about"), about, data=True),
        Fact(
            translate(lang, "Complainant"),
            translate(lang, "Anonymous")
            if complaint.anonymous
            else (complaint.complainant_name or translate(lang, "not recorded")),
            data=not complaint.anonymous,
        ),
        Fact(translate(lang, "Received on"), formatting.date(complaint.received_at, lang)),
    )
    outcome = str(decided["outcome"])
    decision = [
        Fact(
            translate(lang, "Decision"), translate(lang, COMPLAINT_OUTCOMES.get(outcome, outcome))
        ),
        Fact(translate(lang, "Decided on"), formatting.date(decided_at, lang)),
    ]
    sections = [
        Section(translate(lang, "Complaint"), facts, quoted=(complaint.description,)),
        Section(translate(lang, "Decision"), tuple(decision)),
    ]
    if decided.get("reason"):
        sections.append(Section(translate(lang, "Reasons"), quoted=(str(decided["reason"]),)))
    source = Source(DocumentKind.COMPLAINT_DECISION, str(case.id), complaint.target_party_id)
    return _made(
        source,
        lang,
        at,
        link,
        authority(case.jurisdiction, lang),
        complaint_number(case.id, case.jurisdiction, china_date(decided_at).year),
        tuple(sections),
    )
