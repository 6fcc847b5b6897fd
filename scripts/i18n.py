"""Update the message catalogues from the sources: ``python scripts/i18n.py``.

New strings are added to ``zh_CN`` and ``en`` (untranslated); strings no longer used are
dropped; existing translations are kept. Then translate the new ``zh_CN`` entries (the test
suite fails until every one is translated): by hand in the .po file, or
``--translations FILE.toml`` with ``"English" = "中文"`` lines. ``--check`` only reports what
is missing. Several people at once: ``flock /tmp/certgov-i18n.lock python scripts/i18n.py …``
and commit the catalogues right after.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from certgov.i18n import LOCALES, catalogue_path
from certgov.i18n.extract import extract_messages

ROOT = Path(__file__).resolve().parents[1] / "src" / "certgov"


def _translations(path: Path) -> dict[str, str]:
    """A TOML file of translations for zh_CN: ``"English msgid" = "中文"`` (a plural entry's
    key is its singular)."""
    import tomllib

    with path.open("rb") as handle:
        return {str(k): str(v) for k, v in tomllib.load(handle).items()}


def main() -> int:
    check = "--check" in sys.argv
    given: dict[str, str] = {}
    if "--translations" in sys.argv:
        given = _translations(Path(sys.argv[sys.argv.index("--translations") + 1]))
    template = extract_messages(ROOT)
    missing = 0
    for locale in LOCALES.values():
        path = ROOT / "i18n" / catalogue_path(locale)
        if path.exists():
            with path.open("rb") as handle:
                catalogue = read_po(handle, locale=locale)
        else:
            catalogue = Catalog(locale=locale, project="certgov")
        catalogue.update(template, no_fuzzy_matching=True)
        if locale == "en":
            # English is the msgids themselves. Babel's update can hand a new message of the
            # template to several catalogues as one object, so a translation given for zh_CN
            # above leaked into en (Chinese in the English pages): en keeps no msgstr at all.
            for message in catalogue:
                if message.id:
                    message.string = (
                        ("",) * len(message.string) if isinstance(message.string, tuple) else ""
                    )
        else:
            for message in catalogue:
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                if key in given:
                    message.string = (given[key],) if isinstance(message.id, tuple) else given[key]
        untranslated = [
            m.id
            for m in catalogue
            if m.id
            and locale != "en"
            and (not any(m.string) if isinstance(m.string, tuple) else not m.string)
        ]
        missing += len(untranslated)
        for message_id in untranslated:
            print(f"{locale}: untranslated: {message_id!r}")
        catalogue.obsolete.clear()  # strings no longer used are dropped, not kept as "#~"
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, catalogue, width=100, omit_header=False, sort_output=True)
    return 1 if (check and missing) else 0


if __name__ == "__main__":
    raise SystemExit(main())
