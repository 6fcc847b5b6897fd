"""Benchmark: signed-document validation (issue 20).

1. ``library``: validations per second of the shared signed PDFs
   (``../shared/testdata/signed``) through :func:`certgov.docsig.validate_pdf` with the
   standalone anchor evaluator, one process (phase 1).
2. ``api``: the same PDFs through ``POST /api/v1/verify/document`` of a real ``certgov serve
   --workers 2`` with the registry evidence (phase 2): the test PKI's root and intermediate
   filed for a licensed CA (in 2021, before the signatures), the CRLs the signers name kept
   in the database (pyHanko's published CRLs, loaded once through the fetcher as a first
   validation would), each request judged at 2021-12-01: chain to the filed CA certificate,
   licence then, revocation from the kept CRLs, inclusion proof and checkpoint. All three
   files: the dead CRL and OCSP URLs of sig-no-signed-attrs.pdf's signer are tried by each
   server process and then remembered as failed (TRY_LATER) for
   CERTGOV_REVOCATION_FAILURE_CACHE_SECONDS. The load: a light asyncio client
   (bench/loadgen.py), keep-alive connections, on the same 2 cores; figures for the whole load
   and per document. The machine's load averages before and after are recorded.
3. ``pyhanko``: pyHanko's own ``validate_pdf_signature`` of the same files in the same run,
   one process, with the same trust root and the same CRLs (revocation checked, no fetching)
   at the same time: the baseline. The ratio is our time per document through the API
   (wall time / documents, both server processes busy) to pyHanko's in one process.

Target (DESIGN.md): >= 50 documents/s through the API and <= 1.5x pyHanko's time per document.

Run alone: ``.venv/bin/python bench/docsig.py [--rounds N] [--requests N]`` (writes
bench/results/docsig.json), or through ``bench/run.py --only docsig``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import os
import platform
import time
from pathlib import Path
from typing import Any

from certgov.docsig import AnchorTrustEvaluator, validate_pdf
from certgov.pki import parse_bundle

SIGNED = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "signed"
RESULTS = Path(__file__).resolve().parent / "results"
FILES = (
    "minimal-two-fields-signed-twice.pdf",
    "pades-with-old-style-signing-cert-attr.pdf",
    "sig-no-signed-attrs.pdf",
)
AT = dt.datetime(2020, 12, 1, tzinfo=dt.UTC)


def _ours(documents: list[bytes], evaluator: AnchorTrustEvaluator) -> list[str]:
    return [
        validate_pdf(data, evaluator=evaluator, validation_time=AT).indication.value
        for data in documents
    ]


def _pyhanko(documents: list[bytes], root: Any) -> list[str]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    verdicts = []
    for data in documents:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        context = ValidationContext(trust_roots=[root], allow_fetching=False, moment=AT)
        statuses = [validate_pdf_signature(s, context) for s in reader.embedded_signatures]
        verdicts.append("passed" if all(s.bottom_line for s in statuses) else "not passed")
    return verdicts


def _timed(work: Any, rounds: int) -> float:
    work()  # warm up (imports, caches)
    start = time.perf_counter()
    for _ in range(rounds):
        work()
    return time.perf_counter() - start


def library(rounds: int = 100) -> dict[str, Any]:
    from pyhanko.keys import load_cert_from_pemder

    # pyHanko logs every path it cannot build (the self-signed signer, a foreign TSA).
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    documents = [(SIGNED / name).read_bytes() for name in FILES]
    root_pem = (SIGNED / "root.cert.pem").read_bytes()
    evaluator = AnchorTrustEvaluator(parse_bundle(root_pem))
    root = load_cert_from_pemder(str(SIGNED / "root.cert.pem"))
    count = rounds * len(documents)
    ours = _timed(lambda: _ours(documents, evaluator), rounds)
    theirs = _timed(lambda: _pyhanko(documents, root), rounds)
    return {
        "benchmark": "docsig",
        "what": "validation of the shared signed PDFs (4 signatures in 3 files), one process",
        "documents": FILES,
        "rounds": rounds,
        "certgov_documents_per_second": round(count / ours, 1),
        "pyhanko_documents_per_second": round(count / theirs, 1),
        "time_ratio_certgov_to_pyhanko": round(ours / theirs, 3),
        "certgov_verdicts": _ours(documents, evaluator),
        "pyhanko_verdicts": _pyhanko(documents, root),
        "note": "library only, standalone anchor evaluator (no registry evidence, no "
        "revocation); the API bench with registry evidence is phase 2",
    }


# --- phase 2: through the API with the registry evidence -----------------------------------

CRL_DATA = Path(__file__).resolve().parents[1] / "tests" / "unit" / "docsig" / "data"
CRLS = {
    "http://pyhanko.tests/testing-ca/crls/interm/latest.crl": "pyhanko-interm.crl.pem",
    "http://pyhanko.tests/testing-ca/crls/root/latest.crl": "pyhanko-root.crl.pem",
}
#: Through the API: all three. The signer of sig-no-signed-attrs.pdf names a CRL and an OCSP
#: responder at ca.example.com and ocsp.example.com, which answer nothing: each server process
#: tries them (for real) on its first validation of it and then answers TRY_LATER from its
#: memory of the failure (CERTGOV_REVOCATION_FAILURE_CACHE_SECONDS) until that expires.
API_FILES = FILES
START = dt.datetime(2021, 1, 4, 2, 0, tzinfo=dt.UTC)
JUDGED = dt.datetime(2021, 12, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _crl_der(name: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    pem = (CRL_DATA / name).read_bytes()
    return x509.load_pem_x509_crl(pem).public_bytes(serialization.Encoding.DER)


def _registry(url: str, data_dir: Path) -> list[str]:
    """A licensed CA (licence issued 2021-01-04) with the test PKI's root and intermediate
    filed on 2021-03-01, and the signers' CRLs kept by one validation of each document (the
    fetcher serving pyHanko's CRLs). Returns the URLs a validation asked for that were not
    served (none expected: the server then fetches nothing)."""
    from certgov.actors import Actor, ActorKind, Role
    from certgov.bootstrap import build_context
    from certgov.clock import FixedClock
    from certgov.demo import demo_uscc
    from certgov.filings.fetch import FetchError
    from certgov.filings.revocation import monitoring
    from certgov.filings.services import submit_filing
    from certgov.licensing.models import Licence, LicenceEvent, LicenceStatus
    from certgov.parties import services as registry
    from certgov.parties.models import PartyKind
    from certgov.settings import Settings
    from certgov.store.engine import unit_of_work
    from certgov.verification.documents import validate_signed_document

    clock = FixedClock(START)
    ctx = build_context(Settings(data_dir=data_dir, database_url=url), clock=clock)
    with unit_of_work(ctx.sessions) as session:
        party = registry.create_party(
            session,
            ctx.clock,
            registry.NewParty(
                name="Bench signing CA",
                kind=PartyKind.CA,
                uscc=demo_uscc("310000", "BENCHD001"),
                home_province="310000",
            ),
        )
        licence = Licence(
            number="ECP310000202100001",
            holder_party_id=party.id,
            jurisdiction="310000",
            scope=["electronic signature certificates"],
            status=LicenceStatus.VALID,
            valid_from=START.date(),
            valid_until=START.date() + dt.timedelta(days=5 * 365),
            issued_at=START,
            rule_set_id="measures-2015",
            updated_at=START,
        )
        session.add(licence)
        session.flush()
        session.add(
            LicenceEvent(
                licence_id=licence.id,
                at=START,
                kind="issued",
                from_status=None,
                to_status=LicenceStatus.VALID,
                valid_until=licence.valid_until,
                actor_name="bench",
                actor_role="national_regulator",
                details={},
            )
        )
        party_id = party.id
    clock.advance(dt.timedelta(days=56))
    actor = Actor(ActorKind.TOKEN, Role.CA_OPERATOR, "bench", "310000", party_id=party_id)
    chain = (SIGNED / "root.cert.pem").read_bytes() + (SIGNED / "interm.cert.pem").read_bytes()
    with unit_of_work(ctx.sessions) as session:
        submit_filing(session, ctx, actor, chain)
    missed: list[str] = []

    def http_get(url: str, **_kwargs: Any) -> bytes:
        if url in CRLS:
            return _crl_der(CRLS[url])
        missed.append(url)
        raise FetchError(f"{url}: not served in the bench")

    def http_post(url: str, *_args: Any, **_kwargs: Any) -> bytes:
        missed.append(url)
        raise FetchError(f"{url}: not served in the bench")

    saved = monitoring.http_get, monitoring.http_post
    monitoring.http_get, monitoring.http_post = http_get, http_post
    try:
        for name in API_FILES:
            validate_signed_document(ctx, (SIGNED / name).read_bytes(), None, JUDGED)
    finally:
        monitoring.http_get, monitoring.http_post = saved
    ctx.sessions.kw["bind"].dispose()
    return missed


def _multipart(document: bytes, at: dt.datetime) -> tuple[bytes, str]:
    boundary = "certgov-bench-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="document"; '
        f'filename="document.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode() + document
    body += (
        f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="at"\r\n\r\n'
        f"{at.isoformat()}\r\n--{boundary}--\r\n"
    ).encode()
    return body, f"multipart/form-data; boundary={boundary}"


def api(requests: int = 600, clients: int = 8, workers: int = 2) -> dict[str, Any]:
    import httpx
    from common import fresh_database, percentiles, served
    from loadgen import run_load

    path = "/api/v1/verify/document"
    per_document = max(requests // len(API_FILES), clients)
    verdicts: dict[str, Any] = {}
    latencies: list[float] = []
    seconds = 0.0
    statuses: dict[int, int] = {}
    each: dict[str, Any] = {}
    with fresh_database("sqlite", None) as (url, tmp):
        data_dir = tmp / "data"
        missed = _registry(url, data_dir)
        with served(url, data_dir, workers=workers) as base:
            bodies = {name: _multipart((SIGNED / name).read_bytes(), JUDGED) for name in API_FILES}
            for name, (body, kind) in bodies.items():
                first = httpx.post(base + path, content=body, headers={"content-type": kind})
                assert first.status_code == 200, first.text
                report = first.json()["report"]
                verdicts[name] = {
                    "indication": report["indication"],
                    "sub_indication": report["sub_indication"],
                    "signatures": [
                        [s["id"], s["indication"], s["sub_indication"]]
                        for s in report["signatures"]
                    ],
                }
                # Warm every process (imports, caches) before measuring.
                run_load(base, path, body, kind, requests=4 * clients, connections=clients)
            for name, (body, kind) in bodies.items():
                load = run_load(base, path, body, kind, requests=per_document, connections=clients)
                each[name] = {
                    "documents": len(load.latencies),
                    "documents_per_second": round(load.requests_per_second, 1),
                    **percentiles(load.latencies),
                }
                latencies += load.latencies
                seconds += load.seconds
                for status, count in load.statuses.items():
                    statuses[status] = statuses.get(status, 0) + count
    assert statuses == {200: len(latencies)}, statuses
    return {
        "documents": len(latencies),
        "clients": clients,
        "server_processes": workers,
        "documents_per_second": round(len(latencies) / seconds, 1),
        "seconds_per_document": round(seconds / len(latencies), 5),
        **percentiles(latencies),
        "per_document": each,
        "verdicts_at_2021_12_01": verdicts,
        "revocation_urls_not_served": sorted(set(missed)),
    }


def pyhanko_with_crls(rounds: int) -> dict[str, Any]:
    """pyHanko's validation of the same files at the same time with the same root and CRLs."""
    from asn1crypto import crl as asn1_crl
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = load_cert_from_pemder(str(SIGNED / "root.cert.pem"))
    crls = [asn1_crl.CertificateList.load(_crl_der(name)) for name in CRLS.values()]
    documents = [(SIGNED / name).read_bytes() for name in API_FILES]

    def once() -> list[str]:
        verdicts = []
        for data in documents:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            context = ValidationContext(
                trust_roots=[root],
                crls=crls,
                allow_fetching=False,
                revocation_mode="soft-fail",
                moment=JUDGED,
            )
            statuses = [validate_pdf_signature(s, context) for s in reader.embedded_signatures]
            verdicts.append("passed" if all(s.bottom_line for s in statuses) else "not passed")
        return verdicts

    seconds = _timed(once, rounds)
    count = rounds * len(documents)
    return {
        "documents": count,
        "documents_per_second": round(count / seconds, 1),
        "seconds_per_document": round(seconds / count, 5),
        "verdicts": dict(zip(API_FILES, once(), strict=True)),
    }


def run(rounds: int = 100, requests: int = 600) -> dict[str, Any]:
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    result = library(rounds)
    through_api = api(requests)
    theirs = pyhanko_with_crls(rounds)
    ratio = through_api["seconds_per_document"] / theirs["seconds_per_document"]
    return {
        "benchmark": "docsig",
        "documents": FILES,
        "api_and_pyhanko_documents": API_FILES,
        "library": result,
        "api": through_api,
        "pyhanko": theirs,
        "time_ratio_api_to_pyhanko": round(ratio, 3),
        "targets": {
            "documents_per_second_at_least": 50,
            "time_ratio_at_most": 1.5,
            "met": through_api["documents_per_second"] >= 50 and ratio <= 1.5,
        },
        "note": "api: wall time per document of the whole load (2 server processes and the "
        "load client on the same 2 cores) with the registry evidence; pyhanko: one process, "
        "same files, root, CRLs and time, no registry",
    }


def write(result: dict[str, Any], load_before: tuple[float, ...] | None = None) -> Path:
    result["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        # 1, 5 and 15-minute load averages before and after the run: other work on the
        # machine (a shared one) shows here.
        "load_average_before": [round(x, 2) for x in load_before] if load_before else None,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    result["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "docsig.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--requests", type=int, default=600)
    arguments = parser.parse_args()
    before = os.getloadavg()
    outcome = run(arguments.rounds, arguments.requests)
    write(outcome, before)
    print(json.dumps(outcome, indent=2))
