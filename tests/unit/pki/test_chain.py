"""Path building and validation: SM2 test PKI, generated RSA/ECDSA/Ed25519 hierarchies, and
each thing that can be wrong with a path, reported together."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID, ObjectIdentifier

from certgov.pki import (
    AlgorithmPolicy,
    ChainVerifier,
    PkiError,
    ProblemCode,
    parse_certificate,
    verify_chain,
    verify_path,
)
from certgov.pki.signature import load_public_key
from unit.pki.factory import NOW, YEAR, hierarchy, issue, make_key, sm2, sm2_chain

SM2_GOOD = ["client_sign.crt", "client_enc.crt", "server_sign.crt", "server_enc.crt"]
SM2_EXPIRED = [
    "client_sign_expire.crt",
    "client_enc_expire.crt",
    "server_sign_expire.crt",
    "server_enc_expire.crt",
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- the SM2 test PKI -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SM2_GOOD)
def test_sm2_leaves_verify_against_the_chain(name: str) -> None:
    root, sub = sm2_chain()
    result = verify_chain(sm2(name), anchors=[root], intermediates=[sub], at=_now())
    assert result.ok and result.anchored and result.problems == ()
    assert result.path == (sm2(name), sub, root)


@pytest.mark.parametrize("name", SM2_EXPIRED)
def test_expired_sm2_leaves_fail_as_expired_only(name: str) -> None:
    root, sub = sm2_chain()
    result = verify_chain(sm2(name), anchors=[root], intermediates=[sub], at=_now())
    assert not result.ok and result.anchored
    assert [p.code for p in result.problems] == [ProblemCode.EXPIRED]
    assert result.problems[0].position == 0 and "expired at" in result.problems[0].message


def test_sm2_leaf_of_another_pki_or_without_its_sub_ca_has_no_path() -> None:
    root, sub = sm2_chain()
    other = verify_chain(sm2("server_sign2.crt"), anchors=[root], intermediates=[sub], at=_now())
    assert not other.ok and not other.anchored and other.codes == {ProblemCode.NO_PATH}
    assert "names issuer 'CN=SUBCA SM2" in other.problems[0].message
    alone = verify_chain(sm2("server_sign.crt"), anchors=[root], at=_now())
    assert alone.codes == {ProblemCode.NO_PATH}
    # The sub-CA as trust anchor is enough; the sub-CA's own filing verifies against the root.
    assert verify_chain(sm2("server_sign.crt"), anchors=[sub], at=_now()).ok
    assert verify_chain(sub, anchors=[root], at=_now()).ok


def test_sm2_chain_meets_the_draft_measures_algorithm_policy(draft_policy: AlgorithmPolicy) -> None:
    root, sub = sm2_chain()
    result = verify_chain(
        sm2("client_sign.crt"),
        anchors=[root],
        intermediates=[sub],
        at=_now(),
        policy=draft_policy,
        required_key_usage=["digitalSignature"],
    )
    assert result.ok, result.problems


def test_a_tampered_sm2_leaf_fails_its_signature() -> None:
    root, sub = sm2_chain()
    leaf = sm2("client_sign.crt")
    tampered = parse_certificate(leaf.der.replace(b"client sign", b"client sigm"))
    result = verify_chain(tampered, anchors=[root], intermediates=[sub], at=_now())
    assert result.codes == {ProblemCode.BAD_SIGNATURE} and result.anchored


# -- generated hierarchies ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "p384", "p521", "ed25519"])
def test_generated_hierarchies_verify(kind: str) -> None:
    h = hierarchy(kind)
    result = verify_chain(
        h.leaf.cert, anchors=[h.root.cert], intermediates=[h.intermediate.cert], at=NOW
    )
    assert result.ok, result.problems
    assert result.path == (h.leaf.cert, h.intermediate.cert, h.root.cert)
    assert result.as_dict()["path"][2]["subject"] == h.root.cert.subject


def test_a_trust_anchor_as_target_is_its_own_path() -> None:
    h = hierarchy("p256")
    result = verify_chain(h.root.cert, anchors=[h.root.cert], at=NOW)
    assert result.ok and result.path == (h.root.cert,)


def test_path_length_is_exceeded_below_a_pathlen_zero_ca() -> None:
    root = issue("root", make_key("p256"), path_length=0)
    first = issue("first", make_key("p256", 1), root)
    second = issue("second", make_key("p256", 2), first)
    leaf = issue("leaf", make_key("p256", 3), second, ca=False)
    result = verify_chain(
        leaf.cert, anchors=[root.cert], intermediates=[first.cert, second.cert], at=NOW
    )
    assert result.codes == {ProblemCode.PATH_LENGTH_EXCEEDED}
    (problem,) = result.problems
    assert problem.position == 3 and "CN=root" in problem.message
    assert "allows 0 intermediate CA certificate(s) below it" in problem.message


def test_self_issued_intermediates_do_not_count_against_path_length() -> None:
    root = issue("root", make_key("p256"), path_length=1)
    old = issue("sub", make_key("p256", 1), root, path_length=0)
    # Key rollover: the new sub-CA key certified under the old one, same name.
    rollover = issue("sub", make_key("p256", 2), old)
    leaf = issue("leaf", make_key("p256", 3), rollover, ca=False)
    assert rollover.cert.summary.is_self_issued
    result = verify_chain(
        leaf.cert, anchors=[root.cert], intermediates=[old.cert, rollover.cert], at=NOW
    )
    assert result.ok, result.problems
    assert len(result.path) == 4


def test_a_non_ca_issuer_and_a_missing_key_cert_sign_are_both_reported() -> None:
    root = issue("root", make_key("rsa2048"))
    not_ca = issue("not a ca", make_key("rsa2048", 1), root, ca=False)
    leaf = issue("leaf", make_key("rsa2048", 2), not_ca, ca=False)
    result = verify_chain(leaf.cert, anchors=[root.cert], intermediates=[not_ca.cert], at=NOW)
    assert result.codes == {ProblemCode.ISSUER_NOT_CA, ProblemCode.KEY_USAGE}
    assert all(p.position == 1 for p in result.problems)
    assert "issued 'CN=leaf" in result.problems[0].message


def test_a_ca_without_key_cert_sign_fails_key_usage() -> None:
    root = issue("root", make_key("p256"))
    crl_only = issue("crl signer", make_key("p256", 1), root, key_usage={"crl_sign": True})
    leaf = issue("leaf", make_key("p256", 2), crl_only, ca=False)
    result = verify_chain(leaf.cert, anchors=[root.cert], intermediates=[crl_only.cert], at=NOW)
    assert result.codes == {ProblemCode.KEY_USAGE}
    assert "lacks keyCertSign" in result.problems[0].message


def test_a_ca_without_key_usage_may_sign() -> None:
    root = issue("root", make_key("p256"), key_usage={})
    leaf = issue("leaf", make_key("p256", 1), root, ca=False)
    assert verify_chain(leaf.cert, anchors=[root.cert], at=NOW).ok


def test_every_validity_problem_in_the_path_is_reported() -> None:
    root = issue("root", make_key("p256"))
    expired = issue("old sub", make_key("p256", 1), root, not_after=NOW - dt.timedelta(days=1))
    future = issue(
        "future leaf", make_key("p256", 2), expired, ca=False, not_before=NOW + dt.timedelta(days=1)
    )
    result = verify_chain(future.cert, anchors=[root.cert], intermediates=[expired.cert], at=NOW)
    assert [(p.code, p.position) for p in result.problems] == [
        (ProblemCode.NOT_YET_VALID, 0),
        (ProblemCode.EXPIRED, 1),
    ]
    assert "CN=future leaf" in result.problems[0].message
    assert "CN=old sub" in result.problems[1].message


def test_an_expired_trust_anchor_is_reported() -> None:
    h = hierarchy("p256")
    later = NOW + 2 * YEAR
    result = verify_chain(
        h.leaf.cert, anchors=[h.root.cert], intermediates=[h.intermediate.cert], at=later
    )
    assert [p.position for p in result.problems] == [0, 1, 2]
    assert result.codes == {ProblemCode.EXPIRED}


def test_a_same_name_issuer_with_another_key_fails_the_signature() -> None:
    root = issue("root", make_key("p256"))
    right = issue("sub", make_key("p256", 1), root)
    impostor = issue("sub", make_key("p256", 2), root)
    leaf = issue("leaf", make_key("p256", 3), right, ca=False)
    wrong = verify_chain(leaf.cert, anchors=[root.cert], intermediates=[impostor.cert], at=NOW)
    assert wrong.codes == {ProblemCode.BAD_SIGNATURE} and wrong.path[1] == impostor.cert
    # With both present the builder finds the right one, whatever the order.
    for pool in ([impostor.cert, right.cert], [right.cert, impostor.cert]):
        assert verify_chain(leaf.cert, anchors=[root.cert], intermediates=pool, at=NOW).ok


def test_a_cross_signed_intermediate_chains_to_whichever_root_is_trusted() -> None:
    old_root = issue("old root", make_key("rsa2048"))
    new_root = issue("new root", make_key("p384"))
    sub_key = make_key("p256", 5)
    by_old = issue("sub", sub_key, old_root)
    by_new = issue("sub", sub_key, new_root)
    leaf = issue("leaf", make_key("p256", 6), by_new, ca=False)
    pool = [by_old.cert, by_new.cert]
    for anchor in (old_root.cert, new_root.cert):
        result = verify_chain(leaf.cert, anchors=[anchor], intermediates=pool, at=NOW)
        assert result.ok and result.path[-1] == anchor


def test_mutually_cross_certified_cas_without_an_anchor_terminate_with_no_path() -> None:
    a_key, b_key = make_key("p256", 7), make_key("p256", 8)
    a = issue("a", a_key)
    b = issue("b", b_key, a)
    a_by_b = issue("a", a_key, b)
    leaf = issue("leaf", make_key("p256", 9), b, ca=False)
    stranger = issue("stranger", make_key("p256", 10))
    result = verify_chain(
        leaf.cert, anchors=[stranger.cert], intermediates=[a.cert, b.cert, a_by_b.cert], at=NOW
    )
    assert not result.ok and not result.anchored and ProblemCode.NO_PATH in result.codes


def test_verify_path_checks_the_given_order_and_the_anchor() -> None:
    h = hierarchy("p256")
    good = verify_path(
        [h.leaf.cert, h.intermediate.cert, h.root.cert], anchors=[h.root.cert], at=NOW
    )
    assert good.ok
    swapped = verify_path(
        [h.intermediate.cert, h.leaf.cert, h.root.cert], anchors=[h.root.cert], at=NOW
    )
    assert ProblemCode.NAME_MISMATCH in swapped.codes
    assert ProblemCode.BAD_SIGNATURE in swapped.codes
    unanchored = verify_path([h.leaf.cert, h.intermediate.cert], anchors=[h.root.cert], at=NOW)
    assert unanchored.codes == {ProblemCode.NO_PATH} and not unanchored.anchored
    with pytest.raises(PkiError, match="at least one certificate"):
        verify_path([], anchors=[h.root.cert], at=NOW)


def test_required_key_usage_of_the_target() -> None:
    h = hierarchy("p256")
    verifier = ChainVerifier([h.root.cert], [h.intermediate.cert])
    assert verifier.verify(h.leaf.cert, NOW, required_key_usage=["nonRepudiation"]).ok
    result = verifier.verify(h.leaf.cert, NOW, required_key_usage=["keyEncipherment"])
    assert result.codes == {ProblemCode.KEY_USAGE}
    assert "lacks keyUsage keyEncipherment" in result.problems[0].message


def test_name_constraints_of_an_intermediate() -> None:
    root = issue("root", make_key("p256"))
    constraints = x509.NameConstraints(
        permitted_subtrees=[
            x509.DNSName("example.cn"),
            x509.DirectoryName(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certgov test"),
                    ]
                )
            ),
        ],
        excluded_subtrees=[
            x509.DNSName("bad.example.cn"),
            x509.IPAddress(ipaddress.ip_network("10.0.0.0/8")),
        ],
    )
    sub = issue("sub", make_key("p256", 1), root, extensions=[(constraints, True)])

    def leaf(*names: x509.GeneralName, org: str = "certgov test") -> ChainVerifier:
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                x509.NameAttribute(NameOID.COMMON_NAME, "leaf"),
            ]
        )
        extensions = [(x509.SubjectAlternativeName(list(names)), False)] if names else []
        cert = issue(
            "leaf", make_key("p256", 2), sub, ca=False, subject=subject, extensions=extensions
        )
        return verifier.verify(cert.cert, NOW)

    verifier = ChainVerifier([root.cert], [sub.cert])
    assert leaf(
        x509.DNSName("www.example.cn"), x509.IPAddress(ipaddress.ip_address("192.0.2.1"))
    ).ok
    outside = leaf(x509.DNSName("www.example.com"))
    assert outside.codes == {ProblemCode.NAME_CONSTRAINTS}
    assert (
        "DNSName 'www.example.com', outside the permitted subtrees" in outside.problems[0].message
    )
    excluded = leaf(
        x509.DNSName("x.bad.example.cn"), x509.IPAddress(ipaddress.ip_address("10.1.2.3"))
    )
    assert [p.code for p in excluded.problems] == [ProblemCode.NAME_CONSTRAINTS] * 2
    other_org = leaf(org="someone else")
    assert other_org.codes == {ProblemCode.NAME_CONSTRAINTS}
    assert "directoryName" in other_org.problems[0].message


def test_an_unknown_critical_extension_is_reported() -> None:
    root = issue("root", make_key("p256"))
    odd = x509.UnrecognizedExtension(ObjectIdentifier("1.2.3.4.5"), b"\x05\x00")
    leaf = issue("leaf", make_key("p256", 1), root, ca=False, extensions=[(odd, True)])
    result = verify_chain(leaf.cert, anchors=[root.cert], at=NOW)
    assert result.codes == {ProblemCode.UNHANDLED_CRITICAL_EXTENSION}
    assert "1.2.3.4.5" in result.problems[0].message


def test_a_naive_time_is_refused() -> None:
    h = hierarchy("p256")
    with pytest.raises(PkiError, match="timezone-aware"):
        verify_chain(h.leaf.cert, anchors=[h.root.cert], at=dt.datetime(2025, 1, 1))


def test_a_verifier_caches_keys_and_pool_signatures_across_targets() -> None:
    h = hierarchy("p256")
    verifier = ChainVerifier([h.root.cert], [h.intermediate.cert])
    others = [
        issue(f"leaf {n}", make_key("p256", 20 + n), h.intermediate, ca=False).cert
        for n in range(3)
    ]
    assert all(verifier.verify(leaf, NOW).ok for leaf in [h.leaf.cert, *others])
    assert load_public_key(h.intermediate.cert) is load_public_key(h.intermediate.cert)
    assert list(verifier._signatures) == [(h.intermediate.cert.der, h.root.cert.der)]


def test_per_call_intermediates_are_used_for_that_call_only() -> None:
    h = hierarchy("p256")
    verifier = ChainVerifier([h.root.cert])
    assert verifier.verify(h.leaf.cert, NOW, intermediates=[h.intermediate.cert]).ok
    assert verifier.verify(h.leaf.cert, NOW).codes == {ProblemCode.NO_PATH}


def test_problems_serialise() -> None:
    root, sub = sm2_chain()
    result = verify_chain(
        sm2("client_sign_expire.crt"), anchors=[root], intermediates=[sub], at=_now()
    )
    body = result.as_dict()
    assert body["ok"] is False and body["problems"][0]["code"] == "expired"
    assert body["problems"][0]["subject"] == "CN=client sign,OU=DD,O=CC,ST=BB,C=AA"


def test_email_uri_and_unsupported_name_constraints() -> None:
    root = issue("root", make_key("p256"))
    upn = ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
    constraints = x509.NameConstraints(
        permitted_subtrees=[
            x509.RFC822Name(".example.cn"),
            x509.RFC822Name("ca.cn"),
            x509.UniformResourceIdentifier(".example.cn"),
        ],
        excluded_subtrees=[
            x509.RFC822Name("boss@ca.cn"),
            x509.OtherName(upn, b"\x0c\x00"),
        ],
    )
    sub = issue("sub", make_key("p256", 1), root, extensions=[(constraints, True)])
    verifier = ChainVerifier([root.cert], [sub.cert])

    def problems(*names: x509.GeneralName, email: str | None = None) -> list[str]:
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, "leaf")]
        if email:
            attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
        cert = issue(
            "leaf",
            make_key("p256", 2),
            sub,
            ca=False,
            subject=x509.Name(attributes),
            extensions=[(x509.SubjectAlternativeName(list(names)), False)],
        )
        return [p.message for p in verifier.verify(cert.cert, NOW).problems]

    assert (
        problems(
            x509.RFC822Name("a@mail.example.cn"),
            x509.RFC822Name("b@ca.cn"),
            x509.UniformResourceIdentifier("https://www.example.cn/x"),
            email="c@ca.cn",
        )
        == []
    )
    (outside,) = problems(x509.RFC822Name("a@example.com"))
    assert "RFC822Name 'a@example.com', outside the permitted subtrees" in outside
    (excluded,) = problems(x509.RFC822Name("zz@ca.cn"), email="boss@ca.cn")
    assert "inside the excluded subtree RFC822Name 'boss@ca.cn'" in excluded
    (uri,) = problems(x509.UniformResourceIdentifier("https://example.cn/"))
    assert "outside the permitted subtrees" in uri
    (other,) = problems(x509.OtherName(upn, b"\x0c\x03a@b"))
    assert "whose form certgov cannot check" in other


def test_name_constraints_skip_self_issued_intermediates_but_not_the_target() -> None:
    root = issue("root", make_key("p256"))
    constraints = x509.NameConstraints(
        permitted_subtrees=[
            x509.DirectoryName(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]))
        ],
        excluded_subtrees=None,
    )
    elsewhere = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")])
    # The constrained CA's own name, and so its self-issued rollover's, lie outside C=CN:
    # only the target is reported.
    sub = issue(
        "sub", make_key("p256", 1), root, subject=elsewhere, extensions=[(constraints, True)]
    )
    rollover = issue("sub", make_key("p256", 2), sub, subject=elsewhere)
    leaf_name = x509.Name([*elsewhere, x509.NameAttribute(NameOID.COMMON_NAME, "leaf")])
    leaf = issue("leaf", make_key("p256", 3), rollover, ca=False, subject=leaf_name)
    assert rollover.cert.summary.is_self_issued
    result = verify_chain(
        leaf.cert, anchors=[root.cert], intermediates=[sub.cert, rollover.cert], at=NOW
    )
    assert [(p.code, p.position) for p in result.problems] == [(ProblemCode.NAME_CONSTRAINTS, 0)]


def test_a_shared_signature_cache_spares_verifiers_the_same_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Verifiers given one signature cache check each (subject, issuer) signature once; a bad
    signature is remembered as bad."""
    from certgov.pki import chain as chain_module

    h = hierarchy("p256", slot=20)
    calls: list[str] = []
    real = chain_module.check_signature

    def counting(subject: Any, issuer: Any) -> Any:
        calls.append(subject.subject)
        return real(subject, issuer)

    monkeypatch.setattr(chain_module, "check_signature", counting)
    shared: dict[tuple[bytes, bytes], Any] = {}
    for _ in range(3):
        verifier = ChainVerifier([h.root.cert], [h.intermediate.cert], signatures=shared)
        assert verifier.verify(h.leaf.cert, NOW).ok
    assert len(calls) == 2 and len(shared) == 2
    tampered = parse_certificate(h.leaf.cert.der[:-8] + bytes(8))
    for _ in range(2):
        verifier = ChainVerifier([h.root.cert], [h.intermediate.cert], signatures=shared)
        assert verifier.verify(tampered, NOW).codes == {ProblemCode.BAD_SIGNATURE}
    assert len(calls) == 3
