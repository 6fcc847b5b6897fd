"""The handover of a CA's business when it leaves (ECS-7.2 forced exit, ECS-7.3 voluntary
withdrawal), as recorded in the case data of an ``ecs-withdrawal`` case. Pure functions.

The handover is done when a receiving CA has accepted (or the regulator designated one), every
subscriber certificate is migrated or revoked, the records are transferred, and, for a
voluntary withdrawal, the declared cessation date has come.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

VOLUNTARY = "voluntary"
FORCED = "forced"


def _count(handover: Mapping[str, Any], key: str) -> int:
    value = handover.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def remaining(handover: Mapping[str, Any]) -> int | None:
    """Subscriber certificates neither migrated nor revoked; None while the total is unknown."""
    total = handover.get("subscriber_certificates")
    if not isinstance(total, int) or isinstance(total, bool):
        return None
    return total - _count(handover, "migrated") - _count(handover, "revoked")


def handover_blockers(data: Mapping[str, Any], today: dt.date) -> list[str]:
    """What still stands between the withdrawal case ``data`` and its end (ECS-7.3)."""
    blockers = []
    receiving = data.get("receiving")
    if not isinstance(receiving, Mapping):
        blockers.append(
            "no receiving CA: one must accept the business, or the regulator designate one"
        )
    handover = data.get("handover")
    handover = handover if isinstance(handover, Mapping) else {}
    left = remaining(handover)
    if left is None:
        blockers.append("the number of subscriber certificates to hand over is not reported")
    elif left > 0:
        blockers.append(
            f"{left} subscriber certificate(s) of {handover.get('subscriber_certificates')} "
            "are neither migrated nor revoked"
        )
    if handover.get("records_transferred") is not True:
        blockers.append("the records are not transferred to the receiving CA")
    cessation = data.get("cessation_date")
    if data.get("kind") == VOLUNTARY and isinstance(cessation, str):
        day = dt.date.fromisoformat(cessation)
        if today < day:
            blockers.append(f"the declared cessation date {day.isoformat()} has not come")
    return blockers
