"""Benchmark: certificate filings, chain verification and relying-party verification (issue 5).

1. SM2 signature verifications per second (tongsuopy), beside ECDSA P-256 and RSA-2048, each
   through :func:`certgov.pki.signature.check_signature` on real certificates (the shared SM2
   test chain when present, generated ones otherwise);
2. chain verification by certgov versus ``openssl verify`` on the same chains in one run (the
   ratio of certificates per second);
3. filing ingest: bundles of subordinate CA certificates filed through
   :func:`certgov.filings.services.submit_filing` (parse, chain verification against the CA's
   filed root, algorithm policy, storage, ``filings`` log append with receipts), durable;
4. ``POST /api/v1/verify`` from a second process against a real ``certgov serve`` with
   ``filed`` (default 10^6) filed certificates in the database: requests/s and latency.

DESIGN targets: filing >= 5,000 certificates/s durable on SQLite (2 cores); /verify >= 1,000
req/s with p99 < 50 ms at 10^6 filed certificates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import httpx
from common import fresh_database, percentiles, served
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from loadgen import run_load
from sqlalchemy import insert

from certgov.actors import Actor, ActorKind, Role
from certgov.bootstrap import build_context
from certgov.clock import FixedClock
from certgov.demo import demo_uscc
from certgov.filings.models import FiledCertificate, Filing
from certgov.filings.services import FILINGS_LOG, submit_filing
from certgov.licensing.models import Licence, LicenceEvent, LicenceStatus
from certgov.parties import services as registry
from certgov.parties.models import PartyKind
from certgov.pki import Certificate, ChainVerifier
from certgov.pki.signature import check_signature
from certgov.settings import Settings
from certgov.store.engine import unit_of_work

NOW = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)
SM2_DIR = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "sm2"


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certgov bench"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _issue(
    cn: str, key: Any, issuer: tuple[x509.Name, Any] | None, *, ca: bool
) -> x509.Certificate:
    subject = _name(cn)
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=2))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca, 0 if ca and issuer else None), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _rate(fn: Any, seconds: float = 2.0) -> float:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - started)


def signatures() -> dict[str, Any]:
    out: dict[str, Any] = {}
    if (SM2_DIR / "chain-ca.crt").exists():
        from certgov.pki import parse_bundle

        chain = parse_bundle((SM2_DIR / "chain-ca.crt").read_bytes())
        sub, root = (
            (chain[0], chain[1]) if not chain[0].summary.is_self_issued else (chain[1], chain[0])
        )
        assert check_signature(sub, root) is None
        out["sm2_sm3_per_second"] = round(_rate(lambda: check_signature(sub, root)))
    else:
        out["sm2_sm3_per_second"] = None
        out["sm2_note"] = f"{SM2_DIR} absent: SM2 not measured"
    for label, key in (
        ("ecdsa_p256_per_second", ec.generate_private_key(ec.SECP256R1())),
        ("rsa2048_per_second", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    ):
        root = Certificate.from_der(_der(_issue("root", key, None, ca=True)))
        leaf = Certificate.from_der(
            _der(
                _issue(
                    "leaf", ec.generate_private_key(ec.SECP256R1()), (_name("root"), key), ca=False
                )
            )
        )
        assert check_signature(leaf, root) is None
        out[label] = round(_rate(lambda leaf=leaf, root=root: check_signature(leaf, root)))
    return out


def versus_openssl(count: int) -> dict[str, Any]:
    """certgov's ChainVerifier and ``openssl verify`` on the same ``count`` leaf → sub → root
    chains (ECDSA P-256)."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    sub_key = ec.generate_private_key(ec.SECP256R1())
    root = _issue("bench root", root_key, None, ca=True)
    sub = _issue("bench sub", sub_key, (root.subject, root_key), ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaves = [_issue(f"leaf {i}", leaf_key, (sub.subject, sub_key), ca=False) for i in range(count)]
    verifier = ChainVerifier([Certificate.from_der(_der(root))], [Certificate.from_der(_der(sub))])
    parsed = [Certificate.from_der(_der(leaf)) for leaf in leaves]
    started = time.perf_counter()
    for leaf in parsed:
        assert verifier.verify(leaf, NOW).ok
    ours = count / (time.perf_counter() - started)
    started = time.perf_counter()
    for leaf in leaves:
        Certificate.from_der(_der(leaf))
    parse_rate = count / (time.perf_counter() - started)
    result: dict[str, Any] = {
        "chains": count,
        "certgov_chains_per_second": round(ours),
        "certgov_parse_per_second": round(parse_rate),
    }
    openssl = shutil.which("openssl")
    if openssl is None:
        result["openssl"] = "not installed"
        return result
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "root.pem").write_bytes(_pem(root))
        (folder / "sub.pem").write_bytes(_pem(sub))
        files = []
        for i, leaf in enumerate(leaves):
            path = folder / f"leaf{i}.pem"
            path.write_bytes(_pem(leaf))
            files.append(str(path))
        attime = str(int(NOW.timestamp()))
        base = [openssl, "verify", "-attime", attime, "-CAfile", str(folder / "root.pem")]
        base += ["-untrusted", str(folder / "sub.pem")]
        started = time.perf_counter()
        subprocess.run([*base, files[0]], check=True, capture_output=True)
        startup = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([*base, *files], check=True, capture_output=True)
        total = time.perf_counter() - started
    theirs = count / max(total - startup, 1e-9)
    version = subprocess.run([openssl, "version"], capture_output=True, text=True).stdout.strip()
    result.update(
        {
            "openssl_chains_per_second": round(theirs),
            "openssl_version": version,
            "ratio_certgov_to_openssl": round(ours / theirs, 3),
            "note": "openssl verify in one process over every chain (its start-up subtracted); "
            "certgov's verifier on parsed certificates in this process",
        }
    )
    return result


def _ca(ctx: Any, serial: str = "BENCH0001") -> Actor:
    with unit_of_work(ctx.sessions) as session:
        party = registry.create_party(
            session,
            ctx.clock,
            registry.NewParty(
                name=f"Bench CA {serial}",
                name_en=f"Bench CA {serial}",
                kind=PartyKind.CA,
                uscc=demo_uscc("110000", serial),
                home_province="110000",
            ),
        )
        party_id = party.id
    return Actor(ActorKind.TOKEN, Role.CA_OPERATOR, "bench", "110000", party_id=party_id)


def _bundles(filings: int, per_filing: int, tag: str = "") -> tuple[bytes, list[bytes]]:
    """The root (PEM) and ``filings`` bundles of ``per_filing`` subordinate CA certificates."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _issue(f"ingest root{tag}", root_key, None, ca=True)
    sub_key = ec.generate_private_key(ec.SECP256R1())
    bundles = [
        _pem(
            *(
                _issue(f"sub{tag} {f}-{i}", sub_key, (root.subject, root_key), ca=True)
                for i in range(per_filing)
            )
        )
        for f in range(filings)
    ]
    return _pem(root), bundles


def _file_all(
    url: str, tmp: str, party_id: int, bundles: list[bytes], per_filing: int
) -> list[float]:
    """File ``bundles`` as the API does: checked in a read-only unit of work, recorded in a
    writing one. Returns each filing's seconds."""
    from certgov.filings import services as filing_services

    ctx = build_context(Settings(data_dir=Path(tmp), database_url=url), clock=FixedClock(NOW))
    actor = Actor(ActorKind.TOKEN, Role.CA_OPERATOR, "bench", "110000", party_id=party_id)
    samples = []
    start = time.time()
    for bundle in bundles:
        one = time.perf_counter()
        with unit_of_work(ctx.sessions, readonly=True) as session:
            checked = filing_services.check_filing(session, ctx, actor, bundle)
        with unit_of_work(ctx.sessions) as session:
            receipt = filing_services.record_filing(session, ctx, actor, checked)
            assert len(receipt.entries) == per_filing
        samples.append(time.perf_counter() - one)
    end = time.time()
    ctx.sessions.kw["bind"].dispose()
    return start, end, samples


def ingest(
    backend: str, pg_url: str | None, filings: int, per_filing: int, *, processes: int = 1
) -> dict[str, Any]:
    """``processes`` filers at once (each a CA filing its own bundles, as several server
    processes would), certificates per second over all of them."""
    work = [_bundles(filings // processes, per_filing, f" p{p}") for p in range(processes)]
    with fresh_database(backend, pg_url) as (url, tmp):
        ctx = build_context(Settings(data_dir=tmp, database_url=url), clock=FixedClock(NOW))
        parties = []
        for p, (root, _) in enumerate(work):
            actor = _ca(ctx, f"BENCH000{p + 1}")
            with unit_of_work(ctx.sessions) as session:
                submit_filing(session, ctx, actor, root)
            assert actor.party_id is not None
            parties.append(actor.party_id)
        ctx.sessions.kw["bind"].dispose()
        if processes == 1:
            runs = [_file_all(url, str(tmp), parties[0], work[0][1], per_filing)]
        else:
            with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
                futures = [
                    pool.submit(_file_all, url, str(tmp), party, bundles, per_filing)
                    for party, (_, bundles) in zip(parties, work, strict=True)
                ]
                runs = [future.result() for future in futures]
        # From the first filer's first filing to the last one's end (process start-up and
        # imports excluded).
        seconds = max(end for _, end, _ in runs) - min(start for start, _, _ in runs)
        samples = [sample for _, _, one in runs for sample in one]
    total = len(samples) * per_filing
    return {
        "certificates": total,
        "filings": len(samples),
        "certificates_per_filing": per_filing,
        "processes": processes,
        "certificates_per_second": round(total / seconds),
        "filing_latency": percentiles(samples) if len(samples) > 1 else None,
        "includes": "PEM parsing, chain verification (ECDSA P-256) against the filed root, "
        "algorithm policy, rows, filings-log append, receipts with inclusion proofs, commit; "
        "checked in a read-only transaction and recorded in a writing one, as the API does",
    }


def _load_filed(ctx: Any, parties: list[int], count: int, chunk: int = 20_000) -> None:
    """``count`` filed certificates (synthetic rows: distinct subjects, one shared DER) and as
    many filings-log entries, bulk-loaded."""
    filler = b"\x30\x00"
    with unit_of_work(ctx.sessions) as session:
        filing = Filing(
            party_id=parties[0],
            filed_at=NOW,
            filed_by="bench",
            rule_set_id="bench",
            log_size=0,
            checkpoint="",
        )
        session.add(filing)
        session.flush()
        filing_id = filing.id
    for first in range(0, count, chunk):
        last = min(first + chunk, count)
        with unit_of_work(ctx.sessions) as session:
            sequenced = ctx.logs.sequence(
                session, FILINGS_LOG, NOW, [b"bench-%d" % i for i in range(first, last)]
            )
            rows = []
            for offset, i in enumerate(range(first, last)):
                digest = hashlib.sha256(b"filed-%d" % i).hexdigest()
                rows.append(
                    {
                        "filing_id": filing_id,
                        "party_id": parties[i % len(parties)],
                        "role": "subordinate",
                        "sha256": digest,
                        "subject_hash": hashlib.sha256(b"subject-%d" % i).hexdigest(),
                        "issuer_hash": hashlib.sha256(b"issuer-%d" % i).hexdigest(),
                        "subject": f"CN=synthetic {i}",
                        "issuer": "CN=synthetic root",
                        "serial": str(i),
                        "not_before": NOW - dt.timedelta(days=1),
                        "not_after": NOW + dt.timedelta(days=3650),
                        "key": "secp256r1",
                        "signature_algorithm": "ecdsa-with-SHA256",
                        "crl_urls": [],
                        "ocsp_urls": [],
                        "der": filler,
                        "log_index": sequenced.first_index + offset,
                        "filed_at": NOW,
                        "late": False,
                        "details": {},
                    }
                )
            session.execute(insert(FiledCertificate), rows)


PEM_TYPE = "application/x-pem-file"


def verify_load(
    backend: str, pg_url: str | None, filed: int, requests: int, clients: int, workers: int = 2
) -> dict[str, Any]:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _issue("verify root", root_key, None, ca=True)
    sub_key = ec.generate_private_key(ec.SECP256R1())
    sub = _issue("verify sub", sub_key, (root.subject, root_key), ca=True)
    leaf = _issue(
        "verify leaf", ec.generate_private_key(ec.SECP256R1()), (sub.subject, sub_key), ca=False
    )
    with fresh_database(backend, pg_url) as (url, tmp):
        ctx = build_context(Settings(data_dir=tmp, database_url=url), clock=FixedClock(NOW))
        actor = _ca(ctx)
        started = time.perf_counter()
        # The bulk rows belong to other CAs (100 of them): a filing loads its own CA's
        # filed certificates, the verification looks across all.
        bulk = [_ca(ctx, f"BULK{n:05d}").party_id or 0 for n in range(100)]
        _load_filed(ctx, bulk, filed)
        load_seconds = time.perf_counter() - started
        with unit_of_work(ctx.sessions) as session:
            submit_filing(session, ctx, actor, _pem(root, sub))
            _licence(session, actor.party_id or 0)
        ctx.sessions.kw["bind"].dispose()
        body = _pem(leaf, sub)
        with served(url, tmp, workers=workers) as base:
            first = httpx.post(
                base + "/api/v1/verify",
                content=body,
                headers={"content-type": "application/x-pem-file"},
                timeout=30,
            )
            assert first.status_code == 200 and first.json()["valid"], first.text
            # Warm every process (its caches) before measuring.
            run_load(base, "/api/v1/verify", body, PEM_TYPE, requests=400, connections=clients)
            load = run_load(
                base, "/api/v1/verify", body, PEM_TYPE, requests=requests, connections=clients
            )
    assert load.statuses == {200: len(load.latencies)}, load.statuses
    return {
        "filed_certificates": filed + 2,
        "bulk_load_seconds": round(load_seconds, 1),
        "requests": len(load.latencies),
        "clients": clients,
        "server_processes": workers,
        "requests_per_second": round(load.requests_per_second),
        **percentiles(load.latencies),
        "setup": f"`certgov serve --workers {workers}` (uvicorn), the load from {clients} "
        "concurrent keep-alive connections of a light asyncio client (bench/loadgen.py) in "
        "this (second) process, all on the same 2 cores; each request: parse leaf + sub-CA, "
        "find the filed issuers, verify the chain (ECDSA P-256), licence at the time, "
        "inclusion proof at the log's full size with its checkpoint",
    }


def _licence(session: Any, party_id: int) -> None:
    """A valid licence for the bench CA, as issuing one on approval would record it."""
    licence = Licence(
        number="ECP110000202500001",
        holder_party_id=party_id,
        jurisdiction="110000",
        scope=["electronic signature certificates"],
        status=LicenceStatus.VALID,
        valid_from=NOW.date() - dt.timedelta(days=30),
        valid_until=NOW.date() + dt.timedelta(days=5 * 365),
        issued_at=NOW - dt.timedelta(days=30),
        rule_set_id="measures-2015",
        updated_at=NOW - dt.timedelta(days=30),
    )
    session.add(licence)
    session.flush()
    session.add(
        LicenceEvent(
            licence_id=licence.id,
            at=licence.issued_at,
            kind="issued",
            from_status=None,
            to_status=LicenceStatus.VALID,
            valid_until=licence.valid_until,
            actor_name="bench",
            actor_role="national_regulator",
            details={},
        )
    )


def run(
    backend: str,
    pg_url: str | None,
    *,
    filed: int,
    filings: int,
    per_filing: int,
    requests: int,
    chains: int,
) -> dict[str, Any]:
    result: dict[str, Any] = {"backend": backend}
    if backend == "sqlite":
        result["signatures"] = signatures()
        result["chain_verification_vs_openssl"] = versus_openssl(chains)
    result["filing_ingest"] = ingest(backend, pg_url, filings, per_filing)
    result["filing_ingest_two_processes"] = ingest(
        backend, pg_url, filings, per_filing, processes=2
    )
    result["verify_under_load"] = verify_load(backend, pg_url, filed, requests, clients=16)
    return result
