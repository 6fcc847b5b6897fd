"""Analyses shared by the appscan tests: each APK is analysed once per session (about 0.2 s
of CPU for the largest shared APK)."""

from __future__ import annotations

import pytest

from certgov.appscan import Report, analyse
from unit.appscan.samples import JAMENDO, POLITEDROID, URZIP, clean_apk, shared_apk, shop_apk


@pytest.fixture(scope="session")
def shared_reports() -> dict[str, Report]:
    return {name: analyse(shared_apk(name)) for name in (JAMENDO, POLITEDROID, URZIP)}


@pytest.fixture(scope="session")
def shop_report() -> Report:
    return analyse(shop_apk())


@pytest.fixture(scope="session")
def clean_report() -> Report:
    return analyse(clean_apk())
