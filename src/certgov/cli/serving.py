"""Several web server processes on one port (``certgov serve --workers N``).

Each process opens its own listening socket on the address with ``SO_REUSEPORT``, so the
kernel spreads new connections evenly over the processes. (With one shared socket, as
uvicorn's own ``--workers`` has it, whichever process is awake accepts: under load one
process took nearly every keep-alive connection while the other idled.) The parent
supervises: it runs the background jobs, restarts nothing, and stops the processes when it is
stopped or when one of them exits.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
from collections.abc import Callable
from types import FrameType

log = logging.getLogger("certgov.serve")


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port) that other processes may bind too."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(2048)
    return sock


def _serve_one(host: str, port: int) -> None:  # pragma: no cover - runs in a child process
    import uvicorn

    sock = listening_socket(host, port)
    config = uvicorn.Config("certgov.asgi:create_app", factory=True, log_level="info")
    uvicorn.Server(config).run(sockets=[sock])


def serve_processes(host: str, port: int, workers: int, on_stop: Callable[[], None]) -> None:
    """Run ``workers`` server processes on (host, port) until stopped (SIGINT/SIGTERM) or
    until one exits; then stop the others and call ``on_stop``."""
    if not hasattr(socket, "SO_REUSEPORT"):  # pragma: no cover - not Linux/BSD
        raise SystemExit("--workers above 1 needs SO_REUSEPORT (Linux, BSD)")
    # Fail here, with a clear message, if the address is taken (each child binds its own).
    try:
        listening_socket(host, port).close()
    except OSError as exc:
        raise SystemExit(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    spawn = multiprocessing.get_context("spawn")
    children = [
        spawn.Process(target=_serve_one, args=(host, port), name=f"certgov-web-{n}")
        for n in range(workers)
    ]
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for child in children:
            child.start()
        log.info("serving on http://%s:%d with %d processes", host, port, workers)
        while all(child.is_alive() for child in children):
            for child in children:
                child.join(timeout=1)
        if not stopping:
            log.error("a server process exited; stopping the others")
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
        for child in children:
            child.join(timeout=30)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        on_stop()
    if any(child.exitcode not in (0, -signal.SIGTERM) for child in children) and not stopping:
        sys.exit(1)
