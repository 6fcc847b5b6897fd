"""What the recognition use cases share: the process id, limits, today's date in China."""

from __future__ import annotations

import datetime as dt

from certgov import strict_json
from certgov.clock import china_date
from certgov.context import Context

PROCESS = "ca-recognition"


#: Most foreign CA certificates one application may carry.
MAX_CERTIFICATES = 20


MAX_TEXT = 2000


MAX_ITEMS = 50


#: Case states in which the technical review may be run again.
REVIEW_STATES = frozenset({"technical_review"})


def china_today(ctx: Context) -> dt.date:
    return china_date(ctx.clock.now())


def text_items(value: object, path: str) -> list[str]:
    items = strict_json.text_list(value, path)
    if not items:
        strict_json.refuse(path, "a non-empty array of strings", value)
    if len(items) > MAX_ITEMS:
        strict_json.refuse(path, f"at most {MAX_ITEMS} items", value)
    cleaned = []
    for index, item in enumerate(items):
        if len(item) > 300:
            strict_json.refuse(
                strict_json.field_path(path, index), "a string of at most 300 characters", item
            )
        if item.strip() not in cleaned:
            cleaned.append(item.strip())
    return cleaned
