"""Every string a person reads has its Chinese translation, and every code a page shows has
words (issue 16: no English fragment or raw code in a Chinese page)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from certgov.i18n import LOCALES, catalogue_path, formatting, translate
from certgov.i18n.extract import extract_messages
from certgov.i18n.labels import LABELS, label

SRC = Path(__file__).resolve().parents[3] / "src" / "certgov"


def _catalogue(locale: str):  # type: ignore[no-untyped-def]
    with (SRC / "i18n" / catalogue_path(locale)).open("rb") as handle:
        return read_po(handle, locale=locale)


def test_every_extracted_string_is_translated_into_chinese() -> None:
    """Fails on a new string without its translation: run `python scripts/i18n.py` and
    translate the new entries of zh_CN."""
    extracted = extract_messages(SRC)
    catalogue = _catalogue(LOCALES["zh"])
    missing = []
    for message in extracted:
        if not message.id:
            continue
        found = catalogue.get(message.id)
        strings = found.string if found is not None else None
        ok = all(strings) if isinstance(strings, tuple) else bool(strings)
        if not ok:
            missing.append(message.id)
    assert not missing, f"untranslated in zh_CN: {missing[:20]}"


def test_no_translation_is_fuzzy_or_obsolete() -> None:
    catalogue = _catalogue(LOCALES["zh"])
    assert not [m.id for m in catalogue if m.fuzzy and m.id]
    assert not catalogue.obsolete


@pytest.mark.parametrize(
    ("kind", "enum_path"),
    [
        ("licence_status", "certgov.licensing.models:LicenceStatus"),
        ("certification_status", "certgov.appcert.models:CertificationStatus"),
        ("recognition_status", "certgov.recognition.models:RecognitionStatus"),
        ("clock_status", "certgov.workflow.clocks:ClockStatus"),
        ("finding_status", "certgov.findings.models:FindingStatus"),
        ("role", "certgov.actors:Role"),
        ("party_kind", "certgov.parties.models:PartyKind"),
        ("evaluation", "certgov.ecs.requirements:ItemStatus"),
        ("check_result", "certgov.appcert.models:CheckResult"),
        ("deficiency_status", "certgov.appcert.models:DeficiencyStatus"),
        ("analysis_status", "certgov.appcert.models:AnalysisStatus"),
        ("lint_severity", "certgov.pki.lint:LintSeverity"),
    ],
)
def test_every_code_of_an_enum_has_words(kind: str, enum_path: str) -> None:
    import importlib

    module, name = enum_path.split(":")
    enum: type[StrEnum] = getattr(importlib.import_module(module), name)
    for member in enum:
        assert member.value in LABELS[kind], (kind, member.value)
        words = label(kind, member.value, "zh")
        plain = words.replace("App", "")  # the one Latin word Chinese officialese uses here
        assert words and not any(c.isascii() and c.isalpha() for c in plain), (kind, words)


def test_an_unknown_code_is_named_as_unknown() -> None:
    assert label("licence_status", "bogus", "zh") == "未知（bogus）"


def test_times_are_beijing_time_with_the_zone() -> None:
    instant = dt.datetime(2025, 9, 25, 17, 30, tzinfo=dt.UTC)
    assert formatting.beijing_datetime(instant, "zh") == "2025-09-26 01:30 北京时间"
    assert formatting.beijing_datetime(instant, "en") == "2025-09-26 01:30 Beijing time"
    assert formatting.beijing_datetime(None, "zh") == "未记录"


def test_dates_and_deadlines_in_words() -> None:
    assert formatting.date("2025-10-08", "zh") == "2025年10月8日"
    # An instant as text is the day it falls on in Beijing (17:07 UTC is the next day there).
    assert formatting.date("2031-12-06T17:07:00+00:00", "zh") == "2031年12月7日"
    assert formatting.date(dt.date(2025, 10, 8), "en") == "8 Oct 2025"
    assert formatting.business_days_left(3, "zh") == "还剩 3 个工作日"
    assert formatting.business_days_left(1, "en") == "1 business day left"
    assert formatting.business_days_left(0, "zh") == "今天到期"
    assert formatting.business_days_left(-2, "zh") == "已逾期 2 个工作日"
    assert formatting.business_days_left(None, "zh") == "已中止计时"


def test_provinces_by_name() -> None:
    assert formatting.jurisdiction("330000", "zh") == "浙江省"
    assert formatting.jurisdiction("330000", "en") == "Zhejiang"
    assert formatting.jurisdiction("national", "zh") == "全国"
    assert translate("en", "National") == "National"
