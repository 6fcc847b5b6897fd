"""Screenshots of every page, as each demo role sees it: ``make screenshots`` writes
``var/screenshots/<name>-<lang>-<width>.png`` (Chinese and English, 1280 px and 375 px).

The pages are listed in ``scripts/screenshots/pages_*.txt``, one per line:
``<role> <path> <name>`` (``public`` needs no login; the other roles are the demo logins:
regulator, shanghai, ccrc, lab, ca, app …). The script loads the demo data into a fresh
database of its own, serves it on a free local port and drives Debian's Chromium.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _pages(only: str | None) -> list[tuple[str, str, str]]:
    pages = []
    for listing in sorted((ROOT / "scripts" / "screenshots").glob("pages_*.txt")):
        for line in listing.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            role, path, name = line.split()[:3]
            if only is None or re.search(only, name):
                pages.append((role, path, name))
    return pages


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "var" / "screenshots"))
    parser.add_argument("--only", help="a regular expression on the page names")
    parser.add_argument("--lang", choices=["zh", "en"], action="append")
    parser.add_argument("--width", type=int, action="append")
    options = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}: run scripts/install-browser.sh", file=sys.stderr)
        return 2

    import uvicorn
    from playwright.sync_api import sync_playwright

    from certgov.asgi import create_app
    from certgov.bootstrap import build_context
    from certgov.demo import load_demo
    from certgov.filings.lints import sweep_lints
    from certgov.settings import Settings
    from certgov.store import migrate
    from certgov.store.engine import unit_of_work

    data = Path(tempfile.mkdtemp(prefix="certgov-screens-"))
    url = f"sqlite:///{data / 'certgov.db'}"
    migrate.upgrade(url)
    ctx = build_context(Settings(data_dir=data, database_url=url))
    with unit_of_work(ctx.sessions) as session:
        summary = load_demo(session, ctx)
    # What the worker does within a minute of `make run`: lint the filed CA certificates, so
    # that the certificate pages and a CA's lint summary show results.
    sweep_lints(ctx)
    passwords = dict(re.findall(r"^\s+(\S+)\s+(\S+)\s+\(", summary, flags=re.M))

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    langs = options.lang or ["zh", "en"]
    widths = options.width or [1280, 375]
    taken = 0
    by_role: dict[str, list[tuple[str, str]]] = {}
    for role, path, name in _pages(options.only):
        by_role.setdefault(role, []).append((path, name))
    with sync_playwright() as playwright:
        for lang in langs:
            # The browser's own controls (file inputs, date pickers) speak the reader's
            # language too, as they would in a browser set to it.
            locale = "zh-CN" if lang == "zh" else "en-US"
            posix = locale.replace("-", "_")
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[*ARGS, f"--lang={locale}"],
                env={**os.environ, "LANGUAGE": posix, "LANG": f"{posix}.UTF-8"},
            )
            taken += _shoot(browser, by_role, widths, lang, locale, base, passwords, out)
            browser.close()
    server.should_exit = True
    thread.join(timeout=10)
    print(f"{taken} screenshots in {out}")
    return 0


def _shoot(
    browser: Any,
    by_role: dict[str, list[tuple[str, str]]],
    widths: list[int],
    lang: str,
    locale: str,
    base: str,
    passwords: dict[str, str],
    out: Path,
) -> int:
    taken = 0
    for role, pages in by_role.items():
        for width in widths:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale)
            page = context.new_page()
            if role != "public":
                if role not in passwords:
                    print(f"no demo login {role!r}; logins: {sorted(passwords)}")
                    continue
                page.goto(f"{base}/console")
                page.fill("#username", role)
                page.fill("#password", passwords[role])
                page.locator("form[action='/console/login'] button").click()
            for path, name in pages:
                joiner = "&" if "?" in path else "?"
                page.goto(f"{base}{path}{joiner}lang={lang}")
                target = out / f"{name}-{lang}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                taken += 1
            context.close()
    return taken


if __name__ == "__main__":
    raise SystemExit(main())
