"""Reading ETSI TS 119 612 trusted lists from untrusted bytes, and verifying their enveloped
XML signature (XML-DSig, XAdES when the signature has signed properties) against a pinned
certificate.

Untrusted input is parsed safely: the size is limited before parsing; ``defusedxml`` refuses a
DTD, entity declarations and external references; lxml (which signxml needs) parses with
entity resolution, network access, DTD loading and huge-tree mode off. Everything a verified
list says is read from the bytes the signature covers (signxml's ``signed_xml``), never from
what lies around them ("see what is signed", XML-DSig best practices).

Every failure is a :class:`~certgov.trustlist.errors.TrustListError`; nothing else escapes
(the reader is fuzzed).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as defused
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from lxml import etree
from signxml.exceptions import InvalidCertificate, SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier
from signxml.xades.xades import XAdESSignatureConfiguration, XAdESVerifier

from certgov.trustlist.errors import MalformedTrustListError, TrustListSignatureError
from certgov.trustlist.model import (
    DS_NS,
    TSL_NS,
    XADES_NS,
    XML_NS,
    OtherListPointer,
    ServiceHistoryEntry,
    TrustedList,
    TrustService,
    TrustServiceProvider,
    VerifiedTrustedList,
)

#: Largest list accepted, in bytes (the EU's largest national lists are a few megabytes).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
ROOT_TAG = f"{{{TSL_NS}}}TrustServiceStatusList"
#: Largest sequence number kept (it is stored in a 32-bit column).
_MAX_SEQUENCE = 2**31 - 1
#: What third-party parsing and verification can raise on hostile input, besides signxml's own.
_VERIFY_ERRORS = (
    SignXMLException,
    InvalidSignature,
    UnsupportedAlgorithm,
    ValueError,
    TypeError,
    LookupError,
    AttributeError,
    etree.LxmlError,
    binascii.Error,
)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


def _safe_root(data: bytes, max_bytes: int) -> etree._Element:
    """Parse ``data`` as a safe XML document whose root is a TrustServiceStatusList."""
    if not isinstance(data, bytes | bytearray):
        raise MalformedTrustListError(
            "expected the list as bytes, found {found}", found=type(data).__name__
        )
    if len(data) > max_bytes:
        raise MalformedTrustListError(
            "the list is {size} bytes long, more than the limit of {limit} bytes",
            size=len(data),
            limit=max_bytes,
        )
    if not bytes(data).strip():
        raise MalformedTrustListError("expected an ETSI TS 119 612 XML document, found nothing")
    try:
        defused.fromstring(bytes(data), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise MalformedTrustListError(
            "a document type declaration (DTD) is not allowed in a trusted list"
        ) from None
    except EntitiesForbidden:
        raise MalformedTrustListError(
            "entity declarations are not allowed in a trusted list"
        ) from None
    except DefusedXmlException as exc:
        raise MalformedTrustListError("unsafe XML refused: {error}", error=str(exc)) from None
    except (ParseError, ValueError, LookupError, UnicodeError, SyntaxError) as exc:
        raise MalformedTrustListError("not well-formed XML: {error}", error=str(exc)) from None
    try:
        root = etree.fromstring(bytes(data), parser=_parser())
    except (etree.LxmlError, ValueError) as exc:
        raise MalformedTrustListError("not well-formed XML: {error}", error=str(exc)) from None
    if root is None:
        raise MalformedTrustListError("expected an ETSI TS 119 612 XML document, found nothing")
    if root.tag != ROOT_TAG:
        raise MalformedTrustListError(
            "expected a TrustServiceStatusList element in namespace {namespace} as the root, "
            "found {found!r}",
            namespace=TSL_NS,
            found=root.tag,
        )
    return root


def load_certificate(data: bytes | x509.Certificate) -> x509.Certificate:
    """A pinned certificate from PEM or DER bytes (or as is)."""
    if isinstance(data, x509.Certificate):
        return data
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except (ValueError, TypeError) as exc:
        raise MalformedTrustListError(
            "the pinned signer certificate is not a PEM or DER X.509 certificate: {error}",
            error=str(exc),
        ) from None


def fingerprint(certificate: x509.Certificate) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def parse_trusted_list(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> TrustedList:
    """The content of a trusted list WITHOUT checking its signature (for display and tests;
    trust only :func:`verify_trusted_list`)."""
    return read_list(_safe_root(data, max_bytes))


def verify_trusted_list(
    data: bytes,
    pinned: bytes | x509.Certificate,
    *,
    at: dt.datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> VerifiedTrustedList:
    """Verify the enveloped signature of the list in ``data`` with the public key of the
    ``pinned`` certificate (the certificates inside the signature are not trusted) and return
    what the signature covers.

    Requires: the ``ds:Signature`` is a child of the root and one of its references is the
    whole list (URI ``""`` or ``#<root Id>`` with the enveloped-signature transform); the pinned
    certificate is valid at ``at`` (default now). A XAdES signature's signed properties are
    checked as well (the signing certificate digest must be the pinned certificate's).
    """
    root = _safe_root(data, max_bytes)
    certificate = load_certificate(pinned)
    signer = fingerprint(certificate)
    signature = root.find(f"{{{DS_NS}}}Signature")
    if signature is None:
        raise TrustListSignatureError(
            "the list is not signed: expected a ds:Signature element as a child of "
            "TrustServiceStatusList, found none"
        )
    xades = signature.find(f".//{{{XADES_NS}}}SignedProperties") is not None
    verifier: XMLVerifier
    config: SignatureConfiguration
    if xades:
        verifier = XAdESVerifier()
        config = XAdESSignatureConfiguration(
            expect_references=True, location="./", verification_time=at
        )
    else:
        verifier = XMLVerifier()
        config = SignatureConfiguration(expect_references=True, location="./", verification_time=at)
    who = f"{certificate.subject.rfc4514_string()} (SHA-256 {signer[:16]}…)"
    try:
        outcome = verifier.verify(
            bytes(data), x509_cert=certificate, parser=_parser(), expect_config=config
        )
    except InvalidCertificate as exc:
        raise TrustListSignatureError(
            "the pinned certificate {who} cannot be used: {error}",
            who=who,
            error=str(exc),
            hint="pin the scheme's current signing certificate",
        ) from None
    except _VERIFY_ERRORS as exc:
        raise TrustListSignatureError(
            "the list's signature does not verify with the pinned certificate {who}: {error}",
            who=who,
            error=_reason(exc),
            hint="the list was changed after signing, or signed by another key than the pinned one",
            details={"signer_sha256": signer},
        ) from None
    results = outcome if isinstance(outcome, list) else [outcome]
    signed_root = next(
        (r.signed_xml for r in results if getattr(r.signed_xml, "tag", None) == ROOT_TAG), None
    )
    if signed_root is None:
        raise TrustListSignatureError(
            "the signature does not cover the list: none of its references is the "
            "TrustServiceStatusList element"
        )
    signed_at = None
    for result in results:
        properties = getattr(result, "signed_properties", None)
        if properties is not None:
            found = properties.find(f"{{{XADES_NS}}}SigningTime")
            if found is not None and found.text:
                signed_at = _datetime(found.text, "xades:SigningTime")
    return VerifiedTrustedList(
        content=read_list(signed_root),
        signer_sha256=signer,
        signed_at=signed_at,
        xades=xades,
        document_sha256=hashlib.sha256(bytes(data)).hexdigest(),
    )


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


# --- reading the content (TS 119 612 clause 5) ----------------------------------------------------


def _q(name: str) -> str:
    return f"{{{TSL_NS}}}{name}"


def _child(parent: etree._Element, name: str) -> etree._Element | None:
    found = parent.find(_q(name))
    return found


def _require(parent: etree._Element, name: str, where: str) -> etree._Element:
    found = _child(parent, name)
    if found is None:
        raise MalformedTrustListError(
            "{where}: expected a {name} element, found none", where=where, name=name
        )
    return found


def _text_of(element: etree._Element | None) -> str:
    if element is None:
        return ""
    text = element.text
    return text.strip() if isinstance(text, str) else ""


def _required_text(parent: etree._Element, name: str, where: str) -> str:
    text = _text_of(_require(parent, name, where))
    if not text:
        raise MalformedTrustListError(
            "{where}/{name}: expected a value, found an empty element", where=where, name=name
        )
    return text


def _name(parent: etree._Element | None, where: str, *, required: bool = True) -> str:
    """A multilingual name (``Name`` children with ``xml:lang``): English when present."""
    names = [] if parent is None else parent.findall(_q("Name"))
    pairs = [(n.get(f"{{{XML_NS}}}lang") or "", _text_of(n)) for n in names]
    pairs = [(lang, text) for lang, text in pairs if text]
    if not pairs:
        if required:
            raise MalformedTrustListError("{where}: expected a Name, found none", where=where)
        return ""
    for lang, text in pairs:
        if lang.lower() == "en":
            return text
    return pairs[0][1]


def _uri(parent: etree._Element | None) -> str | None:
    if parent is None:
        return None
    found = parent.find(_q("URI"))
    return _text_of(found) or None


def _datetime(text: str, where: str) -> dt.datetime:
    value = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        raise MalformedTrustListError(
            "{where}: expected an xsd:dateTime such as 2025-09-25T00:00:00Z, found {found!r}",
            where=where,
            found=value[:40],
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)  # TS 119 612 times are UTC
    try:
        return parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise MalformedTrustListError(
            "{where}: {found!r} is out of range", where=where, found=value[:40]
        ) from None


def _whole(text: str, where: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > _MAX_SEQUENCE:
        raise MalformedTrustListError(
            "{where}: expected a whole number up to {limit}, found {found!r}",
            where=where,
            limit=_MAX_SEQUENCE,
            found=text[:40],
        )
    return int(text)


def _certificates(identity: etree._Element | None, where: str) -> tuple[bytes, ...]:
    """The DER certificates of a ``ServiceDigitalIdentity`` (``DigitalId/X509Certificate``)."""
    if identity is None:
        return ()
    found = []
    for index, element in enumerate(identity.iter(_q("X509Certificate"))):
        text = "".join(_text_of(element).split())
        try:
            der = base64.b64decode(text, validate=True)
            x509.load_der_x509_certificate(der)
        except (binascii.Error, ValueError) as exc:
            raise MalformedTrustListError(
                "{where}: X509Certificate {number} is not a base64 DER certificate ({error})",
                where=where,
                number=index + 1,
                error=str(exc),
            ) from None
        found.append(der)
    return tuple(found)


def _additional_information(information: etree._Element) -> tuple[tuple[str, str], ...]:
    extensions = _child(information, "ServiceInformationExtensions")
    if extensions is None:
        return ()
    pairs = []
    for element in extensions.iter(_q("AdditionalServiceInformation")):
        uri = _uri(element) or ""
        value = _text_of(element.find(_q("InformationValue")))
        pairs.append((uri, value))
    return tuple(pairs)


def _service(element: etree._Element, where: str) -> TrustService:
    information = _require(element, "ServiceInformation", where)
    history = []
    history_element = _child(element, "ServiceHistory")
    if history_element is not None:
        for index, instance in enumerate(history_element.findall(_q("ServiceHistoryInstance"))):
            at = f"{where}/ServiceHistoryInstance[{index + 1}]"
            history.append(
                ServiceHistoryEntry(
                    service_type=_required_text(instance, "ServiceTypeIdentifier", at),
                    name=_name(_child(instance, "ServiceName"), f"{at}/ServiceName"),
                    status=_required_text(instance, "ServiceStatus", at),
                    status_starting_time=_datetime(
                        _required_text(instance, "StatusStartingTime", at),
                        f"{at}/StatusStartingTime",
                    ),
                    certificates=_certificates(_child(instance, "ServiceDigitalIdentity"), at),
                )
            )
    return TrustService(
        service_type=_required_text(information, "ServiceTypeIdentifier", where),
        name=_name(_child(information, "ServiceName"), f"{where}/ServiceName"),
        status=_required_text(information, "ServiceStatus", where),
        status_starting_time=_datetime(
            _required_text(information, "StatusStartingTime", where), f"{where}/StatusStartingTime"
        ),
        certificates=_certificates(_child(information, "ServiceDigitalIdentity"), where),
        history=tuple(history),
        additional_information=_additional_information(information),
    )


def _provider(element: etree._Element, where: str) -> TrustServiceProvider:
    information = _require(element, "TSPInformation", where)
    trade = _child(information, "TSPTradeName")
    trade_names = tuple(
        _text_of(n) for n in (trade.findall(_q("Name")) if trade is not None else [])
    )
    services_element = _child(element, "TSPServices")
    services = []
    if services_element is not None:
        for index, service in enumerate(services_element.findall(_q("TSPService"))):
            services.append(_service(service, f"{where}/TSPService[{index + 1}]"))
    return TrustServiceProvider(
        name=_name(_child(information, "TSPName"), f"{where}/TSPName"),
        services=tuple(services),
        trade_names=tuple(n for n in trade_names if n),
        information_uri=_uri(_child(information, "TSPInformationURI")),
    )


def _pointer(element: etree._Element, where: str) -> OtherListPointer:
    territory = None
    additional = _child(element, "AdditionalInformation")
    if additional is not None:
        for info in additional.findall(_q("OtherInformation")):
            found = _child(info, "SchemeTerritory")
            if found is not None:
                territory = _text_of(found) or None
    return OtherListPointer(
        location=_required_text(element, "TSLLocation", where),
        territory=territory,
        certificates=_certificates(_child(element, "ServiceDigitalIdentities"), where),
    )


def read_list(root: etree._Element) -> TrustedList:
    """The content of a TrustServiceStatusList element (TS 119 612 clause 5.3 and 5.5)."""
    if root.tag != ROOT_TAG:
        raise MalformedTrustListError(
            "expected a TrustServiceStatusList, found {found!r}", found=root.tag
        )
    where = "SchemeInformation"
    scheme = _require(root, "SchemeInformation", "TrustServiceStatusList")
    next_update_element = _require(scheme, "NextUpdate", where)
    next_text = _text_of(next_update_element.find(_q("dateTime")))
    providers = []
    provider_list = _child(root, "TrustServiceProviderList")
    if provider_list is not None:
        for index, provider in enumerate(provider_list.findall(_q("TrustServiceProvider"))):
            providers.append(_provider(provider, f"TrustServiceProvider[{index + 1}]"))
    pointers = []
    pointer_list = _child(scheme, "PointersToOtherTSL")
    if pointer_list is not None:
        for index, pointer in enumerate(pointer_list.findall(_q("OtherTSLPointer"))):
            pointers.append(_pointer(pointer, f"{where}/OtherTSLPointer[{index + 1}]"))
    return TrustedList(
        scheme_operator=_name(_child(scheme, "SchemeOperatorName"), f"{where}/SchemeOperatorName"),
        scheme_name=_name(_child(scheme, "SchemeName"), f"{where}/SchemeName", required=False),
        territory=_required_text(scheme, "SchemeTerritory", where),
        sequence_number=_whole(
            _required_text(scheme, "TSLSequenceNumber", where), f"{where}/TSLSequenceNumber"
        ),
        version=_whole(
            _required_text(scheme, "TSLVersionIdentifier", where), f"{where}/TSLVersionIdentifier"
        ),
        tsl_type=_text_of(_child(scheme, "TSLType")),
        issued_at=_datetime(
            _required_text(scheme, "ListIssueDateTime", where), f"{where}/ListIssueDateTime"
        ),
        next_update=_datetime(next_text, f"{where}/NextUpdate") if next_text else None,
        providers=tuple(providers),
        pointers=tuple(pointers),
    )
