"""The one upload mechanism (SYS-7): type by content, never the name; refusals with a reason;
SHA-256; storage in the database, a directory and an S3-compatible bucket (moto's server,
started by the test, stands in for MinIO)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import socket
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from certgov.actors import SYSTEM_ACTOR
from certgov.clock import FixedClock
from certgov.settings import Settings
from certgov.store.base import Base
from certgov.uploads import Kind, UploadRefused, check, content, sniff, store
from certgov.uploads.services import CERTIFICATES, DOCUMENTS, SAMPLES
from unit.pki.factory import hierarchy

NOW = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)


def _pem_and_der() -> tuple[bytes, bytes]:
    root = hierarchy("p256").root.cert.x509
    return root.public_bytes(serialization.Encoding.PEM), root.public_bytes(
        serialization.Encoding.DER
    )


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_sys_7_the_type_is_read_from_the_content_not_the_name() -> None:
    pem, der = _pem_and_der()
    assert sniff(pem) is Kind.PEM
    assert sniff(der) is Kind.DER
    assert sniff(b"%PDF-1.7\n") is Kind.PDF
    assert sniff(b"\x89PNG\r\n\x1a\n....") is Kind.PNG
    assert sniff(b"\xff\xd8\xff\xe0") is Kind.JPEG
    assert sniff(_zip({"AndroidManifest.xml": b"x"})) is Kind.APK
    assert sniff(_zip({"readme.txt": b"x"})) is Kind.ZIP
    assert sniff(b"MZ\x90\x00") is None
    # A PDF named .pem is a PDF.
    with pytest.raises(UploadRefused) as refused:
        check(b"%PDF-1.7\n", "root.pem", CERTIFICATES, 1000)
    assert refused.value.reason == "wrong_type"


@pytest.mark.parametrize(
    ("data", "allowed", "reason"),
    [
        (b"", CERTIFICATES, "empty"),
        (b"%PDF-" + b"x" * 2000, DOCUMENTS, "too_large"),
        (b"MZ\x90\x00", DOCUMENTS, "wrong_type"),
        (None, CERTIFICATES, "bad_pem"),
        (
            _zip({"AndroidManifest.xml": b"x", "classes.dex": b"\0" * 5_000_000}),
            SAMPLES,
            "zip_bomb",
        ),
        (_zip({"readme.txt": b"x"}), SAMPLES, "wrong_type"),
    ],
)
def test_sys_7_bad_uploads_are_refused_with_their_reason(
    data: bytes | None, allowed: frozenset[Kind], reason: str
) -> None:
    if data is None:
        data = _pem_and_der()[0] + b"garbage after the block\n"
    with pytest.raises(UploadRefused) as refused:
        check(data, "../../etc/upload.bin", allowed, 1000 if reason != "zip_bomb" else 40_000)
    assert refused.value.reason == reason
    assert refused.value.filename == "upload.bin"  # no path from the client is kept


def test_sys_7_a_pem_block_that_is_not_der_is_refused() -> None:
    bad = b"-----BEGIN CERTIFICATE-----\nbm90IGRlcg==\n-----END CERTIFICATE-----\n"
    with pytest.raises(UploadRefused) as refused:
        check(bad, "x.pem", CERTIFICATES, 10_000)
    assert refused.value.reason == "bad_pem"


def _session(tmp_path: Path) -> Session:
    engine = create_engine(f"sqlite:///{tmp_path / 'u.db'}")
    import certgov.bootstrap

    certgov.bootstrap.metadata()
    Base.metadata.create_all(engine)
    return Session(engine)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def s3_settings(tmp_path: Path) -> Any:
    pytest.importorskip("moto")
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    settings = Settings(
        data_dir=tmp_path,
        upload_storage="s3",
        upload_s3_endpoint=f"http://127.0.0.1:{port}",
        upload_s3_bucket="certgov-test",
        upload_s3_region="us-east-1",
        upload_s3_access_key="test",
        upload_s3_secret_key="test",
        upload_s3_prefix="uploads/",
    )
    import boto3

    boto3.client(
        "s3",
        endpoint_url=settings.upload_s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket="certgov-test")
    yield settings
    server.stop()


@pytest.mark.parametrize("backend", ["database", "directory", "s3"])
def test_sys_7_a_checked_upload_is_stored_and_read_back_with_its_sha256(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "s3":
        settings = request.getfixturevalue("s3_settings")
    else:
        settings = Settings(data_dir=tmp_path, upload_storage=backend)
    pem, _der = _pem_and_der()
    checked = check(pem, "root.pem", CERTIFICATES, 100_000)
    assert checked.sha256 == hashlib.sha256(pem).hexdigest()
    with _session(tmp_path) as session:
        row = store(
            session,
            settings,
            FixedClock(NOW),
            SYSTEM_ACTOR,
            checked,
            purpose="filing",
            party_id=None,
        )
        session.commit()
        assert (row.backend, row.sha256, row.size, row.kind) == (
            backend,
            checked.sha256,
            len(pem),
            "pem",
        )
        assert content(settings, row) == pem
        if backend == "database":
            assert row.location is None
        else:
            assert row.content is None and row.location
        if backend == "directory":
            assert (tmp_path / "uploads" / row.location).read_bytes() == pem
