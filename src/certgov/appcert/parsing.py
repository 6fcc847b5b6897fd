"""Strict readers of the JSON bodies of the app certification scheme (APP-1 to APP-8).

Pure functions over decoded JSON and the rule set; every refusal is an
:class:`~certgov.errors.InvalidInput` naming the field (see :mod:`certgov.strict_json`).
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from certgov import strict_json
from certgov.appcert.checklist import item_of
from certgov.appcert.eligibility import record_kinds
from certgov.appcert.models import CheckResult
from certgov.appscan.declaration import declaration_as_dict, declaration_from_dict
from certgov.errors import InvalidInput
from certgov.i18n import N_
from certgov.rules.model import RuleSet
from certgov.text import Term

NAME_LIMIT = 200
VERSION_LIMIT = 64
FILENAME_LIMIT = 255
TEXT_LIMIT = 10_000
_SPACES = re.compile(r"\s+")
_FILENAME_BAD = re.compile(r"[/\\\x00-\x1f\x7f]")


def _normal(text: str) -> str:
    return _SPACES.sub(" ", text.replace("_", " ")).strip().casefold()


def choose(
    value: object, path: str, allowed: tuple[str, ...], what: str, under: str | None = None
) -> str:
    """``value`` as one of ``allowed`` (case, underscores and spacing aside), canonical.
    ``what`` names the options in words (a msgid, marked with ``N_`` where it is written);
    ``under``, the rule set that lists them, where the message names it."""
    text = strict_json.text(value, path, limit=NAME_LIMIT)
    for option in allowed:
        if _normal(option) == _normal(text):
            return option
    options = ", ".join(allowed)
    details = {"field": path, "expected": f"one of {options}"}
    if under is not None:
        raise InvalidInput(
            "{path}: {value!r} is not {what} under {rule_set}",
            hint="one of: {options}",
            details=details,
            path=path,
            value=text[:60],
            what=Term("message", what),
            rule_set=under,
            options=options,
        )
    raise InvalidInput(
        "{path}: {value!r} is not {what}",
        hint="one of: {options}",
        details=details,
        path=path,
        value=text[:60],
        what=Term("message", what),
        options=options,
    )


@dataclass(frozen=True, slots=True)
class DocumentIn:
    kind: str
    filename: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True, slots=True)
class ApplicationIn:
    app_name: str
    version_line: str
    operating_systems: tuple[str, ...]
    documents: tuple[DocumentIn, ...]
    #: The declared practices (APP-1, APP-11), normalised; none when not given yet.
    declaration: dict[str, Any] | None = None


def _document(value: object, path: str, kinds: tuple[str, ...]) -> DocumentIn:
    body = strict_json.json_object(value, path, ("kind", "filename", "content_base64"), ("sha256",))
    kind = choose(body["kind"], f"{path}.kind", kinds, N_("a required document"))
    filename = strict_json.text(body["filename"], f"{path}.filename", limit=FILENAME_LIMIT).strip()
    if _FILENAME_BAD.search(filename):
        strict_json.refuse(
            f"{path}.filename", "a file name without folders or control characters", filename
        )
    encoded = strict_json.text(body["content_base64"], f"{path}.content_base64")
    try:
        content = binascii.a2b_base64(encoded.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        strict_json.refuse(
            f"{path}.content_base64", "the file's bytes in base64 (RFC 4648)", encoded
        )
    if not content:
        strict_json.refuse(f"{path}.content_base64", "a non-empty file", encoded)
    digest = hashlib.sha256(content).hexdigest()
    if "sha256" in body:
        declared = strict_json.sha256_hex(body["sha256"], f"{path}.sha256")
        if declared != digest:
            raise InvalidInput(
                "{path}.sha256: the file's digest is {digest}, not the declared {declared}",
                hint="the file was damaged on the way, or the digest is of another file",
                details={"field": f"{path}.sha256", "expected": digest, "found": declared},
                path=path,
                digest=digest,
                declared=declared,
            )
    return DocumentIn(kind, filename, content, digest)


def parse_application(value: object, rule_set: RuleSet) -> ApplicationIn:
    """An application (APP-1): ``{"app_name", "version_line", "operating_systems": [...],
    "documents": [{"kind", "filename", "content_base64"[, "sha256"]}]}``; every document of
    ``required_documents`` present once, every system one of ``supported_operating_systems``."""
    body = strict_json.json_object(
        value, "", ("app_name", "version_line", "operating_systems", "documents"), ("declaration",)
    )
    app_name = strict_json.text(body["app_name"], "app_name", limit=NAME_LIMIT).strip()
    version_line = strict_json.text(
        body["version_line"], "version_line", limit=VERSION_LIMIT
    ).strip()
    supported = rule_set.items("supported_operating_systems")
    systems: list[str] = []
    raw_systems = strict_json.array(body["operating_systems"], "operating_systems")
    if not raw_systems:
        strict_json.refuse("operating_systems", "at least one operating system", raw_systems)
    for index, raw in enumerate(raw_systems):
        path = strict_json.field_path("operating_systems", index)
        system = choose(
            raw, path, supported, N_("an operating system certified"), under=rule_set.id
        )
        if system in systems:
            strict_json.refuse(path, "each operating system once", raw)
        systems.append(system)
    required = rule_set.items("required_documents")
    documents: list[DocumentIn] = []
    for index, raw in enumerate(strict_json.array(body["documents"], "documents")):
        document = _document(raw, strict_json.field_path("documents", index), required)
        if any(d.kind == document.kind for d in documents):
            strict_json.refuse(
                strict_json.field_path("documents", index) + ".kind",
                "each document once",
                document.kind,
            )
        documents.append(document)
    missing = [kind for kind in required if all(d.kind != kind for d in documents)]
    if missing:
        raise InvalidInput(
            "documents: missing {documents}",
            hint="an application includes every document of {rule_set} required_documents",
            details={"field": "documents", "missing": missing},
            documents=", ".join(missing),
            rule_set=rule_set.id,
        )
    declaration = None
    if body.get("declaration") is not None:
        declared = declaration_from_dict(body["declaration"], "declaration")
        declaration = declaration_as_dict(declared)
    return ApplicationIn(app_name, version_line, tuple(systems), tuple(documents), declaration)


@dataclass(frozen=True, slots=True)
class RecordIn:
    kind: str
    occurred_on: dt.date
    description: str
    ends_on: dt.date | None
    reference: str | None


def parse_record(value: object, rule_set: RuleSet, today: dt.date) -> RecordIn:
    """A record that may bar applications (APP-2): ``{"kind", "occurred_on", "description"[,
    "ends_on", "reference"]}``; kinds are the scheme's bars and the rule set's added ones."""
    body = strict_json.json_object(
        value, "", ("kind", "occurred_on", "description"), ("ends_on", "reference")
    )
    kind = choose(body["kind"], "kind", record_kinds(rule_set), N_("a kind of record that bars"))
    occurred_on = strict_json.iso_date(body["occurred_on"], "occurred_on")
    if occurred_on > today:
        strict_json.refuse(
            "occurred_on", f"a date on or before today ({today.isoformat()})", body["occurred_on"]
        )
    ends_on = None
    if body.get("ends_on") is not None:
        ends_on = strict_json.iso_date(body["ends_on"], "ends_on")
        if ends_on < occurred_on:
            strict_json.refuse("ends_on", "a date on or after occurred_on", body["ends_on"])
    return RecordIn(
        kind,
        occurred_on,
        strict_json.text(body["description"], "description", limit=TEXT_LIMIT).strip(),
        ends_on,
        strict_json.optional_text(body.get("reference"), "reference", limit=NAME_LIMIT),
    )


@dataclass(frozen=True, slots=True)
class ResultIn:
    item: str
    result: CheckResult
    note: str
    due_on: dt.date | None


def parse_results(value: object, rule_set: RuleSet, today: dt.date) -> tuple[ResultIn, ...]:
    """Checklist results (APP-3, APP-4): ``{"results": [{"item", "result", "note"[,
    "due_on"]}][, "expected_version"]}``. ``due_on`` (a deficient item's remediation deadline
    when the assessor sets one) is after today."""
    body = strict_json.json_object(value, "", ("results",), ("expected_version",))
    raw_results = strict_json.array(body["results"], "results")
    if not raw_results:
        strict_json.refuse("results", "at least one result", raw_results)
    results: list[ResultIn] = []
    options = tuple(r.value for r in CheckResult)
    for index, raw in enumerate(raw_results):
        path = strict_json.field_path("results", index)
        entry = strict_json.json_object(raw, path, ("item", "result", "note"), ("due_on",))
        code = strict_json.text(entry["item"], f"{path}.item", limit=40).strip()
        item = item_of(rule_set, code, f"{path}.item").code
        if any(r.item == item for r in results):
            strict_json.refuse(f"{path}.item", "each item once", code)
        result = CheckResult(choose(entry["result"], f"{path}.result", options, N_("a result")))
        due_on = None
        if entry.get("due_on") is not None:
            if result is not CheckResult.DEFICIENT:
                strict_json.refuse(
                    f"{path}.due_on", "no due_on unless the result is deficient", entry["due_on"]
                )
            due_on = strict_json.iso_date(entry["due_on"], f"{path}.due_on")
            if due_on <= today:
                strict_json.refuse(
                    f"{path}.due_on", f"a date after today ({today.isoformat()})", entry["due_on"]
                )
        note = strict_json.text(entry["note"], f"{path}.note", limit=TEXT_LIMIT).strip()
        results.append(ResultIn(item, result, note, due_on))
    return tuple(results)


def expected_version(body: Mapping[str, object]) -> int | None:
    """The optional ``expected_version`` of a body (optimistic concurrency)."""
    value = body.get("expected_version")
    if value is None:
        return None
    return strict_json.whole_number(value, "expected_version", minimum=1)


@dataclass(frozen=True, slots=True)
class RemedyIn:
    deficiency_id: int
    statement: str
    evidence_sha256: str | None


def parse_remedy(value: object) -> RemedyIn:
    """An operator's remedy of a deficiency: ``{"deficiency_id", "statement"[,
    "evidence_sha256"]}``."""
    body = strict_json.json_object(value, "", ("deficiency_id", "statement"), ("evidence_sha256",))
    evidence = body.get("evidence_sha256")
    return RemedyIn(
        strict_json.whole_number(body["deficiency_id"], "deficiency_id", minimum=1),
        strict_json.text(body["statement"], "statement", limit=TEXT_LIMIT).strip(),
        strict_json.sha256_hex(evidence, "evidence_sha256") if evidence is not None else None,
    )


@dataclass(frozen=True, slots=True)
class RemedyReviewIn:
    deficiency_id: int
    accepted: bool
    note: str


def parse_remedy_review(value: object) -> RemedyReviewIn:
    """The assessor's review of a remedy: ``{"deficiency_id", "accepted", "note"}``."""
    body = strict_json.json_object(value, "", ("deficiency_id", "accepted", "note"))
    return RemedyReviewIn(
        strict_json.whole_number(body["deficiency_id"], "deficiency_id", minimum=1),
        strict_json.boolean(body["accepted"], "accepted"),
        strict_json.text(body["note"], "note", limit=TEXT_LIMIT).strip(),
    )
