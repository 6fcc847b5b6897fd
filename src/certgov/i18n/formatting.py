"""Dates, times, durations and places in the reader's language: Beijing time with its zone,
deadlines in words ("还剩 3 个工作日"), provinces by name (GB/T 2260), never a raw code."""

from __future__ import annotations

import datetime as dt

from certgov.clock import CHINA_TZ
from certgov.i18n import translate, translate_plural
from certgov.jurisdictions import BY_CODE, NATIONAL


def beijing_datetime(value: dt.datetime | str | None, lang: str) -> str:
    """An instant in Beijing time with the zone named: ``2025-09-25 10:00 北京时间``."""
    if value is None or value == "":
        return translate(lang, "not recorded")
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(CHINA_TZ)
    zone = translate(lang, "Beijing time")
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def date(value: dt.date | str | None, lang: str) -> str:
    """A calendar day: ``2025年9月25日`` in Chinese, ``25 Sep 2025`` in English."""
    if value is None or value == "":
        return translate(lang, "not recorded")
    if isinstance(value, str):
        # A day as text is that day; an instant as text is the day it falls on in Beijing.
        value = (
            dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
        )
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(CHINA_TZ).date()
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {value:%b} {value.year}"


def business_days_left(days: int | None, lang: str) -> str:
    """A deadline in words: ``还剩 3 个工作日``, ``今天到期``, ``已逾期 2 个工作日``."""
    if days is None:
        return translate(lang, "paused")
    if days > 0:
        return translate_plural(
            lang, "%(n)d business day left", "%(n)d business days left", days
        ) % {"n": days}
    if days == 0:
        return translate(lang, "due today")
    late = -days
    return translate_plural(
        lang, "overdue by %(n)d business day", "overdue by %(n)d business days", late
    ) % {"n": late}


def jurisdiction(code: str | None, lang: str) -> str:
    """A jurisdiction by name (GB/T 2260): ``上海市`` / ``Shanghai``; national as such."""
    if code is None or code == "":
        return translate(lang, "not recorded")
    if code == NATIONAL:
        return translate(lang, "National")
    found = BY_CODE.get(code)
    if found is None:
        return code
    return found.name_zh if lang == "zh" else found.name_en
