"""No acknowledged write is lost when the served platform is killed (SIGKILL) in the middle of
work, on SQLite and PostgreSQL (issue 15): a real `certgov serve`, real HTTP clients, a kill
with no clean-up of any kind, a restart, and every complaint the server answered 201 for is
there with its tracking code."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SERVE = [sys.executable, "-m", "certgov.cli", "serve"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [*SERVE, "--port", str(port), "--worker-interval", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes every process
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")


def _file(port: int, n: int) -> str | None:
    """File one complaint; its tracking code when the server acknowledged it (201)."""
    body = json.dumps(
        {
            "subject": f"complaint {n}",
            "description": "certificates issued without checks",
            "ca_name": "Some CA",
        }
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/complaints",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            if response.status == 201:
                code: str = json.loads(response.read())["tracking_code"]
                return code
    except (OSError, urllib.error.URLError, ValueError):
        return None
    return None


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sigkill_loses_no_acknowledged_complaint(tmp_path: Path, backend: str) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'certgov.db'}"
    else:
        server_url = os.environ.get("CERTGOV_TEST_DATABASE_URL")
        if not server_url:
            pytest.skip("PostgreSQL tests skipped: set CERTGOV_TEST_DATABASE_URL")
        url = _fresh_postgres(server_url)
    env = dict(
        os.environ,
        CERTGOV_DATA_DIR=str(tmp_path / "data"),
        CERTGOV_DATABASE_URL=url,
        CERTGOV_COMPLAINT_RATE_LIMIT="100000",
    )
    subprocess.run(
        [sys.executable, "-m", "certgov.cli", "db", "upgrade"], env=env, check=True, timeout=120
    )
    port = _free_port()
    server = _start(env, port)
    acknowledged: list[str] = []
    stop = threading.Event()

    def client(offset: int) -> None:
        n = offset
        while not stop.is_set():
            code = _file(port, n)
            if code is not None:
                acknowledged.append(code)
            n += 4

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(server.pid, signal.SIGKILL)  # mid-stream: requests are in flight
        server.wait(timeout=30)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert len(acknowledged) >= 20, "the clients were acknowledged before the kill"
    restarted = _start(env, port)
    try:
        lost = []
        for code in acknowledged:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/v1/complaints/{code}", timeout=5
            ) as response:
                if response.status != 200:
                    lost.append(code)
        assert not lost, f"{len(lost)} acknowledged complaints lost"
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(timeout=30)


def _fresh_postgres(server_url: str) -> str:
    import uuid

    from sqlalchemy import create_engine, make_url, text

    name = f"certgov_kill_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
