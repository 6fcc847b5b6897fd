"""Error translation for the HTTP adapters: certgov errors to status codes and JSON bodies."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from certgov.errors import (
    CertgovError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)

log = logging.getLogger("certgov.http")

#: Pydantic's error types for a body that is not a JSON object at all (a string, text/plain).
_NOT_AN_OBJECT = frozenset({"dict_type", "model_attributes_type", "model_type"})

STATUS = {
    InvalidInput: 422,
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
    Conflict: 409,
    TooManyRequests: 429,
}


def status_of(error: CertgovError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


async def certgov_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CertgovError)
    status = status_of(exc)
    if status == 500:
        log.error("unexpected certgov error: %s", exc.message)
    headers = {}
    if isinstance(exc, TooManyRequests) and "retry_after" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after"])
    return JSONResponse(exc.as_dict(), status_code=status, headers=headers)


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "where": ".".join(str(p) for p in err.get("loc", ())),
            "problem": err.get("msg", ""),
        }
        for err in exc.errors()
    ]
    if any(
        err.get("loc") == ("body",) and err.get("type") in _NOT_AN_OBJECT for err in exc.errors()
    ):
        return JSONResponse(
            {
                "error": "invalid_input",
                "message": "the request body must be a JSON object",
                "hint": 'send JSON with Content-Type: application/json, e.g. {"field": "value"}',
                "details": {"problems": problems},
            },
            status_code=422,
        )
    summary = "; ".join(f"{p['where']}: {p['problem']}" for p in problems[:5])
    return JSONResponse(
        {
            "error": "invalid_input",
            "message": f"invalid request: {summary}",
            "details": {"problems": problems},
        },
        status_code=422,
    )


async def data_error(_request: Request, exc: Exception) -> JSONResponse:
    # A value the database cannot hold (a number beyond its column's range) that the input
    # checks let through: the caller's mistake, not the server's.
    assert isinstance(exc, DataError)
    log.warning("value refused by the database: %s", str(exc.orig)[:200])
    return JSONResponse(
        {
            "error": "invalid_input",
            "message": "a value is out of the range the database can store",
            "hint": "check numbers (ids are at most 2147483647) and text",
        },
        status_code=422,
    )


async def overflow(_request: Request, _exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"error": "invalid_input", "message": "a number is too large"}, status_code=422
    )


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse({"error": code, "message": str(exc.detail)}, status_code=exc.status_code)


async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return JSONResponse(
        {"error": "internal", "message": "an unexpected error occurred; it has been logged"},
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Every error becomes a JSON body with a code, a message and, where known, details."""
    app.add_exception_handler(CertgovError, certgov_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DataError, data_error)
    app.add_exception_handler(OverflowError, overflow)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
