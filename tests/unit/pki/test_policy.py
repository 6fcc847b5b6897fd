"""The algorithm policy read from a rule set (ECS-3.4), alone and inside chains."""

from __future__ import annotations

import pytest

from certgov.errors import ConfigurationError
from certgov.pki import AlgorithmPolicy, KeyAlgorithm, ProblemCode, verify_chain
from certgov.rules import load_rule_sets, loads_rule_set
from unit.pki.factory import NOW, hierarchy, issue, make_key, resign_sha1, sm2_chain


def test_the_policy_comes_from_the_rule_set_parameters(draft_policy: AlgorithmPolicy) -> None:
    """ECS-3.4: key sizes, curves, hashes and signature algorithms of filings."""
    assert draft_policy.rsa_min_bits == 2048
    assert draft_policy.allowed_curves == {"secp256r1", "secp384r1", "secp521r1", "sm2p256v1"}
    assert {"sha256", "sm3"} <= draft_policy.allowed_hashes
    assert "sha1" not in draft_policy.allowed_hashes
    assert {"SM2-with-SM3", "rsassaPss", "ecdsa-with-SHA256"} <= (
        draft_policy.allowed_signature_algorithms
    )
    assert AlgorithmPolicy.from_rule_set(load_rule_sets()["measures-2015"]) == draft_policy


def test_a_rule_set_without_the_parameters_is_a_configuration_error() -> None:
    bare = loads_rule_set(
        'id = "bare"\ntitle = "t"\nregime = "ecs"\nstatus = "draft"\nsource = "s"\n'
        "[parameters.rsa_min_bits]\n"
        'kind = "count"\nvalue = 2048\nsource = "s"\nrequirements = ["ECS-3.4"]\nassumed = false\n'
    )
    with pytest.raises(ConfigurationError, match="has no parameter 'allowed_curves'"):
        AlgorithmPolicy.from_rule_set(bare)


def test_allowed_algorithms_pass(draft_policy: AlgorithmPolicy) -> None:
    for cert in sm2_chain():
        assert draft_policy.check(cert) == []
    for kind in ("rsa2048", "p256", "p384", "p521"):
        assert draft_policy.check(hierarchy(kind).leaf.cert) == []
    pss = issue("pss", make_key("rsa2048"), hash_name="sha512", pss=True).cert
    assert draft_policy.check(pss) == []


def test_rsa_1024_is_too_small(draft_policy: AlgorithmPolicy) -> None:
    small = issue("small", make_key("rsa1024")).cert
    (problem,) = draft_policy.check(small, position=0)
    assert problem.code is ProblemCode.KEY_TOO_SMALL and problem.position == 0
    assert "has a 1024-bit RSA key; the policy requires at least 2048 bits" in problem.message


def test_other_curves_and_ed25519_are_not_allowed_by_the_draft(
    draft_policy: AlgorithmPolicy,
) -> None:
    k256 = issue("k256", make_key("k256")).cert
    assert [p.code for p in draft_policy.check(k256)] == [ProblemCode.CURVE_NOT_ALLOWED]
    ed = issue("ed", make_key("ed25519")).cert
    assert [p.code for p in draft_policy.check(ed)] == [
        ProblemCode.CURVE_NOT_ALLOWED,
        ProblemCode.ALGORITHM_NOT_ALLOWED,
    ]
    with_ed = AlgorithmPolicy.of(
        rsa_min_bits=2048,
        allowed_curves={"ed25519"},
        allowed_hashes=set(),
        allowed_signature_algorithms={"ED25519"},
    )
    assert with_ed.check(ed) == []


def test_dsa_keys_are_not_allowed_but_their_signatures_verify(
    draft_policy: AlgorithmPolicy,
) -> None:
    root = issue("dsa root", make_key("dsa2048"))
    leaf = issue("leaf", make_key("p256"), root, ca=False)
    assert root.cert.summary.key_algorithm is KeyAlgorithm.DSA
    assert root.cert.summary.key_size == 2048
    assert leaf.cert.summary.signature_algorithm == "dsa_with_SHA256"
    result = verify_chain(leaf.cert, anchors=[root.cert], at=NOW, policy=draft_policy)
    assert [(p.code, p.position) for p in result.problems] == [
        (ProblemCode.ALGORITHM_NOT_ALLOWED, 0),
        (ProblemCode.ALGORITHM_NOT_ALLOWED, 1),
    ]
    assert "is signed with dsa_with_SHA256" in result.problems[0].message
    assert "has a dsa key" in result.problems[1].message


def test_sha1_is_refused_by_hash_and_by_algorithm_but_still_verifies(
    draft_policy: AlgorithmPolicy,
) -> None:
    h = hierarchy("rsa2048")
    sha1_leaf = resign_sha1(h.leaf, h.intermediate)
    assert sha1_leaf.summary.signature_algorithm == "sha1WithRSAEncryption"
    result = verify_chain(
        sha1_leaf,
        anchors=[h.root.cert],
        intermediates=[h.intermediate.cert],
        at=NOW,
        policy=draft_policy,
    )
    assert [(p.code, p.position) for p in result.problems] == [
        (ProblemCode.ALGORITHM_NOT_ALLOWED, 0),
        (ProblemCode.HASH_NOT_ALLOWED, 0),
    ]
    assert "is signed with sha1WithRSAEncryption" in result.problems[0].message


def test_inside_a_chain_every_certificate_is_held_to_the_policy_but_the_anchors_signature(
    draft_policy: AlgorithmPolicy,
) -> None:
    root = issue("root", make_key("rsa2048"))
    sha1_root = resign_sha1(root, root)  # a legacy root: its self-signature is not relied on
    small_sub = issue("sub", make_key("rsa1024"), root)
    leaf = issue("leaf", make_key("p256"), small_sub, ca=False)
    result = verify_chain(
        leaf.cert,
        anchors=[sha1_root],
        intermediates=[small_sub.cert],
        at=NOW,
        policy=draft_policy,
    )
    assert [(p.code, p.position) for p in result.problems] == [(ProblemCode.KEY_TOO_SMALL, 1)]
    assert draft_policy.check(sha1_root, signature=False) == []
    assert {p.code for p in draft_policy.check(sha1_root)} == {
        ProblemCode.ALGORITHM_NOT_ALLOWED,
        ProblemCode.HASH_NOT_ALLOWED,
    }
