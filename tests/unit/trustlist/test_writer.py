"""SYS-4: our lists are written as TS 119 612 XML with an enveloped XAdES signature that our
reader and signxml's own verifiers accept."""

from __future__ import annotations

import pytest
from lxml import etree
from signxml.verifier import SignatureConfiguration, XMLVerifier
from signxml.xades.xades import XAdESVerifier

from certgov.trustlist import TrustListSignatureError, verify_trusted_list, write_trusted_list
from unit.trustlist.factory import NOW, der, make_signer, sample_list


def test_sys_4_a_written_list_round_trips_through_our_reader() -> None:
    key, certificate = make_signer()
    _ca_key, ca = make_signer("Example Root CA")
    trusted = sample_list(der(ca))
    document = write_trusted_list(trusted, key, certificate, signing_time=NOW)
    verified = verify_trusted_list(document, certificate, at=NOW)
    content = verified.content
    assert verified.xades and verified.signed_at == NOW
    assert (content.territory, content.sequence_number, content.scheme_operator) == (
        "CN",
        7,
        "Test operator",
    )
    assert content.issued_at == NOW and content.next_update == trusted.next_update
    assert content.providers[0].name == "Example CA"
    assert content.providers[0].trade_names == ("示例",)
    assert content.providers[0].services == trusted.providers[0].services


def test_sys_4_signxml_verifies_our_signature() -> None:
    key, certificate = make_signer()
    _ca_key, ca = make_signer("Example Root CA")
    document = write_trusted_list(sample_list(der(ca)), key, certificate, signing_time=NOW)
    config = SignatureConfiguration(expect_references=3, verification_time=NOW)
    results = XMLVerifier().verify(document, x509_cert=certificate, expect_config=config)
    assert isinstance(results, list)
    root = results[0].signed_xml
    assert root is not None and root.tag == "{http://uri.etsi.org/02231/v2#}TrustServiceStatusList"
    XAdESVerifier().verify(document, x509_cert=certificate)
    # TS 119 612 clause 5.7.1: the list is referenced with enveloped + exclusive c14n transforms.
    signature = etree.fromstring(document).find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    transforms = [
        t.get("Algorithm") for t in signature.iter("{http://www.w3.org/2000/09/xmldsig#}Transform")
    ]
    assert transforms[:2] == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.w3.org/2001/10/xml-exc-c14n#",
    ]


def test_sys_4_our_list_changed_after_signing_or_checked_with_another_key_is_rejected() -> None:
    key, certificate = make_signer()
    _ca_key, ca = make_signer("Example Root CA")
    document = write_trusted_list(sample_list(der(ca)), key, certificate, signing_time=NOW)
    changed = document.replace(b"Example CA", b"Examp1e CA")
    with pytest.raises(TrustListSignatureError):
        verify_trusted_list(changed, certificate, at=NOW)
    _other_key, other = make_signer("someone else")
    with pytest.raises(TrustListSignatureError):
        verify_trusted_list(document, other, at=NOW)
