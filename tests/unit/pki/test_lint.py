"""Standards lints with pkilint (ECS-3.4): generated CA certificates lint clean, broken ones
give pkilint's finding, SM2 certificates are linted, and no input makes the linter raise."""

from __future__ import annotations

import json
import os

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgov.pki import LintReport, LintSeverity, lint_certificate
from certgov.pki.lint import LINTER, PROFILE
from unit.pki.factory import (
    NOW,
    SM2_DIR,
    YEAR,
    Issued,
    der_tlv,
    hierarchy,
    issue,
    make_key,
    mutate,
    mutation,
    resign,
    sign_raw,
    sm2,
    sm2_chain,
)

FUZZ = settings(
    max_examples=int(os.environ.get("CERTGOV_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def codes(report: LintReport, at_least: LintSeverity = LintSeverity.WARNING) -> set[str]:
    return {finding.code for finding in report.at_least(at_least)}


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "p384"])
def test_ecs_3_4_generated_ca_certificates_lint_clean(kind: str) -> None:
    """A well-formed root and subordinate (basicConstraints and keyUsage critical, SKI, AKI)
    give no finding above ``notice``."""
    pki = hierarchy(kind)
    for issued in (pki.root, pki.intermediate):
        report = lint_certificate(issued.cert.der)
        assert report.linted and report.reason is None
        assert report.at_least(LintSeverity.NOTICE) == (), report.findings
        assert report.linter == LINTER and LINTER.startswith("pkilint 0.13")
        assert report.profile == PROFILE == "rfc5280"
        assert sum(report.counts.values()) == len(report.findings)
        json.dumps(report.as_dict())


def test_ecs_3_4_a_ca_certificate_without_key_usage_is_an_error() -> None:
    """RFC 5280 §4.2.1.3: a CA certificate MUST carry keyUsage."""
    report = lint_certificate(issue("no key usage", make_key("p256"), key_usage={}).cert.der)
    errors = report.at_least(LintSeverity.ERROR)
    assert [f.code for f in errors] == ["pkix.ca_certificate_no_ku_extension"]
    assert errors[0].severity is LintSeverity.ERROR
    assert errors[0].path == "certificate.tbsCertificate.extensions"
    assert errors[0].validator == "KeyUsagePresenceValidator"
    assert report.counts["error"] == 1


def _with_serial(issued: Issued, issuer: Issued, serial: bytes) -> bytes:
    """``issued`` (built with serial 0x7a7a7a7a) with the serial's content octets replaced
    by ``serial`` (same length) and signed again by ``issuer``."""
    from certgov.pki import _der

    der = issued.cert.der
    outer = _der.read_tlv(der)
    tbs_tlv, algorithm, _ = _der.children(der, outer)
    tbs = der[tbs_tlv.start : tbs_tlv.end]
    assert tbs.count(b"\x02\x04\x7a\x7a\x7a\x7a") == 1
    tbs = tbs.replace(b"\x02\x04\x7a\x7a\x7a\x7a", b"\x02\x04" + serial)
    return resign(tbs, der[algorithm.start : algorithm.end], sign_raw(issuer.key, tbs))


@pytest.mark.parametrize("serial", [b"\xfa\x7a\x7a\x7a", b"\x00\x00\x00\x00"])
def test_ecs_3_4_a_negative_or_zero_serial_is_an_error(serial: bytes) -> None:
    """RFC 5280 §4.1.2.2: the serial number MUST be a positive integer (the zero one is also
    not minimally encoded: pkilint's strict DER decoder refuses it, which is a clear result)."""
    root = issue("serial root", make_key("p256"), serial=0x7A7A7A7A)
    report = lint_certificate(_with_serial(root, root, serial))
    if serial[0] == 0:
        assert not report.linted and report.reason and "decode" in report.reason
        assert report.findings == ()
        return
    assert "pkix.certificate_serial_number_out_of_range" in codes(report, LintSeverity.ERROR)


def _with_subject(subject: x509.Name, issuer: Issued, *, ca: bool) -> bytes:
    """A certificate with ``subject`` (possibly empty, which the factory cannot make)."""
    key = make_key("p256", 3)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - YEAR)
        .not_valid_after(NOW + YEAR)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
        )
        .add_extension(x509.BasicConstraints(ca, None), True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, ca, ca, False, False), True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("example.cn")]), True
        )
    signed = builder.sign(issuer.key, hashes.SHA256())
    return signed.public_bytes(serialization.Encoding.DER)


def test_ecs_3_4_a_ca_certificate_with_an_empty_subject_is_an_error() -> None:
    """RFC 5280 §4.1.2.6: a CA's subject MUST be non-empty; an end-entity's may be empty
    (with a critical subjectAltName), so only the CA is flagged."""
    root = issue("empty subject root", make_key("p256"))
    ca = lint_certificate(_with_subject(x509.Name([]), root, ca=True))
    empty = [f for f in ca.findings if f.code == "pkix.name_empty"]
    assert [f.path for f in empty] == ["certificate.tbsCertificate.subject.rdnSequence"]
    assert empty[0].severity is LintSeverity.ERROR
    leaf = lint_certificate(_with_subject(x509.Name([]), root, ca=False))
    assert "pkix.name_empty" not in codes(leaf, LintSeverity.DEBUG)
    named = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "named sub")])
    assert "pkix.name_empty" not in codes(lint_certificate(_with_subject(named, root, ca=True)))


def test_ecs_3_4_sm2_certificates_are_linted() -> None:
    """GM/T 0015 SM2 certificates decode (pkilint works on the ASN.1): the shared root's zero
    serial and the encryption leaf's key usages are found, the sub-CA is clean."""
    if not SM2_DIR.is_dir():
        pytest.skip(f"the shared SM2 test data is not beside this checkout ({SM2_DIR})")
    root, sub = sm2_chain()
    assert codes(lint_certificate(root.der)) == {"pkix.certificate_serial_number_out_of_range"}
    assert codes(lint_certificate(sub.der)) == set()
    enc = lint_certificate(sm2("client_enc.crt").der)
    assert "pkix.key_usage_value_prohibited_for_ec" in codes(enc, LintSeverity.ERROR)
    for name in sorted(p.name for p in SM2_DIR.glob("*.crt") if p.name != "chain-ca.crt"):
        report = lint_certificate(sm2(name).der)
        assert report.linted, (name, report.reason)


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"\x30\x03\x02\x01\x00", der_tlv(0x30, b""), b"\x30\x80\x00\x00"],
)
def test_undecodable_input_is_not_linted_with_a_reason(data: bytes) -> None:
    report = lint_certificate(data)
    assert not report.linted and report.findings == ()
    assert report.reason and report.reason.startswith("pkilint cannot decode")
    assert set(report.counts.values()) == {0}


def test_trailing_bytes_are_not_linted() -> None:
    report = lint_certificate(hierarchy("p256").root.cert.der + b"\x00")
    assert not report.linted and "trailing" in (report.reason or "")


def _check(report: object) -> None:
    assert isinstance(report, LintReport)
    if report.linted:
        assert report.reason is None
        assert sum(report.counts.values()) == len(report.findings)
    else:
        assert report.reason and report.findings == ()
    json.dumps(report.as_dict())


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes_never_raise(data: bytes) -> None:
    _check(lint_certificate(data))


@FUZZ
@given(st.sampled_from(["rsa", "p256", "sm2-root", "sm2-leaf"]), st.lists(mutation, max_size=4))
def test_fuzz_mutated_certificates_never_raise(
    seed: str, mutations: list[tuple[str, int, int]]
) -> None:
    if seed.startswith("sm2") and not SM2_DIR.is_dir():
        seed = "p256"
    der = {
        "rsa": lambda: hierarchy("rsa2048").intermediate.cert.der,
        "p256": lambda: hierarchy("p256").root.cert.der,
        "sm2-root": lambda: sm2_chain()[0].der,
        "sm2-leaf": lambda: sm2("server_sign.crt").der,
    }[seed]()
    _check(lint_certificate(mutate(der, mutations)))
