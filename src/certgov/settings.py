"""Settings from the environment (prefix ``CERTGOV_``), in one place."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CERTGOV_", extra="ignore")

    #: Fixes the clock of ``serve``, ``worker`` and the CLI at this instant (ISO 8601 with
    #: offset), for training, demonstration and simulation environments; the console shows a
    #: banner while it is set. Never set in production.
    now: dt.datetime | None = None
    #: Where the embedded database, keys and operator-loaded files live.
    data_dir: Path = Path("var")
    #: SQLAlchemy URL; empty means SQLite (WAL) at ``<data_dir>/certgov.db``.
    database_url: str = ""
    #: Extra official holiday schedules (TOML) for years the ``holidays`` package lacks;
    #: empty means ``<data_dir>/calendar-overrides.toml`` when that file exists.
    calendar_overrides: Path | None = None
    #: Directory of additional rule-set TOML files (beside the shipped ones).
    rules_dir: Path | None = None
    #: Set ``Secure`` on the session cookie (behind TLS in production).
    secure_cookies: bool = False
    #: Session lifetime for people logged in to the console or API.
    session_hours: int = 12
    #: Largest request body accepted, in bytes.
    max_upload_bytes: int = 20 * 1024 * 1024

    #: Revocation monitoring (ECS-3.5): time allowed for one CRL download or OCSP request,
    #: the largest CRL or OCSP response read, how often each source is checked, and how many
    #: sources one worker run checks.
    revocation_timeout_seconds: float = 5.0
    revocation_max_bytes: int = 20 * 1024 * 1024
    revocation_check_interval_seconds: int = 3600
    revocation_batch: int = 50
    #: Relying-party verification (SYS-5): how long a usable OCSP answer without nextUpdate
    #: is reused by a server process (one with nextUpdate is reused until then).
    revocation_ocsp_cache_seconds: int = 300
    #: ... and how long it remembers that a CRL distribution point or OCSP responder did not
    #: answer (unreachable, timed out, an HTTP error), answering "unknown" (TRY_LATER) without
    #: asking it again meanwhile; 0: ask on every verification.
    revocation_failure_cache_seconds: int = Field(default=60, ge=0)
    #: Verifications one server process runs at once (each in a worker thread; more queue):
    #: a few keep the interpreter busy without threads fighting over it, and leave room for
    #: some waiting on a slow CRL or OCSP server.
    verify_threads: int = Field(default=4, ge=1, le=64)
    #: Complaints (ECS-5.1): anonymous submissions per client address allowed in the window,
    #: counted in each server process's memory (N processes allow N times as many); and the
    #: evidence files one complaint may carry, each at most this size.
    complaint_rate_limit: int = 10
    complaint_rate_window_seconds: int = 600
    complaint_evidence_max_files: int = 5
    complaint_evidence_max_bytes: int = 2 * 1024 * 1024
    #: Login throttling: failed logins allowed per account and per client address within
    #: the window before each further attempt must wait, first ``login_backoff_seconds``,
    #: doubling with every further failure up to ``login_backoff_max_seconds``.
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_client: int = Field(default=20, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    login_backoff_seconds: float = Field(default=1.0, gt=0)
    login_backoff_max_seconds: float = Field(default=900.0, gt=0)
    #: Prefix of each log's origin (its checkpoint's first line and key name): the host
    #: and path the logs are published under, e.g. ``certgov.miit.gov.cn`` gives the
    #: origin ``certgov.miit.gov.cn/audit``. Fixed when a log is created.
    log_origin: str = "certgov.local"
    #: Where each log's Ed25519 signing key is kept; empty means ``<data_dir>/log-keys``.
    log_key_dir: Path | None = None
    #: The address the public reaches the platform at (scheme, host and any path prefix):
    #: official documents print it in their verification address and QR code.
    public_url: str = "http://127.0.0.1:8000"

    #: Uploads of the self-service forms (SYS-7): the largest file of a document or
    #: certificate form, the largest app sample, and where the bytes are kept: ``database``
    #: (the default; fine on SQLite and a single host), ``directory`` (``upload_dir``, default
    #: ``<data_dir>/uploads``) or ``s3`` (an S3-compatible bucket, e.g. MinIO, for several
    #: hosts).
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    upload_sample_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    upload_storage: Literal["database", "directory", "s3"] = "database"
    upload_dir: Path | None = None
    upload_s3_endpoint: str = ""
    upload_s3_bucket: str = "certgov-uploads"
    upload_s3_prefix: str = ""
    upload_s3_region: str = ""
    upload_s3_access_key: str = ""
    upload_s3_secret_key: str = ""
    #: Notifications (SYS-7): how many business days before a deadline its parties are
    #: reminded, and the SMTP server the worker sends them through (no host: no e-mail).
    notify_days_before: int = Field(default=3, ge=0)
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "certgov@localhost"
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0

    @field_validator("now")
    @classmethod
    def _now_has_offset(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError("CERTGOV_NOW needs an offset, e.g. 2026-03-01T09:00:00+08:00")
        return value

    def resolved_log_key_dir(self) -> Path:
        return self.log_key_dir if self.log_key_dir is not None else self.data_dir / "log-keys"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'certgov.db').as_posix()}"

    def resolved_calendar_overrides(self) -> Path | None:
        if self.calendar_overrides is not None:
            return self.calendar_overrides
        candidate = self.data_dir / "calendar-overrides.toml"
        return candidate if candidate.exists() else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
