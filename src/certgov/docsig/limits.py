"""Bounds on what one validation reads, so hostile documents cost bounded time and memory."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one validation. Documents and content past a bound are refused with a
    :class:`~certgov.docsig.errors.DocumentError`; a signature past a bound gets
    TOTAL_FAILED/FORMAT_FAILURE naming the bound.

    - ``max_document_bytes``: the PDF or CMS file, and the detached content (each);
    - ``max_signatures``: signatures in one PDF (or signer infos in one CMS);
    - ``max_revisions``: incremental updates of one PDF (each is diffed against the signed
      revision);
    - ``max_cms_bytes``: one signature's CMS (a PDF's /Contents or a .p7s);
    - ``max_certificates``: certificates embedded in one CMS (timestamp tokens included);
    - ``max_der_depth`` and ``max_der_elements``: nesting and element count of one CMS.
    """

    max_document_bytes: int = 64 * 1024 * 1024
    max_signatures: int = 32
    max_revisions: int = 256
    max_cms_bytes: int = 2 * 1024 * 1024
    max_certificates: int = 64
    max_der_depth: int = 48
    max_der_elements: int = 200_000


DEFAULT_LIMITS = Limits()
