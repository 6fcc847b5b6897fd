"""Evidence files of the checklist (APP-3, APP-4): an assessor (the assigned testing agency in
the technical verification, the certification body on site) attaches files to the checklist
items it assesses: test reports, screenshots, captured traffic as PDF or images.

Each file is an upload of :mod:`certgov.uploads` (type sniffed from the content, SHA-256, size
limit, the configured storage), linked to the case, the stage and the item by a
:class:`~certgov.appcert.models.CheckEvidence` row. Files are only ever added; each stays on
record with who attached it and when.

Who reads them (SYS-6): the certification body, the assigned testing agency and the national
regulator. The applicant does not: the assessors' working papers are not part of what it is
told (it reads the results, the notes and the deficiencies)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import uploads
from certgov.actors import Actor, Role
from certgov.appcert.applications import application_case
from certgov.appcert.base import require
from certgov.appcert.checklist import item_of
from certgov.appcert.models import CheckEvidence, Stage
from certgov.cases.models import Case
from certgov.context import Context
from certgov.errors import InvalidInput, NotFound
from certgov.i18n import N_
from certgov.rules.model import RuleSet
from certgov.uploads.models import StoredUpload
from certgov.uploads.services import DOCUMENTS

#: What an evidence file may be (by its content): PDF or an image.
KINDS = DOCUMENTS
#: The ``purpose`` of its upload row.
PURPOSE = "check-evidence"
#: Who may read and download the evidence of a case they see.
READERS = frozenset({Role.NATIONAL_REGULATOR, Role.CERTIFICATION_BODY, Role.TESTING_AGENCY})
#: Files one item may be given in one submission.
MAX_FILES_PER_ITEM = 10


@dataclass(frozen=True)
class EvidenceIn:
    """A checked file (see :func:`certgov.uploads.check`) for checklist item ``item``."""

    item: str
    file: uploads.Checked


def may_read(actor: Actor) -> bool:
    return actor.role in READERS


def attach(
    session: Session,
    ctx: Context,
    actor: Actor,
    case: Case,
    stage: Stage,
    rule_set: RuleSet,
    files: Sequence[EvidenceIn],
) -> list[CheckEvidence]:
    """Store ``files`` and link each to its item of ``case`` in ``stage``. The caller has
    checked that ``actor`` assesses the stage now; an unknown item or too many files for one
    item is InvalidInput (nothing stored: the caller's unit of work rolls back)."""
    items = [item_of(rule_set, f.item) for f in files]
    codes = [item.code for item in items]
    for item in items:
        count = codes.count(item.code)
        if count > MAX_FILES_PER_ITEM:
            raise InvalidInput(
                "{count} evidence files for the item {item}; at most {limit} at a time",
                count=count,
                item=item.title,
                limit=MAX_FILES_PER_ITEM,
                details={"field": "evidence-" + item.code, "limit": MAX_FILES_PER_ITEM},
            )
    now = ctx.clock.now()
    rows = []
    for code, entry in zip(codes, files, strict=True):
        stored = uploads.store(
            session,
            ctx.settings,
            ctx.clock,
            actor,
            entry.file,
            purpose=PURPOSE,
            party_id=actor.party_id,
        )
        row = CheckEvidence(
            case_id=case.id,
            stage=stage.value,
            item=code,
            upload_id=stored.id,
            added_by=actor.name,
            added_by_party_id=actor.party_id,
            added_at=now,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def listing(session: Session, case_id: int) -> list[tuple[CheckEvidence, StoredUpload]]:
    """Every evidence file of the case with its upload row (never its bytes), oldest first."""
    return [
        (row, stored)
        for row, stored in session.execute(
            select(CheckEvidence, StoredUpload)
            .join(StoredUpload, StoredUpload.id == CheckEvidence.upload_id)
            .where(CheckEvidence.case_id == case_id)
            .order_by(CheckEvidence.id)
        )
    ]


def evidence_out(row: CheckEvidence, stored: StoredUpload) -> dict[str, Any]:
    return {
        "id": row.id,
        "stage": row.stage,
        "item": row.item,
        "filename": stored.filename,
        "kind": stored.kind,
        "size": stored.size,
        "sha256": stored.sha256,
        "added_by": row.added_by,
        "added_at": row.added_at.isoformat(),
    }


def summary(rows: Sequence[CheckEvidence], session: Session) -> list[dict[str, Any]]:
    """What a case event records of newly attached files."""
    out = []
    for row in rows:
        stored = session.get(StoredUpload, row.upload_id)
        assert stored is not None
        out.append(
            {
                "evidence": row.id,
                "item": row.item,
                "filename": stored.filename,
                "sha256": stored.sha256,
                "size": stored.size,
            }
        )
    return out


def evidence_file(
    session: Session, ctx: Context, actor: Actor, case_id: int, evidence_id: int
) -> tuple[CheckEvidence, StoredUpload, bytes]:
    """One evidence file of an application case, for the certification body, the assigned
    testing agency and the national regulator (SYS-6); a file of another case does not exist
    here."""
    require(actor, READERS, N_("read the assessors' evidence files"))
    case, _application = application_case(session, ctx, actor, case_id)
    row = session.scalar(
        select(CheckEvidence).where(
            CheckEvidence.id == evidence_id, CheckEvidence.case_id == case.id
        )
    )
    stored = session.get(StoredUpload, row.upload_id) if row is not None else None
    if row is None or stored is None:
        raise NotFound(
            "Application case {case} has no evidence file {evidence}",
            case=case_id,
            evidence=evidence_id,
        )
    return row, stored, uploads.content(ctx.settings, stored)
