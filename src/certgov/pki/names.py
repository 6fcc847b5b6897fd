"""Distinguished-name comparison for chaining (RFC 5280 §7.1).

RFC 5280 compares names attribute by attribute after RFC 4518 string preparation. This
implementation applies the parts that matter in practice: the encoding (PrintableString,
UTF8String, ...) does not count, letter case does not count, and leading, trailing and repeated
inner white space does not count. Names that are byte-for-byte equal always match.
"""

from __future__ import annotations

from cryptography import x509

__all__ = ["NameKey", "name_key", "names_match"]

#: A name reduced to what comparison looks at: per RDN, the sorted (type OID, value) pairs.
NameKey = tuple[tuple[tuple[str, str | bytes], ...], ...]


def _prepare(value: str | bytes) -> str | bytes:
    if isinstance(value, bytes):
        return value
    return " ".join(value.split()).casefold()


def name_key(name: x509.Name) -> NameKey:
    """The comparison key of ``name``: equal keys mean matching names."""
    return tuple(
        tuple(
            sorted(
                ((attribute.oid.dotted_string, _prepare(attribute.value)) for attribute in rdn),
                key=repr,
            )
        )
        for rdn in name.rdns
    )


def names_match(first: x509.Name, second: x509.Name) -> bool:
    """True when the two names match under RFC 5280 §7.1 (as approximated above)."""
    return name_key(first) == name_key(second)
