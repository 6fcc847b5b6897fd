"""One upload mechanism for every form (SYS-7): size limits from the settings, the type sniffed
from the content (never the file name), the SHA-256, and the bytes stored in the database, a
directory or an S3-compatible bucket (``CERTGOV_UPLOAD_STORAGE``).

``check`` refuses an upload with :class:`UploadRefused`, whose ``reason`` is one of
:data:`REASONS` (pages put it in words); ``store`` keeps a checked upload; ``content`` reads it
back."""

from certgov.uploads.services import (
    REASONS,
    Checked,
    Kind,
    UploadRefused,
    check,
    content,
    sniff,
    store,
)

__all__ = ["REASONS", "Checked", "Kind", "UploadRefused", "check", "content", "sniff", "store"]
