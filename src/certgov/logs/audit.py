"""The audit log (SYS-3): every change, decision, credential change and official login.

An audit record is one entry of the ``audit`` log: canonical JSON (keys sorted, no spaces,
UTF-8; only strings, integers, booleans, null, lists and objects — a decimal number is
recorded as its string), queued in the same
transaction as the change it records, so the record exists exactly when the change does. Anyone
holding the log's public key can check an exported copy offline (``certgov audit verify``).

Fields: ``v`` (format, 1), ``action`` (``case.transition``, ``rules.activate``,
``identity.login``…), ``at`` (UTC, ISO 8601 with microseconds), ``actor`` (kind, name, role,
jurisdiction, party/user/token ids), and, as they apply, ``case``, ``subject``, ``before``,
``after``, ``reason``, ``details``. A record that would exceed an entry's 64 KiB keeps the
SHA-256 of its ``details`` instead of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.clock import Clock
from certgov.errors import InvalidInput
from certgov.logs.store import LogStore
from certgov.tlog.tiles import MAX_ENTRY_SIZE

AUDIT_LOG = "audit"
AUDIT_FORMAT = 1
_REQUIRED = ("v", "action", "at", "actor")


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, no whitespace, UTF-8, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _jsonable(value: Any) -> Any:
    """Dates become ISO strings, mappings and sequences are walked; the rest stays."""
    if isinstance(value, dt.datetime):
        return _utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, float):
        # Canonical JSON has one spelling per value only for integers: a decimal number is
        # recorded as the string of its shortest round-trip form (e.g. 1.5 -> "1.5").
        return repr(value)
    return value


def actor_record(actor: Actor) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": actor.kind.value,
        "name": actor.name,
        "role": actor.role.value,
        "jurisdiction": actor.jurisdiction,
        "party": actor.party_id,
        "user": actor.user_id,
        "token": actor.token_id,
    }
    return {key: value for key, value in record.items() if value is not None}


def audit_entry(
    action: str,
    actor: Actor,
    at: dt.datetime,
    *,
    case_id: int | None = None,
    subject: Mapping[str, Any] | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> bytes:
    """The canonical JSON bytes of one audit record."""
    record: dict[str, Any] = {
        "v": AUDIT_FORMAT,
        "action": action,
        "at": _utc(at),
        "actor": actor_record(actor),
        "case": case_id,
        "subject": subject,
        "before": before,
        "after": after,
        "reason": reason,
        "details": dict(details) if details else None,
    }
    record = _jsonable({key: value for key, value in record.items() if value is not None})
    data = canonical_json(record)
    if len(data) > MAX_ENTRY_SIZE and "details" in record:
        record["details_sha256"] = hashlib.sha256(canonical_json(record.pop("details"))).hexdigest()
        data = canonical_json(record)
    if len(data) > MAX_ENTRY_SIZE:
        raise InvalidInput(f"audit record of {action} is {len(data)} bytes, too large to log")
    return data


def parse_audit_entry(data: bytes) -> dict[str, Any]:
    """An audit record from its entry bytes; :class:`InvalidInput` unless well-formed.

    Well-formed means: UTF-8 canonical JSON (re-encoding gives the same bytes) of an object
    with the fields ``v``, ``action``, ``at`` and ``actor``.
    """
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"audit entry is not UTF-8 JSON: {exc}") from exc
    if not isinstance(record, dict):
        raise InvalidInput("audit entry is not a JSON object")
    missing = [field for field in _REQUIRED if field not in record]
    if missing:
        raise InvalidInput(f"audit entry lacks {', '.join(missing)}")
    if canonical_json(record) != data:
        raise InvalidInput("audit entry is not in canonical JSON form")
    return record


class Auditor:
    """Writes audit records into the ``audit`` log's queue, in the caller's transaction."""

    def __init__(self, logs: LogStore, clock: Clock) -> None:
        self.logs = logs
        self.clock = clock

    def record(
        self,
        session: Session,
        actor: Actor,
        action: str,
        *,
        at: dt.datetime | None = None,
        case_id: int | None = None,
        subject: Mapping[str, Any] | None = None,
        before: Any = None,
        after: Any = None,
        reason: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        now = self.clock.now()
        entry = audit_entry(
            action,
            actor,
            at or now,
            case_id=case_id,
            subject=subject,
            before=before,
            after=after,
            reason=reason,
            details=details,
        )
        self.logs.enqueue(session, AUDIT_LOG, entry, now)

    def record_many(self, session: Session, entries: list[bytes]) -> None:
        """Queue records built with :func:`audit_entry` (bulk work such as the sweep)."""
        if entries:
            self.logs.enqueue_many(session, AUDIT_LOG, entries, self.clock.now())
