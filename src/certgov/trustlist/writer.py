"""Writing ETSI TS 119 612 trusted lists and signing them with an enveloped XAdES signature
(signxml's XAdESSigner: XAdES-BES with SigningTime and SigningCertificateV2).

The element order follows the TS 119 612 v2 schema (clause 5 and annex C); the signature is a
child of the root, references the root by its ``Id`` with the enveloped-signature and exclusive
canonicalisation transforms, as TS 119 612 clause 5.7 asks.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
)
from signxml.signer import SignatureReference
from signxml.util import SigningSettings
from signxml.xades.xades import XAdESSigner

from certgov.trustlist.model import (
    TSL_NS,
    TSL_TAG,
    TSLX_NS,
    XADES_NS,
    XML_NS,
    ServiceHistoryEntry,
    TrustedList,
    TrustService,
    TrustServiceProvider,
)

#: The Id of the root element, which the signature references.
LIST_ID = "TrustServiceStatusList"
_LANG = f"{{{XML_NS}}}lang"


def _e(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{TSL_NS}}}{name}", attrib=attrs or None)
    if text is not None:
        element.text = text
    return element


def _names(parent: etree._Element, name: str, value: str, lang: str = "en") -> None:
    holder = _e(parent, name)
    _e(holder, "Name", value, **{_LANG: lang})


def _uris(parent: etree._Element, name: str, uri: str, lang: str = "en") -> None:
    holder = _e(parent, name)
    _e(holder, "URI", uri, **{_LANG: lang})


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _identity(parent: etree._Element, certificates: Iterable[bytes]) -> None:
    identity = _e(parent, "ServiceDigitalIdentity")
    for der in certificates:
        digital_id = _e(identity, "DigitalId")
        _e(digital_id, "X509Certificate", base64.b64encode(der).decode("ascii"))


def _address(parent: etree._Element, name: str, address: tuple[str, str, str], uri: str) -> None:
    street, locality, country = address
    holder = _e(parent, name)
    postal = _e(_e(holder, "PostalAddresses"), "PostalAddress", **{_LANG: "en"})
    _e(postal, "StreetAddress", street or "-")
    _e(postal, "Locality", locality or "-")
    _e(postal, "CountryName", country or "CN")
    electronic = _e(holder, "ElectronicAddress")
    _e(electronic, "URI", uri or "https://example.invalid/", **{_LANG: "en"})


def _history(parent: etree._Element, entry: ServiceHistoryEntry) -> None:
    instance = _e(parent, "ServiceHistoryInstance")
    _e(instance, "ServiceTypeIdentifier", entry.service_type)
    _names(instance, "ServiceName", entry.name)
    _identity(instance, entry.certificates)
    _e(instance, "ServiceStatus", entry.status)
    _e(instance, "StatusStartingTime", _time(entry.status_starting_time))


def _service(parent: etree._Element, service: TrustService) -> None:
    element = _e(parent, "TSPService")
    information = _e(element, "ServiceInformation")
    _e(information, "ServiceTypeIdentifier", service.service_type)
    _names(information, "ServiceName", service.name)
    _identity(information, service.certificates)
    _e(information, "ServiceStatus", service.status)
    _e(information, "StatusStartingTime", _time(service.status_starting_time))
    if service.additional_information:
        extensions = _e(information, "ServiceInformationExtensions")
        for uri, value in service.additional_information:
            extension = _e(extensions, "Extension", Critical="false")
            info = _e(extension, "AdditionalServiceInformation")
            _e(info, "URI", uri, **{_LANG: "en"})
            _e(info, "InformationValue", value)
    if service.history:
        history = _e(element, "ServiceHistory")
        for entry in service.history:
            _history(history, entry)


def _provider(parent: etree._Element, provider: TrustServiceProvider, trusted: TrustedList) -> None:
    element = _e(parent, "TrustServiceProvider")
    information = _e(element, "TSPInformation")
    _names(information, "TSPName", provider.name)
    if provider.trade_names:
        trade = _e(information, "TSPTradeName")
        for name in provider.trade_names:
            _e(trade, "Name", name, **{_LANG: "en"})
    _address(
        information, "TSPAddress", ("", "", ""), provider.information_uri or trusted.operator_uri
    )
    _uris(information, "TSPInformationURI", provider.information_uri or trusted.information_uri)
    services = _e(element, "TSPServices")
    for service in provider.services:
        _service(services, service)


def build_trusted_list(trusted: TrustedList) -> etree._Element:
    """The unsigned TrustServiceStatusList element of ``trusted``."""
    root = etree.Element(
        f"{{{TSL_NS}}}TrustServiceStatusList",
        nsmap={None: TSL_NS, "tslx": TSLX_NS, "xades": XADES_NS},
        attrib={"Id": LIST_ID, "TSLTag": TSL_TAG},
    )
    scheme = _e(root, "SchemeInformation")
    _e(scheme, "TSLVersionIdentifier", str(trusted.version))
    _e(scheme, "TSLSequenceNumber", str(trusted.sequence_number))
    _e(scheme, "TSLType", trusted.tsl_type)
    _names(scheme, "SchemeOperatorName", trusted.scheme_operator)
    _address(scheme, "SchemeOperatorAddress", trusted.operator_address, trusted.operator_uri)
    _names(scheme, "SchemeName", trusted.scheme_name)
    _uris(scheme, "SchemeInformationURI", trusted.information_uri)
    _e(scheme, "StatusDeterminationApproach", trusted.status_determination_approach)
    if trusted.community_rules:
        _uris(scheme, "SchemeTypeCommunityRules", trusted.community_rules)
    _e(scheme, "SchemeTerritory", trusted.territory)
    notice = _e(scheme, "PolicyOrLegalNotice")
    _e(notice, "TSLLegalNotice", trusted.legal_notice or "-", **{_LANG: "en"})
    _e(scheme, "HistoricalInformationPeriod", "65535")
    _e(scheme, "ListIssueDateTime", _time(trusted.issued_at))
    next_update = _e(scheme, "NextUpdate")
    if trusted.next_update is not None:
        _e(next_update, "dateTime", _time(trusted.next_update))
    if trusted.distribution_point:
        points = _e(scheme, "DistributionPoints")
        _e(points, "URI", trusted.distribution_point)
    if trusted.providers:
        providers = _e(root, "TrustServiceProviderList")
        for provider in trusted.providers:
            _provider(providers, provider, trusted)
    return root


class _TimedXAdESSigner(XAdESSigner):
    """XAdESSigner whose SigningTime is the caller's clock, not the wall clock."""

    def __init__(self, signing_time: dt.datetime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._signing_time = signing_time

    def add_signing_time(
        self,
        signed_signature_properties: etree._Element,
        sig_root: etree._Element,
        signing_settings: SigningSettings,
    ) -> None:
        element = etree.SubElement(
            signed_signature_properties, f"{{{XADES_NS}}}SigningTime", nsmap=self.namespaces
        )
        element.text = _time(self._signing_time)


SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def sign_trusted_list(
    root: etree._Element,
    key: SigningKey,
    certificate: x509.Certificate,
    *,
    signing_time: dt.datetime,
) -> bytes:
    """``root`` with an enveloped XAdES signature by ``key`` (whose certificate is
    ``certificate``), serialised as UTF-8 XML."""
    algorithm = (
        SignatureMethod.ECDSA_SHA256
        if isinstance(key, ec.EllipticCurvePrivateKey)
        else SignatureMethod.RSA_SHA256
    )
    signer = _TimedXAdESSigner(
        signing_time,
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=algorithm,
        digest_algorithm=DigestAlgorithm.SHA256,
    )
    # The list itself is canonicalised exclusively (TS 119 612 clause 5.7.1); SignedInfo and the
    # XAdES SignedProperties keep signxml's default C14N 1.1: signxml 5.2's XAdESSigner computes
    # the SignedProperties digest in a way its own verifier rejects when SignedInfo is exclusive.
    reference = SignatureReference(
        URI=f"#{LIST_ID}", c14n_method=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
    )
    signed = signer.sign(root, key=key, cert=[certificate], reference_uri=[reference])
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def write_trusted_list(
    trusted: TrustedList,
    key: SigningKey,
    certificate: x509.Certificate,
    *,
    signing_time: dt.datetime,
) -> bytes:
    """The signed TS 119 612 XML of ``trusted``."""
    return sign_trusted_list(
        build_trusted_list(trusted), key, certificate, signing_time=signing_time
    )
