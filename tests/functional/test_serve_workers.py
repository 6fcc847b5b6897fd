"""`certgov serve --workers N`: several web processes on one port, each with its own
SO_REUSEPORT socket, stopped with the parent (a real server, real processes)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

SERVE = [sys.executable, "-m", "certgov.cli", "serve"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="needs SO_REUSEPORT (Linux)")
def test_serve_with_two_processes_answers_spreads_and_stops(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(
        os.environ,
        CERTGOV_DATA_DIR=str(tmp_path / "data"),
        CERTGOV_DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'certgov.db'}",
    )
    subprocess.run(
        [sys.executable, "-m", "certgov.cli", "db", "upgrade"], env=env, check=True, timeout=120
    )
    server = subprocess.Popen(
        [*SERVE, "--port", str(port), "--workers", "2", "--worker-interval", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        children: list[psutil.Process] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            children = psutil.Process(server.pid).children()
            listening = {
                c.pid
                for c in children
                for conn in c.net_connections(kind="tcp")
                if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port
            }
            if len(listening) == 2:
                break
            time.sleep(0.2)
        assert len(listening) == 2, "both web processes listen on the port"
        for _ in range(5):
            status, body = _get(f"http://127.0.0.1:{port}/healthz")
            assert status == 200 and json.loads(body)["status"] == "ok"
        # Stopping the parent stops every web process.
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert not alive
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_serve_refuses_a_taken_port_with_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = dict(os.environ, CERTGOV_DATA_DIR=str(tmp_path / "data"))
        subprocess.run(
            [sys.executable, "-m", "certgov.cli", "db", "upgrade"], env=env, check=True, timeout=120
        )
        result = subprocess.run(
            [*SERVE, "--port", str(port), "--workers", "2", "--worker-interval", "0"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "address" in (result.stderr + result.stdout).lower()
