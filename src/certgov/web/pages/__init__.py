"""Server-rendered pages, one module per area: public pages, the console, complaints (usable
without JavaScript). Chinese is the default language, English with ``?lang=en`` (remembered in
a cookie)."""

from __future__ import annotations

from certgov.web.pages import complaints, console, public
from certgov.web.pages import portal_records, portal_verify  # noqa: F401 - registers its routes
from certgov.web.pages import console_dashboard  # noqa: F401 - registers its routes
from certgov.web.pages import console_findings  # noqa: F401 - registers its routes
from certgov.web.pages import console_appcert  # noqa: F401 - registers its routes
from certgov.web.pages import console_cas  # noqa: F401 - registers its routes
from certgov.web.pages import console_rules  # noqa: F401 - registers its routes
from certgov.web.pages import self_service, self_service_app, self_service_ca  # noqa: F401 - registers its routes
from certgov.web.pages import self_service_licence  # noqa: F401 - registers its routes
from certgov.web.pages import self_service_conduct  # noqa: F401 - registers its routes
from certgov.web.pages import self_service_withdrawal  # noqa: F401 - registers its routes
from certgov.web.pages import self_service_compliance  # noqa: F401 - registers its routes
from certgov.web.pages.common import router

__all__ = ["complaints", "console", "public", "router"]
