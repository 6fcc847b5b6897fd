"""Official documents (issue 17): the licence (ECS-2.3), a penalty decision (ECS-6.2), an app
security certificate (APP-5, APP-9) and a complaint decision (ECS-5.2) as PDF in the platform's
layout, in Chinese (default) or English, with the document's number, its day of issue in
Beijing time and a QR code of the public page that shows the record's current state. Each
issued document is kept with its SHA-256 (as an upload) and its issue recorded in the audit
log (SYS-3); anyone holding a copy can look its fingerprint up.

Read side: it reads licensing, enforcement, appcert and complaints records, so it sits above
the domains beside ``publication``. ``render`` lays a :class:`~render.Sheet` out (HTML template
→ PDF, pure); ``contents`` says what each document holds and who may have it; ``services``
issues, keeps and finds them. See ``docs/official-documents.md``.
"""

from certgov.documents.contents import DocumentKind
from certgov.documents.services import Issued, document_out, documents_of, find, issue, links

__all__ = ["DocumentKind", "Issued", "document_out", "documents_of", "find", "issue", "links"]
