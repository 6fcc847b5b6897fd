"""The public portal's record pages (SYS-4, SYS-7, APP-9, ECS-6.2, ECS-8.2), anonymous, at
stable URLs, each also served as JSON by the API (``/api/v1/…``, linked from the page) and
exportable as CSV: the registry of licensed CAs and one CA, filed CA certificates and one
certificate, certified apps and one app certificate's verification page (with a QR code of its
URL), published penalties, foreign recognition, and the Atom feeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import segno
from babel import Locale
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.appcert import certifications
from certgov.appcert.schemas import certification_out
from certgov.context import Context
from certgov.errors import CertgovError, NotFound
from certgov.http.deps import ContextDep, SessionDep
from certgov.i18n import LOCALES, N_, formatting, translate
from certgov.jurisdictions import PROVINCES
from certgov.parties.models import Party, PartyKind
from certgov.publication import certificates, portal
from certgov.store.engine import unit_of_work
from certgov.web.pages.common import PageActor, language_of, page_actor, page_error, render, router

#: Words for the codes the portal shows that have no label in certgov.i18n.labels.
WORDS: dict[str, dict[str, str]] = {
    "key_family": {"sm2": N_("SM2"), "rsa": N_("RSA"), "ecdsa": N_("ECDSA"), "other": N_("Other")},
    "validity": {
        "valid": N_("Within its validity period"),
        "expired": N_("Expired"),
        "not_yet_valid": N_("Not yet valid"),
    },
    "certificate_role": {
        "root": N_("Root CA certificate"),
        "subordinate": N_("Subordinate CA certificate"),
    },
    "revocation": {
        "good": N_("Not revoked"),
        "revoked": N_("Revoked"),
        "unknown": N_("Unknown"),
        "not_checked": N_("Not checked"),
        "not_applicable": N_("A root certificate is not revoked through a CRL"),
        "no_source": N_("No CRL or OCSP source recorded yet"),
    },
    "source_status": {
        "pending": N_("Not yet checked"),
        "ok": N_("Working"),
        "problem": N_("Has a problem"),
        "unsupported": N_("Not supported"),
    },
    "source_kind": {"crl": N_("CRL"), "ocsp": N_("OCSP")},
    "signing_time_basis": {
        "claimed": N_("as the signer claims it"),
        "proven": N_("proven by a time-stamp"),
        "validation": N_("the validation time: no signing time is known"),
    },
    "outcome": {
        "warning": N_("Warning"),
        "fine": N_("Fine"),
        "order to correct": N_("Order to correct"),
        "licence revocation": N_("Licence revocation"),
        "confiscation of illegal gains": N_("Confiscation of illegal gains"),
    },
    "finding": {
        "outlet-missing": N_("An operating province has no service outlet"),
        "critical-function-outsourced": N_("A critical function is outsourced"),
        "registration-change-filed-late": N_("A business-registration change was filed late"),
        "subordinate-filed-late": N_("A subordinate CA certificate was filed late"),
    },
    "history_kind": {
        "issued": N_("Issued"),
        "granted": N_("Granted"),
        "status": N_("Status changed"),
        "suspended": N_("Suspended"),
        "reinstated": N_("Reinstated"),
        "revoked": N_("Revoked"),
        "expired": N_("Expired"),
        "renewed": N_("Renewed"),
        "modified": N_("Modified"),
        "withdrawn": N_("Withdrawn"),
    },
    "trust_status": {
        "granted": N_("Granted"),
        "withdrawn": N_("Withdrawn"),
        "recognisedatnationallevel": N_("Recognised at national level"),
        "deprecatedatnationallevel": N_("Deprecated at national level"),
        "undersupervision": N_("Under supervision"),
        "supervisionincessation": N_("Supervision in cessation"),
        "supervisionceased": N_("Supervision ceased"),
        "supervisionrevoked": N_("Supervision revoked"),
        "accredited": N_("Accredited"),
        "accreditationceased": N_("Accreditation ceased"),
        "accreditationrevoked": N_("Accreditation revoked"),
        "setbynationallaw": N_("Set by national law"),
        "deprecatedbynationallaw": N_("Deprecated by national law"),
    },
}
#: The violation titles of the rule sets' catalogues (ECS-6.1), for the catalogues.
VIOLATION_TITLES = (
    N_("Significant operational change not reported"),
    N_("Certificate chain not filed with the regulator"),
    N_("Certificates not updated in time"),
    N_("Critical operation delegated to a third party"),
    N_("No service outlet in an operating province"),
)


def _word(lang: str, kind: str, code: str) -> str:
    text = WORDS.get(kind, {}).get(
        code.replace(" ", "").lower() if kind == "trust_status" else code
    )
    if text is None:
        return translate(lang, "other ({code})").format(code=code)
    return translate(lang, text)


_word_cached = lru_cache(maxsize=4096)(_word)


@cache
def word_function(lang: str) -> Callable[[str, object], str]:
    """``word(kind, code)`` in ``lang`` for the templates; an unknown code in words too. The
    words of a code never change while the process runs: each is looked up once."""

    def word(kind: str, code: object) -> str:
        return _word_cached(lang, kind, str(code))

    return word


@cache
def _page_helpers(lang: str) -> dict[str, Callable[..., str]]:
    """The helpers every portal template gets, made once per language."""
    return {
        "word": word_function(lang),
        "tr": lambda text: translate(lang, text),
        "money": lambda yuan: formatting_money(yuan, lang),
        "country": lambda code: country_name(code, lang),
    }


def country_name(code: str | None, lang: str) -> str:
    """A country or territory by name in ``lang`` (CLDR, through Babel): ``DE`` is 德国 /
    Germany; EU lists' ``EL`` and ``UK`` as Greece and the United Kingdom."""
    if not code:
        return ""
    territory = {"EL": "GR", "UK": "GB"}.get(code.upper(), code.upper())
    return str(Locale.parse(LOCALES[lang]).territories.get(territory, code))


def _page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    return render(request, template, status, **_page_helpers(language_of(request)), **values)


def formatting_money(yuan: int | None, lang: str) -> str:
    if yuan is None:
        return ""
    return translate(lang, "RMB {amount} yuan").format(amount=f"{yuan:,}")


def _provinces(lang: str) -> list[tuple[str, str]]:
    return [(p.code, formatting.jurisdiction(p.code, lang)) for p in PROVINCES]


def _refused(request: Request, actor: Any, exc: CertgovError) -> HTMLResponse:
    status = 404 if isinstance(exc, NotFound) else 422
    return _page(
        request,
        "error.html",
        status,
        actor=actor,
        heading=translate(language_of(request), "Page not found")
        if status == 404
        else translate(language_of(request), "Please correct the form"),
        problems=[page_error(language_of(request), exc)],
        back="/",
    )


# --- Registry ----------------------------------------------------------------------------------


@router.get("/registry", response_class=HTMLResponse)
def registry_page(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    actor: PageActor,
    q: str = "",
    province: str = "",
    status: str = "",
) -> Response:
    """SYS-4: the public registry of licensed CAs, searched by name and filtered by province
    and licence status."""
    q, province, status = q.strip()[:200], province.strip()[:6], status.strip()[:16]
    if status not in ("", *portal.LICENCE_STATUSES):
        status = ""
    entries = portal.registry(session, ctx, q=q, province=province, status=status)
    params = urlencode(
        {k: v for k, v in {"q": q, "province": province, "status": status}.items() if v}
    )
    return _page(
        request,
        "public/registry.html",
        actor=actor,
        entries=entries,
        form={"q": q, "province": province, "status": status},
        provinces=_provinces(language_of(request)),
        statuses=portal.LICENCE_STATUSES,
        json_url="/api/v1/registry/cas" + ("?" + params if params else ""),
    )


@router.get("/registry/cas/{party_id}", response_class=HTMLResponse)
def ca_page(
    party_id: int, request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """SYS-4: one licensed CA's public record."""
    try:
        record = portal.ca_record(session, ctx, party_id)
    except CertgovError as exc:
        return _refused(request, actor, exc)
    return _page(request, "public/ca.html", actor=actor, ca=record)


# --- Certificates ------------------------------------------------------------------------------


def _cas(session: Session) -> tuple[tuple[int, str, str | None], ...]:
    """The CAs a reader can filter by: id, name and English name (the columns only)."""
    statement = (
        select(Party.id, Party.name, Party.name_en)
        .where(Party.kind == PartyKind.CA)
        .order_by(Party.name)
    )
    return tuple(session.execute(statement).all())


@lru_cache(maxsize=256)
def _ca_options(lang: str, cas: tuple[tuple[int, str, str | None], ...], selected: str) -> Markup:
    """The ``<option>`` of each CA in the search form, ``selected`` marked: made once for each
    list of CAs, language and choice (the list has every licensed CA, so it is most of what
    a search page would otherwise render row by row)."""
    option = Markup('<option value="{}"{}>{}</option>')
    chosen = Markup(" selected")
    return Markup("").join(
        option.format(party_id, chosen if str(party_id) == selected else "", name_en or name)
        if lang != "zh"
        else option.format(party_id, chosen if str(party_id) == selected else "", name)
        for party_id, name, name_en in cas
    )


def _table_rows(rows: list[dict[str, Any]], lang: str) -> list[tuple[str, ...]]:
    """The cells of the search table in words, made here rather than cell by cell in the
    template (a page has up to 50 rows): SHA-256, subject, kind, CA, key, valid until,
    validity code and words, filed."""
    word = word_function(lang)
    return [
        (
            row["sha256"],
            row["subject"],
            word("certificate_role", row["role"]),
            (row["ca"]["name"] if lang == "zh" else row["ca"]["name_en"] or row["ca"]["name"])
            or "",
            word("key_family", row["key_family"]),
            formatting.date(row["not_after"], lang),
            row["validity"],
            word("validity", row["validity"]),
            formatting.beijing_datetime(row["filed_at"], lang),
        )
        for row in rows
    ]


@router.get("/certificates", response_class=HTMLResponse)
async def certificates_page(
    request: Request,
    ctx: ContextDep,
    q: str = "",
    issuer: str = "",
    party: str = "",
    key: str = "",
    validity: str = "",
    page: str = "1",
) -> Response:
    """SYS-4, ECS-3.4: search filed CA certificates. The busiest public page: a coroutine
    whose few milliseconds of reading and rendering run on the event loop, not in three trips
    through the thread pool (session, actor, handler); a web process serves one page at a
    time either way (the GIL), so nothing waits longer for it."""
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return _certificates_page(
            request, ctx, session, page_actor(request, session, ctx),
            q, issuer, party, key, validity, page,
        )  # fmt: skip


def _certificates_page(
    request: Request,
    ctx: Context,
    session: Session,
    actor: Actor | None,
    q: str,
    issuer: str,
    party: str,
    key: str,
    validity: str,
    page: str,
) -> Response:
    query = certificates.CertificateQuery(
        q=q.strip()[:200],
        issuer=issuer.strip()[:200],
        party_id=int(party) if party.isdigit() and len(party) < 10 else None,
        key=key if key in certificates.KEY_ALGORITHMS else "",
        validity=validity if validity in certificates.VALIDITY else "",
        page=min(max(int(page), 1), certificates.MAX_PAGES)
        if page.isdigit() and len(page) < 5
        else 1,
    )
    result = certificates.search(session, ctx.clock.now(), query)
    params = query.as_params()
    return _page(
        request,
        "public/certificates.html",
        actor=actor,
        result=result,
        rows=_table_rows(result.rows, language_of(request)),
        form=params,
        ca_options=_ca_options(language_of(request), _cas(session), params.get("party", "")),
        keys=certificates.KEY_ALGORITHMS,
        validities=certificates.VALIDITY,
        previous_url="/certificates?" + urlencode({**params, "page": query.page - 1})
        if query.page > 1
        else None,
        next_url="/certificates?" + urlencode({**params, "page": query.page + 1})
        if result.has_more
        else None,
        json_url="/api/v1/certificates?" + urlencode({**params, "page": query.page}),
        csv_url="/api/v1/certificates/export.csv" + ("?" + urlencode(params) if params else ""),
    )


@router.get("/certificates/{sha256}", response_class=HTMLResponse)
async def certificate_page(sha256: str, request: Request, ctx: ContextDep) -> Response:
    """SYS-4, ECS-3.4: one filed CA certificate (on the event loop, as the search)."""
    with unit_of_work(ctx.sessions, readonly=True) as session:
        actor = page_actor(request, session, ctx)
        try:
            record = certificates.detail(session, ctx, sha256[:200])
        except CertgovError as exc:
            return _refused(request, actor, exc)
        return _page(request, "public/certificate.html", actor=actor, cert=record)


# --- Apps --------------------------------------------------------------------------------------


@router.get("/apps", response_class=HTMLResponse)
def apps_page(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    actor: PageActor,
    q: str = "",
    operator: str = "",
    system: str = "",
    status: str = "",
) -> Response:
    """APP-9: certified apps, searched by name, operator, operating system and status."""
    form = {
        "q": q.strip()[:200],
        "operator": operator.strip()[:200],
        "system": system.strip()[:40],
        "status": status if status in portal.CERTIFICATION_STATUSES else "",
    }
    rows = portal.apps(session, ctx, **form)
    params = urlencode({k: v for k, v in form.items() if v})
    return _page(
        request,
        "public/apps.html",
        actor=actor,
        rows=rows,
        form=form,
        systems=portal.operating_systems(session),
        statuses=portal.CERTIFICATION_STATUSES,
        json_url="/api/v1/apps" + ("?" + params if params else ""),
        csv_url="/api/v1/apps/export.csv" + ("?" + params if params else ""),
    )


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (segno), for the certification mark."""
    return str(segno.make(url, error="m").svg_inline(scale=4, title=None))


@router.get("/apps/certificates/{number}", response_class=HTMLResponse)
def app_certificate_page(
    number: str, request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """APP-9, APP-10: the public verification page of an app certificate, with a QR code of
    its URL."""
    try:
        cert = certification_out(session, ctx, certifications.get(session, number[:64]))
    except CertgovError as exc:
        return _refused(request, actor, exc)
    url = str(request.base_url).rstrip("/") + f"/apps/certificates/{cert['number']}"
    return _page(
        request, "public/app_certificate.html", actor=actor, cert=cert, url=url, qr=qr_svg(url)
    )


# --- Penalties and foreign recognition -----------------------------------------------------------


@router.get("/penalties", response_class=HTMLResponse)
def penalties_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """ECS-6.2: published penalty decisions."""
    return _page(request, "public/penalties.html", actor=actor, rows=portal.penalties(session))


@router.get("/trust-lists", response_class=HTMLResponse)
def trust_lists_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """ECS-8.2: recognised foreign CAs and imported foreign trusted lists."""
    return _page(request, "public/trust_lists.html", actor=actor, **portal.trust_lists(session))


# --- Atom feeds (RFC 4287) -----------------------------------------------------------------------


def _atom(
    request: Request, name: str, title: str, entries: list[dict[str, Any]], now: dt.datetime
) -> Response:
    base = str(request.base_url).rstrip("/")
    updated = max((e["updated"] for e in entries), default=now)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<id>{escape(base)}/feeds/{name}.atom</id>",
        f"<title>{escape(title)}</title>",
        f"<updated>{updated.astimezone(dt.UTC).isoformat()}</updated>",
        f'<link rel="self" href="{escape(base)}/feeds/{name}.atom"/>',
        "<author><name>certgov</name></author>",
    ]
    for e in entries:
        parts.append(
            "<entry>"
            f"<id>{escape(base + e['link'])}</id>"
            f"<title>{escape(e['title'])}</title>"
            f"<updated>{e['updated'].astimezone(dt.UTC).isoformat()}</updated>"
            f'<link href="{escape(base + e["link"])}"/>'
            f"<summary>{escape(e['summary'])}</summary>"
            "</entry>"
        )
    parts.append("</feed>\n")
    return Response("".join(parts), media_type="application/atom+xml; charset=utf-8")


@router.get("/feeds/filings.atom")
def filings_feed(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    """ECS-3.4: the newest filed CA certificates."""
    lang = language_of(request)
    entries = [
        {
            "link": f"/certificates/{e['id']}",
            "title": e["subject"],
            "updated": e["updated"],
            "summary": translate(lang, "Filed by {ca}; issuer {issuer}").format(
                ca=e["ca"], issuer=e["issuer"]
            ),
        }
        for e in portal.filing_entries(session)
    ]
    return _atom(
        request, "filings", translate(lang, "Filed CA certificates"), entries, ctx.clock.now()
    )


@router.get("/feeds/penalties.atom")
def penalties_feed(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    """ECS-6.2: published penalty decisions."""
    lang = language_of(request)
    entries = []
    for p in portal.penalties(session)[: portal.FEED_ENTRIES]:
        published = p["published_at"] or p["decided_on"] + "T00:00:00+00:00"
        entries.append(
            {
                "link": f"/penalties#penalty-{p['id']}",
                "title": f"{p['party']['name']}: {translate(lang, p['violation_title'])}",
                "updated": dt.datetime.fromisoformat(published),
                "summary": p["reasons"],
            }
        )
    return _atom(
        request,
        "penalties",
        translate(lang, "Published penalty decisions"),
        entries,
        ctx.clock.now(),
    )


@router.get("/feeds/certifications.atom")
def certifications_feed(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    """APP-9: app certifications by their latest status change."""
    lang = language_of(request)
    from certgov.i18n import labels

    entries = [
        {
            "link": f"/apps/certificates/{e['number']}",
            "title": f"{e['app_name']} ({e['operating_system']}) {e['number']}",
            "updated": e["updated"],
            "summary": labels.label("certification_status", e["status"], lang),
        }
        for e in portal.certification_entries(session, ctx)
    ]
    return _atom(
        request,
        "certifications",
        translate(lang, "App security certifications"),
        entries,
        ctx.clock.now(),
    )
