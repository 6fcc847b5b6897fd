"""Jurisdictions: national plus the 34 provincial-level divisions (ECS-4.3)."""

from certgov import jurisdictions


def test_thirty_four_provincial_level_divisions_with_gb_t_2260_codes() -> None:
    assert len(jurisdictions.PROVINCES) == 34
    assert len({p.code for p in jurisdictions.PROVINCES}) == 34
    assert all(p.code.isdigit() and p.code.endswith("0000") for p in jurisdictions.PROVINCES)
    assert jurisdictions.BY_CODE["310000"].name_en == "Shanghai"
    assert jurisdictions.BY_CODE["310000"].name_zh == "上海市"


def test_national_covers_all_a_province_only_itself() -> None:
    """ECS-4.3: a provincial regulator acts within its province; national sees all."""
    assert jurisdictions.covers("national", "440000")
    assert jurisdictions.covers("310000", "310000")
    assert not jurisdictions.covers("310000", "440000")
    assert not jurisdictions.covers("310000", None)
