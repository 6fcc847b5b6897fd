"""APK sample analysis (APP-11): what an Android app collects, where in its code, which SDK
does it, and how that compares with what its operator declared.

A pure library over bytes (no database, no clock, no global state beyond silencing
androguard's logging):

- :func:`analyse` — an APK's bytes into a :class:`Report` (manifest, permissions with their
  protection level, signing certificates, SDKs, sensitive-API call sites with their owner and
  whether they can run before consent);
- :func:`check_declaration` — a report against the operator's :class:`Declaration`, each
  mismatch a :class:`Finding` citing GB/T 35273 and the 2019 Methods from a clause table
  (a :class:`certgov.rules.ClauseTable`, the rule set's ``clause_table`` parameter, checked by
  :func:`clause_table_from`; :func:`shipped_clause_table` offline);
- :func:`compare` — two reports (certified sample and a later one): new permissions, SDKs and
  call sites (APP-7);
- :func:`shipped_signature_data`, :func:`load_signature_data`, :func:`import_exodus` — SDK
  signatures; :func:`shipped_api_rules` — the sensitive-API table.

Hostile files raise :class:`certgov.appscan.errors.ApkError` subclasses. See
``docs/app-analysis.md``.
"""

from certgov.appscan.analyse import ANALYSER_VERSION, SampleIdentity, analyse, identify
from certgov.appscan.apis import ApiRules, load_api_rules, shipped_api_rules
from certgov.appscan.archive import Limits
from certgov.appscan.attribution import Attribution, Owner, SdkHit
from certgov.appscan.callsites import CallSite
from certgov.appscan.clauses import FindingKind, clause_table_from, shipped_clause_table
from certgov.appscan.compare import Comparison, compare
from certgov.appscan.declaration import Declaration, declaration_as_dict, declaration_from_dict
from certgov.appscan.findings import Finding, check_declaration
from certgov.appscan.report import Report
from certgov.appscan.sdks import (
    SdkSignature,
    SignatureData,
    import_exodus,
    load_signature_data,
    shipped_signature_data,
)

__all__ = [
    "ANALYSER_VERSION",
    "ApiRules",
    "Attribution",
    "CallSite",
    "Comparison",
    "Declaration",
    "Finding",
    "FindingKind",
    "Limits",
    "Owner",
    "Report",
    "SampleIdentity",
    "SdkHit",
    "SdkSignature",
    "SignatureData",
    "analyse",
    "check_declaration",
    "clause_table_from",
    "compare",
    "declaration_as_dict",
    "declaration_from_dict",
    "identify",
    "import_exodus",
    "load_api_rules",
    "load_signature_data",
    "shipped_api_rules",
    "shipped_clause_table",
    "shipped_signature_data",
]
