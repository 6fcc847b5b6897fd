"""APP-11: the analysis of the shared real APKs and of APKs built by the tests."""

from __future__ import annotations

import json

from certgov.appscan import ANALYSER_VERSION, Owner, Report
from certgov.appscan.manifest import Protection
from unit.appscan.samples import JAMENDO, POLITEDROID, URZIP


def test_jamendo_phone_state_call_sites_are_found_and_attributed_to_the_app(
    shared_reports: dict[str, Report],
) -> None:
    report = shared_reports[JAMENDO]
    telephony = [s for s in report.call_sites if s.api.startswith("android.telephony.Telephony")]
    found = {
        (s.api.rsplit(".", 1)[1], s.caller_class, s.caller_method, s.offset) for s in telephony
    }
    assert found == {
        ("listen", "com.teleca.jamendo.service.PlayerService", "onCreate()V", 88),
        ("listen", "com.teleca.jamendo.service.PlayerService", "onDestroy()V", 54),
        ("isNetworkRoaming", "com.teleca.jamendo.service.PlayerService$2", "onTrackStart()Z", 180),
    }
    assert all(s.pi_type == "phone_state" and s.attribution.owner is Owner.APP for s in telephony)
    phone = next(p for p in report.permissions if p.name == "android.permission.READ_PHONE_STATE")
    assert phone.protection is Protection.DANGEROUS
    assert "phone_state" in phone.pi_types


def test_jamendo_manifest_and_signature(shared_reports: dict[str, Report]) -> None:
    report = shared_reports[JAMENDO]
    manifest = report.manifest
    assert (manifest.package, manifest.version_code, manifest.version_name) == (
        "com.teleca.jamendo",
        "35",
        "1.0.4 [BETA]",
    )
    assert (manifest.min_sdk, manifest.target_sdk) == (4, 8)
    assert manifest.application_class == "com.teleca.jamendo.JamendoApplication"
    launcher = [c.name for c in manifest.components if c.launcher]
    assert launcher == ["com.teleca.jamendo.activity.SplashscreenActivity"]
    internet = next(p for p in report.permissions if p.name == "android.permission.INTERNET")
    assert internet.protection is Protection.NORMAL  # dangerous only in Android 1.x tables
    [certificate] = report.certificates
    assert certificate.scheme == "v1"
    assert certificate.subject.startswith("CN=FDroid")
    assert certificate.sha256 == "ebd3cc3f8c36a4503838b0610103c8b919245c3ee2c4600f6646502e3875a4ac"
    assert report.sdks == ()


def test_politedroid_reads_the_calendar_from_a_boot_receiver(
    shared_reports: dict[str, Report],
) -> None:
    report = shared_reports[POLITEDROID]
    calendar = [s for s in report.call_sites if s.pi_type == "calendar"]
    assert {s.caller_class for s in calendar} == {
        "com.politedroid.calendar.a",
        "com.politedroid.calendar.b",
    }
    early = [s for s in calendar if s.before_consent is not None]
    assert len(early) == 1
    path = early[0].before_consent
    assert path is not None
    assert path.entry.kind == "receiver"
    assert path.entry.class_name == "com.politedroid.Update"
    assert path.calls[0].startswith("com.politedroid.Update.onReceive(")


def test_urzip_has_no_sensitive_call_and_keeps_its_permission_levels(
    shared_reports: dict[str, Report],
) -> None:
    report = shared_reports[URZIP]
    assert report.call_sites == ()
    levels = {p.name: p.protection for p in report.permissions}
    assert levels["android.permission.REQUEST_INSTALL_PACKAGES"] is Protection.SIGNATURE
    assert levels["android.permission.WRITE_EXTERNAL_STORAGE"] is Protection.DANGEROUS


def test_report_json_names_its_versions(shared_reports: dict[str, Report]) -> None:
    body = json.loads(json.dumps(shared_reports[JAMENDO].as_dict()))
    assert body["analyser_version"] == ANALYSER_VERSION
    assert body["signature_data_version"].startswith("2025.1 (sha256:")
    assert body["api_rules_version"].startswith("2025.1 (sha256:")
    assert body["apk"]["sha256"] == (
        "44e880a1e6c64a5a273fcdb568054bc298669377e60302f0b97ccd13ffb33b6d"
    )
    assert "Static analysis" in body["notes"][0]


def test_sdk_detection_by_code_component_and_native_library(shop_report: Report) -> None:
    evidence = {hit.sdk.id: {e.kind for e in hit.evidence} for hit in shop_report.sdks}
    assert evidence == {"umeng": {"code"}, "jpush": {"component"}, "bugly": {"native_library"}}
    assert shop_report.native_libraries == ("libBugly.so",)


def test_call_sites_attributed_to_app_sdk_and_unattributed(shop_report: Report) -> None:
    owners = {s.pi_type: (s.attribution.owner, s.attribution.sdk) for s in shop_report.call_sites}
    assert owners == {
        "android_id": (Owner.SDK, "umeng"),
        "device_id": (Owner.APP, None),
        "location": (Owner.APP, None),
        "clipboard": (Owner.UNATTRIBUTED, None),
    }
    clipboard = next(s for s in shop_report.call_sites if s.pi_type == "clipboard")
    assert "obfuscated" in clipboard.attribution.reason


def test_calls_from_application_on_create_are_before_consent(shop_report: Report) -> None:
    early = {s.pi_type: s.before_consent for s in shop_report.call_sites}
    device = early["device_id"]
    assert device is not None and device.entry.kind == "application"
    assert device.calls == (
        "com.example.shop.ShopApp.onCreate()V",
        "com.example.shop.Tracker.collect()V",
    )
    android_id = early["android_id"]
    assert android_id is not None and android_id.calls[-1].startswith(
        "com.umeng.commonsdk.UMConfigure.init"
    )
    assert early["location"] is None  # only the activity reads it
    [startup] = shop_report.sdk_startup
    assert startup.sdk == "umeng"
    assert startup.path.calls[0] == "com.example.shop.ShopApp.onCreate()V"


def test_exported_service_is_an_entry_point(shop_report: Report) -> None:
    kinds = {(e.kind, e.class_name) for e in shop_report.entry_points}
    assert kinds == {
        ("application", "com.example.shop.ShopApp"),
        ("service", "cn.jpush.android.service.PushService"),
    }


def test_a_clean_app_gets_a_clean_report(clean_report: Report) -> None:
    assert clean_report.clean
    assert clean_report.call_sites == ()
    assert clean_report.sdks == ()
    assert clean_report.as_dict()["clean"] is True
    assert any("not signed" in note for note in clean_report.notes)
