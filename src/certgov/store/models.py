"""Every mapped model, imported in one place so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

from certgov.cases import models as cases_models
from certgov.identity import models as identity_models
from certgov.logs import models as logs_models
from certgov.registry import models as registry_models
from certgov.rulebook import models as rulebook_models
from certgov.store.base import Base
from certgov.supervision import models as supervision_models

__all__ = [
    "Base",
    "cases_models",
    "identity_models",
    "logs_models",
    "registry_models",
    "rulebook_models",
    "supervision_models",
]
