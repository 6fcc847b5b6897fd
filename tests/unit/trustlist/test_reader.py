"""ECS-8.2: reading a foreign ETSI TS 119 612 list safely and verifying its signature against a
pinned certificate, with the real signed list of ``../shared/testdata/trustlist``."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgov.trustlist import (
    MalformedTrustListError,
    TrustListError,
    TrustListSignatureError,
    parse_trusted_list,
    verify_trusted_list,
)
from unit.trustlist.factory import make_signer

AT = dt.datetime(2025, 9, 25, tzinfo=dt.UTC)


def test_ecs_8_2_the_real_list_verifies_and_is_read(real_list: tuple[bytes, bytes]) -> None:
    xml, crt = real_list
    verified = verify_trusted_list(xml, crt, at=AT)
    content = verified.content
    assert verified.xades is True
    assert verified.signed_at == dt.datetime(2020, 6, 3, 9, 6, 1, tzinfo=dt.UTC)
    assert content.scheme_operator == "Information System Authority"
    assert content.territory == "EE"
    assert content.sequence_number == 4
    assert content.issued_at == dt.datetime(2020, 6, 3, 12, 6, 1, tzinfo=dt.UTC)
    assert content.next_update == dt.datetime(2027, 8, 21, 23, 0, tzinfo=dt.UTC)
    assert content.tsl_type.endswith("/EUlistofthelists")
    assert content.providers == ()  # a list of lists: pointers, no providers
    assert [p.territory for p in content.pointers] == ["EE_T"]
    assert content.pointers[0].location == "https://open-eid.github.io/test-TL/EE_T.xml"
    assert len(content.pointers[0].certificates) == 1


def test_ecs_8_2_a_one_byte_change_in_the_signed_content_is_rejected(
    real_list: tuple[bytes, bytes],
) -> None:
    xml, crt = real_list
    index = xml.index(b"Tallinn")
    changed = xml[:index] + b"X" + xml[index + 1 :]
    assert len(changed) == len(xml)
    with pytest.raises(TrustListSignatureError, match=r"does not verify.*Digest mismatch"):
        verify_trusted_list(changed, crt, at=AT)
    # The unsigned reading still works: only the signature tells the change.
    assert parse_trusted_list(changed).territory == "EE"


def test_ecs_8_2_a_sequence_number_changed_is_rejected(real_list: tuple[bytes, bytes]) -> None:
    xml, crt = real_list
    changed = xml.replace(b"<TSLSequenceNumber>4<", b"<TSLSequenceNumber>5<")
    with pytest.raises(TrustListSignatureError):
        verify_trusted_list(changed, crt, at=AT)


def test_ecs_8_2_a_wrong_pinned_certificate_is_rejected(real_list: tuple[bytes, bytes]) -> None:
    xml, _crt = real_list
    _key, other = make_signer("not the EE signer")
    with pytest.raises(TrustListSignatureError, match="not the EE signer"):
        verify_trusted_list(xml, other, at=dt.datetime(2025, 9, 25, 3, tzinfo=dt.UTC))


def test_ecs_8_2_a_pinned_certificate_expired_at_the_time_is_rejected(
    real_list: tuple[bytes, bytes],
) -> None:
    xml, crt = real_list
    with pytest.raises(TrustListSignatureError, match="pinned certificate"):
        verify_trusted_list(xml, crt, at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))


def test_ecs_8_2_an_unsigned_list_is_rejected(real_list: tuple[bytes, bytes]) -> None:
    xml, crt = real_list
    start, end = (
        xml.index(b"<ds:Signature"),
        xml.index(b"</ds:Signature>") + len(b"</ds:Signature>"),
    )
    with pytest.raises(TrustListSignatureError, match="not signed"):
        verify_trusted_list(xml[:start] + xml[end:], crt, at=AT)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"", "found nothing"),
        (b"<a/>", "TrustServiceStatusList"),
        (b"not xml", "well-formed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>',
            "DTD|entity",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><x/>',
            "DTD",
        ),
    ],
)
def test_ecs_8_2_unsafe_or_foreign_documents_are_refused(document: bytes, message: str) -> None:
    _key, certificate = make_signer()
    with pytest.raises(MalformedTrustListError, match=message):
        verify_trusted_list(document, certificate, at=AT)


def test_ecs_8_2_a_list_over_the_size_limit_is_refused_before_parsing(
    real_list: tuple[bytes, bytes],
) -> None:
    xml, crt = real_list
    with pytest.raises(MalformedTrustListError, match="more than the limit of 1000 bytes"):
        verify_trusted_list(xml, crt, max_bytes=1000)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_ecs_8_2_fuzz_mutated_real_list_gives_a_list_or_a_trust_list_error(
    real_list: tuple[bytes, bytes], data: st.DataObject
) -> None:
    """Any byte changed, inserted or cut: the reader answers with content or its own error."""
    xml, crt = real_list
    mutated = bytearray(xml)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "insert", "cut"]))
        position = data.draw(st.integers(0, len(mutated) - 1))
        if kind == "flip":
            mutated[position] = data.draw(st.integers(0, 255))
        elif kind == "insert":
            mutated[position:position] = data.draw(st.binary(min_size=1, max_size=8))
        else:
            del mutated[position : position + data.draw(st.integers(1, 200))]
    for read in (
        lambda: verify_trusted_list(bytes(mutated), crt, at=AT),
        lambda: parse_trusted_list(bytes(mutated)),
    ):
        with contextlib.suppress(TrustListError):
            read()


_TAGS = [
    "SchemeInformation",
    "TSLSequenceNumber",
    "SchemeTerritory",
    "ListIssueDateTime",
    "NextUpdate",
    "dateTime",
    "SchemeOperatorName",
    "Name",
    "TrustServiceProviderList",
    "TrustServiceProvider",
    "TSPInformation",
    "TSPName",
    "TSPServices",
    "TSPService",
    "ServiceInformation",
    "ServiceTypeIdentifier",
    "ServiceStatus",
    "StatusStartingTime",
    "ServiceDigitalIdentity",
    "DigitalId",
    "X509Certificate",
    "ServiceHistory",
    "ServiceHistoryInstance",
    "TSLVersionIdentifier",
]


@st.composite
def _elements(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    if depth > 3 or draw(st.booleans()):
        text = draw(st.text(alphabet="0123456789-:TZ+/=ABCabc .", max_size=30))
        return f"<{tag}>{text}</{tag}>"
    children = draw(st.lists(_elements(depth + 1), max_size=4))
    return f"<{tag}>{''.join(children)}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(body=st.lists(_elements(), max_size=5))
def test_ecs_8_2_fuzz_structured_lists_give_a_list_or_a_trust_list_error(body: list[str]) -> None:
    document = (
        '<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#">'
        + "".join(body)
        + "</TrustServiceStatusList>"
    ).encode()
    with contextlib.suppress(TrustListError):
        parse_trusted_list(document)


@settings(max_examples=200, deadline=None)
@given(document=st.binary(max_size=300))
def test_ecs_8_2_fuzz_random_bytes_give_a_trust_list_error(document: bytes) -> None:
    _key, certificate = _SIGNER
    with pytest.raises(TrustListError):
        verify_trusted_list(document, certificate, at=AT)


_SIGNER = make_signer()
