"""Server-rendered pages, one module per area (usable without JavaScript): the public portal,
complaints, the officials' console and the parties' self-service. Chinese is the default
language, English with ``?lang=en`` (remembered in a cookie). Importing a module registers its
routes on the one router of :mod:`certgov.web.pages.common`."""

from __future__ import annotations

from certgov.web.pages import (
    complaints,
    console,
    console_appcert,
    console_cas,
    console_certifications,
    console_checklist,
    console_dashboard,
    console_findings,
    console_rules,
    portal_records,
    portal_verify,
    public,
    self_service,
    self_service_app,
    self_service_ca,
    self_service_compliance,
    self_service_conduct,
    self_service_licence,
    self_service_licence_changes,
    self_service_reports,
    self_service_withdrawal,
)
from certgov.web.pages.common import router

#: Every page module, in the order their routes are registered.
AREAS = (
    public,
    portal_records,
    portal_verify,
    complaints,
    console,
    console_appcert,
    console_cas,
    console_certifications,
    console_checklist,
    console_dashboard,
    console_findings,
    console_rules,
    self_service,
    self_service_app,
    self_service_ca,
    self_service_compliance,
    self_service_conduct,
    self_service_licence,
    self_service_licence_changes,
    self_service_reports,
    self_service_withdrawal,
)

__all__ = ["AREAS", "router"]
