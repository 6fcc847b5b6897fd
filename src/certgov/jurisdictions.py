"""Jurisdictions: national, and the 34 provincial-level divisions of GB/T 2260.

ECS-4.3: a provincial regulator acts within its province; the national regulator sees all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

NATIONAL = "national"


class DivisionKind(StrEnum):
    NATIONAL = "national"
    PROVINCE = "province"
    MUNICIPALITY = "municipality"
    AUTONOMOUS_REGION = "autonomous region"
    SPECIAL_ADMINISTRATIVE_REGION = "special administrative region"


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name_zh: str
    name_en: str
    kind: DivisionKind


_P, _M, _A, _S = (
    DivisionKind.PROVINCE,
    DivisionKind.MUNICIPALITY,
    DivisionKind.AUTONOMOUS_REGION,
    DivisionKind.SPECIAL_ADMINISTRATIVE_REGION,
)

#: GB/T 2260 provincial-level codes, in code order.
PROVINCES: tuple[Jurisdiction, ...] = (
    Jurisdiction("110000", "北京市", "Beijing", _M),
    Jurisdiction("120000", "天津市", "Tianjin", _M),
    Jurisdiction("130000", "河北省", "Hebei", _P),
    Jurisdiction("140000", "山西省", "Shanxi", _P),
    Jurisdiction("150000", "内蒙古自治区", "Inner Mongolia", _A),
    Jurisdiction("210000", "辽宁省", "Liaoning", _P),
    Jurisdiction("220000", "吉林省", "Jilin", _P),
    Jurisdiction("230000", "黑龙江省", "Heilongjiang", _P),
    Jurisdiction("310000", "上海市", "Shanghai", _M),
    Jurisdiction("320000", "江苏省", "Jiangsu", _P),
    Jurisdiction("330000", "浙江省", "Zhejiang", _P),
    Jurisdiction("340000", "安徽省", "Anhui", _P),
    Jurisdiction("350000", "福建省", "Fujian", _P),
    Jurisdiction("360000", "江西省", "Jiangxi", _P),
    Jurisdiction("370000", "山东省", "Shandong", _P),
    Jurisdiction("410000", "河南省", "Henan", _P),
    Jurisdiction("420000", "湖北省", "Hubei", _P),
    Jurisdiction("430000", "湖南省", "Hunan", _P),
    Jurisdiction("440000", "广东省", "Guangdong", _P),
    Jurisdiction("450000", "广西壮族自治区", "Guangxi", _A),
    Jurisdiction("460000", "海南省", "Hainan", _P),
    Jurisdiction("500000", "重庆市", "Chongqing", _M),
    Jurisdiction("510000", "四川省", "Sichuan", _P),
    Jurisdiction("520000", "贵州省", "Guizhou", _P),
    Jurisdiction("530000", "云南省", "Yunnan", _P),
    Jurisdiction("540000", "西藏自治区", "Xizang (Tibet)", _A),
    Jurisdiction("610000", "陕西省", "Shaanxi", _P),
    Jurisdiction("620000", "甘肃省", "Gansu", _P),
    Jurisdiction("630000", "青海省", "Qinghai", _P),
    Jurisdiction("640000", "宁夏回族自治区", "Ningxia", _A),
    Jurisdiction("650000", "新疆维吾尔自治区", "Xinjiang", _A),
    Jurisdiction("710000", "台湾省", "Taiwan", _P),
    Jurisdiction("810000", "香港特别行政区", "Hong Kong", _S),
    Jurisdiction("820000", "澳门特别行政区", "Macao", _S),
)

NATIONAL_JURISDICTION = Jurisdiction(NATIONAL, "全国", "National", DivisionKind.NATIONAL)

ALL: tuple[Jurisdiction, ...] = (NATIONAL_JURISDICTION, *PROVINCES)
BY_CODE: dict[str, Jurisdiction] = {j.code: j for j in ALL}


def province_codes() -> frozenset[str]:
    return frozenset(p.code for p in PROVINCES)


def covers(scope: str, jurisdiction: str | None) -> bool:
    """Whether an official whose scope is ``scope`` may act on something in ``jurisdiction``.

    National covers everything; a province covers only itself (ECS-4.3, SYS-6).
    """
    if scope == NATIONAL:
        return True
    return jurisdiction is not None and scope == jurisdiction
