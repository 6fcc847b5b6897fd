"""APP-11: one analysis in a bounded child process: the report and findings when it works,
the reason when it does not (hostile file, memory, time), never an exception in the caller."""

from __future__ import annotations

import pytest

from certgov.appscan import identify
from certgov.appscan.errors import NotAnApk, ZipBomb
from certgov.appscan.isolation import JobLimits, run_isolated
from certgov.rules import load_rule_sets
from unit.appscan.apkgen import apk, manifest
from unit.appscan.samples import JAMENDO, memory_hungry_apk, shared_apk


@pytest.fixture(scope="module")
def clauses() -> dict[str, object]:
    table = load_rule_sets()["ccrc-app-2019"].clause_table("app_finding_clauses")
    return table.as_dict()


def test_app_11_identify_reads_the_manifest_and_refuses_what_is_not_an_apk() -> None:
    sample = identify(shared_apk(JAMENDO))
    assert (sample.package, sample.version_code) == ("com.teleca.jamendo", "35")
    with pytest.raises(NotAnApk):
        identify(b"MZ\x90\x00 a Windows program")
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AndroidManifest.xml", manifest("com.example.bomb"))
        archive.writestr("assets/zeros.bin", bytes(16 * 1024 * 1024))
    with pytest.raises(ZipBomb):
        identify(buffer.getvalue())


def test_app_11_an_isolated_analysis_returns_report_and_findings(
    clauses: dict[str, object],
) -> None:
    outcome = run_isolated(shared_apk(JAMENDO), {"pi_types": []}, clauses)
    assert outcome.ok and outcome.report is not None and outcome.findings is not None
    assert any("TelephonyManager" in s["api"] for s in outcome.report["call_sites"])
    assert ("undeclared_pi_type", "phone_state") in {
        (f["kind"], f["subject"]) for f in outcome.findings
    }


@pytest.mark.parametrize(
    ("data", "limits", "reason"),
    [
        (b"PK\x03\x04cut", JobLimits(), "apk_truncated"),
        (
            apk({"AndroidManifest.xml": manifest("com.x"), "classes.dex": b"dex\n035\x00" * 64}),
            JobLimits(),
            ("apk_malformed_dex", "analysis_error"),
        ),
        (
            "big-string",
            JobLimits(memory_bytes=48 * 1024 * 1024),
            ("analysis_memory", "analysis_crash"),
        ),
        (None, JobLimits(wall_seconds=0.01), "analysis_timeout"),
    ],
)
def test_app_11_a_failing_analysis_is_a_reason_not_an_exception(
    clauses: dict[str, object],
    data: bytes | str | None,
    limits: JobLimits,
    reason: str | tuple[str, ...],
) -> None:
    if data == "big-string":
        data = memory_hungry_apk()
    elif data is None:
        data = shared_apk(JAMENDO)
    assert isinstance(data, bytes)
    outcome = run_isolated(data, None, clauses, limits)
    assert not outcome.ok and outcome.report is None
    assert outcome.reason is not None and outcome.reason.startswith(reason), outcome.reason
