"""App security certification records (APP-1 to APP-10): the testing agencies the certification
body appoints, application units with their documents, the records eligibility is judged on,
checklist results and deficiencies of the two verification stages, and the certifications
issued with their status history.

The procedure itself (states, deadlines, history) is a case of the ``app-certification``
process; these tables hold what a case's JSON data should not: documents, one row per checklist
result and deficiency (their deadlines are swept by an index), and the certifications that
outlive the case.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from certgov.history.models import StatusHistoryLine
from certgov.store.base import Base


class AgencyStatus(StrEnum):
    APPOINTED = "appointed"
    WITHDRAWN = "withdrawn"


class AppointedAgency(Base):
    """A testing agency appointed by the certification body (APP-3). The party exists in the
    registry (kind ``testing_agency``); the appointment is what lets it be assigned cases."""

    __tablename__ = "app_testing_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    appointed_on: Mapped[dt.date]
    appointed_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    withdrawn_on: Mapped[dt.date | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)


class AppApplication(Base):
    """One application unit: one app, one operating system, one version line (APP-1)."""

    __tablename__ = "app_applications"
    __table_args__ = (
        Index("ix_app_applications_unit", "party_id", "app_name", "operating_system"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    app_name: Mapped[str] = mapped_column(String(200))
    operating_system: Mapped[str] = mapped_column(String(64))
    version_line: Mapped[str] = mapped_column(String(64))
    #: The day of application: the bars of APP-2 are judged as of it.
    applied_on: Mapped[dt.date]
    eligible: Mapped[bool]
    #: ``{"eligible", "on", "rule_set", "bars": [{"bar", "reason", ...}]}``.
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: ``{"filename", "sha256", "size", "version"}`` once the sample is submitted.
    sample: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The operator's declared personal-information practices (APP-1 documents: purposes,
    #: PI types, SDKs and what they collect, sharing), the JSON form of
    #: ``certgov.appscan.Declaration``; the sample's analysis is judged against it (APP-11).
    declaration: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The decision's outcome (granted, denied, not_accepted, refused_ineligible) and when.
    decision: Mapped[str | None] = mapped_column(String(32))
    decided_on: Mapped[dt.date | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    #: The day the applicant received the decision: the complaint window runs from it (APP-6).
    decision_received_on: Mapped[dt.date | None]
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[dt.datetime]


class AppDocument(Base):
    """A document of an application unit, kept with its SHA-256 digest and size (APP-1)."""

    __tablename__ = "app_documents"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("app_applications.id"), index=True)
    #: One of the rule set's ``required_documents``.
    kind: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)


class OperatorRecord(Base):
    """Something on record about an app operator that may bar an application (APP-2): a
    violation of laws and regulations, a serious security incident, a similar certification
    revoked elsewhere, or a circumstance the certification body added as a bar."""

    __tablename__ = "app_operator_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    kind: Mapped[str] = mapped_column(String(200))
    occurred_on: Mapped[dt.date]
    #: Last day a violation or added circumstance bars applications (none: until lifted).
    ends_on: Mapped[dt.date | None]
    description: Mapped[str] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime]


class Stage(StrEnum):
    """The two verification stages: by the testing agency (APP-3), on site (APP-4)."""

    TECHNICAL = "technical_verification"
    ONSITE = "onsite_review"


class CheckResult(StrEnum):
    CONFORMS = "conforms"
    DEFICIENT = "deficient"
    NOT_APPLICABLE = "not_applicable"


class CheckRecord(Base):
    """The latest result of one checklist item in one stage; earlier ones are in the case
    history."""

    __tablename__ = "app_check_results"
    __table_args__ = (UniqueConstraint("case_id", "stage", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_by_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))
    recorded_at: Mapped[dt.datetime]


class CheckEvidence(Base):
    """An evidence file an assessor attached to one checklist item of one stage (APP-3,
    APP-4): the file itself is an upload (:class:`certgov.uploads.models.StoredUpload`: sniffed
    type, SHA-256, size, storage); this row links it to the case and the item. Evidence is only
    ever added, never replaced: each file stays on record with who attached it and when."""

    __tablename__ = "app_check_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(32))
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"))
    added_by: Mapped[str] = mapped_column(String(200))
    added_by_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))
    added_at: Mapped[dt.datetime]


class DeficiencyStatus(StrEnum):
    OPEN = "open"
    REMEDY_SUBMITTED = "remedy_submitted"
    REMEDIED = "remedied"


class Deficiency(Base):
    """A deficiency found in a stage, to be remedied by ``due_on`` (APP-3, APP-4). ``(status,
    due_on)`` is indexed: the sweep finds the overdue ones by a range scan."""

    __tablename__ = "app_deficiencies"
    __table_args__ = (Index("ix_app_deficiencies_status_due_on", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    found_by: Mapped[str] = mapped_column(String(200))
    found_at: Mapped[dt.datetime]
    #: Last day to remedy it, and where the period came from.
    due_on: Mapped[dt.date]
    period: Mapped[str] = mapped_column(String(200))
    remedy_statement: Mapped[str | None] = mapped_column(Text)
    remedy_evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    remedy_submitted_at: Mapped[dt.datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    review_note: Mapped[str | None] = mapped_column(Text)
    remedied_at: Mapped[dt.datetime | None]


class CertificationStatus(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class AppCertification(Base):
    """An app security certification, issued when an application is granted (APP-5)."""

    __tablename__ = "app_certifications"
    __table_args__ = (Index("ix_app_certifications_status_valid_until", "status", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``CCRC-AS-<year>-<serial>``, e.g. ``CCRC-AS-2025-000001``.
    number: Mapped[str] = mapped_column(String(32), unique=True)
    application_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    app_name: Mapped[str] = mapped_column(String(200))
    operating_system: Mapped[str] = mapped_column(String(64))
    version_line: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[dt.date]
    #: Last day of validity (inclusive).
    valid_until: Mapped[dt.date]
    #: The dates of the yearly surveillance (``surveillance_interval``), ISO strings.
    surveillance_due: Mapped[list[str]] = mapped_column(JSON)
    suspended_on: Mapped[dt.date | None]
    #: Last day of the suspension: unremedied by then, the certification is revoked (APP-10).
    suspension_ends_on: Mapped[dt.date | None]
    revoked_on: Mapped[dt.date | None]
    #: Last day the holder may not apply again (APP-2 ban, ``revocation_ban_period``).
    ban_until: Mapped[dt.date | None]
    rule_set_id: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class CertificationEvent(StatusHistoryLine, Base):
    """One line of a certification's public status history."""

    __tablename__ = "app_certification_events"

    certification_id: Mapped[int] = mapped_column(ForeignKey("app_certifications.id"), index=True)


class AnalysisStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class SamplePurpose(StrEnum):
    """Why a sample was uploaded: for the application (APP-3), with a self-assessment report
    (APP-7), for a special inspection (APP-8), or by the certification body's surveillance."""

    CERTIFICATION = "certification"
    SELF_ASSESSMENT = "self_assessment"
    SPECIAL_INSPECTION = "special_inspection"
    SURVEILLANCE = "surveillance"


class AppSampleAnalysis(Base):
    """One uploaded app sample (APK) of an application unit and its analysis by the worker
    (APP-3, APP-7, APP-11). ``(status, id)`` is indexed: the worker claims the oldest queued
    one. The APK's bytes are kept here (deferred: listings never load them)."""

    __tablename__ = "app_sample_analyses"
    __table_args__ = (
        Index("ix_app_sample_analyses_status_id", "status", "id"),
        UniqueConstraint("case_id", "apk_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The application unit's case (for later samples: the case of the certified unit).
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("app_applications.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    #: The certification a later sample belongs to, and the self-assessment or inspection case
    #: it came with (none for the certification body's own surveillance).
    certification_id: Mapped[int | None] = mapped_column(ForeignKey("app_certifications.id"))
    context_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    filename: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(64))
    apk_sha256: Mapped[str] = mapped_column(String(64), index=True)
    apk_size: Mapped[int]
    apk: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    package: Mapped[str] = mapped_column(String(255))
    version_code: Mapped[str | None] = mapped_column(String(64))
    version_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    #: Why the analysis failed, in words (the error's code first).
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    #: What judged the sample: analyser, SDK signature data, sensitive-API rules, and the
    #: clause table (``<rule set>/<parameter> <version>``) with its rule set.
    analyser_version: Mapped[str | None] = mapped_column(String(200))
    signature_data_version: Mapped[str | None] = mapped_column(String(200))
    api_rules_version: Mapped[str | None] = mapped_column(String(200))
    clause_table_version: Mapped[str | None] = mapped_column(String(200))
    rule_set_id: Mapped[str] = mapped_column(String(100))
    #: The declaration the findings were judged against (none on record: nothing declared).
    declaration: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    #: Against the certified sample's report (later samples, APP-7).
    comparison: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
