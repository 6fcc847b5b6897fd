"""Unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters: registration-authority code (1), organisation-type code (1),
administrative-division code (6, GB/T 2260), organisation code (9, GB 11714) and a check
character (1). The check character is computed over the first 17 characters with modulus 31
and weights 3**i mod 31 (GB 32100-2015 §5). Used by ECS-2.1 (independent legal person with a
valid code) and for every party in the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from certgov.i18n import N_
from certgov.text import Term, Text

#: The 31 characters of the code (GB 32100-2015 Table 1): digits and capitals without I O S V Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

#: Registration-management departments and the organisation types each may assign
#: (GB 32100-2015 Table 2).
AUTHORITY_TYPES: dict[str, tuple[str, str]] = {
    "1": (N_("organisation-establishment authorities"), "1239"),
    "5": (N_("civil-affairs authorities"), "1239"),
    "9": (N_("industry and commerce (market regulation) authorities"), "123"),
    "Y": (N_("other registration authorities"), "1"),
    "2": (N_("foreign-affairs authorities"), "19"),
    "3": (N_("judicial administration"), "129"),
    "4": (N_("culture authorities"), "19"),
    "6": (N_("tourism authorities"), "129"),
    "7": (N_("religious-affairs authorities"), "129"),
    "8": (N_("trade unions"), "19"),
    "A": (N_("central military commission reform and organisation office"), "19"),
    "N": (N_("agriculture authorities"), "1239"),
}


@dataclass(frozen=True)
class UsccCheck:
    """The outcome of checking a code: ``valid`` and, when not, every reason (``texts``, said
    in the reader's language; ``reasons`` in English)."""

    code: str
    valid: bool
    texts: tuple[Text, ...]
    expected_check_character: str | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(str(text) for text in self.texts)


def check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters.

    Requires ``len(first17) == 17`` and every character in :data:`ALPHABET`.
    """
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError("check_character needs 17 characters of the GB 32100 alphabet")
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check_uscc(raw: str) -> UsccCheck:
    """Check a unified social credit code and say why it is invalid.

    Leading/trailing spaces are ignored; lower-case letters are accepted as their capitals.
    """
    code = raw.strip().upper()
    reasons: list[Text] = []
    if len(code) != 18:
        reasons.append(
            Text(
                "a unified social credit code has 18 characters; this one has {length}",
                length=len(code),
            )
        )
        return UsccCheck(code, False, tuple(reasons))
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        reasons.append(
            Text(
                "characters not allowed by GB 32100-2015 ({excluded} and symbols are excluded): "
                "{characters}",
                excluded="I, O, S, V, Z",
                characters=", ".join(repr(c) for c in bad),
            )
        )
        return UsccCheck(code, False, tuple(reasons))
    authority, org_type = code[0], code[1]
    if authority not in AUTHORITY_TYPES:
        reasons.append(
            Text(
                "{authority!r} is not a registration-authority code of GB 32100-2015",
                authority=authority,
            )
        )
    elif org_type not in AUTHORITY_TYPES[authority][1]:
        name, types = AUTHORITY_TYPES[authority]
        reasons.append(
            Text(
                "organisation type {org_type!r} is not assigned by {name} "
                "(authority {authority!r} allows {types})",
                org_type=org_type,
                name=Term("message", name),
                authority=authority,
                types=", ".join(types),
            )
        )
    if not code[2:8].isdigit():
        reasons.append(
            Text(
                "the administrative-division code {division!r} must be six digits",
                division=code[2:8],
            )
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        reasons.append(
            Text(
                "check character is {given!r} but GB 32100-2015 gives {expected!r} "
                "for the first 17 characters",
                given=code[17],
                expected=expected,
            )
        )
    return UsccCheck(code, not reasons, tuple(reasons), expected)
