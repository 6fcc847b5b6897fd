"""Browser-facing protections of the served application (SYS-6): security headers on every
response, and cross-site request forgery refused on every cookie-authenticated write.

CSRF: a request that changes something (any method but GET, HEAD, OPTIONS) and is
authenticated by the session cookie must come from one of our own pages and carry the
session's token, either as the form field ``csrf_token`` (pages) or as the header
``X-CSRF-Token`` (scripts using the cookie). The token is derived from the session secret, so
only someone who can read the cookie (our own pages, never another site) can know it, and
nothing needs storing. Requests with ``Origin`` or ``Referer`` naming another site are refused
whether or not they carry a cookie (a forged login or complaint is refused too). Machine
clients authenticate with a bearer token, which a browser never sends by itself: they are not
subject to the token check. API writes authenticated by the cookie must also be JSON (a
``text/plain`` body is what a cross-site form can send without a preflight).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The form field and the header that carry the token.
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_LOGIN_PATHS = frozenset({"/api/v1/auth/login", "/console/login"})

#: Only our own assets: no inline script, no framing by anyone.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def csrf_token(session_secret: str) -> str:
    """The CSRF token of a session: a keyed hash of its secret (never the secret itself)."""
    digest = hmac.new(b"certgov-csrf", session_secret.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _same_site(scope: Scope, url: str) -> bool:
    host = _header(scope, b"host")
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(host) and parts.netloc.lower() == (host or "").lower()


async def _refuse(send: Send, status: int, code: str, message: str, hint: str) -> None:
    response = JSONResponse({"error": code, "message": message, "hint": hint}, status_code=status)
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - responses never read
    return {"type": "http.disconnect"}


def _form_token(body: bytes, content_type: str) -> str | None:
    """The ``csrf_token`` field of a form body (URL-encoded or multipart)."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD)
        return values[0] if values else None
    marker = f'name="{CSRF_FIELD}"'.encode()
    at = body.find(marker)
    if at < 0:
        return None
    start = body.find(b"\r\n\r\n", at)
    end = body.find(b"\r\n", start + 4) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return body[start + 4 : end].decode("latin-1").strip()


_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def _bad_text_in_json(scope: Scope, body: bytes) -> str | None:
    """The path of the first string (or key) in a JSON body that holds a NUL character or an
    unpaired surrogate, which no database column should store; None when there is none (or
    the body is not JSON: the route answers that)."""
    content_type = (_header(scope, b"content-type") or "").lower()
    if not content_type.startswith("application/json") or not body:
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    stack: list[tuple[str, object]] = [("(the document)", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _BAD_TEXT.search(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                where = key if path == "(the document)" else f"{path}.{key}"
                if _BAD_TEXT.search(key):
                    return path
                stack.append((where, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None


class Protect:
    """Plain ASGI middleware: reads the request body up to ``limit`` bytes (413 beyond it,
    chunked or not), refuses cross-site writes and cookie writes without the token, and adds
    the security headers to every response."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        session_cookie: str,
        hsts: bool,
        no_store_prefixes: Iterable[str] = ("/console", "/api/v1/auth"),
    ) -> None:
        self.app = app
        self.limit = limit
        self.session_cookie = session_cookie
        self.hsts = hsts
        self.no_store_prefixes = tuple(no_store_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._too_large(send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body.extend(message.get("body", b""))
            if len(body) > self.limit:
                await self._too_large(send)
                return
            more = message.get("more_body", False)
        if scope["method"] not in _SAFE_METHODS:
            if not await self._allowed(scope, bytes(body), send):
                return
            problem = _bad_text_in_json(scope, bytes(body))
            if problem is not None:
                await _refuse(
                    send,
                    422,
                    "invalid_input",
                    f"{problem}: text may not contain NUL characters or unpaired surrogates",
                    "send the text as it should be stored, in UTF-8",
                )
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        credentials = bool(_header(scope, b"authorization") or _cookie(scope, self.session_cookie))
        path = scope.get("path", "")
        no_store = credentials or path.startswith(self.no_store_prefixes)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                if not path.startswith("/api/docs"):
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                if no_store:
                    headers["Cache-Control"] = "no-store"
                if self.hsts:
                    headers.setdefault(
                        "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
                    )
            await send(message)

        await self.app(scope, replay, sending)

    async def _allowed(self, scope: Scope, body: bytes, send: Send) -> bool:
        origin = _header(scope, b"origin")
        referer = _header(scope, b"referer")
        source = origin if origin and origin != "null" else referer
        if origin == "null" or (source is not None and not _same_site(scope, source)):
            await _refuse(
                send,
                403,
                "cross_site_request",
                "the request came from another site and was refused",
                "submit the form from this site's own page",
            )
            return False
        if _header(scope, b"authorization"):
            return True
        cookie = _cookie(scope, self.session_cookie)
        if not cookie or scope.get("path", "") in _LOGIN_PATHS:
            # Logging in (again) creates the session the token is derived from; the origin
            # check above is what guards it.
            return True
        content_type = (_header(scope, b"content-type") or "").lower()
        path = scope.get("path", "")
        if path.startswith("/api/") and body and not content_type.startswith("application/json"):
            await _refuse(
                send,
                415,
                "json_required",
                "a request authenticated by the session cookie must send JSON "
                f"(Content-Type: application/json), not {content_type or 'no content type'}",
                "send JSON with the X-CSRF-Token header, or use an API token (Authorization: "
                "Bearer) for files",
            )
            return False
        sent = _header(scope, CSRF_HEADER.encode())
        if sent is None and content_type.startswith(_FORM_TYPES):
            sent = _form_token(body, content_type)
        if sent is None or not hmac.compare_digest(sent, csrf_token(cookie)):
            await _refuse(
                send,
                403,
                "csrf_token_missing",
                "the request is authenticated by the session cookie but does not carry its "
                "CSRF token",
                "reload the page and submit the form again; scripts send the X-CSRF-Token "
                "header given by /api/v1/auth/me",
            )
            return False
        return True

    async def _too_large(self, send: Send) -> None:
        await _refuse(
            send,
            413,
            "too_large",
            f"the request body is larger than the limit of {self.limit} bytes",
            "send a smaller file, or split the submission",
        )
