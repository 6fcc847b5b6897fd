"""Electronic certification services: scope (ECS-1.1) and licence application requirements
(ECS-2.1), judged under a rule set.

A pure library: parsed JSON and a :class:`~certgov.rules.RuleSet` in, immutable results out,
each citing the rule parameters it used (name, value, source, assumed). No database, no I/O.
"""

from certgov.ecs.applicability import Activity, Applicability, assess, parse_activity
from certgov.ecs.application import (
    Application,
    CryptographyApproval,
    Document,
    Equipment,
    LegalPerson,
    PhysicalEnvironment,
    Premises,
    parse_application,
)
from certgov.ecs.citation import ParameterCitation
from certgov.ecs.requirements import Evaluation, ItemResult, ItemStatus, evaluate

__all__ = [
    "Activity",
    "Applicability",
    "Application",
    "CryptographyApproval",
    "Document",
    "Equipment",
    "Evaluation",
    "ItemResult",
    "ItemStatus",
    "LegalPerson",
    "ParameterCitation",
    "PhysicalEnvironment",
    "Premises",
    "assess",
    "evaluate",
    "parse_activity",
    "parse_application",
]
