"""The shared real trusted list (``../shared/testdata/trustlist``), or a skip naming why."""

from __future__ import annotations

from pathlib import Path

import pytest

TRUSTLIST_DIR = Path(__file__).resolve().parents[4] / "shared" / "testdata" / "trustlist"


@pytest.fixture(scope="session")
def real_list() -> tuple[bytes, bytes]:
    """(TSL.xml, TSL.crt): a small signed EE test list of lists and its signer."""
    xml, crt = TRUSTLIST_DIR / "TSL.xml", TRUSTLIST_DIR / "TSL.crt"
    if not xml.exists() or not crt.exists():
        pytest.skip(f"shared trusted-list test data absent: expected {xml} and {crt}")
    return xml.read_bytes(), crt.read_bytes()
