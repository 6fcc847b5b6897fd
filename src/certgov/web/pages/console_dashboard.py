"""The supervision dashboard at ``/console/dashboard`` for the regulators (ECS-4.1, ECS-4.3):
per province and per CA, open findings by severity, deadlines overdue and due soon, filed
certificates and the filings of the last 12 months, revocation-service problems, incidents and
the latest operating statistics, as server-rendered SVG bars (no JavaScript) with the numbers
beside them and links to drill down. ``?party=<id>`` narrows it to one CA and adds the CA's
lint summary (codes × certificates, like crt.sh's; ECS-3.4), linked from the CA's supervision
page. The data is :func:`certgov.supervision.dashboard.dashboard` and
:func:`certgov.supervision.lint_summary.lint_summary`, scoped to the caller (SYS-6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from certgov.actors import REGULATORS
from certgov.errors import CertgovError, NotFound
from certgov.http.deps import ContextDep, SessionDep
from certgov.i18n import N_, translate
from certgov.supervision.dashboard import dashboard
from certgov.supervision.lint_summary import SEVERITIES as LINT_SEVERITIES
from certgov.supervision.lint_summary import lint_summary
from certgov.web.pages.common import PageActor, error_page, language_of, page_error, render, router

SEVERITIES = ("critical", "high", "medium", "low", "info")
#: Words of a revocation service's state (certgov.filings.revocation.monitoring).
REVOCATION_WORDS = {
    "ok": N_("Working"),
    "problem": N_("Problem"),
    "pending": N_("Not yet checked"),
    "unsupported": N_("Cannot be checked"),
}
#: Bar width in the SVG, in user units.
BAR_WIDTH = 240


def bars(values: list[int]) -> list[int]:
    """Each value as a bar length of at most BAR_WIDTH, scaled to the largest (0 stays 0, any
    other value shows at least 2 units)."""
    top = max(values, default=0)
    if top <= 0:
        return [0 for _ in values]
    return [max(2, round(BAR_WIDTH * v / top)) if v else 0 for v in values]


def _severity_segments(ca: dict[str, Any], scale: int) -> list[dict[str, Any]]:
    """A CA's open findings as stacked segments, most severe first."""
    counts = ca["findings"]["open_by_severity"]
    out, x = [], 0
    for severity in SEVERITIES:
        n = int(counts.get(severity, 0))
        if not n or not scale:
            continue
        width = max(2, round(BAR_WIDTH * n / scale))
        out.append({"severity": severity, "x": x, "width": width, "n": n})
        x += width
    return out


#: The filings-over-time chart: bar width and gap, plot height, room for the labels.
MONTH_CHART = {"bar": 30, "gap": 10, "height": 140, "label": 18}


def month_words(month: str, lang: str, *, short: bool) -> str:
    """``2025-01`` as ``2025年1月`` / ``1月`` in Chinese, ``Jan 2025`` / ``Jan`` in English."""
    day = dt.date.fromisoformat(month + "-01")
    if lang == "zh":
        return f"{day.month}月" if short else f"{day.year}年{day.month}月"
    return f"{day:%b}" if short else f"{day:%b %Y}"


def month_bars(series: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Each month of the filings over time with its bar (x, y, height in the chart's units)
    and its label: the short one under the bar, the long one in the table; a January's bar
    also names its year."""
    top = max((int(m["certificates"]) for m in series), default=0)
    step = MONTH_CHART["bar"] + MONTH_CHART["gap"]
    out = []
    for index, entry in enumerate(series):
        count = int(entry["certificates"])
        height = max(2, round(MONTH_CHART["height"] * count / top)) if count and top else 0
        out.append(
            {
                "month": entry["month"],
                "certificates": count,
                "x": index * step + MONTH_CHART["gap"] // 2,
                "y": MONTH_CHART["height"] - height,
                "height": height,
                "short": month_words(entry["month"], lang, short=True),
                "long": month_words(entry["month"], lang, short=False),
            }
        )
    return out


@router.get("/console/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    if actor.role not in REGULATORS:
        return error_page(
            request, 403, [translate(lang, "The supervision dashboard is for the regulators.")]
        )
    province = request.query_params.get("province") or None
    party = request.query_params.get("party") or ""
    party_id = int(party) if party.isdigit() and 0 < int(party) < 2**31 else None
    if party and party_id is None:
        return render(
            request,
            "not_found.html",
            status=404,
            actor=actor,
            what=translate(lang, "No CA with number {id}.").format(id=party[:20]),
        )
    try:
        data = dashboard(session, ctx, actor, province=province, party_id=party_id)
        lints = lint_summary(session, ctx, actor, party_id) if party_id is not None else None
    except NotFound as missing:
        return render(
            request, "not_found.html", status=404, actor=actor, what=page_error(lang, missing)
        )
    except CertgovError as refused:
        return error_page(request, 403, [page_error(language_of(request), refused)])
    provinces = data["provinces"]
    cas = sorted(
        data["cas"],
        key=lambda c: (-c["findings"]["open"], -c["deadlines"]["overdue"], c["name"]),
    )
    top_findings = max((c["findings"]["open"] for c in cas), default=0)
    for ca in cas:
        ca["segments"] = _severity_segments(ca, top_findings)
    province_bars = {
        "findings_open": bars([p["findings_open"] for p in provinces]),
        "deadlines_overdue": bars([p["deadlines_overdue"] for p in provinces]),
        "filed_certificates": bars([p["filed_certificates"] for p in provinces]),
    }
    totals = {
        key: sum(int(p[key]) for p in provinces)
        for key in (
            "cas",
            "licensed",
            "filed_certificates",
            "findings_open",
            "deadlines_overdue",
            "deadlines_due_soon",
            "incidents_open",
            "revocation_problems",
        )
    }
    return render(
        request,
        "console/dashboard.html",
        actor=actor,
        data=data,
        ca=cas[0] if party_id is not None and cas else None,
        months=month_bars(data["filings_by_month"], lang),
        month_chart=MONTH_CHART,
        lints=lints,
        lint_severities=[s.value for s in LINT_SEVERITIES],
        provinces=provinces,
        province_bars=province_bars,
        cas=cas,
        totals=totals,
        severities=SEVERITIES,
        bar_width=BAR_WIDTH,
        revocation_words=REVOCATION_WORDS,
    )
