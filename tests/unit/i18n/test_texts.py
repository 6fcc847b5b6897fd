"""Errors and titles are templates with parameters, so that a page says them in the reader's
language (issue 16: "the domain's errors carry codes and parameters; the adapter renders them
in the reader's language")."""

from __future__ import annotations

import ast
import datetime as dt
import pickle
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from certgov.errors import Conflict, InvalidInput
from certgov.i18n import LOCALES, catalogue_path, translate
from certgov.i18n.extract import callee, read_by_people, template_callables
from certgov.i18n.texts import error_hint, error_message, say, translated
from certgov.text import Term, Text

SRC = Path(__file__).resolve().parents[3] / "src" / "certgov"


def _built_messages() -> list[str]:
    """Raise sites (of modules read by people) whose message is built in place: an f-string,
    a concatenation, ``%`` or ``.format`` — text no catalogue can hold."""
    names = template_callables()
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if not read_by_people(relative):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and callee(node) in names and node.args):
                continue
            first = node.args[0]
            built = isinstance(first, ast.JoinedStr | ast.BinOp) or (
                isinstance(first, ast.Call)
                and isinstance(first.func, ast.Attribute)
                and first.func.attr == "format"
            )
            hint = [k.value for k in node.keywords if k.arg == "hint"]
            built = built or any(isinstance(h, ast.JoinedStr | ast.BinOp) for h in hint)
            if built:
                found.append(f"{relative}:{node.lineno}")
    return found


def test_no_error_message_read_by_people_is_built_in_place() -> None:
    """Give the template and its parameters: ``Conflict("Case {case} is closed", case=7)``."""
    built = _built_messages()
    assert not built, f"{len(built)} messages built in place, e.g. {built[:15]}"


def _fields(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return set()


def test_translations_keep_the_parameters_of_their_template() -> None:
    with (SRC / "i18n" / catalogue_path(LOCALES["zh"])).open("rb") as handle:
        catalogue = read_po(handle, locale=LOCALES["zh"])
    wrong = [
        m.id
        for m in catalogue
        if m.id
        and isinstance(m.id, str)
        and isinstance(m.string, str)
        and m.string
        and _fields(m.id) != _fields(m.string)
    ]
    assert not wrong, f"translations that change the {{parameters}}: {wrong[:10]}"


def test_an_error_is_its_template_filled_in_english_and_for_the_api() -> None:
    error = Conflict(
        "Licence {number} is {status}",
        number="ECS-1",
        status=Term("licence_status", "suspended"),
        hint="Reinstate licence {number} first",
    )
    assert error.message == "Licence ECS-1 is suspended"
    assert str(error) == error.message
    assert error.hint == "Reinstate licence ECS-1 first"
    body = error.as_dict()
    assert body["template"] == "Licence {number} is {status}"
    assert body["params"] == {
        "number": "ECS-1",
        "status": {"term": "licence_status", "code": "suspended"},
    }


def test_a_message_without_parameters_is_left_as_it_is() -> None:
    error = InvalidInput("a {brace} that is not a parameter")
    assert error.message == "a {brace} that is not a parameter"
    assert "params" not in error.as_dict()


def test_a_parameter_missing_from_the_call_keeps_its_placeholder() -> None:
    assert InvalidInput("{a} and {b}", a=1).message == "1 and {b}"


def test_terms_survive_pickling_for_the_analysis_child_process() -> None:
    term = pickle.loads(pickle.dumps(Term("severity", "high")))
    assert (term, term.kind) == ("high", "severity")
    error = pickle.loads(pickle.dumps(InvalidInput("x {s}", s=Term("severity", "high"))))
    assert error.message == "x high"


def test_a_page_says_the_template_in_the_readers_words() -> None:
    # A template the catalogue has, with a term and a day among the parameters.
    template = "not recorded"
    assert translated(template, "zh")
    text = Text("{status} since {day}", status=Term("licence_status", "suspended"))
    text.params["day"] = dt.date(2026, 3, 2)
    zh = say(text, "zh")
    assert "已暂停" in zh and "2026年3月2日" in zh
    assert say(text, "en") == "Suspended since 2 Mar 2026"
    assert say(Text("{p}", p=Term("jurisdiction", "310000")), "zh") == "上海市"
    assert say(Text("{t}", t=Term("message", "not recorded")), "zh") == translate(
        "zh", "not recorded"
    )


def test_an_untranslated_template_is_reported_as_such() -> None:
    assert not translated("a message no catalogue has", "zh")
    assert translated("a message no catalogue has", "en")


def test_error_message_and_hint_in_the_readers_language() -> None:
    error = Conflict("not recorded", hint="not recorded")
    assert error_message(error, "zh") == translate("zh", "not recorded")
    assert error_hint(error, "zh") == translate("zh", "not recorded")
    assert error_hint(Conflict("x"), "zh") is None


def test_stored_text_comes_back_with_its_terms() -> None:
    text = Text("{s} on {d}", s=Term("severity", "high"), d=dt.date(2026, 1, 5))
    stored = text.stored_params()
    assert stored == {"s": {"term": "severity", "code": "high"}, "d": {"day": "2026-01-05"}}
    back = Text.from_stored(text.template, stored)
    assert isinstance(back.params["s"], Term) and back.params["s"].kind == "severity"
    assert str(back) == "high on 2026-01-05"


def test_a_text_within_a_text_is_kept_and_said_in_the_readers_words() -> None:
    # A case title naming another case by its own title (a complaint against a decision).
    inner = Text("{t} since {s}", t=Term("message", "not recorded"), s=Term("severity", "high"))
    text = Text("Complaint against the decision on {case}", case=inner)
    assert str(text) == "Complaint against the decision on not recorded since high"
    stored = text.stored()
    assert stored["params"]["case"] == {
        "template": "{t} since {s}",
        "params": {
            "t": {"term": "message", "code": "not recorded"},
            "s": {"term": "severity", "code": "high"},
        },
    }
    back = Text.of_record(stored)
    assert back == text and isinstance(back.params["case"], Text)
    assert isinstance(back.params["case"].params["s"], Term)
    zh = say(back, "zh")
    assert translate("zh", "not recorded") in zh and "high" not in zh


@pytest.mark.parametrize("module", ["certgov/web/pages/common.py"])
def test_pages_show_errors_through_page_error(module: str) -> None:
    """No page puts an error's English ``.message`` in front of a reader except to match it."""
    for path in (SRC / "web" / "pages").glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"\b(refused|error|hidden|missing|exc)\.message\b", line):
                assert " in " in line or path.name == "common.py", f"{path.name}: {line}"


def test_numbers_keep_their_format_spec_in_a_page() -> None:
    assert say(Text("{n:,} bytes", n=1048576), "en") == "1,048,576 bytes"
    assert say(Text("{n:,} bytes", n="many"), "en") == "many bytes"


def test_a_term_may_read_in_english_by_a_name_and_keeps_it_when_stored() -> None:
    province = Term("jurisdiction", "320000", english="Jiangsu")
    text = Text("No service outlet in {province}", province=province)
    assert str(text) == "No service outlet in Jiangsu"
    assert say(text, "zh") == translate("zh", "No service outlet in {province}").format(
        province="江苏省"
    )
    back = Text.from_stored(text.template, text.stored_params())
    assert str(back) == "No service outlet in Jiangsu"
    again = pickle.loads(pickle.dumps(province))
    assert (again, again.english) == ("320000", "Jiangsu")


def test_days_and_instants_come_back_as_days_and_instants() -> None:
    at = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)
    text = Text("{day} {at}", day=dt.date(2025, 9, 5), at=at)
    back = Text.from_stored(text.template, text.stored_params())
    assert back.params == {"day": dt.date(2025, 9, 5), "at": at}
    assert say(back, "zh") == "2025年9月5日 2025-09-25 10:00 北京时间"
