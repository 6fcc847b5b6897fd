"""A report against the operator's declaration: every mismatch a :class:`Finding` citing its
GB/T 35273 clause and 2019 Methods item from the clause table passed in (APP-11)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from certgov.appscan.attribution import Owner
from certgov.appscan.callsites import CallSite
from certgov.appscan.clauses import FindingKind, finding_clauses
from certgov.appscan.declaration import Declaration
from certgov.appscan.report import Report
from certgov.rules import ClauseRow, ClauseTable

STATIC_CAVEAT = "as far as static analysis can tell"


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    subject: str  # the permission, PI type or SDK concerned
    message: str
    clause: ClauseRow  # the row of the clause table for ``kind``
    evidence: tuple[dict[str, Any], ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "message": self.message,
            "clause": citation(self.clause),
            "evidence": list(self.evidence),
        }


def citation(row: ClauseRow) -> dict[str, Any]:
    """What a finding's JSON says of its clause (stored with every analysis, so its keys stay):
    the clause of each edition, the Methods item, the texts, the source and ``assumed``."""
    return {
        "gbt35273": row.gbt35273_clause,
        "gbt35273_2017": row.gbt35273_2017_clause,
        "gbt35273_title": row.gbt35273_title,
        "methods_item": row.methods_item,
        "methods_text": row.methods_text,
        "source": row.source,
        "assumed": row.assumed,
        "note": row.note,
    }


def check_declaration(
    report: Report, declaration: Declaration, clauses: ClauseTable
) -> tuple[Finding, ...]:
    """The findings of ``report`` against ``declaration``, in a stable order (kind, subject),
    each citing its row of ``clauses``; :class:`ConfigurationError` when the table lacks a
    finding kind or has one the analysis does not know."""
    rows = finding_clauses(clauses)
    findings: list[Finding] = []

    def add(kind: FindingKind, subject: str, message: str, evidence: list[dict[str, Any]]) -> None:
        findings.append(Finding(kind, subject, message, rows[kind], tuple(evidence)))

    declared_any = declaration.all_pi_types
    for permission in report.dangerous_permissions:
        if permission.pi_types:
            if not set(permission.pi_types) & declared_any:
                add(
                    FindingKind.UNDECLARED_PERMISSION,
                    permission.name,
                    f"dangerous permission {permission.name} gives access to "
                    f"{', '.join(permission.pi_types)}, none of which the declaration states",
                    [permission.as_dict()],
                )
        elif permission.name not in declaration.permissions:
            add(
                FindingKind.UNDECLARED_PERMISSION,
                permission.name,
                f"dangerous permission {permission.name} is neither explained in the "
                "declaration's permissions nor tied to a declared type of personal information",
                [permission.as_dict()],
            )

    declared_sdks = {hit.sdk.id: declaration.sdk_for(hit) for hit in report.sdks}
    undeclared_by_type: dict[str, list[CallSite]] = {}
    sdk_undeclared: dict[tuple[str, str], list[CallSite]] = {}
    for site in report.call_sites:
        owner = site.attribution
        if owner.owner is Owner.SDK and owner.sdk is not None:
            declared_sdk = declared_sdks.get(owner.sdk)
            if declared_sdk is None:
                continue  # reported once as an undeclared SDK, with what its code reads
            if site.pi_type not in declared_sdk.collects:
                sdk_undeclared.setdefault((owner.sdk, site.pi_type), []).append(site)
        elif owner.owner is Owner.APP:
            if site.pi_type not in declaration.app_pi_types:
                undeclared_by_type.setdefault(site.pi_type, []).append(site)
        elif site.pi_type not in declared_any:
            undeclared_by_type.setdefault(site.pi_type, []).append(site)
    for pi_type, sites in sorted(undeclared_by_type.items()):
        add(
            FindingKind.UNDECLARED_PI_TYPE,
            pi_type,
            f"the code reads {pi_type} at {len(sites)} call site(s) and the declaration does "
            "not state that type of personal information",
            [s.as_dict() for s in sites],
        )
    for (sdk_id, pi_type), sites in sorted(sdk_undeclared.items()):
        add(
            FindingKind.SDK_UNDECLARED_PI_TYPE,
            sdk_id,
            f"SDK {sdk_id} reads {pi_type} at {len(sites)} call site(s); the declaration does "
            f"not list {pi_type} among what it collects",
            [s.as_dict() for s in sites],
        )

    for hit in report.sdks:
        if declared_sdks.get(hit.sdk.id) is None:
            reads = sorted(
                {s.pi_type for s in report.call_sites if s.attribution.sdk == hit.sdk.id}
            )
            add(
                FindingKind.UNDECLARED_SDK,
                hit.sdk.id,
                f"the APK embeds {hit.sdk.name} ({hit.sdk.vendor}), which the declaration does "
                "not name" + (f"; its code reads {', '.join(reads)}" if reads else ""),
                [hit.as_dict()],
            )

    for pi_type in sorted(declaration.unnecessary_pi_types):
        sites = [s for s in report.call_sites if s.pi_type == pi_type]
        if sites:
            add(
                FindingKind.UNNECESSARY_PI_COLLECTED,
                pi_type,
                f"the declaration says {pi_type} is not necessary for the basic service, and the "
                f"code reads it at {len(sites)} call site(s): check that only an optional "
                "function with its own consent does",
                [s.as_dict() for s in sites],
            )

    for site in report.call_sites:
        if site.before_consent is not None:
            add(
                FindingKind.COLLECTION_BEFORE_CONSENT,
                site.pi_type,
                f"{site.api} (reading {site.pi_type}) in {site.caller_class}."
                f"{site.caller_method} is reachable from the "
                f"{site.before_consent.entry.description}, which Android can start before any "
                f"activity ({STATIC_CAVEAT})",
                [site.as_dict()],
            )
    for startup in report.sdk_startup:
        add(
            FindingKind.SDK_BEFORE_CONSENT,
            startup.sdk,
            f"SDK {startup.sdk} code ({startup.method}) is reachable from the "
            f"{startup.path.entry.description}, which Android can start before any activity "
            f"({STATIC_CAVEAT})",
            [startup.as_dict()],
        )
    return tuple(findings)
