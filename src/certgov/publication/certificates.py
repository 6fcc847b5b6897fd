"""The public search of filed CA certificates and the page of one (SYS-4, ECS-3.4), like crt.sh:
by SHA-256, serial number, the start of the subject's or issuer's common name, the filing CA,
the key algorithm (SM2, RSA, ECDSA) and validity, a page at a time; and for one certificate its
parsed fields, the chain up to the filed root, the standards lint, the revocation status from
the stored CRL with its source, the filing, and the filings-log inclusion proof against the
filing's signed checkpoint.

Every search is an index range read (``ix_filed_certificates_subject_name`` and
``_issuer_name`` on ``(lower(name), id)``, ``serial``, ``sha256``, the primary key), so a page
costs a few index pages at 10^6 filed certificates; filters that no index serves (CA, key,
validity) only narrow such a read or the newest-first primary-key walk."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from certgov.context import Context
from certgov.errors import InvalidInput, NotFound
from certgov.filings.lints import lint_of
from certgov.filings.models import FiledCertificate, Filing, RevocationSource
from certgov.filings.services import FILINGS_LOG, filed_ancestors
from certgov.lru import Lru
from certgov.parties.models import Party
from certgov.pki import Certificate, Crl, parse_crl

#: The columns a search row shows: a page reads these, never the DER or the JSON columns.
_ROW_COLUMNS = (
    FiledCertificate.id,
    FiledCertificate.sha256,
    FiledCertificate.subject,
    FiledCertificate.issuer,
    FiledCertificate.serial,
    FiledCertificate.role,
    FiledCertificate.key,
    FiledCertificate.signature_algorithm,
    FiledCertificate.not_before,
    FiledCertificate.not_after,
    FiledCertificate.filed_at,
    FiledCertificate.log_index,
    FiledCertificate.party_id,
    Party.name.label("ca_name"),
    Party.name_en.label("ca_name_en"),
)


def _rows() -> Select[Any]:
    """The search columns with the filing CA's names: a left join on the parties' primary key,
    so the filed certificates stay the outer table (their index gives the order)."""
    statement: Select[Any] = select(*_ROW_COLUMNS)  # type: ignore[assignment]
    return statement.outerjoin(Party, Party.id == FiledCertificate.party_id)


#: Certificates per page of the search, and how deep paging goes (10,000 rows).
PAGE_SIZE = 50
MAX_PAGES = 200
#: Rows of a CSV export: the registry export limit of the portal (SYS-4).
EXPORT_LIMIT = 10_000
#: The key algorithms a reader can choose, and how ``FiledCertificate.key`` spells them.
KEY_ALGORITHMS = ("sm2", "rsa", "ecdsa")
VALIDITY = ("valid", "expired", "not_yet_valid")

_HEX = re.compile(r"^[0-9a-f]+$")
_SEPARATORS = re.compile(r"[\s:]")


@dataclass(frozen=True)
class CertificateQuery:
    """What a reader asks for. ``q``: a SHA-256 (64 hex digits), a serial number (hex, colons
    allowed) or the start of the subject's common name; ``issuer``: the start of the issuer's
    common name."""

    q: str = ""
    issuer: str = ""
    party_id: int | None = None
    key: str = ""
    validity: str = ""
    page: int = 1

    def checked(self) -> CertificateQuery:
        if self.key and self.key not in KEY_ALGORITHMS:
            raise InvalidInput(
                "unknown key algorithm {key!r}", key=self.key[:20], hint=", ".join(KEY_ALGORITHMS)
            )
        if self.validity and self.validity not in VALIDITY:
            raise InvalidInput(
                "unknown validity {validity!r}",
                validity=self.validity[:20],
                hint=", ".join(VALIDITY),
            )
        if not 1 <= self.page <= MAX_PAGES:
            raise InvalidInput("page must be between 1 and {pages}", pages=MAX_PAGES)
        return self

    def as_params(self) -> dict[str, str]:
        """The query as URL parameters (empty ones left out), for links to other pages."""
        values = {
            "q": self.q,
            "issuer": self.issuer,
            "party": str(self.party_id) if self.party_id is not None else "",
            "key": self.key,
            "validity": self.validity,
        }
        return {name: value for name, value in values.items() if value}


@dataclass
class SearchResult:
    rows: list[dict[str, Any]]
    page: int
    has_more: bool
    #: How ``q`` was read: ``sha256``, ``serial``, ``name`` or ``all`` (no ``q``).
    matched_by: str
    query: CertificateQuery = field(default_factory=CertificateQuery)

    def as_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "page_size": PAGE_SIZE,
            "has_more": self.has_more,
            "matched_by": self.matched_by,
            "certificates": self.rows,
        }


def key_family(key: str) -> str:
    """``sm2``, ``rsa``, ``ecdsa`` or ``other`` for a stored key description (``sm2p256v1``,
    ``rsa2048``, ``secp256r1`` …)."""
    if key == "sm2p256v1":
        return "sm2"
    if key.startswith("rsa"):
        return "rsa"
    if key.startswith(("secp", "prime", "brainpool")):
        return "ecdsa"
    return "other"


def _key_condition(key: str) -> ColumnElement[bool]:
    column = FiledCertificate.key
    if key == "sm2":
        return column == "sm2p256v1"
    if key == "rsa":
        return column.like("rsa%")
    return and_(column != "sm2p256v1", column.like("secp%") | column.like("brainpool%"))


def _prefix(column: Any, text: str) -> tuple[ColumnElement[Any], ColumnElement[bool]]:
    """``lower(column)`` and the range of values that start with ``cn=<text>``, lower-cased:
    an index range read, on SQLite and PostgreSQL alike."""
    start = "cn=" + text.lower()
    lowered = func.lower(column)
    return lowered, and_(lowered >= start, lowered < start + "\U0010ffff")


def row_out(
    row: Any, now: dt.datetime, names: dict[int, tuple[str, str | None]] | None = None
) -> dict[str, Any]:
    """A filed certificate as a search row shows it; ``row`` has the attributes of
    :data:`_ROW_COLUMNS` (a row of :func:`_rows`); ``names``, when given, the CAs' names now
    (instead of the row's)."""
    name, name_en = (
        names.get(row.party_id, (None, None))
        if names is not None
        else (row.ca_name, row.ca_name_en)
    )
    return {
        "sha256": row.sha256,
        "subject": row.subject,
        "issuer": row.issuer,
        "serial": row.serial,
        "role": row.role,
        "key": row.key,
        "key_family": key_family(row.key),
        "signature_algorithm": row.signature_algorithm,
        "not_before": row.not_before.isoformat(),
        "not_after": row.not_after.isoformat(),
        "validity": _validity(row, now),
        "filed_at": row.filed_at.isoformat(),
        "log_index": row.log_index,
        "ca": {"party_id": row.party_id, "name": name, "name_en": name_en},
    }


def _validity(row: Any, now: dt.datetime) -> str:
    if now < row.not_before:
        return "not_yet_valid"
    return "expired" if now > row.not_after else "valid"


def _statement(query: CertificateQuery, now: dt.datetime) -> tuple[Select[Any], str]:
    text = query.q.strip()
    compact = _SEPARATORS.sub("", text).lower()
    statement = _rows()
    matched_by = "all"
    if len(compact) == 64 and _HEX.match(compact):
        statement = statement.where(FiledCertificate.sha256 == compact).order_by(
            FiledCertificate.id
        )
        matched_by = "sha256"
    elif text:
        lowered, condition = _prefix(FiledCertificate.subject, text)
        statement = statement.where(condition).order_by(lowered, FiledCertificate.id)
        matched_by = "name"
    elif query.issuer.strip():
        lowered, condition = _prefix(FiledCertificate.issuer, query.issuer.strip())
        statement = statement.where(condition).order_by(lowered, FiledCertificate.id)
        matched_by = "name"
    else:
        statement = statement.order_by(FiledCertificate.id.desc())
    if text and query.issuer.strip():
        statement = statement.where(_prefix(FiledCertificate.issuer, query.issuer.strip())[1])
    if query.party_id is not None:
        statement = statement.where(FiledCertificate.party_id == query.party_id)
    if query.key:
        statement = statement.where(_key_condition(query.key))
    if query.validity == "valid":
        statement = statement.where(
            FiledCertificate.not_before <= now, FiledCertificate.not_after >= now
        )
    elif query.validity == "expired":
        statement = statement.where(FiledCertificate.not_after < now)
    elif query.validity == "not_yet_valid":
        statement = statement.where(FiledCertificate.not_before > now)
    return statement, matched_by


def _serial_statement(query: CertificateQuery) -> Select[Any] | None:
    compact = _SEPARATORS.sub("", query.q.strip()).lower().lstrip("0") or "0"
    if not _HEX.match(compact) or len(compact) > 40:
        return None
    statement = _rows().where(FiledCertificate.serial == compact)
    if query.party_id is not None:
        statement = statement.where(FiledCertificate.party_id == query.party_id)
    return statement.order_by(FiledCertificate.id)


def _ca_names(session: Session, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """The name and English name of each CA in ``ids``, by id."""
    statement = select(Party.id, Party.name, Party.name_en).where(Party.id.in_(sorted(ids)))
    return {party_id: (name, name_en) for party_id, name, name_en in session.execute(statement)}


def search(
    session: Session, now: dt.datetime, query: CertificateQuery, *, page_size: int = PAGE_SIZE
) -> SearchResult:
    """One page of filed CA certificates matching ``query`` (see :class:`CertificateQuery`):
    by SHA-256 exactly, by serial number when ``q`` is hex and some serial equals it, else by
    the start of the subject's common name in name order; without ``q``, newest first."""
    query = query.checked()
    offset = (query.page - 1) * page_size
    rows: list[Any] = []
    matched_by = ""
    serial = _serial_statement(query) if query.q.strip() else None
    if serial is not None:
        rows = list(session.execute(serial.limit(page_size + 1).offset(offset)))
        matched_by = "serial" if rows else ""
    if not rows:
        statement, matched_by = _statement(query, now)
        rows = list(session.execute(statement.limit(page_size + 1).offset(offset)))
    return SearchResult(
        [row_out(row, now) for row in rows[:page_size]],
        query.page,
        len(rows) > page_size,
        matched_by,
        query,
    )


CSV_COLUMNS = (
    "sha256",
    "subject",
    "issuer",
    "serial",
    "role",
    "key",
    "signature_algorithm",
    "not_before",
    "not_after",
    "filed_at",
    "log_index",
    "ca_party_id",
    "ca_name",
)


def export_csv(session: Session, now: dt.datetime, query: CertificateQuery) -> str:
    """The certificates of ``query`` as CSV (CCADB-style, one row per certificate), at most
    :data:`EXPORT_LIMIT` rows."""
    result = search(
        session, now, CertificateQuery(**{**query.__dict__, "page": 1}), page_size=EXPORT_LIMIT
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.rows:
        values = {**row, "ca_party_id": row["ca"]["party_id"], "ca_name": row["ca"]["name"]}
        writer.writerow([csv_cell(values[name]) for name in CSV_COLUMNS])
    return buffer.getvalue()


def csv_cell(value: Any) -> str:
    """Defuse spreadsheet formulas (CSV injection): a cell never starts with = + - @."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- One certificate ---------------------------------------------------------------------------

_PARSED: Lru[str, Certificate] = Lru(4096)
_CRLS: Lru[str, Crl] = Lru(256)
_Proofs = Lru[tuple[int, int], dict[str, Any]]


def _crl(sha256: str, der: bytes) -> Crl:
    found = _CRLS.get(sha256) if sha256 else None
    return found if found is not None else _CRLS.put(sha256 or "-", parse_crl(der))


def _parsed(row: FiledCertificate) -> Certificate:
    found = _PARSED.get(row.sha256)
    return found if found is not None else _PARSED.put(row.sha256, Certificate.from_der(row.der))


def find(session: Session, sha256: str) -> FiledCertificate:
    compact = _SEPARATORS.sub("", sha256).lower()
    row = (
        session.scalars(
            select(FiledCertificate).where(FiledCertificate.sha256 == compact).limit(1)
        ).first()
        if len(compact) == 64 and _HEX.match(compact)
        else None
    )
    if row is None:
        raise NotFound("no filed CA certificate with SHA-256 {sha256}", sha256=sha256[:80])
    return row


def pem(row: FiledCertificate) -> str:
    """The certificate in PEM, for download."""
    body = base64.b64encode(row.der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def _chain(session: Session, row: FiledCertificate) -> list[dict[str, Any]]:
    """The filed issuers of ``row`` up to a filed root, nearest first (the same CA's first,
    then any CA's: a cross-certified subordinate)."""
    found = filed_ancestors(session, [row.issuer_hash], party_id=row.party_id) or (
        filed_ancestors(session, [row.issuer_hash])
    )
    by_subject: dict[str, FiledCertificate] = {}
    for candidate in found.values():
        by_subject.setdefault(candidate.subject_hash, candidate)
    chain: list[dict[str, Any]] = []
    current = row
    seen = {row.sha256}
    while current.role != "root":
        issuer = by_subject.get(current.issuer_hash)
        if issuer is None or issuer.sha256 in seen:
            break
        chain.append(
            {
                "sha256": issuer.sha256,
                "subject": issuer.subject,
                "role": issuer.role,
                "not_after": issuer.not_after.isoformat(),
            }
        )
        seen.add(issuer.sha256)
        current = issuer
    return chain


def _revocation(session: Session, row: FiledCertificate, parsed: Certificate) -> dict[str, Any]:
    """What the stored revocation sources say about ``row``: the issuer's CRL the worker
    fetched last (its URL, when, this and next update, revoked or not), else why nothing is
    known. Reads no network: the worker keeps the sources fresh (ECS-3.5)."""
    if row.role == "root":
        return {"status": "not_applicable", "sources": []}
    sources = list(
        session.scalars(
            select(RevocationSource)
            .where(
                RevocationSource.party_id == row.party_id,
                RevocationSource.subject_sha256 == row.sha256,
            )
            .order_by(RevocationSource.id)
        )
    )
    entries = []
    status = "unknown"
    for source in sources:
        entry: dict[str, Any] = {
            "kind": source.kind,
            "url": source.url,
            "status": source.status,
            "checked_at": source.checked_at.isoformat() if source.checked_at else None,
            "this_update": source.this_update.isoformat() if source.this_update else None,
            "next_update": source.next_update.isoformat() if source.next_update else None,
            "revoked": None,
        }
        if source.kind == "crl" and source.crl_der:
            try:
                found = _crl(source.crl_sha256 or "", source.crl_der).lookup(parsed.summary.serial)
            except Exception:  # a stored CRL that no longer parses says nothing
                found = None
            else:
                entry["revoked"] = found is not None
                if found is not None:
                    entry["revoked_at"] = found.revocation_date.isoformat()
                    entry["reason"] = found.reason
                    status = "revoked"
                elif status != "revoked":
                    status = "good"
        entries.append(entry)
    return {"status": status if sources else "no_source", "sources": entries}


@dataclass(frozen=True)
class _Filed:
    """What the page of a filed certificate shows that only a new filing can change (the
    certificate, its filing and inclusion proof, the chain up to the filed root, the filed
    certificates it issued), kept per process by SHA-256 and filings-log size: every filing
    appends to the log, so a new size is a new key. The CAs' names, the lint and the
    revocation status are read on every request (a CA is renamed, the worker lints and
    fetches CRLs without filing)."""

    row: FiledCertificate
    columns: Any
    children: tuple[Any, ...]
    fields: dict[str, Any]
    chain: list[dict[str, Any]]
    filing: dict[str, Any]
    inclusion: dict[str, Any]


_Details = Lru[tuple[str, int], _Filed]


def _filed(session: Session, ctx: Context, sha256: str, log: Any) -> _Filed:
    row = find(session, sha256)
    filing = session.get(Filing, row.filing_id)
    assert filing is not None
    proofs: _Proofs = ctx.cache("portal.proofs", lambda: Lru(4096))
    key = (row.log_index, filing.log_size)
    proof = proofs.get(key)
    if proof is None:
        proof = proofs.put(
            key,
            {
                "log": FILINGS_LOG,
                **ctx.logs.inclusion(session, log, row.log_index, filing.log_size).as_dict(),
                "checkpoint": filing.checkpoint,
            },
        )
    # The certificates it issued, by their issuer name first: an index range read
    # (``ix_filed_certificates_issuer_name``); the issuer hash alone has no index.
    issuer_name = func.lower(FiledCertificate.issuer)
    children = tuple(
        session.execute(
            _rows()
            .where(
                issuer_name == func.lower(row.subject),
                FiledCertificate.issuer_hash == row.subject_hash,
                FiledCertificate.sha256 != row.sha256,
            )
            .order_by(issuer_name, FiledCertificate.id)
            .limit(PAGE_SIZE)
        )
    )
    session.expunge(row)  # kept beyond this session: its columns are loaded, it never changes
    return _Filed(
        row=row,
        columns=session.execute(_rows().where(FiledCertificate.id == row.id)).one(),
        children=children,
        fields=_parsed(row).summary.as_dict(),
        chain=_chain(session, row),
        filing={
            "id": filing.id,
            "filed_at": filing.filed_at.isoformat(),
            "rule_set": filing.rule_set_id,
            "late": row.late,
        },
        inclusion=proof,
    )


def detail(session: Session, ctx: Context, sha256: str) -> dict[str, Any]:
    """One filed CA certificate as its public page shows it (see the module docstring)."""
    log = ctx.logs.get(session, FILINGS_LOG)
    cache: _Details = ctx.cache("portal.certificates", lambda: Lru(4096))
    key = (_SEPARATORS.sub("", sha256).lower(), log.size)
    filed = cache.get(key)
    if filed is None:
        filed = cache.put(key, _filed(session, ctx, sha256, log))
    row, now = filed.row, ctx.clock.now()
    names = _ca_names(session, {row.party_id, *(c.party_id for c in filed.children)})
    return {
        **row_out(filed.columns, now, names),
        "fields": filed.fields,
        "chain": filed.chain,
        "issued": [row_out(c, now, names) for c in filed.children],
        "lint": lint_of(session, row.id),
        "revocation": _revocation(session, row, _parsed(row)),
        "filing": filed.filing,
        "inclusion": filed.inclusion,
    }
