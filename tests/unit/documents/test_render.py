"""The official documents' renderer (issue 17): a sheet becomes an A4 PDF whose text holds the
number and the Chinese heading in real CJK glyphs (embedded fonts with a Unicode map), whose
QR code is an image encoding the verification address, and whose bytes depend on nothing but
the sheet. WeasyPrint takes a good part of a second per document: two renders in all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
import segno
from pypdf import PdfReader

from certgov.documents import render
from certgov.documents.render import Fact, Section, Sheet
from certgov.documents.services import facts_digest

pytestmark = pytest.mark.skipif(
    bool(render.missing_fonts()),
    reason="the CJK fonts are not installed (apt-get install fonts-noto-cjk)",
)

URL = "http://127.0.0.1:8000/apps/certificates/CCRC-AS-2025-000001"
SHEET = Sheet(
    lang="zh",
    kind="app_certificate",
    authority="中国网络安全审查技术与认证中心",
    heading="移动互联网应用程序(App)安全认证证书",
    number="CCRC-AS-2025-000001",
    sections=(
        Section(
            facts=(
                Fact("应用", "示例支付", data=True),
                Fact("认证范围", "个人信息收集、使用 <b>不是标记</b>", data=True),
            ),
            paragraphs=("本认证每年接受监督。",),
        ),
    ),
    verification_url=URL,
    lookup_url="http://127.0.0.1:8000/api/v1/official-documents/<SHA-256>",
    issued_at=dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC),
)


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render.pdf(SHEET)


def test_a_pdf_with_the_number_and_the_chinese_heading_as_text(rendered: bytes) -> None:
    assert rendered.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(rendered))
    text = reader.pages[0].extract_text()
    assert "移动互联网应用程序(App)安全认证证书" in text
    assert "CCRC-AS-2025-000001" in text and "示例支付" in text
    # The day of issue in Beijing time (02:00 UTC is 10:00 in Beijing, the same day).
    assert "2025年9月25日" in text
    # Written text is text, never markup.
    assert "<b>不是标记</b>" in text
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font
    }
    assert any("CJK" in name for name in fonts), fonts
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_the_qr_code_is_an_image_of_the_verification_address(rendered: bytes) -> None:
    page = PdfReader(io.BytesIO(rendered)).pages[0]
    images = list(page.images)
    assert len(images) == 1
    picture = images[0].image.convert("1")
    matrix = segno.make(URL, error="m").matrix
    assert picture.size == (len(matrix), len(matrix))
    dark = [
        [picture.getpixel((x, y)) == 0 for x in range(picture.width)] for y in range(picture.height)
    ]
    assert dark == [[bool(cell) for cell in row] for row in matrix]


def test_the_same_sheet_gives_the_same_bytes(rendered: bytes) -> None:
    assert render.pdf(SHEET) == rendered


def test_the_day_of_issue_is_not_part_of_the_facts() -> None:
    later = dataclasses.replace(SHEET, issued_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    assert facts_digest(later) == facts_digest(SHEET)
    renamed = dataclasses.replace(SHEET, number="CCRC-AS-2025-000002")
    assert facts_digest(renamed) != facts_digest(SHEET)


def test_written_text_is_escaped_in_the_layout() -> None:
    html = render.html(SHEET)
    assert "&lt;b&gt;不是标记&lt;/b&gt;" in html and "<b>不是标记" not in html


def test_the_layout_fetches_nothing_but_data_uris() -> None:
    fetcher = render._data_only()
    with pytest.raises(ValueError, match=r"protocol|fetch no resources"):
        fetcher("file:///etc/passwd")
