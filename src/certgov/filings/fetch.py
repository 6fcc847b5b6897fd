"""Fetching revocation data over HTTP (ECS-3.5): a CRL by GET, an OCSP response by POST
(RFC 6960 appendix A). Every failure is a :class:`FetchError` with a reason a regulator can
read; bodies are read up to a size limit, so a hostile or broken server cannot exhaust memory.

Only ``http`` and ``https`` are fetched; other schemes (``ldap``, common in CRL distribution
points of Chinese CAs) raise :class:`UnsupportedScheme`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

__all__ = ["FetchError", "UnsupportedScheme", "http_get", "http_post"]

OCSP_REQUEST = "application/ocsp-request"


class FetchError(Exception):
    """The resource could not be fetched: connection refused, timeout, HTTP error, too big."""


class UnsupportedScheme(FetchError):
    """The URL's scheme is not one certgov fetches."""


def _check_url(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsupportedScheme(f"certgov fetches http and https URLs only, not {scheme or '?'}:")


def _request(
    method: str,
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    content: bytes | None = None,
    content_type: str | None = None,
) -> bytes:
    _check_url(url)
    headers = {"user-agent": "certgov-revocation-monitor"}
    if content_type:
        headers["content-type"] = content_type
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=3) as client,
            client.stream(method, url, content=content, headers=headers) as response,
        ):
            if response.status_code != 200:
                raise FetchError(f"{url} answered HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{url} is {int(declared):,} bytes, over {max_bytes:,}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(f"{url} sent more than {max_bytes:,} bytes")
            return bytes(body)
    except httpx.TimeoutException:
        raise FetchError(f"{url} did not answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url} is unreachable: {exc.__class__.__name__}: {exc}") from None


def http_get(url: str, *, timeout: float, max_bytes: int) -> bytes:
    """The body of ``url`` (a CRL)."""
    return _request("GET", url, timeout=timeout, max_bytes=max_bytes)


def http_post(url: str, body: bytes, *, timeout: float, max_bytes: int) -> bytes:
    """The body of the OCSP responder's answer to the DER request ``body``."""
    return _request(
        "POST", url, timeout=timeout, max_bytes=max_bytes, content=body, content_type=OCSP_REQUEST
    )
