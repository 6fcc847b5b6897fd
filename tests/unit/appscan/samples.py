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


def memory_hungry_apk() -> bytes:
    """An APK of 3.6 MB whose dex (6 MB: one method loading one long random string) needs more
    than 48 MiB of address space to analyse: what the tests of the memory limit give the
    worker."""
    import random

    text = random.Random(0).randbytes(3 << 20).hex()
    code = dex([Class("La/B;", methods=[Method("c", strings=[text])])])
    return apk({"AndroidManifest.xml": manifest("com.example.hungry"), "classes.dex": code})


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


SENSITIVE_CALLS = (
    Call(TELEPHONY, "getDeviceId", STRING_RETURN),
    Call(TELEPHONY, "getSubscriberId", STRING_RETURN),
    Call(
        "Landroid/location/LocationManager;",
        "getLastKnownLocation",
        "(Ljava/lang/String;)Landroid/location/Location;",
    ),
    Call("Landroid/content/pm/PackageManager;", "getInstalledPackages", "(I)Ljava/util/List;"),
    Call(
        "Landroid/provider/Settings$Secure;",
        "getString",
        "(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;",
        static=True,
    ),
)
QUERY = Call(
    "Landroid/content/ContentResolver;",
    "query",
    "(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;"
    "Ljava/lang/String;)Landroid/database/Cursor;",
)
URIS = ("content://com.android.calendar/events", "content://sms/inbox", "https://example.com")
URI_FIELDS = (
    ("Landroid/provider/ContactsContract$Contacts;", "CONTENT_URI", "Landroid/net/Uri;"),
    ("Landroid/provider/CallLog$Calls;", "CONTENT_URI", "Landroid/net/Uri;"),
)


def random_apk(seed: int, *, dex_files: int = 3, classes_per_dex: int = 60) -> bytes:
    """A multidex app of random classes calling each other within and across dex files, with
    sensitive calls (some Android ID reads with their key, some without), content-provider
    queries whose URI is a string of the caller, of a helper or of a static initialiser, or a
    static field of a framework class; calls to methods an app class does not define; an
    ``Application`` with an app base class, an exported service and a provider of an SDK
    (Umeng, in the second dex file) as entry points."""
    import random

    rng = random.Random(seed)
    packages = [
        "Lcom/umeng/analytics/c" if n == 2 else f"Lcom/example/gen/p{n}/C"
        for n in range(1, dex_files + 1)
    ]
    holder = "Lcom/example/gen/Uris;"

    def some_class() -> str:
        return f"{rng.choice(packages)}{rng.randrange(classes_per_dex)};"

    files: dict[str, bytes] = {}
    for number, package in enumerate(packages, start=1):
        classes = []
        for i in range(classes_per_dex):
            methods = []
            for m in range(4):
                calls = [Call(some_class(), f"m{rng.randrange(5)}") for _ in range(3)]
                strings, reads = [], []
                roll = rng.random()
                if roll < 0.1:
                    calls.append(rng.choice(SENSITIVE_CALLS))
                    if rng.random() < 0.5:
                        strings.append("android_id")
                elif roll < 0.2:
                    calls.insert(rng.randrange(len(calls) + 1), QUERY)
                    kind = rng.randrange(4)
                    if kind == 0:
                        strings.append(rng.choice(URIS))
                    elif kind == 1:
                        reads.append(rng.choice(URI_FIELDS))
                    elif kind == 2:
                        reads.append((holder, "URI", "Landroid/net/Uri;"))
                rng.shuffle(calls)
                methods.append(Method(f"m{m}", calls, strings=strings, reads=reads))
            classes.append(Class(f"{package}{i};", methods=methods))
        if number == 1:
            classes[:0] = [
                Class(
                    "Lcom/example/gen/BaseApp;",
                    "Landroid/app/Application;",
                    [Method("attachBaseContext", [Call(some_class(), "m1")])],
                ),
                Class(
                    "Lcom/example/gen/App;",
                    "Lcom/example/gen/BaseApp;",
                    [Method("onCreate", [Call(f"{packages[0]}0;", "m0")])],
                ),
                Class(
                    holder,
                    methods=[Method("<clinit>", strings=[rng.choice(URIS)], static=True)],
                ),
                Class(
                    "Lcom/example/gen/Sync;",
                    "Landroid/app/Service;",
                    [Method("onStartCommand", [Call(some_class(), "m2")])],
                ),
            ]
        if number == 2:
            classes.append(
                Class(
                    "Lcom/umeng/analytics/Provider;",
                    "Landroid/content/ContentProvider;",
                    [Method("onCreate", [Call(some_class(), "m3")])],
                )
            )
        files["classes.dex" if number == 1 else f"classes{number}.dex"] = dex(classes)
    return apk(
        {
            "AndroidManifest.xml": manifest(
                "com.example.gen",
                application=".App",
                components=(
                    ("activity", ".Main", True, ("android.intent.action.MAIN",)),
                    ("service", ".Sync", True, ()),
                    ("provider", "com.umeng.analytics.Provider", False, ()),
                ),
            ),
            **files,
        }
    )
