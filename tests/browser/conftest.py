"""Browser fixtures: Debian's Chromium driven by Playwright, and the app served by Uvicorn.

The browser tests run against SQLite only: they check what the pages show and how a person
moves through them, which does not depend on the database; the API and service tests cover
PostgreSQL. The PostgreSQL variants of the shared ``database_url`` fixture are skipped here,
before any database is made, to keep the folder fast.

Chromium comes from apt (``scripts/install-browser.sh``), not from ``playwright install``, which
cannot download browsers on this network. Without it the whole folder skips with the reason.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Error, Page, sync_playwright

from certgov.asgi import create_app
from certgov.context import Context

CHROMIUM = Path("/usr/bin/chromium")
#: Headless, and nothing that would reach outside 127.0.0.1 (the network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 10.0
#: Playwright waits this long for an element or a navigation before failing a test.
PAGE_TIMEOUT_MS = 5_000


@pytest.fixture(autouse=True)
def _sqlite_only(request: pytest.FixtureRequest) -> None:
    """Skip the PostgreSQL variant of each browser test (see the module docstring)."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("database_url") == "postgresql":
        pytest.skip("browser tests run against SQLite only; the API tests cover PostgreSQL")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: run scripts/install-browser.sh")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except Error as exc:
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {exc.message.splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(ctx: Context) -> Iterator[str]:
    """``create_app(ctx)`` served by Uvicorn on a free 127.0.0.1 port; yields its base URL."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Binding port 0 here, not in Uvicorn, gives the port before the server starts: no race.
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    config = uvicorn.Config(create_app(ctx), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listening]}, name="uvicorn", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            listening.close()
            pytest.fail(
                f"Uvicorn did not start on 127.0.0.1:{port} within {SERVER_START_SECONDS} s"
            )
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=SERVER_START_SECONDS)
    listening.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    yield context.new_page()
    context.close()
