"""Fixtures of the PKI tests; the certificate factory is :mod:`unit.pki.factory`."""

from __future__ import annotations

import pytest

from certgov.pki import AlgorithmPolicy
from certgov.rules import load_rule_sets


@pytest.fixture(scope="session")
def draft_policy() -> AlgorithmPolicy:
    """The algorithm policy of the 2024 draft Measures (ECS-3.4)."""
    return AlgorithmPolicy.from_rule_set(load_rule_sets()["measures-2024-draft"])
