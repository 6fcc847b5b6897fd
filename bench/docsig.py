"""Benchmark: signed-document validation (issue 20, phase 1: the library).

Validations per second of the shared signed PDFs (``../shared/testdata/signed``) through
:func:`certgov.docsig.validate_pdf` with the standalone anchor evaluator, and pyHanko's own
validation (``validate_pdf_signature`` with a ``ValidationContext`` over the same trust root,
no fetching) of the same files in the same run; the ratio of time per document (target in
DESIGN.md, for the API with registry evidence in phase 2: >= 50 documents/s and <= 1.5x
pyHanko's time).

Run alone: ``.venv/bin/python bench/docsig.py [--rounds N]`` (writes
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


def run(rounds: int = 100) -> dict[str, Any]:
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


def write(result: dict[str, Any]) -> Path:
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    result["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "docsig.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=100)
    outcome = run(parser.parse_args().rounds)
    write(outcome)
    print(json.dumps(outcome, indent=2))
