"""Hypothesis fuzzing of the CMS reader and the PDF entry point: whatever the bytes, the
answer is a report or a certgov error, never another exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgov.docsig import AnchorTrustEvaluator, DocumentReport, Limits, validate_cms, validate_pdf
from certgov.docsig.cms import CmsFormatError, parse_signed_data
from certgov.errors import CertgovError
from unit.docsig.builders import cms_signed_data, sm2_signer
from unit.docsig.conftest import IN_2020, SM2_NOW, pdf

LIMITS = Limits(max_der_depth=24, max_der_elements=5_000)
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    """``seed`` with a few bytes overwritten, truncated or extended."""

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 4))):
            position = draw(st.integers(0, len(data) - 1))
            data[position] = draw(st.integers(0, 255))
        cut = draw(st.integers(len(data) // 2, len(data)))
        return bytes(data[:cut]) + draw(st.binary(max_size=8))

    return mutate()


@pytest.fixture(scope="module")
def sm2_cms() -> bytes:
    certificate, sign = sm2_signer()
    return cms_signed_data(b"fuzzed contract", certificate, sign, signing_time=SM2_NOW)


@FUZZ
@given(data=st.binary(max_size=400))
def test_cms_reader_on_random_bytes(data: bytes) -> None:
    try:
        parse_signed_data(b"\x30" + data, LIMITS)
    except CmsFormatError as error:
        assert error.reason.sub_indication is not None


@FUZZ
@given(data=st.data())
def test_cms_validation_on_mutated_sm2_cms(
    data: st.DataObject, sm2_cms: bytes, sm2_evaluator: AnchorTrustEvaluator
) -> None:
    mutated = data.draw(_mutations(sm2_cms))
    try:
        report = validate_cms(
            mutated, evaluator=sm2_evaluator, validation_time=SM2_NOW, limits=LIMITS
        )
    except CertgovError:
        return
    assert isinstance(report, DocumentReport)
    report.as_dict()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_pdf_entry_point_on_mutated_signed_pdf(
    data: st.DataObject, pdf_evaluator: AnchorTrustEvaluator
) -> None:
    mutated = data.draw(_mutations(pdf("sig-no-signed-attrs.pdf")))
    try:
        report = validate_pdf(mutated, evaluator=pdf_evaluator, validation_time=IN_2020)
    except CertgovError:
        return
    report.as_dict()
