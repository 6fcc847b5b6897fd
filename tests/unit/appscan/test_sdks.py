"""SDK signature data: the shipped file, its checks, and the Exodus-format importer."""

from __future__ import annotations

import json

import pytest

from certgov.appscan import analyse, import_exodus, load_signature_data, shipped_signature_data
from certgov.appscan.errors import InvalidSignatureData
from unit.appscan.samples import shop_apk

CHINA = {
    "umeng",
    "jpush",
    "getui",
    "bugly",
    "wechat-opensdk",
    "qq-connect",
    "alipay",
    "amap",
    "baidu-location",
    "pangle",
    "growingio",
    "sensors",
    "huawei-push",
    "xiaomi-push",
    "oppo-push",
    "vivo-push",
}


def test_shipped_data_covers_the_sdks_common_in_china_with_sources() -> None:
    data = shipped_signature_data()
    ids = {sdk.id for sdk in data.sdks}
    assert ids >= CHINA
    assert all(sdk.source and sdk.prefixes and sdk.vendor for sdk in data.sdks)
    assert all(sdk.native_source for sdk in data.sdks if sdk.native_libraries)
    assert data.label.startswith(data.version + " (sha256:")


def test_exodus_import_and_merge() -> None:
    exodus = json.dumps(
        {
            "trackers": {
                "1": {
                    "id": 1,
                    "name": "Example Tracker",
                    "code_signature": "com\\.example\\.track\\.|net.ex.ads.",
                    "website": "https://tracker.example",
                    "categories": ["Analytics"],
                },
                "2": {"id": 2, "name": "Network only", "code_signature": "", "website": ""},
            }
        }
    ).encode()
    imported = import_exodus(exodus)
    [tracker] = imported.sdks
    assert tracker.id == "exodus-1"
    assert tracker.prefixes == ("com.example.track.", "net.ex.ads.")
    assert tracker.categories == ("analytics",)
    assert "Exodus Privacy tracker 1" in tracker.source
    merged = shipped_signature_data().merged(imported)
    assert merged.version.endswith("+" + imported.version)
    assert len(merged.sdks) == len(shipped_signature_data().sdks) + 1


def test_imported_signatures_detect_an_sdk() -> None:
    exodus = json.dumps(
        [{"id": 7, "name": "Shop tracker", "code_signature": "com.example.shop.Tracker"}]
    )
    report = analyse(shop_apk(), signatures=import_exodus(exodus.encode()))
    assert [hit.sdk.id for hit in report.sdks] == ["exodus-7"]
    device = next(s for s in report.call_sites if s.pi_type == "device_id")
    assert device.attribution.sdk == "exodus-7"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "not JSON"),
        (b'{"trackers": 3}', "no list of trackers"),
        (b'{"trackers": [{"code_signature": "a.b."}]}', "has no name"),
    ],
)
def test_a_bad_exodus_file_is_named(data: bytes, message: str) -> None:
    with pytest.raises(InvalidSignatureData, match=message):
        import_exodus(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[sdk]]\nid = 'x'", "no version"),
        (
            "version = '1'\n[[sdk]]\nid = 'x'\nname = 'X'\nvendor = 'V'\nsource = 's'\nprefixes = []",
            "at least one",
        ),
        ("version = '1'\n[[sdk]]\nid = 'x'\nname = 'X'\nvendor = 'V'\nprefixes = ['a.']", "source"),
        (
            "version = '1'\n[[sdk]]\nid = 'x'\nname = 'X'\nvendor = 'V'\nsource = 's'\nprefixes = ['a.']\nnative_libraries = ['libx.so']",
            "native_source",
        ),
        ("version = [", "not TOML"),
    ],
)
def test_our_format_is_checked(text: str, message: str) -> None:
    with pytest.raises(InvalidSignatureData, match=message):
        load_signature_data(text)
