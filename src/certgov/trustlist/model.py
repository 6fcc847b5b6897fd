"""What an ETSI TS 119 612 trusted list says, as frozen dataclasses (no XML here).

Names follow TS 119 612 v2 (clause 5): the scheme information (operator, territory, sequence
number, issue date, next update), the trust service providers (TSPs) and their services, each
with its type, name, current status since a starting time, history and digital identities
(X.509 certificates, DER).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

#: XML namespaces of TS 119 612 and XML-DSig / XAdES.
TSL_NS = "http://uri.etsi.org/02231/v2#"
TSLX_NS = "http://uri.etsi.org/02231/v2/additionaltypes#"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
XADES_NS = "http://uri.etsi.org/01903/v1.3.2#"
XML_NS = "http://www.w3.org/XML/1998/namespace"

#: TS 119 612 v2 identifiers used when writing (clause 5.5.1, 5.5.4, D.5).
TSL_TAG = "http://uri.etsi.org/19612/TSLTag"
SERVICE_TYPE_CA_PKC = "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC"
STATUS_BASE = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"
STATUS_GRANTED = STATUS_BASE + "granted"
STATUS_WITHDRAWN = STATUS_BASE + "withdrawn"
STATUS_RECOGNISED = STATUS_BASE + "recognisedatnationallevel"
STATUS_DEPRECATED = STATUS_BASE + "deprecatedatnationallevel"


def short_status(uri: str) -> str:
    """The last path segment of a status URI (``granted``, ``withdrawn``, ...)."""
    return uri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class ServiceHistoryEntry:
    """One ``ServiceHistoryInstance``: a status the service had from ``status_starting_time``."""

    service_type: str
    name: str
    status: str
    status_starting_time: dt.datetime
    certificates: tuple[bytes, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "service_type": self.service_type,
            "name": self.name,
            "status": self.status,
            "status_starting_time": self.status_starting_time.isoformat(),
            "certificates_sha256": [hashlib.sha256(c).hexdigest() for c in self.certificates],
        }


@dataclass(frozen=True, slots=True)
class TrustService:
    """One ``TSPService``: its current information and its history (newest first)."""

    service_type: str
    name: str
    status: str
    status_starting_time: dt.datetime
    certificates: tuple[bytes, ...] = ()
    history: tuple[ServiceHistoryEntry, ...] = ()
    #: ``AdditionalServiceInformation`` (URI, information value) pairs of the extensions.
    additional_information: tuple[tuple[str, str], ...] = ()

    @property
    def certificate_fingerprints(self) -> tuple[str, ...]:
        return tuple(hashlib.sha256(c).hexdigest() for c in self.certificates)

    def as_dict(self) -> dict[str, Any]:
        return {
            "service_type": self.service_type,
            "name": self.name,
            "status": self.status,
            "status_starting_time": self.status_starting_time.isoformat(),
            "certificates_sha256": list(self.certificate_fingerprints),
            "history": [entry.as_dict() for entry in self.history],
            "additional_information": [list(pair) for pair in self.additional_information],
        }


@dataclass(frozen=True, slots=True)
class TrustServiceProvider:
    """One ``TrustServiceProvider`` (TSP) and its services."""

    name: str
    services: tuple[TrustService, ...]
    trade_names: tuple[str, ...] = ()
    information_uri: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "trade_names": list(self.trade_names),
            "information_uri": self.information_uri,
            "services": [service.as_dict() for service in self.services],
        }


@dataclass(frozen=True, slots=True)
class OtherListPointer:
    """One ``OtherTSLPointer``: where another list is and who signs it (a list of lists)."""

    location: str
    territory: str | None
    certificates: tuple[bytes, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "territory": self.territory,
            "certificates_sha256": [hashlib.sha256(c).hexdigest() for c in self.certificates],
        }


@dataclass(frozen=True, slots=True)
class TrustedList:
    """A TS 119 612 trusted list's content. ``next_update`` is None for a closed list."""

    scheme_operator: str
    scheme_name: str
    territory: str
    sequence_number: int
    issued_at: dt.datetime
    next_update: dt.datetime | None
    providers: tuple[TrustServiceProvider, ...] = ()
    version: int = 5
    tsl_type: str = ""
    pointers: tuple[OtherListPointer, ...] = ()
    #: Written only (the reader does not keep addresses): where the scheme operator is.
    operator_address: tuple[str, str, str] = ("", "", "")  # street, locality, country
    operator_uri: str = ""
    information_uri: str = ""
    distribution_point: str = ""
    legal_notice: str = ""
    status_determination_approach: str = ""
    community_rules: str = ""

    @property
    def services(self) -> tuple[tuple[TrustServiceProvider, TrustService], ...]:
        return tuple((p, s) for p in self.providers for s in p.services)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scheme_operator": self.scheme_operator,
            "scheme_name": self.scheme_name,
            "territory": self.territory,
            "sequence_number": self.sequence_number,
            "version": self.version,
            "tsl_type": self.tsl_type,
            "issued_at": self.issued_at.isoformat(),
            "next_update": self.next_update.isoformat() if self.next_update else None,
            "providers": [provider.as_dict() for provider in self.providers],
            "pointers": [pointer.as_dict() for pointer in self.pointers],
        }


@dataclass(frozen=True, slots=True)
class VerifiedTrustedList:
    """A list whose signature verified against a pinned certificate; ``content`` was read from
    the signed bytes only (what the signature covers, never anything around it)."""

    content: TrustedList
    signer_sha256: str
    #: XAdES ``SigningTime`` when the signature has signed properties.
    signed_at: dt.datetime | None
    xades: bool
    document_sha256: str
