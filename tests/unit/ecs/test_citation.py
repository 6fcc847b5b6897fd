"""A cited rule parameter and a period as texts (issue 16): the same English as the citation
and the duration write, and the reader's words in a page."""

from __future__ import annotations

import pytest

from certgov.ecs.citation import cite, cited, period_words
from certgov.i18n.texts import say
from certgov.rules import load_rule_sets
from certgov.rules.model import Duration
from certgov.text import Text

M2015 = load_rule_sets()["measures-2015"]


@pytest.mark.parametrize(
    "key", ["service_outlet_required", "registration_change_filing_period", "licence_validity"]
)
def test_a_citation_reads_as_before_in_english(key: str) -> None:
    citation = cite(M2015, key)
    text = cited(citation)
    assert str(text) == str(citation)
    stored = Text.of_record(text.stored())
    assert stored is not None and str(stored) == str(citation)


def test_a_citation_in_chinese_keeps_the_parameter_and_its_source() -> None:
    citation = cite(M2015, "service_outlet_required")
    assert citation.assumed
    said = say(cited(citation), "zh")
    assert "measures-2015" in said and "service_outlet_required" in said
    assert "假定值" in said and said.endswith(citation.source)
    assert "an assumed value" not in said and "source:" not in said


@pytest.mark.parametrize(
    "period", ["1 hour", "72 hours", "1 business day", "10 business days", "15 calendar days"]
)
def test_a_period_reads_as_the_duration_writes_it(period: str) -> None:
    assert str(period_words(Duration.parse(period))) == str(Duration.parse(period))


def test_a_period_in_chinese() -> None:
    assert say(period_words(Duration.parse("72 hours")), "zh") == "72 小时"
    assert say(period_words(Duration.parse("10 business days")), "zh") == "10 个工作日"
