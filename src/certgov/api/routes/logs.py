"""Transparency logs over HTTP (SYS-3).

Two faces of the same logs:

- ``tiles_router``: the C2SP tlog-tiles read API at ``/logs/<log>/`` — ``checkpoint``,
  ``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]`` — that any independent tlog
  client (and a CDN) can use. Tiles and bundles never change once served: they carry
  ``Cache-Control: immutable``; the checkpoint is revalidated on every read.
- ``router`` (under ``/api/v1``): JSON conveniences — logs, proofs, entries, past checkpoints.

Everyone may read checkpoints, tiles and proofs (hashes only). Entries of the ``audit`` log
name officials and cases, so only the national regulator reads them; ``filings`` entries are
public.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from certgov.actors import Actor, Role
from certgov.context import Context
from certgov.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from certgov.http.deps import ContextDep, PublicActor, SessionDep, actor_of
from certgov.http.params import LogPosition
from certgov.logs.audit import parse_audit_entry
from certgov.logs.models import TLog
from certgov.logs.store import b64, check_log_name
from certgov.store.engine import unit_of_work
from certgov.tlog import merkle
from certgov.tlog.errors import MalformedTileError
from certgov.tlog.tiles import parse_entries_path, parse_tile_path

router = APIRouter(tags=["transparency logs"])
tiles_router = APIRouter(tags=["transparency logs (C2SP tlog-tiles)"])

IMMUTABLE = "public, max-age=31536000, immutable"
#: Entry bundles only some may read: immutable, but never stored by shared caches.
PRIVATE_IMMUTABLE = "private, max-age=31536000, immutable"
OCTETS = "application/octet-stream"


def _log(session: Session, ctx: Context, name: str) -> TLog:
    check_log_name(name)
    return ctx.logs.get(session, name)


def check_entries_readable(actor: Actor, log: TLog) -> None:
    """Entries of a non-public log (audit) are for the national regulator only."""
    if log.public_entries or actor.role is Role.NATIONAL_REGULATOR:
        return
    if actor.role is Role.PUBLIC:
        raise Unauthenticated(f"the entries of the {log.name} log are not public; log in")
    raise Forbidden(f"only the national regulator reads the entries of the {log.name} log")


# -- C2SP tlog-tiles ------------------------------------------------------------------------


def _serve_checkpoint(ctx: Context, log: str) -> str:
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return ctx.logs.latest_checkpoint(session, _log(session, ctx, log))


@tiles_router.get("/logs/{log}/checkpoint", response_class=Response)
async def checkpoint(log: str, request: Request) -> Response:
    """The latest signed checkpoint (C2SP signed note); anyone may read it."""
    ctx: Context = request.app.state.ctx
    note = await run_in_threadpool(_serve_checkpoint, ctx, log)
    return Response(
        note, media_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )


def _serve_tile(ctx: Context, request: Request, log: str, path: str) -> tuple[bytes, str]:
    """The body and its Cache-Control header."""
    try:
        if path.startswith("entries/"):
            bundle = parse_entries_path("tile/" + path)
            with unit_of_work(ctx.sessions, readonly=True) as session:
                row = _log(session, ctx, log)
                check_entries_readable(actor_of(request, session, ctx), row)
                body = ctx.logs.bundle(session, row, bundle)
                return body, IMMUTABLE if row.public_entries else PRIVATE_IMMUTABLE
        coord = parse_tile_path("tile/" + path)
    except MalformedTileError as exc:
        # C2SP: a path that is not canonical names no resource.
        raise NotFound(f"no such tile: {exc.message}") from exc
    # A full tile never changes once it exists: served from memory without the database.
    cached = ctx.logs.cached_full_tile(log, coord)
    if cached is not None:
        return cached, IMMUTABLE
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return ctx.logs.tile(session, _log(session, ctx, log), coord), IMMUTABLE


@tiles_router.get("/logs/{log}/tile/{path:path}", response_class=Response)
async def tile(log: str, path: str, request: Request) -> Response:
    """A Merkle tile ``tile/<L>/<N>[.p/<W>]`` or an entry bundle ``tile/entries/<N>[.p/<W>]``.

    Anyone may read tiles (hashes); entry bundles of a non-public log need the national
    regulator. Served with one thread hop and no dependency chain: this is the hot path of
    every tlog client (behind a CDN in production, since the bodies never change).
    """
    ctx: Context = request.app.state.ctx
    body, cache = await run_in_threadpool(_serve_tile, ctx, request, log, path)
    return Response(body, media_type=OCTETS, headers={"Cache-Control": cache})


# -- JSON conveniences ----------------------------------------------------------------------


def _summary(session: Session, ctx: Context, row: TLog) -> dict[str, Any]:
    return {
        "name": row.name,
        "origin": row.origin,
        "size": row.size,
        "root_hash": b64(row.root_hash),
        "verifier_key": row.verifier_key,
        "public_entries": row.public_entries,
        "updated_at": row.updated_at.isoformat(),
        "checkpoint": ctx.logs.latest_checkpoint(session, row),
    }


@router.get("/logs")
def list_logs(session: SessionDep, ctx: ContextDep, _actor: PublicActor) -> list[dict[str, Any]]:
    """Every log with its size, root, public key and latest checkpoint."""
    return [_summary(session, ctx, row) for row in ctx.logs.list(session)]


@router.get("/logs/{log}")
def get_log(log: str, session: SessionDep, ctx: ContextDep, _actor: PublicActor) -> dict[str, Any]:
    return _summary(session, ctx, _log(session, ctx, log))


@router.get("/logs/{log}/checkpoints/{size}")
def checkpoint_at(
    log: str, size: LogPosition, session: SessionDep, ctx: ContextDep, _actor: PublicActor
) -> dict[str, Any]:
    """The checkpoint the log published at tree size ``size`` (to compare with one held)."""
    row = _log(session, ctx, log)
    return {"log": row.name, "size": size, "checkpoint": ctx.logs.checkpoint_at(session, row, size)}


@router.get("/logs/{log}/proof/inclusion")
def inclusion_proof(
    log: str,
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    index: int = Query(ge=0),
    size: int | None = Query(default=None, ge=1),
) -> dict[str, Any]:
    """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` (default: latest)."""
    row = _log(session, ctx, log)
    return ctx.logs.inclusion(session, row, index, size).as_dict()


@router.get("/logs/{log}/proof/consistency")
def consistency_proof(
    log: str,
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    first: int = Query(ge=0),
    second: int | None = Query(default=None, ge=0),
) -> dict[str, Any]:
    """RFC 9162 consistency proof: the tree of ``second`` (default: latest) extends ``first``."""
    row = _log(session, ctx, log)
    proof = ctx.logs.consistency(session, row, first, second)
    return {
        "log": row.name,
        "first": proof.first,
        "second": proof.second,
        "hashes": [b64(h) for h in proof.hashes],
        "first_root_hash": b64(proof.first_root),
        "second_root_hash": b64(proof.second_root),
    }


@router.get("/logs/{log}/entries/{index}")
def entry(
    log: str, index: LogPosition, session: SessionDep, ctx: ContextDep, actor: PublicActor
) -> dict[str, Any]:
    """One entry: its bytes (base64), leaf hash, and for the audit log the decoded record."""
    row = _log(session, ctx, log)
    check_entries_readable(actor, row)
    if index < 0:
        raise InvalidInput("an entry index is >= 0")
    data = ctx.logs.entry(session, row, index)
    body: dict[str, Any] = {
        "log": row.name,
        "index": index,
        "data": b64(data),
        "leaf_hash": b64(merkle.leaf_hash(data)),
    }
    if row.name == "audit":
        body["record"] = parse_audit_entry(data)
    return body
