"""CRLs (ECS-3.5 stale CRLs, SYS-5 revocation): parsing into a summary, checking signature,
issuer and freshness at a time, revocation lookup; SM2-signed CRLs through tongsuopy; fuzzing
of the parser."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
from functools import cache

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ObjectIdentifier
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgov.errors import InvalidInput
from certgov.pki import (
    AlgorithmPolicy,
    Certificate,
    Crl,
    CrlScopeError,
    MalformedCrlError,
    PkiError,
    Problem,
    ProblemCode,
    check_crl,
    parse_crl,
    revocation_status,
)
from unit.pki.factory import (
    DAY,
    NOW,
    SM2_DIR,
    Issued,
    hierarchy,
    issue,
    make_crl,
    make_key,
    mutate,
    mutation,
    resign,
    revoked,
    sm2,
    sm2_chain,
    sm2_signed_crl,
    without_next_update,
)

KEY_COMPROMISE = x509.ReasonFlags.key_compromise
REMOVE = x509.ReasonFlags.remove_from_crl


def _codes(
    crl: Crl, issuer: Certificate, at: dt.datetime = NOW, policy: AlgorithmPolicy | None = None
) -> set[str]:
    return {problem.code.value for problem in check_crl(crl, issuer, at, policy=policy)}


def _pem(der: bytes) -> bytes:
    return x509.load_der_x509_crl(der).public_bytes(serialization.Encoding.PEM)


# --- parsing and the summary ----------------------------------------------------------------


def test_the_summary_of_an_rsa_crl() -> None:
    h = hierarchy("rsa2048")
    leaf = h.leaf.cert
    when = dt.datetime(2025, 9, 1, 8, 30, tzinfo=dt.UTC)
    invalid_since = x509.InvalidityDate(dt.datetime(2025, 8, 30, tzinfo=dt.UTC))
    der = make_crl(
        h.intermediate,
        [
            revoked(leaf.summary.serial, when, KEY_COMPROMISE, extensions=[(invalid_since, False)]),
            revoked(0x1234),
        ],
        number=0x0123456789ABCDEF0123,
    )
    crl = parse_crl(der)
    summary = crl.summary
    assert summary.version == 2
    assert summary.issuer == "CN=rsa2048 intermediate,O=certgov test,C=CN"
    assert summary.issuer_der == h.intermediate.cert.summary.subject_der
    assert summary.this_update == NOW - DAY and summary.next_update == NOW + 7 * DAY
    assert summary.this_update.tzinfo is dt.UTC
    assert summary.crl_number == 0x0123456789ABCDEF0123 and summary.delta_base is None
    assert (summary.signature_algorithm, summary.signature_hash) == (
        "sha256WithRSAEncryption",
        "sha256",
    )
    assert summary.signature_algorithm_oid == "1.2.840.113549.1.1.11"
    assert summary.authority_key_identifier == h.intermediate.cert.summary.subject_key_identifier
    first, second = summary.revoked
    assert (first.serial, first.revocation_date, first.reason) == (
        leaf.summary.serial,
        when,
        "keyCompromise",
    )
    assert first.invalidity_date == dt.datetime(2025, 8, 30, tzinfo=dt.UTC)
    assert (second.serial, second.reason, second.invalidity_date) == (0x1234, None, None)
    assert crl.revoked == summary.revoked and crl.issuer == summary.issuer
    body = json.loads(json.dumps(summary.as_dict()))
    assert body["crl_number"] == "123456789abcdef0123"
    assert body["revoked"][1] == {
        "serial": "1234",
        "revocation_date": (NOW - DAY).isoformat(),
        "reason": None,
        "invalidity_date": None,
        "certificate_issuer": None,
    }
    assert body["next_update"] == (NOW + 7 * DAY).isoformat()
    assert "number 123456789abcdef0123" in crl.describe()


def test_pem_der_and_base64_give_the_same_crl() -> None:
    h = hierarchy("p256")
    der = make_crl(h.intermediate, [revoked(7)])
    pem = _pem(der)
    forms: list[bytes | str] = [
        der,
        der + b"\r\n",
        pem,
        b"CRL of the test CA\n" + pem + b"\nend\n",
        pem.decode().replace("X509 CRL", "CRL"),
        base64.encodebytes(der),
    ]
    crls = [parse_crl(form) for form in forms]
    assert all(crl == crls[0] for crl in crls)
    assert len({hash(crl) for crl in crls}) == 1
    assert crls[0].der == der and "Crl(CRL of 'CN=p256 intermediate" in repr(crls[0])


def test_a_crl_without_extensions_or_entries() -> None:
    h = hierarchy("p256")
    crl = parse_crl(make_crl(h.root, number=None, aki=False))
    assert crl.summary.crl_number is None and crl.summary.authority_key_identifier is None
    assert crl.summary.revoked == () and "number" not in crl.describe()
    assert check_crl(crl, h.root.cert, NOW) == []


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"  \n",
        b"hello, world",
        b"\x30\x03abc",
        b"\x30\x82\x01",
        b"-----BEGIN X509 CRL-----\nnot base64!\n-----END X509 CRL-----\n",
        b"-----BEGIN X509 CRL-----\nMIIB\n",
        b"-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n",
        b"-----BEGIN",
        b"MIInotbase64@@",
    ],
)
def test_malformed_input_is_a_clear_pki_error(bad: bytes) -> None:
    with pytest.raises(MalformedCrlError) as caught:
        parse_crl(bad)
    error = caught.value
    assert isinstance(error, PkiError) and isinstance(error, InvalidInput)
    assert error.code == "pki_malformed_crl" and error.message


def test_other_pem_blocks_and_several_crls_are_refused_by_name() -> None:
    h = hierarchy("p256")
    cert_pem = h.leaf.cert.x509.public_bytes(serialization.Encoding.PEM)
    with pytest.raises(MalformedCrlError, match="block 1 is not a CRL: it is a CERTIFICATE"):
        parse_crl(cert_pem)
    key_pem = b"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
    with pytest.raises(MalformedCrlError) as caught:
        parse_crl(key_pem)
    assert caught.value.hint is not None and "never send a private key" in caught.value.hint
    assert "MIIB" not in caught.value.message
    pem = _pem(make_crl(h.intermediate))
    with pytest.raises(MalformedCrlError, match="exactly one CRL, found 2"):
        parse_crl(pem + pem)
    der = make_crl(h.intermediate)
    with pytest.raises(MalformedCrlError, match="exactly one DER CRL, found 2"):
        parse_crl(der + der)
    with pytest.raises(MalformedCrlError, match="is not a CRL"):
        parse_crl(h.leaf.cert.der)


# --- checking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "hash_name", "pss", "algorithm"),
    [
        ("rsa2048", "sha256", False, "sha256WithRSAEncryption"),
        ("rsa2048", "sha384", True, "rsassaPss"),
        ("p256", "sha256", False, "ecdsa-with-SHA256"),
        ("p384", "sha384", False, "ecdsa-with-SHA384"),
        ("ed25519", None, False, "ED25519"),
    ],
)
def test_crls_of_rsa_ecdsa_and_ed25519_issuers_verify(
    kind: str, hash_name: str | None, pss: bool, algorithm: str
) -> None:
    h = hierarchy(kind)
    crl = parse_crl(make_crl(h.intermediate, [revoked(1)], hash_name=hash_name, pss=pss))
    assert crl.summary.signature_algorithm == algorithm
    assert crl.summary.signature_hash == hash_name
    assert check_crl(crl, h.intermediate.cert, NOW) == []
    # Same name, another key of the same type: the signature does not verify.
    impostor = issue(f"{kind} intermediate", make_key(kind, 7), h.root, path_length=0)
    problems = check_crl(crl, impostor.cert, NOW)
    assert [p.code for p in problems] == [ProblemCode.CRL_BAD_SIGNATURE]
    assert f"has a {algorithm} signature that does not verify" in problems[0].message
    assert problems[0].crl == crl.fingerprint and problems[0].subject == crl.issuer


def test_a_key_of_another_type_is_a_bad_signature_with_both_named() -> None:
    h = hierarchy("p256")
    crl = parse_crl(make_crl(h.intermediate))
    rsa_ca = issue("p256 intermediate", make_key("rsa2048"), h.root, path_length=0)
    (problem,) = check_crl(crl, rsa_ca.cert, NOW)
    assert problem.code is ProblemCode.CRL_BAD_SIGNATURE
    assert "is signed with ecdsa-with-SHA256" in problem.message
    assert "has an RSA key" in problem.message


def test_an_issuer_name_mismatch_is_reported() -> None:
    h = hierarchy("p256")
    crl = parse_crl(make_crl(h.intermediate))
    problems = check_crl(crl, h.root.cert, NOW)
    assert {p.code for p in problems} == {
        ProblemCode.CRL_ISSUER_MISMATCH,
        ProblemCode.CRL_BAD_SIGNATURE,
    }
    assert "checked against 'CN=p256 root" in problems[0].message
    # Signed by the right key but under another name: only the name is wrong.
    renamed = parse_crl(
        make_crl(h.intermediate, issuer_name=x509.Name.from_rfc4514_string("CN=someone else"))
    )
    assert _codes(renamed, h.intermediate.cert) == {"crl_issuer_mismatch"}


def test_names_match_despite_case_and_white_space() -> None:
    h = hierarchy("p256")
    name = x509.Name.from_rfc4514_string("CN=P256  Intermediate,O=CERTGOV test,C=cn")
    crl = parse_crl(make_crl(h.intermediate, issuer_name=name))
    assert check_crl(crl, h.intermediate.cert, NOW) == []


def test_freshness_ecs_3_5() -> None:
    """ECS-3.5: a CRL whose nextUpdate has passed is a finding."""
    h = hierarchy("p256")
    crl = parse_crl(make_crl(h.intermediate))  # NOW - 1 day .. NOW + 7 days
    assert check_crl(crl, h.intermediate.cert, NOW + 7 * DAY) == []
    (stale,) = check_crl(crl, h.intermediate.cert, NOW + 7 * DAY + dt.timedelta(seconds=1))
    assert stale.code is ProblemCode.CRL_STALE
    assert "nextUpdate 2025-10-02T02:00:00+00:00 has passed" in stale.message
    assert _codes(crl, h.intermediate.cert, NOW - 2 * DAY) == {"crl_not_yet_valid"}
    # Any time zone is accepted; a naive one is refused.
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert check_crl(crl, h.intermediate.cert, NOW.astimezone(beijing)) == []
    with pytest.raises(PkiError, match="timezone-aware"):
        check_crl(crl, h.intermediate.cert, NOW.replace(tzinfo=None))


def test_a_crl_without_next_update() -> None:
    for kind in ("rsa2048", "p256", "ed25519"):
        h = hierarchy(kind)
        crl = parse_crl(without_next_update(make_crl(h.intermediate), h.intermediate.key))
        assert crl.summary.next_update is None
        assert crl.summary.as_dict()["next_update"] is None
        assert _codes(crl, h.intermediate.cert) == {"crl_no_next_update"}, kind


def test_an_issuer_without_crl_sign() -> None:
    root = issue("root", make_key("p256"))
    no_crl_sign = issue("no crl sign", make_key("p256", 1), root, key_usage={"key_cert_sign": True})
    crl = parse_crl(make_crl(no_crl_sign))
    (problem,) = check_crl(crl, no_crl_sign.cert, NOW)
    assert problem.code is ProblemCode.KEY_USAGE and "lacks cRLSign" in problem.message
    # Without a keyUsage extension any key may sign CRLs.
    no_usage = issue("no usage", make_key("p256", 2), root, key_usage={})
    assert check_crl(parse_crl(make_crl(no_usage)), no_usage.cert, NOW) == []


def test_unknown_critical_extensions_of_the_crl_and_its_entries() -> None:
    h = hierarchy("p256")
    unknown = x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00")
    entry_unknown = x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.99999.2"), b"\x05\x00")
    crl = parse_crl(
        make_crl(
            h.intermediate,
            [revoked(5, extensions=[(entry_unknown, True)])],
            extensions=[(unknown, True)],
        )
    )
    assert crl.summary.critical_extensions == ("1.3.6.1.4.1.99999.1", "1.3.6.1.4.1.99999.2")
    problems = check_crl(crl, h.intermediate.cert, NOW)
    assert [p.code for p in problems] == [ProblemCode.UNHANDLED_CRITICAL_EXTENSION] * 2
    # Known critical extensions (issuingDistributionPoint, deltaCRLIndicator) are no problem.
    idp = x509.IssuingDistributionPoint(
        [x509.UniformResourceIdentifier("http://crl.example.cn/ca.crl")],
        None,
        False,
        True,
        None,
        False,
        False,
    )
    scoped = parse_crl(make_crl(h.intermediate, extensions=[(idp, True)]))
    assert check_crl(scoped, h.intermediate.cert, NOW) == []
    assert scoped.summary.distribution_point_urls == ("http://crl.example.cn/ca.crl",)
    assert scoped.summary.only_ca_certificates and not scoped.summary.only_user_certificates


def _sha1_crl(issuer: Issued) -> bytes:
    """An RSA CRL re-signed with sha1WithRSAEncryption (pyca/cryptography will not)."""
    sha256_rsa = bytes.fromhex("300d06092a864886f70d01010b0500")
    sha1_rsa = bytes.fromhex("300d06092a864886f70d0101050500")
    crl = x509.load_der_x509_crl(make_crl(issuer))
    tbs = crl.tbs_certlist_bytes.replace(sha256_rsa, sha1_rsa)
    assert isinstance(issuer.key, rsa.RSAPrivateKey)
    signature = issuer.key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    return resign(tbs, sha1_rsa, signature)


def test_the_algorithm_policy_applies_to_the_crl_signature(draft_policy: AlgorithmPolicy) -> None:
    rsa_h = hierarchy("rsa2048")
    assert check_crl(parse_crl(make_crl(rsa_h.intermediate)), rsa_h.intermediate.cert, NOW) == []
    sha1 = parse_crl(_sha1_crl(rsa_h.intermediate))
    assert sha1.summary.signature_algorithm == "sha1WithRSAEncryption"
    # The SHA-1 signature verifies (the hash comes from the CRL), only the policy objects.
    assert check_crl(sha1, rsa_h.intermediate.cert, NOW) == []
    problems = check_crl(sha1, rsa_h.intermediate.cert, NOW, policy=draft_policy)
    assert [p.code for p in problems] == [
        ProblemCode.ALGORITHM_NOT_ALLOWED,
        ProblemCode.HASH_NOT_ALLOWED,
    ]
    assert "is signed with hash sha1; the policy allows" in problems[1].message
    ed = hierarchy("ed25519")
    ed_crl = parse_crl(make_crl(ed.intermediate))
    assert _codes(ed_crl, ed.intermediate.cert, policy=draft_policy) == {"algorithm_not_allowed"}


def test_problems_about_a_crl_serialise_with_the_crl() -> None:
    h = hierarchy("p256")
    crl = parse_crl(make_crl(h.intermediate))
    (problem,) = check_crl(crl, h.intermediate.cert, NOW + 30 * DAY)
    body = problem.as_dict()
    assert body["code"] == "crl_stale" and body["crl"] == crl.fingerprint
    assert body["certificate"] is None and body["subject"] == crl.issuer
    # Certificate problems keep their shape.
    assert "crl" not in Problem(ProblemCode.EXPIRED, "expired").as_dict()
    assert problem.at_position(3).crl == crl.fingerprint


# --- revocation lookup ----------------------------------------------------------------------


def test_revocation_status_by_serial() -> None:
    h = hierarchy("p256")
    leaf = h.leaf.cert
    sibling = issue("sibling", make_key("p256", 3), h.intermediate, ca=False).cert
    crl = parse_crl(make_crl(h.intermediate, [revoked(leaf.summary.serial, NOW, KEY_COMPROMISE)]))
    status = revocation_status(crl, leaf)
    assert status is not None and status.reason == "keyCompromise"
    assert status.revocation_date == NOW
    assert revocation_status(crl, sibling) is None
    # A certificate of another issuer (even with the same serial) is out of scope.
    other = issue("leaf", make_key("p256", 4), h.root, ca=False, serial=leaf.summary.serial).cert
    with pytest.raises(CrlScopeError, match="certificate's issuer is 'CN=p256 root"):
        revocation_status(crl, other)


def test_remove_from_crl_entries_do_not_revoke() -> None:
    h = hierarchy("p256")
    serial = h.leaf.cert.summary.serial
    crl = parse_crl(make_crl(h.intermediate, [revoked(serial, reason=REMOVE)]))
    assert crl.summary.revoked[0].reason == "removeFromCRL"
    assert revocation_status(crl, h.leaf.cert) is None


def test_delta_and_scoped_crls_cannot_answer_alone() -> None:
    h = hierarchy("p256")
    delta = parse_crl(make_crl(h.intermediate, extensions=[(x509.DeltaCRLIndicator(4), True)]))
    assert delta.summary.delta_base == 4
    with pytest.raises(CrlScopeError, match="delta CRL"):
        revocation_status(delta, h.leaf.cert)
    only_ca = x509.IssuingDistributionPoint(None, None, False, True, None, False, False)
    ca_crl = parse_crl(make_crl(h.intermediate, extensions=[(only_ca, True)]))
    with pytest.raises(CrlScopeError, match="covers only CA certificates"):
        revocation_status(ca_crl, h.leaf.cert)
    only_user = x509.IssuingDistributionPoint(None, None, True, False, None, False, False)
    user_crl = parse_crl(make_crl(h.root, extensions=[(only_user, True)]))
    assert (
        revocation_status(user_crl, issue("leaf", make_key("p256", 5), h.root, ca=False).cert)
        is None
    )
    with pytest.raises(CrlScopeError, match="covers only end-entity certificates"):
        revocation_status(user_crl, h.intermediate.cert)


def test_indirect_crl_entries_of_another_issuer_do_not_count() -> None:
    h = hierarchy("p256")
    serial = h.leaf.cert.summary.serial
    other_ca = x509.Name.from_rfc4514_string("CN=other CA,C=CN")
    indirect = x509.IssuingDistributionPoint(None, None, False, False, None, True, False)
    entries = [
        revoked(
            serial,
            reason=KEY_COMPROMISE,
            extensions=[(x509.CertificateIssuer([x509.DirectoryName(other_ca)]), True)],
        ),
        revoked(serial + 1),  # still the other CA's: certificateIssuer carries over
    ]
    crl = parse_crl(make_crl(h.intermediate, entries, extensions=[(indirect, True)]))
    assert crl.summary.indirect
    assert [e.certificate_issuer for e in crl.revoked] == ["CN=other CA,C=CN"] * 2
    assert check_crl(crl, h.intermediate.cert, NOW) == []
    assert revocation_status(crl, h.leaf.cert) is None


# --- SM2 ------------------------------------------------------------------------------------


def test_an_sm2_signed_crl_verifies_with_the_signers_certificate() -> None:
    """The shared SM2 test PKI has no CA private key: the CRL is signed with the key of the
    leaf server_sign.crt under that leaf's name, enough to verify SM2-with-SM3 CRL
    signatures (and the leaf's keyUsage rightly lacks cRLSign)."""
    der, signer = sm2_signed_crl([revoked(42, NOW, KEY_COMPROMISE)], number=9)
    crl = parse_crl(_pem(der))
    assert (crl.summary.signature_algorithm, crl.summary.signature_hash) == ("SM2-with-SM3", "sm3")
    assert crl.summary.signature_algorithm_oid == "1.2.156.10197.1.501"
    assert crl.issuer == signer.subject == "CN=server sign,OU=DD,O=CC,ST=BB,C=AA"
    assert _codes(crl, signer) == {"key_usage"}
    root, _ = sm2_chain()
    assert _codes(crl, root) == {"crl_issuer_mismatch", "crl_bad_signature"}
    # Signed with another SM2 key (client_sign.key) under the same name: does not verify.
    forged, _ = sm2_signed_crl([revoked(42, NOW, KEY_COMPROMISE)], key_file="client_sign.key")
    assert _codes(parse_crl(forged), signer) == {"key_usage", "crl_bad_signature"}
    assert _codes(crl, sm2("client_sign.crt")) == {
        "key_usage",
        "crl_issuer_mismatch",
        "crl_bad_signature",
    }


def test_an_sm2_crl_passes_the_draft_policy_and_tampering_breaks_it(
    draft_policy: AlgorithmPolicy,
) -> None:
    der, signer = sm2_signed_crl([revoked(42)])
    crl = parse_crl(der)
    assert _codes(crl, signer, policy=draft_policy) == {"key_usage"}
    assert crl.tbs.count(b"\x02\x01\x2a") == 1  # the serial 42
    tampered = parse_crl(der.replace(crl.tbs, crl.tbs.replace(b"\x02\x01\x2a", b"\x02\x01\x2b")))
    assert tampered.revoked[0].serial == 43
    assert "crl_bad_signature" in _codes(tampered, signer)
    # Not even a DER SM2 signature: a bad signature, and tongsuopy stays usable.
    garbage = parse_crl(der[: -len(crl.signature)] + b"\x00" * len(crl.signature))
    assert "crl_bad_signature" in _codes(garbage, signer)
    assert _codes(crl, signer) == {"key_usage"}
    # An SM2 CRL checked against an RSA issuer names both.
    rsa_ca = issue(
        "server sign",
        make_key("rsa2048"),
        subject=signer.x509.subject,
    )
    (problem,) = [
        p for p in check_crl(crl, rsa_ca.cert, NOW) if p.code.value == "crl_bad_signature"
    ]
    assert "is signed with SM2-with-SM3, but its issuer" in problem.message
    assert "has an RSA key" in problem.message


# --- fuzzing --------------------------------------------------------------------------------

#: Modest by default; ``CERTGOV_FUZZ_EXAMPLES=5000`` for a longer hunt.
FUZZ = settings(
    max_examples=int(os.environ.get("CERTGOV_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@cache
def crl_seeds() -> tuple[tuple[bytes, Certificate, Certificate], ...]:
    """(CRL DER, its issuer, a certificate to look up) to mutate: RSA with entries and
    extensions, ECDSA, Ed25519, and SM2 when the shared test data is present."""
    rsa_h = hierarchy("rsa2048")
    ec_h = hierarchy("p384")
    ed_h = hierarchy("ed25519")
    invalidity = x509.InvalidityDate(NOW - 3 * DAY)
    idp = x509.IssuingDistributionPoint(
        [x509.UniformResourceIdentifier("http://crl.example.cn/1.crl")],
        None,
        True,
        False,
        None,
        False,
        False,
    )
    seeds = [
        (
            make_crl(
                rsa_h.intermediate,
                [
                    revoked(rsa_h.leaf.cert.summary.serial, NOW, KEY_COMPROMISE),
                    revoked(77, extensions=[(invalidity, False)]),
                ],
                extensions=[(idp, True)],
            ),
            rsa_h.intermediate.cert,
            rsa_h.leaf.cert,
        ),
        (make_crl(ec_h.intermediate, [revoked(3)]), ec_h.intermediate.cert, ec_h.leaf.cert),
        (make_crl(ed_h.root, [revoked(9, reason=REMOVE)]), ed_h.root.cert, ed_h.intermediate.cert),
    ]
    if SM2_DIR.is_dir():
        der, signer = sm2_signed_crl([revoked(42, reason=KEY_COMPROMISE)])
        seeds.append((der, signer, sm2("server_sign.crt")))
    return tuple(seeds)


def _exercise(data: bytes | str) -> None:
    """Parse; on success use the CRL the ways a monitor and a verifier would."""
    try:
        crl = parse_crl(data)
    except PkiError:
        return
    json.dumps(crl.summary.as_dict())
    crl.describe()
    for _, issuer, certificate in crl_seeds():
        for problem in check_crl(crl, issuer, NOW):
            problem.as_dict()
        with contextlib.suppress(CrlScopeError):
            revocation_status(crl, certificate)


@FUZZ
@given(st.binary(max_size=1500))
def test_fuzz_random_bytes(data: bytes) -> None:
    _exercise(data)
    _exercise(b"\x30" + data)


@FUZZ
@given(
    st.sampled_from(["X509 CRL", "CRL", "CERTIFICATE", ""]),
    st.binary(max_size=600),
    st.text(max_size=40),
)
def test_fuzz_random_pem_blocks(label: str, body: bytes, noise: str) -> None:
    text = (
        f"{noise}-----BEGIN {label}-----\n{base64.b64encode(body).decode()}\n-----END {label}-----"
    )
    _exercise(text)
    _exercise(text[: len(text) // 2])


@FUZZ
@given(st.integers(0, 3), st.lists(mutation, min_size=1, max_size=4), st.booleans())
def test_fuzz_mutated_der_and_pem_of_generated_crls(
    seed: int, mutations: list[tuple[str, int, int]], as_pem: bool
) -> None:
    der, _, _ = crl_seeds()[seed % len(crl_seeds())]
    _exercise(mutate(_pem(der) if as_pem else der, mutations))


@FUZZ
@given(st.integers(0, 3), st.integers(0, 4000), st.integers(1, 255))
def test_fuzz_flipped_bytes_never_verify_silently(seed: int, position: int, value: int) -> None:
    der, issuer, _ = crl_seeds()[seed % len(crl_seeds())]
    original = parse_crl(der)
    data = bytearray(der)
    data[position % len(data)] ^= value
    try:
        mutated = parse_crl(bytes(data))
    except PkiError:
        return
    if mutated.tbs == original.tbs and mutated.signature == original.signature:
        return  # the flip hit the outer framing or the outer algorithm identifier only
    codes = {problem.code for problem in check_crl(mutated, issuer, NOW)}
    assert codes & {ProblemCode.CRL_BAD_SIGNATURE, ProblemCode.UNSUPPORTED_ALGORITHM}
