"""The texts of the rule sets people read (titles, legal bases, prose lists) are extracted for
the catalogues and said in the reader's language; their codes are not (issue 16)."""

from __future__ import annotations

import io
from pathlib import Path

from certgov.i18n import translate
from certgov.i18n.extract import extract_rule_texts
from certgov.rules.loader import load_rule_set
from certgov.web.pages.common import rule_text
from certgov.web.pages.console_rules import value_lines

DATA = Path(__file__).resolve().parents[3] / "src" / "certgov" / "rules" / "data"


def _extracted(name: str) -> dict[str, int]:
    source = (DATA / name).read_bytes()
    return {text: line for line, _f, text, _c in extract_rule_texts(io.BytesIO(source), [], [], {})}


def test_titles_legal_bases_and_prose_lists_are_extracted_but_not_codes() -> None:
    ecs = _extracted("measures-2015.toml")
    assert "Certificate chain not filed with the regulator" in ecs  # a violation's title
    assert "ESL Art. 29" in ecs  # a violation's legal basis
    assert ecs["order to correct"] > 1  # a penalty type, at the line that holds it
    assert "change of key personnel" in ecs  # an operational change kind
    for code in ("sha256", "secp256r1", "chain_not_filed", "licence_application", "granted"):
        assert code not in ecs
    app = _extracted("ccrc-app-2019.toml")
    assert app["collection of personal information (clause 5)"] > 1  # a checklist group
    assert "collection and use rules not published" in app  # a 2019 Methods category
    assert "an embedded third-party SDK the declaration does not name" in app  # clause table
    assert any(text.startswith("App Security Certification: ") for text in app)  # its title
    for code in ("Android", "HarmonyOS", "5.5", "undeclared_sdk"):
        assert code not in app


def test_a_rule_text_is_said_in_chinese_or_marked_as_english_data() -> None:
    assert rule_text("Certificate chain not filed with the regulator", "zh") == translate(
        "zh", "Certificate chain not filed with the regulator"
    )
    assert "class" not in rule_text("ESL Art. 29", "zh")
    assert rule_text("ESL Art. 29", "en") == "ESL Art. 29"
    added = rule_text("a bar an operator added <here>", "zh")
    assert added == '<span class="data" lang="en">a bar an operator added &lt;here&gt;</span>'
    assert rule_text("", "zh") == ""


def test_the_rules_page_says_prose_lists_and_shows_codes_as_written() -> None:
    rule_set = load_rule_set(DATA / "measures-2015.toml")
    kinds = {kind for line in value_lines(rule_set.parameters["penalty_types"]) for kind, _ in line}
    assert kinds == {"text"}
    hashes = value_lines(rule_set.parameters["allowed_hashes"])
    assert hashes[0] == (("code", "sha256"),)
    violation = value_lines(rule_set.parameters["violations"])[1]
    assert ("text", "Certificate chain not filed with the regulator") in violation
