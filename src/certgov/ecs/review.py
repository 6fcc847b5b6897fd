"""Reviewers' judgements on an application's evaluation (ECS-2.2), and what they leave open.

The automatic evaluation (:func:`certgov.ecs.requirements.evaluate`) says *met*, *not met* or
*needs review* per item. During document review, expert and on-site evaluation a reviewer
records a judgement on an item with a note:

- an item that needs review becomes met or not met;
- a met item may be found not met (the evidence turned out false);
- an item the rule itself found not met (capital below the minimum, say) cannot be judged met:
  the numbers in the application decide it, not the reviewer.

The licence may be granted only when every item is finally met.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from certgov.ecs.requirements import ItemStatus
from certgov.errors import InvalidInput
from certgov.text import Term, Text, listed

__all__ = ["approval_blockers", "check_judgement", "with_reviews"]

_JUDGEMENTS = (ItemStatus.MET.value, ItemStatus.NOT_MET.value)


def _items(evaluation: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = evaluation.get("items")
    return [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []


def check_judgement(evaluation: Mapping[str, Any], item: str, status: str) -> Mapping[str, Any]:
    """The item judged, if a reviewer may judge it ``status``; InvalidInput saying why not."""
    if status not in _JUDGEMENTS:
        raise InvalidInput(
            "a reviewer judges an item {met} or {not_met}, not {status!r}",
            met=Term("evaluation", ItemStatus.MET.value),
            not_met=Term("evaluation", ItemStatus.NOT_MET.value),
            status=status,
            details={"field": "status"},
        )
    for result in _items(evaluation):
        if result.get("item") == item:
            if result.get("status") == ItemStatus.NOT_MET.value and status == "met":
                raise InvalidInput(
                    "item {item!r} was found not met by the rule itself ({reason}); a reviewer "
                    "cannot judge it met",
                    item=item,
                    reason=Text.of_record(result.get("reason_text")) or str(result.get("reason")),
                    hint="the applicant must submit a new application with the corrected facts",
                    details={"item": item},
                )
            return result
    known = ", ".join(str(i.get("item")) for i in _items(evaluation))
    raise InvalidInput(
        "the evaluation has no item {item!r}",
        item=item,
        known=known,
        hint="items: {known}",
        details={"item": item},
    )


def with_reviews(
    evaluation: Mapping[str, Any], reviews: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The evaluation with each item's review (if any) and ``final_status``, plus a ``final``
    summary: counts per final status, the items still open, and whether it may be granted."""
    items = []
    for result in _items(evaluation):
        review = reviews.get(str(result.get("item")))
        final = review.get("status") if review else result.get("status")
        items.append({**result, "review": dict(review) if review else None, "final_status": final})
    summary = {s.value: sum(i["final_status"] == s.value for i in items) for s in ItemStatus}
    return {
        **evaluation,
        "items": items,
        "final": {
            "summary": summary,
            "open_items": [i["item"] for i in items if i["final_status"] == "needs_review"],
            "unmet_items": [i["item"] for i in items if i["final_status"] == "not_met"],
            "grantable": bool(items) and all(i["final_status"] == "met" for i in items),
        },
    }


def _named(evaluation: Mapping[str, Any], items: list[str]) -> Any:
    """The items one after the other: each by its title in the reader's language, by its
    code in English."""
    titles = {str(i.get("item")): i.get("title") for i in _items(evaluation)}
    return listed(
        [
            Term("message", str(titles[item]), english=item)
            if isinstance(titles.get(item), str) and titles[item]
            else item
            for item in items
        ]
    )


def approval_blockers(
    evaluation: Mapping[str, Any] | None, reviews: Mapping[str, Mapping[str, Any]]
) -> list[Text]:
    """Why a licence may not be granted on this evaluation (empty when it may); in English
    (``str()``) the items by their codes, in a page by their titles."""
    if not evaluation or not _items(evaluation):
        return [
            Text(
                "the case holds no evaluated application; applications are submitted through "
                "{path}",
                path="/api/v1/ecs/applications",
            )
        ]
    final = with_reviews(evaluation, reviews)["final"]
    reasons = []
    if final["unmet_items"]:
        reasons.append(
            Text("items not met: {items}", items=_named(evaluation, final["unmet_items"]))
        )
    if final["open_items"]:
        reasons.append(
            Text(
                "items still to be judged by a reviewer: {items}",
                items=_named(evaluation, final["open_items"]),
            )
        )
    return reasons
