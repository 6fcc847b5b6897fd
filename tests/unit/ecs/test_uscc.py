"""Unified social credit codes, GB 32100-2015 (ECS-2.1: a valid code for the legal person)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certgov.ecs.uscc import ALPHABET, check_character, check_uscc

# Real, published codes of well-known companies (their check characters are public facts).
VALID = ["91330100716105852F", "91110000600037341L", "91350100M000100Y43"]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_are_valid(code: str) -> None:
    """ECS-2.1: real codes pass the check-digit test."""
    result = check_uscc(code)
    assert result.valid, result.reasons
    assert result.expected_check_character == code[-1]


@pytest.mark.parametrize("code", VALID)
def test_a_corrupted_check_character_names_the_expected_one(code: str) -> None:
    """ECS-2.1: a wrong code is rejected naming the expected check character."""
    wrong = ALPHABET[(ALPHABET.index(code[-1]) + 1) % 31]
    result = check_uscc(code[:-1] + wrong)
    assert not result.valid
    assert result.expected_check_character == code[-1]
    assert f"gives {code[-1]!r}" in result.reasons[0]


def test_a_corrupted_body_character_is_detected() -> None:
    code = VALID[0]
    corrupted = code[:5] + ("1" if code[5] != "1" else "2") + code[6:]
    assert not check_uscc(corrupted).valid


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("9133010071610585", "18 characters"),
        ("91330100716105852FX", "18 characters"),
        ("91330100716105852O", "not allowed"),
        ("9133010071610585-F", "not allowed"),
        ("X1330100716105852F", "registration-authority"),
        ("95330100716105852F", "organisation type"),
        ("9133A100716105852F", "six digits"),
    ],
)
def test_malformed_codes_say_why(code: str, fragment: str) -> None:
    result = check_uscc(code)
    assert not result.valid
    assert any(fragment in r for r in result.reasons), result.reasons


def test_lower_case_and_spaces_are_normalised() -> None:
    assert check_uscc("  91330100716105852f ").valid


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_the_computed_check_character_always_validates(body: str) -> None:
    code = body + check_character(body)
    result = check_uscc(code)
    assert result.expected_check_character == code[-1]
    assert not any("check character" in r for r in result.reasons)


@given(st.text(max_size=40))
def test_any_text_gets_an_answer_never_an_exception(text: str) -> None:
    """Fuzz: the checker never raises on arbitrary input."""
    result = check_uscc(text)
    assert result.valid or result.reasons


def test_check_character_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="17 characters"):
        check_character("123")
