"""The transparency logs through HTTP against a real database (SYS-3).

The C2SP tlog-tiles read API (``/logs/<log>/…``) and the JSON conveniences (``/api/v1/logs``)
are checked the way an independent client would: every checkpoint is opened with the log's
published verifier key, every proof is verified with :mod:`certgov.tlog.merkle`, and the served
tiles are compared with tiles computed from the entries alone.
"""

from __future__ import annotations

import base64
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.clock import FixedClock
from certgov.context import Context
from certgov.identity import services as identity
from certgov.logs.audit import parse_audit_entry
from certgov.store.engine import unit_of_work
from certgov.tlog import merkle
from certgov.tlog.archive import ArchiveError, build_archive, verify_archive
from certgov.tlog.checkpoint import Checkpoint, open_checkpoint
from certgov.tlog.errors import RootMismatchError
from certgov.tlog.note import Signer, Verifier
from certgov.tlog.tiles import TILE_WIDTH, decode_entry_bundle, entries_path, tiles_for_size
from certgov.worker import run_once
from support.licensing import open_licence_case

ORIGIN = "certgov.local/filings"
#: 600 entries: two full level-0 tiles, one partial (88 wide), and a level-1 tile (2 wide).
ENTRIES = [f"filing {i:04d}".encode() for i in range(600)]
#: Sequenced in these batches, so the log published a checkpoint at each of these sizes.
BATCH_ENDS = (1, 5, 256, 257, 511, 600)


def _sequence(ctx: Context, name: str, entries: list[bytes]) -> int:
    with unit_of_work(ctx.sessions) as session:
        return ctx.logs.sequence(session, name, ctx.clock.now(), entries).size


def _fill_filings(ctx: Context) -> None:
    start = 0
    for end in BATCH_ENDS:
        assert _sequence(ctx, "filings", ENTRIES[start:end]) == end
        start = end


def _b64(data: str) -> bytes:
    return base64.b64decode(data, validate=True)


def _verifier(client: TestClient, log: str) -> Verifier:
    summary = client.get(f"/api/v1/logs/{log}")
    assert summary.status_code == 200, summary.text
    return Verifier.from_vkey(summary.json()["verifier_key"])


def _root_at(client: TestClient, log: str, size: int, verifier: Verifier) -> bytes:
    """The root of a tree size, from the log's signed checkpoint of that size."""
    response = client.get(f"/api/v1/logs/{log}/checkpoints/{size}")
    assert response.status_code == 200, response.text
    checkpoint, _ = open_checkpoint(response.json()["checkpoint"], [verifier])
    assert checkpoint.size == size
    return checkpoint.root_hash


def _audit_size(client: TestClient) -> int:
    response = client.get("/api/v1/logs/audit")
    assert response.status_code == 200, response.text
    size: int = response.json()["size"]
    return size


def _audit_records(client: TestClient, world: Any, first: int, last: int) -> list[dict[str, Any]]:
    records = []
    for index in range(first, last):
        response = client.get(
            f"/api/v1/logs/audit/entries/{index}", headers=world.headers("national_regulator")
        )
        assert response.status_code == 200, response.text
        records.append(response.json()["record"])
    return records


def _history(client: TestClient, world: Any, case_id: int) -> list[dict[str, Any]]:
    response = client.get(
        f"/api/v1/cases/{case_id}/history", headers=world.headers("national_regulator")
    )
    assert response.status_code == 200, response.text
    history: list[dict[str, Any]] = response.json()
    return history


def _act(
    client: TestClient, world: Any, who: str, case: dict[str, Any], name: str, **extra: Any
) -> Any:
    body = {"transition": name, "expected_version": case["version"], **extra}
    return client.post(
        f"/api/v1/cases/{case['id']}/transitions", json=body, headers=world.headers(who)
    )


def _assert_not_found(response: Any) -> None:
    assert response.status_code == 404, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "not_found"
    # An error must never be cached as if it were an immutable tile.
    assert "immutable" not in response.headers.get("cache-control", "")


def _mirror(client: TestClient, log: str, headers: dict[str, str], directory: Path) -> int:
    """Download a log through the tiles API as any tlog client would: checkpoint, tiles,
    entry bundles. Returns the checkpoint's size."""
    note = client.get(f"/logs/{log}/checkpoint", headers=headers)
    assert note.status_code == 200, note.text
    size = Checkpoint.parse(note.text.split("\n\n", 1)[0] + "\n").size
    paths = [coord.path() for coord in tiles_for_size(size)]
    paths += [
        entries_path(n, min(TILE_WIDTH, size - n * TILE_WIDTH))
        for n in range(-(-size // TILE_WIDTH))
    ]
    for path in paths:
        response = client.get(f"/logs/{log}/{path}", headers=headers)
        assert response.status_code == 200, (path, response.text)
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(response.content)
    (directory / "checkpoint").write_bytes(note.content)
    return size


def _reader(directory: Path) -> Any:
    def read(path: str) -> bytes | None:
        target = directory / path
        return target.read_bytes() if target.exists() else None

    return read


def test_checkpoint_tiles_and_bundles_are_served_as_c2sp_tlog_tiles(
    client: TestClient, ctx: Context
) -> None:
    """SYS-3: the tiles API serves a signed checkpoint (revalidated on every read),
    every tile and entry bundle of its tree (immutable), and 404 for anything else."""
    _fill_filings(ctx)
    summary = client.get("/api/v1/logs/filings").json()
    assert (summary["name"], summary["origin"], summary["size"]) == ("filings", ORIGIN, 600)
    assert summary["public_entries"] is True
    verifier = Verifier.from_vkey(summary["verifier_key"])
    assert [row["name"] for row in client.get("/api/v1/logs").json()] == ["filings"]

    response = client.get("/logs/filings/checkpoint")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["cache-control"] == "no-cache"
    assert response.text == summary["checkpoint"]
    checkpoint, signed_by = open_checkpoint(response.text, [verifier], origin=ORIGIN)
    assert signed_by == [ORIGIN]
    assert checkpoint.size == 600
    assert checkpoint.root_hash == _b64(summary["root_hash"])
    assert checkpoint.root_hash == merkle.root_from_leaf_hashes(map(merkle.leaf_hash, ENTRIES))

    # Tiles computed from the entries alone, by the pure library (any key: tiles are unsigned).
    expected = build_archive(ENTRIES, Signer.generate("test.example/x"), "test.example/x")
    coords = tiles_for_size(600)
    assert [c.path() for c in coords] == [
        "tile/0/000",
        "tile/0/001",
        "tile/0/002.p/88",
        "tile/1/000.p/2",
    ]
    for coord in coords:
        tile = client.get(f"/logs/filings/{coord.path()}")
        assert tile.status_code == 200, (coord.path(), tile.text)
        assert "immutable" in tile.headers["cache-control"]
        assert tile.headers["content-type"] == "application/octet-stream"
        assert len(tile.content) == coord.byte_length
        assert tile.content == expected[coord.path()], coord.path()
    # A tile as an older, smaller tree had it (a client holding an old checkpoint needs it).
    old = client.get("/logs/filings/tile/0/000.p/5")
    assert old.status_code == 200
    assert old.content == expected["tile/0/000"][: 5 * 32]

    for number, width in ((0, 256), (1, 256), (2, 88)):
        bundle = client.get(f"/logs/filings/{entries_path(number, width)}")
        assert bundle.status_code == 200, bundle.text
        assert "immutable" in bundle.headers["cache-control"]
        first = number * TILE_WIDTH
        assert decode_entry_bundle(bundle.content, width) == ENTRIES[first : first + width]
    small = client.get("/logs/filings/tile/entries/001.p/3")
    assert decode_entry_bundle(small.content, 3) == ENTRIES[256:259]

    for beyond in (
        "tile/0/002",
        "tile/0/002.p/89",
        "tile/0/003.p/1",
        "tile/1/000",
        "tile/2/000.p/1",
        "tile/entries/002",
        "tile/entries/002.p/89",
        "tile/entries/003.p/1",
    ):
        _assert_not_found(client.get(f"/logs/filings/{beyond}"))
    for malformed in (
        "tile/0/1",
        "tile/00/000",
        "tile/0/0000",
        "tile/0/x000/000",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/05",
        "tile/0/000.p",
        "tile/64/000",
        "tile/-1/000",
        "tile/0",
        "tile/entries/1",
        "tile/entries/000.p/256",
        "tile/entries",
    ):
        _assert_not_found(client.get(f"/logs/filings/{malformed}"))

    _assert_not_found(client.get("/logs/nope/checkpoint"))
    _assert_not_found(client.get("/logs/nope/tile/0/000"))
    _assert_not_found(client.get("/logs/audit/checkpoint"))  # no audit record yet
    bad = client.get("/logs/Bad_Name/checkpoint")
    assert bad.status_code == 422
    assert "not a log name" in bad.json()["message"]


def test_inclusion_and_consistency_proofs_verify_against_signed_checkpoints(
    client: TestClient, ctx: Context
) -> None:
    """SYS-3: RFC 9162 proofs from the API verify against the roots of the log's own
    signed checkpoints, for past tree sizes too; impossible requests are clear 404/422."""
    _fill_filings(ctx)
    verifier = _verifier(client, "filings")
    roots = {size: _root_at(client, "filings", size, verifier) for size in BATCH_ENDS}

    for size in BATCH_ENDS:
        for index in sorted({0, size // 2, size - 1, 255, 256, 510} & set(range(size))):
            response = client.get(
                "/api/v1/logs/filings/proof/inclusion", params={"index": index, "size": size}
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert (body["index"], body["size"]) == (index, size)
            leaf = merkle.leaf_hash(ENTRIES[index])
            assert _b64(body["leaf_hash"]) == leaf
            assert _b64(body["root_hash"]) == roots[size]
            merkle.verify_inclusion(
                leaf, index, size, [_b64(h) for h in body["hashes"]], roots[size]
            )
    latest = client.get("/api/v1/logs/filings/proof/inclusion", params={"index": 3}).json()
    assert latest["size"] == 600
    hashes = [_b64(h) for h in latest["hashes"]]
    merkle.verify_inclusion(merkle.leaf_hash(ENTRIES[3]), 3, 600, hashes, roots[600])
    with pytest.raises(RootMismatchError):  # the check is not vacuous
        merkle.verify_inclusion(merkle.leaf_hash(ENTRIES[4]), 3, 600, hashes, roots[600])

    pairs = [(1, 5), (1, 600), (5, 256), (256, 257), (257, 511), (511, 600), (600, 600)]
    for first, second in pairs:
        response = client.get(
            "/api/v1/logs/filings/proof/consistency", params={"first": first, "second": second}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert _b64(body["first_root_hash"]) == roots[first]
        assert _b64(body["second_root_hash"]) == roots[second]
        merkle.verify_consistency(
            first, second, roots[first], roots[second], [_b64(h) for h in body["hashes"]]
        )
    default = client.get("/api/v1/logs/filings/proof/consistency", params={"first": 5}).json()
    assert default["second"] == 600
    merkle.verify_consistency(5, 600, roots[5], roots[600], [_b64(h) for h in default["hashes"]])

    url = "/api/v1/logs/filings/proof/inclusion"
    for params in ({"index": 600}, {"index": 5, "size": 5}, {"index": 0, "size": 601}):
        response = client.get(url, params=params)
        assert response.status_code == 404, (params, response.text)
        assert response.json()["error"] == "not_found"
    assert "no entry 600" in client.get(url, params={"index": 600}).json()["message"]
    assert client.get(url, params={"index": -1}).status_code == 422
    assert client.get(url, params={"index": 0, "size": 0}).status_code == 422
    assert client.get(url, params={}).status_code == 422

    url = "/api/v1/logs/filings/proof/consistency"
    backwards = client.get(url, params={"first": 511, "second": 5})
    assert backwards.status_code == 422, backwards.text
    assert "first <= second" in backwards.json()["message"]
    assert client.get(url, params={"first": 0, "second": 5}).status_code == 422
    assert client.get(url, params={"first": 5, "second": 601}).status_code == 404
    assert client.get(url, params={"first": 601}).status_code in (404, 422)

    for path in ("proof/inclusion?index=0", "proof/consistency?first=1"):
        assert client.get(f"/api/v1/logs/nope/{path}").status_code == 404
        bad = client.get(f"/api/v1/logs/Not-A-Name/{path}")
        assert bad.status_code == 422
        assert "not a log name" in bad.json()["message"]
    assert client.get("/api/v1/logs/filings/checkpoints/100").status_code == 404
    assert client.get("/api/v1/logs/nope").status_code == 404

    entry = client.get("/api/v1/logs/filings/entries/3")  # filings entries are public
    assert entry.status_code == 200
    assert _b64(entry.json()["data"]) == ENTRIES[3]
    assert _b64(entry.json()["leaf_hash"]) == merkle.leaf_hash(ENTRIES[3])
    assert "record" not in entry.json()
    _assert_not_found(client.get("/api/v1/logs/filings/entries/600"))
    assert client.get("/api/v1/logs/filings/entries/-1").status_code == 422


def test_case_actions_and_rule_activation_are_audit_records(client: TestClient, world) -> None:
    """SYS-3: opening and transitioning a case and activating a rule set each write audit
    records (actor, case, before/after states) that are sequenced before the response, one per
    case event."""
    start = _audit_size(client)
    assert start == len(world.tokens)  # the fixture's tokens: identity.token_created each
    (token_created,) = _audit_records(client, world, 0, 1)
    assert token_created["action"] == "identity.token_created"
    assert token_created["actor"]["kind"] == "system"
    assert token_created["actor"]["name"] == SYSTEM_ACTOR.name

    case = open_licence_case(client, world)
    opened = _audit_size(client)
    assert opened - start == len(_history(client, world, case["id"])) == 1
    (record,) = _audit_records(client, world, start, opened)
    ca = world.actors["ca_operator"]
    assert record["action"] == "case.opened"
    assert record["case"] == case["id"]
    assert record["at"] == "2025-09-25T02:00:00.000000Z"
    assert record["actor"]["kind"] == "token"
    assert record["actor"]["name"] == "ca_operator"
    assert record["actor"]["role"] == "ca_operator"
    assert record["actor"]["party"] == ca.party_id == world.parties["ca_shanghai"]
    assert record["actor"]["token"] == ca.token_id

    accepted = _act(client, world, "national_regulator", case, "accept")
    assert accepted.status_code == 200, accepted.text
    after_accept = _audit_size(client)
    history = _history(client, world, case["id"])
    assert after_accept - opened == len(history) - 1 == 2
    records = _audit_records(client, world, opened, after_accept)
    assert [r["action"] for r in records] == [f"case.{e['kind']}" for e in history[1:]]
    transition = records[0]
    assert transition["action"] == "case.transition"
    assert transition["case"] == case["id"]
    assert transition["actor"]["name"] == "national_regulator"
    assert transition["actor"]["role"] == "national_regulator"
    assert transition["before"] == {"state": "submitted"}
    assert (
        transition["after"] == {"state": accepted.json()["state"]} == {"state": "document_review"}
    )
    assert transition["subject"] == {"process": "ca-licence-application", "transition": "accept"}
    assert records[1]["action"] == "case.deadline_started"
    assert records[1]["case"] == case["id"]

    stopped = _act(
        client,
        world,
        "national_regulator",
        accepted.json(),
        "request_documents",
        reason="premises security assessment missing",
    )
    assert stopped.status_code == 200, stopped.text
    after_stop = _audit_size(client)
    history = _history(client, world, case["id"])
    records = _audit_records(client, world, after_accept, after_stop)
    assert [r["action"] for r in records] == [f"case.{e['kind']}" for e in history[3:]]
    assert records[0]["reason"] == "premises security assessment missing"
    assert records[0]["before"] == {"state": "document_review"}
    assert records[0]["after"] == {"state": "awaiting_documents"}

    activated = client.post(
        "/api/v1/rule-sets/measures-2024-draft/activations",
        json={"effective_from": "2026-01-01", "reason": "promulgation order 2025-17"},
        headers=world.headers("national_regulator"),
    )
    assert activated.status_code == 201, activated.text
    assert _audit_size(client) == after_stop + 1
    (rules,) = _audit_records(client, world, after_stop, after_stop + 1)
    assert rules["action"] == "rules.activate"
    assert rules["subject"] == {"rule_set": "measures-2024-draft", "regime": "ecs"}
    assert rules["after"] == {"effective_from": "2026-01-01"}
    assert rules["reason"] == "promulgation order 2025-17"
    assert rules["actor"]["name"] == "national_regulator"

    with unit_of_work(world.ctx.sessions, readonly=True) as session:
        assert world.ctx.logs.pending(session) == {}


def test_audit_entries_are_for_the_national_regulator_only(
    client: TestClient, world, ctx: Context
) -> None:
    """SYS-3 / SYS-6: audit entries (and entry bundles) are readable by the national regulator
    only; checkpoints, tiles and proofs of the audit log are public; filings entries are public."""
    size = _audit_size(client)
    assert 0 < size < TILE_WIDTH
    bundle_path = f"/logs/audit/{entries_path(0, size)}"
    tile_path = f"/logs/audit/tile/0/000.p/{size}"
    for who, status in (
        ("public", 401),
        ("provincial_regulator", 403),
        ("ca_operator", 403),
        ("certification_body", 403),
    ):
        headers = world.headers(who)
        entry = client.get("/api/v1/logs/audit/entries/0", headers=headers)
        assert entry.status_code == status, (who, entry.text)
        assert "audit" in entry.json()["message"]
        assert "record" not in entry.text
        bundle = client.get(bundle_path, headers=headers)
        assert bundle.status_code == status, (who, bundle.text)
        assert "immutable" not in bundle.headers.get("cache-control", "")
        assert client.get("/logs/audit/checkpoint", headers=headers).status_code == 200
        tile = client.get(tile_path, headers=headers)
        assert tile.status_code == 200
        assert len(tile.content) == size * 32
        proof = client.get("/api/v1/logs/audit/proof/inclusion?index=0", headers=headers)
        assert proof.status_code == 200
        assert client.get("/api/v1/logs/audit", headers=headers).status_code == 200

    regulator = world.headers("national_regulator")
    bundle = client.get(bundle_path, headers=regulator)
    assert bundle.status_code == 200
    records = [parse_audit_entry(e) for e in decode_entry_bundle(bundle.content, size)]
    assert {r["action"] for r in records} == {"identity.token_created"}

    _sequence(ctx, "filings", [b"a public filing"])
    for who in ("public", "ca_operator"):
        entry = client.get("/api/v1/logs/filings/entries/0", headers=world.headers(who))
        assert entry.status_code == 200
        assert _b64(entry.json()["data"]) == b"a public filing"
        bundle = client.get("/logs/filings/tile/entries/000.p/1", headers=world.headers(who))
        assert decode_entry_bundle(bundle.content, 1) == [b"a public filing"]


def test_a_refused_use_case_leaves_no_audit_record(client: TestClient, world, ctx: Context) -> None:
    """SYS-3: the audit record is written in the transaction of the change; a refused or failed
    use case leaves neither an audit record nor a queued entry."""
    case = open_licence_case(client, world)
    size = _audit_size(client)
    history = _history(client, world, case["id"])

    refused = [
        _act(client, world, "ca_operator", case, "accept"),  # not the role's transition
        _act(client, world, "national_regulator", case, "approve"),  # wrong state
        _act(client, world, "national_regulator", case, "not_accept"),  # needs a reason
        _act(client, world, "national_regulator", {**case, "version": 99}, "accept"),  # stale
        client.post(
            "/api/v1/rule-sets/measures-2024-draft/activations",
            json={"effective_from": "2026-01-01"},
            headers=world.headers("provincial_regulator"),
        ),
        client.post(
            "/api/v1/rule-sets/no-such-rules/activations",
            json={"effective_from": "2026-01-01"},
            headers=world.headers("national_regulator"),
        ),
    ]
    assert [r.status_code for r in refused] == [403, 409, 422, 409, 403, 404]
    state = client.get(f"/api/v1/cases/{case['id']}", headers=world.headers("national_regulator"))
    assert state.json()["state"] == "submitted"
    assert _audit_size(client) == size
    assert _history(client, world, case["id"]) == history
    with unit_of_work(ctx.sessions, readonly=True) as session:
        assert ctx.logs.pending(session) == {}

    # A use case that records, then fails, rolls its record back with it.
    with pytest.raises(RuntimeError), unit_of_work(ctx.sessions) as session:
        ctx.audit.record(session, SYSTEM_ACTOR, "test.failed", reason="rolled back")
        assert ctx.logs.pending(session) == {"audit": 1}
        raise RuntimeError("the change failed")
    with unit_of_work(ctx.sessions, readonly=True) as session:
        assert ctx.logs.pending(session) == {}
    assert _audit_size(client) == size

    # And one that commits is sequenced at once.
    with unit_of_work(ctx.sessions) as session:
        ctx.audit.record(session, SYSTEM_ACTOR, "test.committed")
    assert _audit_size(client) == size + 1
    (record,) = _audit_records(client, world, size, size + 1)
    assert record["action"] == "test.committed"


def test_the_served_log_verifies_offline_as_an_archive(
    client: TestClient, world, ctx: Context, tmp_path: Path
) -> None:
    """SYS-3: tiles, bundles and checkpoint fetched over HTTP form an archive that
    :func:`verify_archive` accepts with the published key, and rejects once altered."""
    case = open_licence_case(client, world)
    _act(client, world, "national_regulator", case, "accept")
    before = client.get("/logs/audit/checkpoint").text
    # Nothing queued: sequencing again is a no-op that publishes nothing new.
    assert _sequence(ctx, "audit", []) == len(world.tokens) + 3
    assert client.get("/logs/audit/checkpoint").text == before
    regulator = world.headers("national_regulator")

    audit_dir = tmp_path / "audit"
    size = _mirror(client, "audit", regulator, audit_dir)
    assert size == _audit_size(client) == len(world.tokens) + 3

    def check_entry(_index: int, data: bytes) -> None:
        parse_audit_entry(data)

    verifier = _verifier(client, "audit")
    report = verify_archive(
        _reader(audit_dir), [verifier], origin="certgov.local/audit", check_entry=check_entry
    )
    assert (report.entries, report.checkpoint.size) == (size, size)
    assert report.signed_by == ["certgov.local/audit"]

    _fill_filings(ctx)
    filings_dir = tmp_path / "filings"
    assert _mirror(client, "filings", {}, filings_dir) == 600
    report = verify_archive(_reader(filings_dir), [_verifier(client, "filings")], origin=ORIGIN)
    assert (report.entries, report.tiles) == (600, 4)

    tile = filings_dir / "tile/1/000.p/2"
    data = bytearray(tile.read_bytes())
    data[40] ^= 1
    tile.write_bytes(bytes(data))
    with pytest.raises(ArchiveError) as raised:
        verify_archive(_reader(filings_dir), [_verifier(client, "filings")], origin=ORIGIN)
    assert raised.value.place == "tile tile/1/000.p/2 hash 1"
    with pytest.raises(ArchiveError) as raised:  # another log's key
        verify_archive(_reader(audit_dir), [_verifier(client, "filings")])
    assert raised.value.place == "checkpoint"


def test_official_logins_are_audited_others_are_not(
    client: TestClient, world, ctx: Context
) -> None:
    """SYS-3: an official's login is an audit record, and so is a failed login (SYS-6: guessing
    is throttled and traced); a CA operator's login is not; creating the accounts is."""
    start = _audit_size(client)
    password = "a long enough password"
    with unit_of_work(ctx.sessions) as session:
        for username, grant in (
            ("wang.wu", identity.Grant(Role.PROVINCIAL_REGULATOR, "310000")),
            ("ca.clerk", identity.Grant(Role.CA_OPERATOR, party_id=world.parties["ca_shanghai"])),
        ):
            identity.create_user(
                session,
                ctx.audit,
                by=SYSTEM_ACTOR,
                username=username,
                display_name=username,
                password=password,
                grant=grant,
            )
    created = _audit_records(client, world, start, _audit_size(client))
    assert [(r["action"], r["subject"]["username"]) for r in created] == [
        ("identity.user_created", "wang.wu"),
        ("identity.user_created", "ca.clerk"),
    ]
    assert password not in str(created)

    size = start + 2
    login = client.post("/api/v1/auth/login", json={"username": "ca.clerk", "password": password})
    assert login.status_code == 200, login.text
    wrong = client.post("/api/v1/auth/login", json={"username": "wang.wu", "password": "nope"})
    assert wrong.status_code == 401
    assert _audit_size(client) == size + 1
    (failed,) = _audit_records(client, world, size, size + 1)
    assert failed["action"] == "identity.login_failed"
    assert failed["subject"]["username"] == "wang.wu"
    size += 1
    login = client.post("/api/v1/auth/login", json={"username": "wang.wu", "password": password})
    assert login.status_code == 200, login.text
    assert _audit_size(client) == size + 1
    (record,) = _audit_records(client, world, size, size + 1)
    assert record["action"] == "identity.login"
    assert record["actor"]["name"] == "wang.wu"
    assert record["actor"]["role"] == "provincial_regulator"
    assert record["actor"]["jurisdiction"] == "310000"
    assert record["actor"]["kind"] == "user"


def test_the_sweep_audits_expired_deadlines_and_new_findings(
    client: TestClient, world, ctx: Context, clock: FixedClock
) -> None:
    """SYS-3 / SYS-1: the worker's sweep records each expired deadline and each new finding in
    the audit log, as the system, in its own transaction; a second pass records nothing."""
    case = open_licence_case(client, world)
    assert _act(client, world, "national_regulator", case, "accept").status_code == 200
    clock.advance(dt.timedelta(days=47))
    start = _audit_size(client)
    report = run_once(ctx)
    assert (report.expired, report.findings_opened) == (1, 1)
    end = _audit_size(client)
    records = _audit_records(client, world, start, end)
    assert [r["action"] for r in records] == ["case.deadline_expired", "finding.opened"]
    for record in records:
        assert record["case"] == case["id"]
        assert record["actor"]["kind"] == "system"
        assert record["at"] == "2025-11-11T02:00:00.000000Z"
    assert records[0]["details"]["deadline"] == "decision"
    assert records[0]["details"]["due_on"] == "2025-11-10"
    assert records[1]["subject"]["code"] == "licence-decision-overdue"
    assert records[1]["details"]["requirement"] == "ECS-2.2"
    with unit_of_work(ctx.sessions, readonly=True) as session:
        assert ctx.logs.pending(session) == {}
    assert run_once(ctx).expired == 0
    assert _audit_size(client) == end


def test_concurrent_requests_each_leave_their_own_audit_record(
    client: TestClient, world, tmp_path: Path
) -> None:
    """SYS-3: requests running at once each get their records sequenced exactly once; the log
    stays one consistent tree."""
    start = _audit_size(client)
    with ThreadPoolExecutor(max_workers=4) as pool:
        cases = list(pool.map(lambda _: open_licence_case(client, world), range(8)))
    end = _audit_size(client)
    assert end == start + 8
    records = _audit_records(client, world, start, end)
    assert sorted(r["case"] for r in records) == sorted(c["id"] for c in cases)
    assert {r["action"] for r in records} == {"case.opened"}
    size = _mirror(client, "audit", world.headers("national_regulator"), tmp_path)
    assert size == end
    verify_archive(_reader(tmp_path), [_verifier(client, "audit")], origin="certgov.local/audit")


def test_entry_index_or_checkpoint_size_beyond_the_log_is_404_however_large(
    client: TestClient, ctx: Context
) -> None:
    """SYS-3: any index or size outside the log is a 404, never an internal error."""
    _sequence(ctx, "filings", [b"one", b"two"])
    huge = 2**63
    for path in (f"entries/{huge}", f"checkpoints/{huge}", f"entries/{10**20}"):
        _assert_not_found(client.get(f"/api/v1/logs/filings/{path}"))


def test_restricted_entry_bundles_are_not_stored_by_shared_caches(
    client: TestClient, world
) -> None:
    """SYS-3 / SYS-6: an audit entry bundle is readable by the national regulator only, so its
    response must not be marked for shared (public) caches."""
    size = _audit_size(client)
    response = client.get(
        f"/logs/audit/{entries_path(0, size)}", headers=world.headers("national_regulator")
    )
    assert response.status_code == 200
    directives = [d.strip() for d in response.headers["cache-control"].split(",")]
    assert "public" not in directives
    assert "private" in directives or "no-store" in directives
