"""Fixtures of the signed-document tests: the shared signed PDFs and their test PKI, the
shared SM2 PKI, and times inside and outside their validity."""

from __future__ import annotations

import datetime as dt

import pytest

from certgov.docsig import AnchorTrustEvaluator
from certgov.pki import Certificate, parse_bundle
from unit.docsig.builders import SIGNED_DIR, SM2_DIR, shared

#: Inside the validity of the shared PDF signers (2020-01-01 to 2021-01-01 and 2022-01-01).
IN_2020 = dt.datetime(2020, 12, 1, tzinfo=dt.UTC)
#: After every shared PDF signer certificate expired.
IN_2030 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
#: Inside the validity of the shared SM2 PKI (2023 to 2123).
SM2_NOW = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)


def pdf(name: str) -> bytes:
    return shared(SIGNED_DIR, name)


@pytest.fixture(scope="session")
def pdf_root() -> Certificate:
    return parse_bundle(shared(SIGNED_DIR, "root.cert.pem"))[0]


@pytest.fixture(scope="session")
def pdf_evaluator(pdf_root: Certificate) -> AnchorTrustEvaluator:
    return AnchorTrustEvaluator([pdf_root])


@pytest.fixture(scope="session")
def sm2_evaluator() -> AnchorTrustEvaluator:
    root, sub = parse_bundle(shared(SM2_DIR, "chain-ca.crt"))
    return AnchorTrustEvaluator([root], [sub])
