"""SYS-3: an independent implementation verifies the logs we serve.

``tests/interop/tlogverify`` is a Go client built on Russ Cox's ``golang.org/x/mod/sumdb/tlog``
and ``.../note`` (Debian's golang-golang-x-mod-dev). Against a real ``certgov serve`` it checks
the signed checkpoint with the log's verifier key, reads the C2SP tiles and entry bundles
through ``tlog.TileHashReader``, recomputes the root, proves entries with ``tlog.ProveRecord``
and checks our JSON inclusion and consistency proofs with ``tlog.CheckRecord`` and
``tlog.CheckTree``. The log holds 70,000 entries: full and partial tiles on levels 0 and 1 and
a (partial) level-2 tile.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from certgov.context import Context
from certgov.store.engine import unit_of_work
from certgov.tlog.note import Signer

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "tests" / "interop" / "tlogverify" / "main.go"
#: Where Debian's golang-golang-x-mod-dev puts the sources (a GOPATH).
GOPATH = Path("/usr/share/gocode")
XMOD = GOPATH / "src" / "golang.org" / "x" / "mod" / "sumdb"
INSTALL_HINT = (
    "run scripts/install-browser.sh as root (it installs golang-go golang-golang-x-mod-dev)"
)

SERVE = [sys.executable, "-m", "certgov.cli", "serve"]
ENTRIES = 70_000
BATCH = 5_000


def _entry(i: int) -> bytes:
    """Entry ``i``: mostly text; an empty entry, and some binary ones up to 2 KiB."""
    if i == 1:
        return b""
    if i % 997 == 0:
        return bytes((i * 31 + k) % 256 for k in range(i % 2048))
    return f"interop filing {i}".encode()


@pytest.fixture(scope="session")
def tlogverify(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Go verifier, built once per test session in GOPATH mode against Debian's x/mod."""
    go = shutil.which("go")
    if go is None:
        pytest.skip(f"Go interop test skipped: go not installed: {INSTALL_HINT}")
    for package in ("tlog", "note"):
        if not (XMOD / package).is_dir():
            pytest.skip(
                f"Go interop test skipped: golang.org/x/mod/sumdb/{package} not found "
                f"under {GOPATH}: {INSTALL_HINT}"
            )
    out = tmp_path_factory.mktemp("tlogverify")
    binary = out / "tlogverify"
    env = dict(os.environ)
    env.update(GO111MODULE="off", GOPATH=str(GOPATH), GOCACHE=str(out / "gocache"), GOFLAGS="")
    build = subprocess.run(
        [go, "build", "-o", str(binary), str(SOURCE)],
        env=env,
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, f"go build failed:\n{build.stdout}{build.stderr}"
    return binary


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # our own 127.0.0.1 server
        return bytes(response.read())


@pytest.fixture
def served_log(ctx: Context, database_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """70,000 entries in ``filings``, served by a real ``certgov serve``: (base URL, vkey)."""
    for start in range(0, ENTRIES, BATCH):
        with unit_of_work(ctx.sessions) as session:
            ctx.logs.sequence(
                session,
                "filings",
                ctx.clock.now(),
                [_entry(i) for i in range(start, start + BATCH)],
            )
    with unit_of_work(ctx.sessions, readonly=True) as session:
        log = ctx.logs.get(session, "filings")
        assert log.size == ENTRIES
        vkey = log.verifier_key

    env = dict(os.environ)
    env["CERTGOV_DATABASE_URL"] = database_url
    env["CERTGOV_DATA_DIR"] = str(ctx.settings.data_dir)
    server, base = _serve(env, tmp_path / "serve.log")
    try:
        yield base, vkey
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``certgov serve`` on a free port (retried if another process takes it first)."""
    for _attempt in range(3):
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with log.open("wb") as sink:
            server = subprocess.Popen(
                [*SERVE, "--host", "127.0.0.1", "--port", str(port), "--worker-interval", "0"],
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while server.poll() is None:
            try:
                _get(f"{base}/logs/filings/checkpoint")
                return server, base
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    server.kill()
                    server.wait()
                    pytest.fail(f"certgov serve did not answer in 30 s:\n{log.read_text()}")
                time.sleep(0.1)
        if "address already in use" not in log.read_text().lower():
            break
    pytest.fail(f"certgov serve exited {server.returncode}:\n{log.read_text()}")


def _verify(binary: Path, base: str, vkey: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), base, "filings", vkey], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_go_sumdb_tlog_verifies_our_log(
    tlogverify: Path, served_log: tuple[str, str], ctx: Context
) -> None:
    base, vkey = served_log
    origin = ctx.logs.origin_for("filings")
    # The key the API publishes is the one in the database (the verifier's trust anchor).
    assert json.loads(_get(f"{base}/api/v1/logs/filings"))["verifier_key"] == vkey

    result = _verify(tlogverify, base, vkey)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"ok {origin} {ENTRIES}\n", result.stdout + result.stderr

    # A key of the same name that did not sign the checkpoint: note.Open refuses it.
    stranger = Signer.generate(origin).verifier_key()
    refused = _verify(tlogverify, base, stranger)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stdout == ""
    assert "checkpoint signature" in refused.stderr, refused.stderr
