"""`certgov tlog …` and `certgov audit …` as an operator runs them (SYS-3).

Each test gets its own data directory (SQLite database and log keys) through
``CERTGOV_DATA_DIR``; the database is a copy of the migrated template, so no test pays for
``db upgrade``. What the commands print is checked with the pure library
(:mod:`certgov.tlog`), not with the code that produced it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from certgov.tlog import merkle
from certgov.tlog.checkpoint import open_checkpoint
from certgov.tlog.note import Verifier
from certgov.tlog.tiles import decode_entry_bundle

CERTGOV = [sys.executable, "-m", "certgov.cli"]
FILINGS = "certgov.local/filings"
AUDIT = "certgov.local/audit"
VKEY_RE = re.compile(r"certgov\.local/(audit|filings)\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*")


@pytest.fixture
def env(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(sqlite_template, data / "certgov.db")
    environment = dict(os.environ)
    environment["CERTGOV_DATA_DIR"] = str(data)
    for name in ("CERTGOV_DATABASE_URL", "CERTGOV_LOG_KEY_DIR", "CERTGOV_DEBUG"):
        environment.pop(name, None)
    return environment


def certgov(
    env: dict[str, str], *args: str | Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CERTGOV, *map(str, args)],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    """A clean refusal: the exit code, an ``error:`` line, each needle, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert "error:" in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)
    return result.stderr


def keys_of(env: dict[str, str], *log: str) -> dict[str, str]:
    """``tlog key`` output as {origin: verifier key}, each line checked for its form."""
    lines = ok(certgov(env, "tlog", "key", *log)).splitlines()
    keys = {}
    for line in lines:
        assert VKEY_RE.fullmatch(line), line
        keys[Verifier.from_vkey(line).name] = line
    assert len(keys) == len(lines)
    return keys


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_append_checkpoint_prove_and_verify_consistency(
    env: dict[str, str], tmp_path: Path
) -> None:
    """SYS-3: appended entries are durable at the printed indices; `tlog prove` gives
    a proof that verifies; `tlog verify-consistency` accepts an old and a newer checkpoint and
    refuses them swapped, altered, or under the wrong key, with a message and no traceback."""
    first = tmp_path / "first.txt"
    first.write_text("".join(f"filing {i}\n" for i in range(5)) + "\n")  # blank line: no entry
    assert ok(certgov(env, "tlog", "append", "filings", "--lines", first)).strip() == (
        "0..4 durable, size 5"
    )
    old = tmp_path / "old.checkpoint"
    old.write_text(ok(certgov(env, "tlog", "checkpoint", "filings")))

    second = tmp_path / "second.txt"
    second.write_text("".join(f"filing {i}\n" for i in range(5, 300)))
    appended = json.loads(
        ok(certgov(env, "tlog", "append", "filings", "--lines", second, "--json"))
    )
    assert (appended["first_index"], appended["count"], appended["size"]) == (5, 295, 300)
    new = tmp_path / "new.checkpoint"
    new.write_text(appended["checkpoint"])

    keys = keys_of(env)
    assert set(keys) == {AUDIT, FILINGS}
    verifier = Verifier.from_vkey(keys[FILINGS])
    old_checkpoint, _ = open_checkpoint(old.read_text(), [verifier], origin=FILINGS)
    new_checkpoint, _ = open_checkpoint(new.read_text(), [verifier], origin=FILINGS)
    assert (old_checkpoint.size, new_checkpoint.size) == (5, 300)
    entries = [f"filing {i}".encode() for i in range(300)]
    assert new_checkpoint.root_hash == merkle.root_from_leaf_hashes(
        merkle.leaf_hash(e) for e in entries
    )

    consistent = ok(certgov(env, "tlog", "verify-consistency", old, new))
    assert f"consistent: {FILINGS} grew from 5 to 300 entries" in consistent
    consistent = ok(certgov(env, "tlog", "verify-consistency", old, new, "--key", keys[FILINGS]))
    assert "grew from 5 to 300" in consistent
    refused(certgov(env, "tlog", "verify-consistency", new, old), 2, "give the older one first")
    altered = tmp_path / "altered.checkpoint"
    text = bytearray(new.read_bytes())
    text[len(FILINGS) + 1] = ord("4")  # "300" becomes "400": the signature no longer matches
    altered.write_bytes(bytes(text))
    assert altered.read_text().splitlines()[1] == "400"
    refused(certgov(env, "tlog", "verify-consistency", old, altered), 2, "signature")
    wrong = certgov(env, "tlog", "verify-consistency", old, new, "--key", keys[AUDIT])
    refused(wrong, 2, "no signature of a trusted key")
    assert "consistent" not in wrong.stdout

    # The same proof from an export of the log, without the database's help.
    export = tmp_path / "filings-export"
    ok(certgov(env, "audit", "export", "--log", "filings", "--out", export))
    offline = certgov(
        env, "tlog", "verify-consistency", old, new, "--tiles", export, "--key", keys[FILINGS]
    )
    assert "grew from 5 to 300" in ok(offline)
    # An export made later (at a larger size) still proves the older pair.
    third = tmp_path / "third.txt"
    third.write_text("".join(f"filing {i}\n" for i in range(300, 350)))
    ok(certgov(env, "tlog", "append", "filings", "--lines", third))
    later = tmp_path / "filings-export-later"
    ok(certgov(env, "audit", "export", "--log", "filings", "--out", later))
    offline = certgov(
        env, "tlog", "verify-consistency", old, new, "--tiles", later, "--key", keys[FILINGS]
    )
    assert "grew from 5 to 300" in ok(offline)

    proof = json.loads(ok(certgov(env, "tlog", "prove", "filings", "3", "--size", "300", "--json")))
    assert (proof["log"], proof["index"], proof["size"]) == ("filings", 3, 300)
    leaf = merkle.leaf_hash(b"filing 3")
    assert base64.b64decode(proof["leaf_hash"]) == leaf
    merkle.verify_inclusion(
        leaf,
        3,
        300,
        [base64.b64decode(h) for h in proof["hashes"]],
        new_checkpoint.root_hash,
    )
    refused(certgov(env, "tlog", "prove", "filings", "350"), 1, "no entry 350")


def test_audit_export_verifies_and_names_each_alteration(
    env: dict[str, str], tmp_path: Path
) -> None:
    """SYS-3: audited CLI actions are in the exported audit log, which `audit verify` accepts
    with the log's key; in altered copies it names the entry, the tile or the checkpoint that
    does not match (exit 1). An export is not overwritten without --force."""
    ok(
        certgov(
            env, "rules", "activate", "measures-2024-draft", "--from", "2026-01-01", "--reason", "x"
        )
    )
    ok(
        certgov(
            env,
            "users",
            "create",
            "zhang.san",
            "--role",
            "national_regulator",
            "--password-stdin",
            stdin="a long enough password\n",
        )
    )
    export = tmp_path / "export"
    exported = ok(certgov(env, "audit", "export", "--out", export))
    assert "exported audit: 2 entries" in exported
    key = keys_of(env, "audit")[AUDIT]
    assert (export / "verifier-key").read_text().strip() == key
    assert sorted(p.relative_to(export).as_posix() for p in export.rglob("*") if p.is_file()) == [
        "checkpoint",
        "tile/0/000.p/2",
        "tile/entries/000.p/2",
        "verifier-key",
    ]
    records = [
        json.loads(e) for e in decode_entry_bundle((export / "tile/entries/000.p/2").read_bytes())
    ]
    assert [r["action"] for r in records] == ["rules.activate", "identity.user_created"]
    assert records[0]["subject"] == {"rule_set": "measures-2024-draft", "regime": "ecs"}
    assert records[0]["reason"] == "x"
    assert records[1]["subject"]["username"] == "zhang.san"
    assert "password" not in json.dumps(records)

    valid = json.loads(ok(certgov(env, "audit", "verify", export, "--key", key, "--json")))
    assert valid["valid"] is True
    assert (valid["origin"], valid["size"], valid["entries"]) == (AUDIT, 2, 2)
    assert valid["signed_by"] == [AUDIT]

    refused(certgov(env, "audit", "export", "--out", export), 2, "holds an export already")

    # Each alteration in a fresh copy of the export.
    bundle = (export / "tile/entries/000.p/2").read_bytes()
    second_entry = 2 + int.from_bytes(bundle[:2], "big") + 2  # entry 1's first byte
    copies = {
        "entry": ("tile/entries/000.p/2", second_entry + 10),
        "tile": ("tile/0/000.p/2", 3),
        "checkpoint": ("checkpoint", len(AUDIT) + 4),  # in the root hash line
    }
    places = {}
    for name, (path, offset) in copies.items():
        copy = tmp_path / f"altered-{name}"
        shutil.copytree(export, copy)
        flip_byte(copy / path, offset)
        result = certgov(env, "audit", "verify", copy, "--key", key, "--json")
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        answer = json.loads(result.stdout)
        assert answer["valid"] is False
        places[name] = answer["place"]
    assert places["entry"].startswith("entry 1 "), places
    assert places["tile"] == "tile tile/0/000.p/2 hash 0", places
    assert places["checkpoint"] == "checkpoint", places

    text = certgov(env, "audit", "verify", tmp_path / "altered-entry", "--key", key)
    assert text.returncode == 1
    assert "NOT VALID at entry 1 (tile/entries/000.p/2, entry 1)" in text.stderr
    assert "Traceback" not in text.stderr


def test_tlog_key_prints_each_log_key_and_keeps_it_private(env: dict[str, str]) -> None:
    """SYS-3: `tlog key` prints one signed-note verifier key per log; the signing keys are
    files of mode 0600 in <data dir>/log-keys and stay the same from run to run."""
    keys = keys_of(env)
    assert set(keys) == {AUDIT, FILINGS}
    key_dir = Path(env["CERTGOV_DATA_DIR"]) / "log-keys"
    assert sorted(p.name for p in key_dir.iterdir()) == ["audit.key", "filings.key"]
    for path in key_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        secret = path.read_text().strip()
        assert secret.startswith(f"PRIVATE+KEY+certgov.local/{path.stem}+")
        # The key material is everything after name and key hash: base64, which may itself
        # hold "+" (taking only the text after the last "+" made this fail by chance).
        assert secret.split("+", 4)[4] not in json.dumps(keys)
    assert keys_of(env) == keys
    assert keys_of(env, "filings") == {FILINGS: keys[FILINGS]}
    listed = json.loads(ok(certgov(env, "tlog", "list", "--json")))
    assert {row["origin"]: row["verifier_key"] for row in listed} == keys


def test_bad_input_is_refused_with_a_message_not_a_traceback(
    env: dict[str, str], tmp_path: Path
) -> None:
    """SYS-3: bad input to the log commands exits 2 with an `error:` line and no traceback."""
    refused(
        certgov(env, "tlog", "append", "filings", tmp_path / "missing.txt"),
        2,
        "cannot read",
        "missing.txt",
    )
    entry = tmp_path / "entry.txt"
    entry.write_text("one entry")
    refused(certgov(env, "tlog", "append", "Bad_Name", entry), 2, "is not a log name")
    too_large = tmp_path / "large.bin"
    too_large.write_bytes(b"x" * 65_536)
    refused(certgov(env, "tlog", "append", "filings", too_large), 2, "at most 65535")
    refused(certgov(env, "audit", "verify", entry, "--key", "x"), 2, "is not a directory")
    refused(certgov(env, "tlog", "checkpoint", "filings"), 1, "no entries yet")


def test_checkpoint_of_an_impossible_size_is_refused_cleanly(
    env: dict[str, str], tmp_path: Path
) -> None:
    """SYS-3: asking for a checkpoint the log never published is a refusal (exit 1)."""
    entry = tmp_path / "entry.txt"
    entry.write_text("one entry")
    ok(certgov(env, "tlog", "append", "filings", entry))
    refused(certgov(env, "tlog", "checkpoint", "filings", "--size", str(2**63)), 1, "size")


def test_the_audit_log_takes_only_audit_records(env: dict[str, str], tmp_path: Path) -> None:
    """SYS-3: every entry of the audit log is an audit record (what `audit verify` checks), so
    appending anything else to it is refused before it becomes permanent."""
    entry = tmp_path / "entry.txt"
    entry.write_text("not an audit record")
    refused(certgov(env, "tlog", "append", "audit", entry), 2, "audit")
    sizes = {
        row["name"]: row["size"] for row in json.loads(ok(certgov(env, "tlog", "list", "--json")))
    }
    assert sizes.get("audit", 0) == 0
