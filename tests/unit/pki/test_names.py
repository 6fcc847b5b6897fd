"""Name comparison for chaining (RFC 5280 §7.1, as approximated by certgov.pki.names)."""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from certgov.pki.names import name_key, names_match


def _name(cn: str, org: str = "CFCA", string_type: _ASN1Type = _ASN1Type.UTF8String) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org, string_type),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def test_case_white_space_and_string_type_do_not_count() -> None:
    assert names_match(_name("CFCA SM2 OCA1"), _name("cfca  sm2 oca1 "))
    assert names_match(_name("x", string_type=_ASN1Type.PrintableString), _name("x"))
    assert names_match(_name("中国金融认证中心"), _name("中国金融认证中心"))


def test_values_attribute_types_and_order_count() -> None:
    assert not names_match(_name("CFCA SM2 OCA1"), _name("CFCA SM2 OCA2"))
    assert not names_match(_name("x", org="A"), _name("x", org="B"))
    reordered = x509.Name(list(reversed(list(_name("x")))))
    assert not names_match(_name("x"), reordered)
    assert name_key(x509.Name([])) == ()
