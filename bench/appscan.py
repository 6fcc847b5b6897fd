"""APK analysis benchmark (APP-11): CPU seconds per MB of dex and peak memory of
``certgov.appscan.analyse`` per APK, with plain androguard ``AnalyzeAPK`` on the same APK in the
same run as the baseline. Each analysis runs in a fresh subprocess so that its peak RSS is its
own (the figure includes the interpreter and imports, as a worker process would).

APKs: the shared ones (``../shared/testdata/apk``) and one of 10 MB+ assembled here with the
tests' dex writer: dex files of about 55,000 methods each (two for 10 MB) of synthetic classes
calling each other, sensitive APIs and an SDK's packages, plus an incompressible asset.

The check (on unless ``--no-check``): the generated APK is also analysed the way certgov did
before its own dex scanner, on androguard's whole-program ``Analysis`` (the tests' oracle,
``tests/unit/appscan/oracle.py``), and the run records whether both find the same call sites
(PI type, API, caller, offset, attribution, distance from an entry point), SDKs and classes.

Usage: python bench/appscan.py [--repeat N] [--no-check]
       (also ``make bench`` / ``bench/run.py --only appscan``)
Targets: ≤ 3 s CPU per MB of dex, ≤ 600 MB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from unit.appscan.apkgen import Call, Class, Method, apk, dex, manifest  # noqa: E402

SHARED = ROOT.parent / "shared" / "testdata" / "apk"
RESULTS = Path(__file__).resolve().parent / "results"
TARGET_CPU_PER_MB = 3.0
TARGET_PEAK_MB = 600
#: 9,000 classes of 6 methods: about 55,000 method ids per dex, near the 65,536 limit as in
#: real multidex apps.
CLASSES_PER_DEX = 9_000

CHILD = r"""
import json, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
if mode == "certgov":
    from certgov.appscan import analyse
    def work():
        report = analyse(data)
        return {"call_sites": len(report.call_sites), "sdks": len(report.sdks)}
else:
    from loguru import logger
    logger.remove()
    from androguard.misc import AnalyzeAPK
    def work():
        AnalyzeAPK(data, raw=True)
        return {}
start = resource.getrusage(resource.RUSAGE_SELF)
wall = time.perf_counter()
extra = work()
end = resource.getrusage(resource.RUSAGE_SELF)
cpu = (end.ru_utime - start.ru_utime) + (end.ru_stime - start.ru_stime)
# VmHWM, not ru_maxrss: the latter keeps the parent's high-water mark across fork and exec.
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status")
               if line.startswith("VmHWM:"))
print(json.dumps({"cpu_s": cpu, "wall_s": time.perf_counter() - wall,
                  "peak_rss_mb": peak_kb / 1024, **extra}))
"""


CHECK = r"""
import json, sys
sys.path.insert(0, sys.argv[2])
from unit.appscan.oracle import oracle, summary
from certgov.appscan import analyse
from certgov.appscan.archive import open_archive
from certgov.appscan.attribution import java_name
from certgov.appscan.dexscan import read_program
data = open(sys.argv[1], "rb").read()
classes = [java_name(c) for c in read_program(open_archive(data).dex).classes]
ours, reference = summary(analyse(data), classes), oracle(data)
print(json.dumps({key: ours[key] == reference[key] for key in reference}
                 | {"call_sites_compared": len(reference["call_sites"])}))
"""


def large_apk(target_dex_bytes: int = 10_500_000, seed: int = 11) -> bytes:
    """An APK with ≥ ``target_dex_bytes`` of dex over three files and a 7 MB random asset."""
    rng = random.Random(seed)
    sensitive = [
        Call("Landroid/telephony/TelephonyManager;", "getDeviceId", "()Ljava/lang/String;"),
        Call(
            "Landroid/location/LocationManager;",
            "getLastKnownLocation",
            "(Ljava/lang/String;)Landroid/location/Location;",
        ),
        Call("Landroid/content/pm/PackageManager;", "getInstalledPackages", "(I)Ljava/util/List;"),
        Call("Landroid/net/wifi/WifiInfo;", "getMacAddress", "()Ljava/lang/String;"),
    ]
    files: dict[str, bytes] = {}
    total, index = 0, 0
    while total < target_dex_bytes:
        number = len(files) + 1
        package = "Lcom/umeng/analytics/c" if number == 2 else f"Lcom/example/big/p{number}/C"
        classes = []
        for i in range(CLASSES_PER_DEX):
            name = f"{package}{i};"
            methods = []
            for m in range(6):
                calls = [
                    Call(f"{package}{rng.randrange(CLASSES_PER_DEX)};", f"m{rng.randrange(6)}")
                    for _ in range(5)
                ]
                calls.append(
                    Call(
                        "Ljava/lang/StringBuilder;",
                        "append",
                        "(Ljava/lang/String;)Ljava/lang/StringBuilder;",
                    )
                )
                if rng.random() < 0.02:
                    calls.append(rng.choice(sensitive))
                methods.append(Method(f"m{m}", calls, strings=[f"s{index}-{m}"]))
            index += 1
            classes.append(Class(name, methods=methods))
        if number == 1:
            classes.insert(
                0,
                Class(
                    "Lcom/example/big/App;",
                    "Landroid/app/Application;",
                    [
                        Method("onCreate", [Call("Lcom/example/big/p1/C0;", "m0")]),
                    ],
                ),
            )
        files["classes.dex" if number == 1 else f"classes{number}.dex"] = dex(classes)
        total = sum(len(d) for d in files.values())
    entries = {
        "AndroidManifest.xml": manifest(
            "com.example.big",
            application=".App",
            permissions=(
                "android.permission.READ_PHONE_STATE",
                "android.permission.ACCESS_FINE_LOCATION",
            ),
            components=(("activity", ".Main", True, ("android.intent.action.MAIN",)),),
        ),
        **files,
        "assets/media.bin": rng.randbytes(7 << 20),
    }
    return apk(entries)


def _measure(mode: str, path: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _dex_mb(data: bytes) -> float:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        size = sum(
            i.file_size
            for i in archive.infolist()
            if i.filename.startswith("classes") and i.filename.endswith(".dex")
        )
    return size / 1e6


def _check(path: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(path), str(ROOT / "tests")],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(repeat: int = 1, check: bool = True) -> dict[str, object]:
    apks: dict[str, bytes] = {p.name: p.read_bytes() for p in sorted(SHARED.glob("*.apk"))}
    apks["generated-large.apk"] = large_apk()
    rows = []
    same: dict[str, object] | None = None
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in apks.items():
            path = Path(tmp) / name
            path.write_bytes(data)
            runs = {
                mode: [_measure(mode, path) for _ in range(repeat)]
                for mode in ("certgov", "androguard")
            }
            best = {mode: min(samples, key=lambda s: s["cpu_s"]) for mode, samples in runs.items()}
            dex_mb = _dex_mb(data)
            ours, base = best["certgov"], best["androguard"]
            rows.append(
                {
                    "apk": name,
                    "apk_mb": round(len(data) / 1e6, 3),
                    "dex_mb": round(dex_mb, 3),
                    "certgov_cpu_s": round(ours["cpu_s"], 3),
                    "certgov_cpu_s_per_dex_mb": round(ours["cpu_s"] / dex_mb, 3),
                    "certgov_peak_rss_mb": round(ours["peak_rss_mb"], 1),
                    "androguard_cpu_s": round(base["cpu_s"], 3),
                    "androguard_cpu_s_per_dex_mb": round(base["cpu_s"] / dex_mb, 3),
                    "androguard_peak_rss_mb": round(base["peak_rss_mb"], 1),
                    "cpu_ratio_to_androguard": round(ours["cpu_s"] / max(base["cpu_s"], 1e-9), 2),
                    "call_sites": ours.get("call_sites"),
                    "sdks": ours.get("sdks"),
                    "certgov_wall_s": round(ours["wall_s"], 3),
                    "samples_cpu_s": [round(s["cpu_s"], 3) for s in runs["certgov"]],
                }
            )
        if check:
            same = _check(Path(tmp) / "generated-large.apk")
    load_after = os.getloadavg()
    large = rows[-1]
    return {
        "benchmark": "appscan",
        "targets": {"cpu_s_per_dex_mb": TARGET_CPU_PER_MB, "peak_rss_mb": TARGET_PEAK_MB},
        "apks": rows,
        "met": {
            "cpu_per_dex_mb": all(
                r["certgov_cpu_s_per_dex_mb"] <= TARGET_CPU_PER_MB for r in rows if r["dex_mb"] >= 1
            ),
            "peak_rss": all(r["certgov_peak_rss_mb"] <= TARGET_PEAK_MB for r in rows),
        },
        "large_apk": {
            k: large[k]
            for k in (
                "apk_mb",
                "dex_mb",
                "certgov_cpu_s_per_dex_mb",
                "certgov_peak_rss_mb",
                "cpu_ratio_to_androguard",
            )
        },
        "median_cpu_ratio_to_androguard": statistics.median(
            r["cpu_ratio_to_androguard"] for r in rows
        ),
        "method": "certgov: its own dex scanner (certgov.appscan.dexscan: invoke instructions "
        "into a call graph of integer arrays); baseline: androguard AnalyzeAPK",
        "same_as_androguard_analysis": same,
        "load_average_1min": {"before": round(load_before[0], 2), "after": round(load_after[0], 2)},
    }


def write(results: Path = RESULTS, repeat: int = 1, check: bool = True) -> dict[str, object]:
    result = run(repeat, check)
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results.mkdir(parents=True, exist_ok=True)
    (results / "appscan.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1, help="Runs per APK and mode (best kept).")
    parser.add_argument(
        "--no-check", action="store_true", help="Skip the comparison with androguard's Analysis."
    )
    arguments = parser.parse_args()
    write(repeat=arguments.repeat, check=not arguments.no_check)
