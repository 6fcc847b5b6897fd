"""Every mapped model, imported in one place so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

from certgov.appcert import models as appcert_models
from certgov.cases import models as cases_models
from certgov.complaints import models as complaints_models
from certgov.conduct import models as conduct_models
from certgov.enforcement import models as enforcement_models
from certgov.filings import models as filings_models
from certgov.identity import models as identity_models
from certgov.licensing import models as licensing_models
from certgov.logs import models as logs_models
from certgov.recognition import models as recognition_models
from certgov.registry import models as registry_models
from certgov.rulebook import models as rulebook_models
from certgov.store.base import Base
from certgov.supervision import models as supervision_models

__all__ = [
    "Base",
    "appcert_models",
    "cases_models",
    "complaints_models",
    "conduct_models",
    "enforcement_models",
    "filings_models",
    "identity_models",
    "licensing_models",
    "logs_models",
    "recognition_models",
    "registry_models",
    "rulebook_models",
    "supervision_models",
]
