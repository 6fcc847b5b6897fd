"""Rendering an official document: its content (a :class:`Sheet`) through the one layout
template (``templates/official.html``, Jinja2 with the reader's Babel catalogue) to HTML, and
through WeasyPrint to PDF bytes. Pure: no database, no clock (the day of issue is in the
sheet); the same sheet gives the same bytes.

WeasyPrint needs Pango (``libpango-1.0-0``, ``libpangoft2-1.0-0``) and, for Chinese, a CJK
font (``fonts-noto-cjk``: Noto Serif / Sans CJK SC), found through fontconfig. Without such a
font every Chinese character would be a box: :func:`missing_fonts` says which are absent.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import subprocess
import threading
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

import segno
from jinja2 import Environment, PackageLoader, select_autoescape

from certgov.clock import CHINA_TZ
from certgov.errors import ConfigurationError
from certgov.i18n import HTML_LANG, formatting, translations

#: The fonts the template names, first choice first (Debian: ``fonts-noto-cjk``).
CJK_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")
#: WeasyPrint lays out through Pango and fontconfig, whose caches are shared by the process:
#: one document at a time (a document takes a fraction of a second).
_RENDERING = threading.Lock()


@dataclass(frozen=True)
class Fact:
    """One labelled line of a document; ``data`` marks a value kept as recorded (a name, a
    number, a text someone wrote), not words of the document's language."""

    label: str
    value: str
    data: bool = False


@dataclass(frozen=True)
class Section:
    title: str | None = None
    facts: tuple[Fact, ...] = ()
    #: Paragraphs of running text after the facts.
    paragraphs: tuple[str, ...] = ()
    #: Paragraphs kept as recorded (reasons, a complaint's text).
    quoted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """Everything one official document says, in its language (``zh`` or ``en``), words
    already chosen: the renderer only lays it out."""

    lang: str
    #: ``licence``, ``penalty``, ``app_certificate`` or ``complaint_decision``.
    kind: str
    #: The issuing authority, as it heads the document and signs it.
    authority: str
    heading: str
    number: str
    sections: tuple[Section, ...]
    #: The public page that shows the record's current state (the QR code's target).
    verification_url: str
    #: Where anyone holding a copy can check its SHA-256 fingerprint.
    lookup_url: str
    #: When the document was issued; shown as the day in Beijing time.
    issued_at: dt.datetime = field(compare=False)

    def facts(self) -> dict[str, Any]:
        """What the document says apart from its day of issue: equal facts, equal document
        (reissuing an unchanged record gives back the stored one)."""
        body = asdict(self)
        body.pop("issued_at")
        return body


def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as a PNG of one pixel per module (scaled up, unsmoothed, by the
    layout), error correction level M."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=1, border=0)
    return buffer.getvalue()


@cache
def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("certgov.documents", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def html(sheet: Sheet) -> str:
    """The document as HTML (what WeasyPrint lays out)."""
    issued = sheet.issued_at.astimezone(CHINA_TZ)
    qr = base64.b64encode(qr_png(sheet.verification_url)).decode("ascii")
    return (
        _environment(sheet.lang)
        .get_template("official.html")
        .render(
            sheet=sheet,
            lang=sheet.lang,
            html_lang=HTML_LANG.get(sheet.lang, "zh-CN"),
            issued_on=formatting.date(issued.date(), sheet.lang),
            created=issued.isoformat(timespec="seconds"),
            qr_data_uri=f"data:image/png;base64,{qr}",
            fonts=CJK_FONTS,
        )
    )


def _data_only() -> Any:
    """A URL fetcher for nothing but the layout's own ``data:`` URIs (the QR code): a text
    someone wrote is escaped, and any other address is refused, never fetched (WeasyPrint
    68 and later: ``URLFetcher``; before: a function)."""
    try:
        from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]
    except ImportError:  # WeasyPrint before 68
        from weasyprint import default_url_fetcher  # type: ignore[import-untyped]

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"official documents fetch no resources ({url[:60]})")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols=("data",), fail_on_errors=True)


def pdf(sheet: Sheet) -> bytes:
    """The document as PDF bytes (A4, fonts embedded as subsets, the QR code as an image)."""
    from weasyprint import HTML  # loads Pango (≈0.3 s): imported on first use

    source = html(sheet)
    with _RENDERING:
        data: bytes = HTML(string=source, url_fetcher=_data_only()).write_pdf()
    return data


@cache
def missing_fonts() -> tuple[str, ...]:
    """The fonts of :data:`CJK_FONTS` fontconfig does not know (empty when all are
    installed; every name when fontconfig itself cannot be asked)."""
    try:
        listed = subprocess.run(
            ["fc-list", ":", "family"],  # noqa: S607 - fontconfig's own tool, on PATH
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return CJK_FONTS
    return tuple(name for name in CJK_FONTS if name not in listed)


def require_fonts() -> None:
    """:class:`ConfigurationError` when a CJK font the documents need is not installed."""
    missing = missing_fonts()
    if missing:
        raise ConfigurationError(
            "official documents need the fonts {fonts}, which are not installed",
            hint="install the Debian package fonts-noto-cjk (see README, deployment)",
            fonts=", ".join(missing),
        )
