"""A text said in a page (issue 16): the template in the reader's words, each parameter that
is data (a name, a subject) marked as such and escaped, terms and texts in words."""

from __future__ import annotations

from certgov.text import Term, Text
from certgov.web.pages.common import said, said_html


def test_data_is_marked_and_escaped_terms_and_texts_are_words() -> None:
    text = Text(
        "Modification of licence {number}: {kinds}",
        number="<b>ECP0001</b>",
        kinds=Text(
            "{first}, {rest}",
            first=Term("message", "organisational structure"),
            rest=Term("message", "technical systems"),
        ),
    )
    assert str(said_html(text, "zh")) == (
        '许可证 <span class="data">&lt;b&gt;ECP0001&lt;/b&gt;</span> 变更：组织机构、技术系统'
    )
    assert str(said_html(text, "en")) == (
        'Modification of licence <span class="data">&lt;b&gt;ECP0001&lt;/b&gt;</span>: '
        "organisational structure, technical systems"
    )


def test_conversions_specs_and_missing_parameters() -> None:
    text = Text(
        "{party} became aware of the incident {incident!r} at {aware} and reported it "
        "{hours:.0f} hours later; the preliminary report was due by {due} ({period}, "
        "{citation}).",
        party="CA",
        incident="outage",
        hours=73.4,
    )
    english = str(said_html(text, "en"))
    assert """incident <span class="data">&#39;outage&#39;</span> at {aware}""" in english
    assert "reported it 73 hours later" in english


def test_a_record_or_its_view_without_a_template_is_its_stored_words_as_data() -> None:
    record = {"title": "A <title>", "title_text": None}
    assert str(said(record, "title", "zh")) == '<span class="data">A &lt;title&gt;</span>'
    stored = {"title": "x", "title_text": Text("Renewal of licence {number}", number="N1").stored()}
    assert str(said(stored, "title", "zh")) == '许可证 <span class="data">N1</span> 延续'


def test_a_page_error_marks_the_names_in_it_as_data() -> None:
    from certgov.errors import Conflict
    from certgov.web.pages.common import page_error

    error = Conflict(
        "{party} already holds licence {number}", party="Acme <CA>", number="ECP3100002025009"
    )
    shown = str(page_error("en", error))
    assert shown == (
        '<span class="data">Acme &lt;CA&gt;</span> already holds licence '
        '<span class="data">ECP3100002025009</span>'
    )
