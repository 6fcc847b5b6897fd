"""The shared real APKs (``../shared/testdata/apk``) and the APKs the tests build with
:mod:`unit.appscan.apkgen`, each described where it is built."""

from __future__ import annotations

from pathlib import Path

import pytest

from unit.appscan.apkgen import Call, Class, Method, apk, dex, manifest

APK_DIR = Path(__file__).resolve().parents[4] / "shared" / "testdata" / "apk"
JAMENDO = "com.teleca.jamendo_35.apk"
POLITEDROID = "com.politedroid_4.apk"
URZIP = "duplicate.permisssions_9999999.apk"

TELEPHONY = "Landroid/telephony/TelephonyManager;"
STRING_RETURN = "()Ljava/lang/String;"


def shared_apk(name: str) -> bytes:
    path = APK_DIR / name
    if not path.exists():
        pytest.skip(f"shared APK test data absent: expected {path}")
    return path.read_bytes()


def shop_apk(*, version_code: int = 1, with_location: bool = True) -> bytes:
    """An app whose Application.onCreate initialises Umeng (which reads the Android ID) and
    its own tracker (which reads the IMEI); its main activity reads the location; an obfuscated
    class reads the clipboard; JPush is present by a manifest service only, Bugly by its native
    library."""
    activity_calls = (
        [
            Call(
                "Landroid/location/LocationManager;",
                "getLastKnownLocation",
                "(Ljava/lang/String;)Landroid/location/Location;",
            )
        ]
        if with_location
        else [Call("Ljava/lang/StringBuilder;", "toString", STRING_RETURN)]
    )
    classes = [
        Class(
            "Lcom/example/shop/ShopApp;",
            "Landroid/app/Application;",
            [
                Method(
                    "onCreate",
                    [
                        Call("Lcom/umeng/commonsdk/UMConfigure;", "init", static=True),
                        Call("Lcom/example/shop/Tracker;", "collect"),
                    ],
                ),
            ],
        ),
        Class(
            "Lcom/example/shop/Tracker;",
            methods=[
                Method("collect", [Call(TELEPHONY, "getDeviceId", STRING_RETURN)]),
            ],
        ),
        Class(
            "Lcom/example/shop/MainActivity;",
            "Landroid/app/Activity;",
            [
                Method("onCreate", activity_calls),
            ],
        ),
        Class(
            "Lcom/umeng/commonsdk/UMConfigure;",
            methods=[
                Method(
                    "init",
                    [
                        Call(
                            "Landroid/provider/Settings$Secure;",
                            "getString",
                            "(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;",
                            static=True,
                        ),
                    ],
                    strings=["android_id"],
                    static=True,
                ),
            ],
        ),
        Class(
            "La/b;",
            methods=[
                Method(
                    "c",
                    [
                        Call(
                            "Landroid/content/ClipboardManager;",
                            "getPrimaryClip",
                            "()Landroid/content/ClipData;",
                        )
                    ],
                ),
            ],
        ),
    ]
    permissions = [
        "android.permission.READ_PHONE_STATE",
        "android.permission.INTERNET",
        "android.permission.CAMERA",
    ]
    if with_location:
        permissions.append("android.permission.ACCESS_FINE_LOCATION")
    return apk(
        {
            "AndroidManifest.xml": manifest(
                "com.example.shop",
                application=".ShopApp",
                version_code=version_code,
                version_name=f"{version_code}.0",
                permissions=tuple(permissions),
                components=(
                    ("activity", ".MainActivity", True, ("android.intent.action.MAIN",)),
                    (
                        "service",
                        "cn.jpush.android.service.PushService",
                        True,
                        ("cn.jpush.android.intent.REGISTER",),
                    ),
                ),
            ),
            "classes.dex": dex(classes),
            "lib/arm64-v8a/libBugly.so": b"\x7fELF" + b"\0" * 60,
        }
    )


def clean_apk() -> bytes:
    """An app that does nothing sensitive: one activity building a string."""
    classes = [
        Class(
            "Lcom/example/clean/MainActivity;",
            "Landroid/app/Activity;",
            [
                Method("onCreate", [Call("Ljava/lang/StringBuilder;", "toString", STRING_RETURN)]),
            ],
        ),
    ]
    return apk(
        {
            "AndroidManifest.xml": manifest(
                "com.example.clean",
                components=(("activity", ".MainActivity", True, ("android.intent.action.MAIN",)),),
            ),
            "classes.dex": dex(classes),
        }
    )
