"""The technical specification's checklist (APP-3, APP-4): the GB/T 35273 requirement groups and
the six categories of the 2019 *Methods for identifying illegal collection and use of personal
information by apps*, both from the rule set, each item with a stable code.

Codes are positions in the rule set's lists (``group-1`` … ``group-6``, ``category-1`` …
``category-6``); a case keeps the rule set it was judged under, so a later edition that
reorders the lists never changes what a recorded code meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certgov.errors import InvalidInput
from certgov.rules.model import RuleSet

#: (code prefix, rule-set parameter, what the list is).
_SOURCES = (
    ("group", "gbt35273_requirement_groups", "GB/T 35273 requirement group"),
    ("category", "illegal_collection_categories", "2019 identification methods category"),
)


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    code: str
    title: str
    kind: str
    parameter: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "kind": self.kind,
            "parameter": self.parameter,
        }


def checklist(rule_set: RuleSet) -> tuple[ChecklistItem, ...]:
    """Every item of the checklist under ``rule_set``, groups first."""
    return tuple(
        ChecklistItem(f"{prefix}-{index}", title, kind, parameter)
        for prefix, parameter, kind in _SOURCES
        for index, title in enumerate(rule_set.items(parameter), start=1)
    )


def item_of(rule_set: RuleSet, code: str, path: str | None = None) -> ChecklistItem:
    """The item coded ``code``; InvalidInput naming the known codes otherwise (and the field
    ``path`` of the body that gave the code, if any)."""
    items = checklist(rule_set)
    for item in items:
        if item.code == code:
            return item
    codes = ", ".join(i.code for i in items)
    if path is not None:
        raise InvalidInput(
            "{path}: no checklist item {code!r} under {rule_set}",
            hint="one of {codes} (GET /api/v1/app-checklist)",
            details={"field": path},
            path=path,
            code=code[:40],
            rule_set=rule_set.id,
            codes=codes,
        )
    raise InvalidInput(
        "no checklist item {code!r} under {rule_set}",
        hint="one of {codes} (GET /api/v1/app-checklist)",
        details={"field": "item"},
        code=code[:40],
        rule_set=rule_set.id,
        codes=codes,
    )
