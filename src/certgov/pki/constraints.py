"""Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)–(c)).

Checked name forms: directoryName (the subject, by RDN prefix as compared in
:mod:`certgov.pki.names`), dNSName, rfc822Name (subjectAltName and the subject's emailAddress
attributes), iPAddress and uniformResourceIdentifier (by host). A constraint on another form
(otherName, registeredID, ...) is reported as unverifiable when a certificate below carries a
name of that form, as RFC 5280 requires of critical constraints.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.x509.oid import NameOID

from certgov.pki.certificate import PARSE_ERRORS, Certificate
from certgov.pki.names import name_key
from certgov.pki.problems import Problem, ProblemCode

__all__ = ["check_name_constraints"]

_CHECKED = (
    x509.DirectoryName,
    x509.DNSName,
    x509.RFC822Name,
    x509.IPAddress,
    x509.UniformResourceIdentifier,
)


def check_name_constraints(path: Sequence[Certificate]) -> list[Problem]:
    """Problems of every certificate below a CA with nameConstraints in ``path`` (target
    first). Self-issued intermediates are exempt; the target never is."""
    problems: list[Problem] = []
    for index in range(1, len(path)):
        constraints = path[index].name_constraints
        if constraints is None:
            continue
        for below in range(index):
            certificate = path[below]
            if below > 0 and certificate.summary.is_self_issued:
                continue
            for violation in _violations(constraints, certificate):
                problems.append(
                    Problem.about(
                        ProblemCode.NAME_CONSTRAINTS,
                        certificate,
                        f"{violation} of the name constraints of {path[index].describe()}",
                        position=below,
                    )
                )
    return problems


def _names(certificate: Certificate) -> Iterator[x509.GeneralName]:
    subject = certificate.x509.subject
    if subject.rdns:
        yield x509.DirectoryName(subject)
    for attribute in subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS):
        if isinstance(attribute.value, str):
            yield x509.RFC822Name(attribute.value)
    try:
        alternative = certificate.x509.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        )
    except x509.ExtensionNotFound:
        return
    yield from alternative.value


def _violations(constraints: x509.NameConstraints, certificate: Certificate) -> Iterator[str]:
    permitted = list(constraints.permitted_subtrees or ())
    excluded = list(constraints.excluded_subtrees or ())
    for name in _names(certificate):
        form = type(name)
        same_permitted = [subtree for subtree in permitted if type(subtree) is form]
        same_excluded = [subtree for subtree in excluded if type(subtree) is form]
        if not same_permitted and not same_excluded:
            continue
        shown = _show(name)
        if not isinstance(name, _CHECKED):
            yield f"has the name {shown}, whose form certgov cannot check against the constraints"
            continue
        if same_permitted and not any(_within(name, subtree) for subtree in same_permitted):
            yield f"has the name {shown}, outside the permitted subtrees"
        for subtree in same_excluded:
            if _within(name, subtree):
                yield f"has the name {shown}, inside the excluded subtree {_show(subtree)}"


def _show(name: x509.GeneralName) -> str:
    if isinstance(name, x509.DirectoryName):
        return f"directoryName '{name.value.rfc4514_string()}'"
    kind = type(name).__name__
    return f"{kind} '{name.value}'"


def _within(name: x509.GeneralName, subtree: x509.GeneralName) -> bool:
    try:
        if isinstance(name, x509.DirectoryName) and isinstance(subtree, x509.DirectoryName):
            prefix = name_key(subtree.value)
            return name_key(name.value)[: len(prefix)] == prefix
        if isinstance(name, x509.DNSName) and isinstance(subtree, x509.DNSName):
            return _host_within(name.value, subtree.value, subdomains_of_plain=True)
        if isinstance(name, x509.RFC822Name) and isinstance(subtree, x509.RFC822Name):
            return _email_within(name.value, subtree.value)
        if isinstance(name, x509.IPAddress) and isinstance(subtree, x509.IPAddress):
            network = subtree.value
            address = name.value
            if isinstance(address, ipaddress.IPv4Network | ipaddress.IPv6Network):
                return False
            return isinstance(network, ipaddress.IPv4Network | ipaddress.IPv6Network) and (
                address in network
            )
        if isinstance(name, x509.UniformResourceIdentifier) and isinstance(
            subtree, x509.UniformResourceIdentifier
        ):
            host = urlsplit(name.value).hostname
            return host is not None and _host_within(host, subtree.value, subdomains_of_plain=False)
    except PARSE_ERRORS:
        return False
    return False


def _host_within(host: str, constraint: str, *, subdomains_of_plain: bool) -> bool:
    """dNSName (RFC 5280: "example.com" covers the host and its subdomains) and URI host
    ("example.com" covers the host only, ".example.com" its subdomains)."""
    host = host.lower().rstrip(".")
    constraint = constraint.lower().rstrip(".")
    if not constraint:
        return True
    if constraint.startswith("."):
        return host.endswith(constraint)
    return host == constraint or (subdomains_of_plain and host.endswith("." + constraint))


def _email_within(address: str, constraint: str) -> bool:
    address = address.lower()
    constraint = constraint.lower()
    if "@" in constraint:
        return address == constraint
    host = address.rpartition("@")[2]
    if constraint.startswith("."):
        return host.endswith(constraint)
    return host == constraint
