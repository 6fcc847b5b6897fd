"""Demonstration data for ``make run``: parties in several provinces, one account per role,
and a few cases in different states. Passwords are generated at load time (none is in the
repository), written to ``<data_dir>/demo-logins.txt`` (mode 600) and printed."""

from __future__ import annotations

from certgov.demo.apps import load_app_scenarios
from certgov.demo.ca import load_ca_scenarios
from certgov.demo.certificates import load_portal_scenarios
from certgov.demo.common import ACCOUNTS, LOGINS_FILE, PARTIES, demo_application, demo_uscc
from certgov.demo.loading import load_demo
from certgov.demo.recognition import load_recognition_scenarios

__all__ = [
    "ACCOUNTS",
    "LOGINS_FILE",
    "PARTIES",
    "demo_application",
    "demo_uscc",
    "load_app_scenarios",
    "load_ca_scenarios",
    "load_demo",
    "load_portal_scenarios",
    "load_recognition_scenarios",
]
