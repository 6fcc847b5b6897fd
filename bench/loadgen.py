"""A light HTTP/1.1 load generator: keep-alive connections sending one prepared request.

The benchmarks measure the server, so the client must cost little: each connection writes
the request bytes and reads the status line, headers and ``Content-Length`` body, nothing
more (an httpx client spends several times the server's CPU per request on this 2-core
machine)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Load:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def request_bytes(base: str, path: str, body: bytes, content_type: str) -> tuple[str, int, bytes]:
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return host, port, head.encode("ascii") + body


async def _connection(host: str, port: int, request: bytes, count: int, load: Load) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(count):
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            load.latencies.append(time.perf_counter() - started)
            load.statuses[status] = load.statuses.get(status, 0) + 1
    finally:
        writer.close()


def run_load(
    base: str, path: str, body: bytes, content_type: str, *, requests: int, connections: int
) -> Load:
    """Send ``requests`` requests over ``connections`` keep-alive connections at once."""
    host, port, request = request_bytes(base, path, body, content_type)
    load = Load()

    async def main() -> None:
        share = requests // connections
        started = time.perf_counter()
        await asyncio.gather(
            *(_connection(host, port, request, share, load) for _ in range(connections))
        )
        load.seconds = time.perf_counter() - started

    asyncio.run(main())
    return load
