"""Evidence files on the checklist (issue 17; APP-3, APP-4, SYS-6) through HTTP: the testing
agency attaches files per item with its results on the case page's multipart form, or alone;
the certification body, the agency and the national regulator download them as attachments;
the applicant, another agency and a provincial regulator cannot. An empty, oversized or
wrongly typed file is refused on the form with what was typed kept and nothing written. The
API attaches and serves the same files."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from certgov.actors import Role
from certgov.appcert.models import CheckEvidence, CheckRecord
from certgov.cases.models import Case
from certgov.store.engine import unit_of_work
from certgov.uploads.models import StoredUpload
from support.appcert import submit, to_verification, view
from support.console_pages import person, rows, version_of

PDF = b"%PDF-1.7 traffic capture of Example Pay\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _in_verification(client: TestClient, world: Any, app_name: str = "Example Pay") -> int:
    case_id: int = submit(client, world, app_name=app_name)["units"][0]["case"]["id"]
    to_verification(client, world, case_id)
    return case_id


def _counts(world: Any, case_id: int) -> tuple[int, int, int, int]:
    """(results, evidence rows, uploads, case version) of the case."""
    with unit_of_work(world.ctx.sessions, readonly=True) as session:
        return (
            session.scalar(
                select(func.count()).select_from(CheckRecord).where(CheckRecord.case_id == case_id)
            )
            or 0,
            session.scalar(
                select(func.count())
                .select_from(CheckEvidence)
                .where(CheckEvidence.case_id == case_id)
            )
            or 0,
            session.scalar(select(func.count()).select_from(StoredUpload)) or 0,
            session.get_one(Case, case_id).version,
        )


def test_agency_attaches_evidence_with_its_results_and_officials_download_it(
    client: TestClient, world: Any
) -> None:
    case_id = _in_verification(client, world)
    token = person(client, world, "lab-zhao", Role.TESTING_AGENCY, "testing_agency")
    page = client.get(f"/console/cases/{case_id}").text
    assert 'enctype="multipart/form-data"' in page and 'name="evidence-group-1"' in page
    posted = client.post(
        f"/console/app/applications/{case_id}/results",
        data={"csrf_token": token, "version": version_of(page),
              **rows(group_1=("conforms", "policy shown before collection", ""))},
        files=[
            ("evidence-group-1", ("策略截图.png", PNG, "image/png")),
            ("evidence-group-1", ("capture.pdf", PDF, "application/pdf")),
            ("evidence-category-2", ("scope.pdf", PDF, "application/pdf")),
        ],
        follow_redirects=False,
    )  # fmt: skip
    assert posted.status_code == 303, posted.text
    page = client.get(f"/console/cases/{case_id}").text
    for name in ("策略截图.png", "capture.pdf", "scope.pdf"):
        assert name in page
    body = view(client, world, case_id)
    by_item = {i["code"]: i["evidence"] for i in body["checklist"]}
    assert [f["filename"] for f in by_item["group-1"]] == ["策略截图.png", "capture.pdf"]
    assert by_item["category-2"][0]["stage"] == "technical_verification"
    assert by_item["group-2"] == []
    files = {f["filename"]: f for f in by_item["group-1"] + by_item["category-2"]}
    pdf = files["capture.pdf"]
    assert pdf["sha256"] == hashlib.sha256(PDF).hexdigest() and pdf["size"] == len(PDF)
    # The event of the case history names the files.
    history = client.get(
        f"/api/v1/cases/{case_id}/history", headers=world.headers("certification_body")
    )
    events = [e for e in history.json() if e["kind"] == "results_recorded"]
    assert [f["filename"] for f in events[-1]["details"]["evidence"]] == [
        "策略截图.png",
        "capture.pdf",
        "scope.pdf",
    ]

    link = f"/console/app/applications/{case_id}/evidence/{files['策略截图.png']['id']}"
    assert link in page
    for who, role, party in (
        ("lab-zhao", Role.TESTING_AGENCY, "testing_agency"),
        ("ccrc-wang", Role.CERTIFICATION_BODY, "certification_body"),
    ):
        person(client, world, who, role, party)
        answer = client.get(link)
        assert answer.status_code == 200 and answer.content == PNG
        assert answer.headers["content-type"] == "application/octet-stream"
        disposition = answer.headers["content-disposition"]
        assert disposition.startswith("attachment;") and "%E7%AD%96" in disposition
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "no-store" in answer.headers["cache-control"]
        assert "capture.pdf" in client.get(f"/console/cases/{case_id}").text
    for who, role, party in (
        ("app-chen", Role.APP_OPERATOR, "app_operator"),
        ("lab-other", Role.TESTING_AGENCY, "testing_agency_2"),
    ):
        person(client, world, who, role, party)
        assert client.get(link).status_code in (403, 404)
        case_page = client.get(f"/console/cases/{case_id}")
        assert "capture.pdf" not in case_page.text
    # Another case's id with this file's id: not found.
    other = _in_verification(client, world, "Example Maps")
    person(client, world, "ccrc-wang", Role.CERTIFICATION_BODY, "certification_body")
    wrong = f"/console/app/applications/{other}/evidence/{files['capture.pdf']['id']}"
    assert client.get(wrong).status_code == 404
    # The applicant's view of its application has no evidence.
    operator = view(client, world, case_id, "app_operator")
    assert all("evidence" not in item for item in operator["checklist"])


def test_evidence_alone_is_attached_without_results(client: TestClient, world: Any) -> None:
    case_id = _in_verification(client, world)
    token = person(client, world, "lab-zhao", Role.TESTING_AGENCY, "testing_agency")
    page = client.get(f"/console/cases/{case_id}").text
    posted = client.post(
        f"/console/app/applications/{case_id}/results",
        data={"csrf_token": token, "version": version_of(page), **rows()},
        files=[("evidence-category-5", ("sharing.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    assert _counts(world, case_id)[:2] == (0, 1)
    nothing = client.post(
        f"/console/app/applications/{case_id}/results?lang=en",
        data={"csrf_token": token, "version": version_of(client.get(posted.headers["location"]).text), **rows()},
    )  # fmt: skip
    assert nothing.status_code == 422
    assert "Choose a result for at least one item, or attach an evidence file" in nothing.text


def test_bad_files_are_refused_on_the_form_with_nothing_lost_or_written(
    client: TestClient, world: Any
) -> None:
    case_id = _in_verification(client, world)
    token = person(client, world, "lab-zhao", Role.TESTING_AGENCY, "testing_agency")
    page = client.get(f"/console/cases/{case_id}").text
    before = _counts(world, case_id)
    world.ctx.settings.upload_max_bytes = 100
    try:
        cases = {
            "too_large": ("big.pdf", b"%PDF-1.7 " + b"x" * 200),
            "wrong_type": ("notes.pdf", b"just some text, not a PDF"),
            "empty": ("empty.pdf", b""),
        }
        for reason, (name, content) in cases.items():
            answer = client.post(
                f"/console/app/applications/{case_id}/results?lang=en",
                data={"csrf_token": token, "version": version_of(page),
                      **rows(group_2=("deficient", "retention period not stated", ""),
                             category_1=("conforms", "rules published in the app", ""))},
                files=[
                    ("evidence-group-2", (name, content, "application/pdf")),
                    ("evidence-category-1", ("fine.pdf", PDF[:60], "application/pdf")),
                ],
            )  # fmt: skip
            assert answer.status_code == 422, (reason, answer.text[:500])
            text = answer.text
            assert name in text, reason
            # The item is named by its title, the reason in words, what was typed kept.
            assert "retention of personal information (clause 6)" in text, reason
            assert {
                "too_large": "larger than 100 bytes",
                "wrong_type": "not accepted here",
                "empty": "is empty",
            }[reason] in text
            assert 'value="retention period not stated"' in text
            assert 'value="rules published in the app"' in text
            assert '<option value="deficient" selected>' in text
            assert "Choose the evidence files again" in text
            assert _counts(world, case_id) == before, reason
    finally:
        world.ctx.settings.upload_max_bytes = 10 * 1024 * 1024
    # A note missing on another row: refused too, the files not kept, the rows kept.
    answer = client.post(
        f"/console/app/applications/{case_id}/results?lang=en",
        data={"csrf_token": token, "version": version_of(page),
              **rows(group_2=("deficient", "", ""), category_1=("conforms", "published", ""))},
        files=[("evidence-category-1", ("fine.pdf", PDF, "application/pdf"))],
    )  # fmt: skip
    assert answer.status_code == 422
    assert "please write a note" in answer.text and 'value="published"' in answer.text
    assert _counts(world, case_id) == before
    # Too many files for one item.
    answer = client.post(
        f"/console/app/applications/{case_id}/results?lang=en",
        data={"csrf_token": token, "version": version_of(page), **rows()},
        files=[("evidence-group-3", (f"f{n}.pdf", PDF, "application/pdf")) for n in range(11)],
    )
    assert answer.status_code == 422 and "at most 10 at a time" in answer.text
    assert _counts(world, case_id) == before


def test_evidence_through_the_api(client: TestClient, world: Any) -> None:
    case_id = _in_verification(client, world)
    url = f"/api/v1/app-applications/{case_id}/evidence"
    added = client.post(
        url,
        params={"item": "category-3", "filename": "consent.pdf"},
        content=PDF,
        headers={**world.headers("testing_agency"), "Content-Type": "application/pdf"},
    )
    assert added.status_code == 201, added.text
    row = added.json()
    assert row["item"] == "category-3" and row["stage"] == "technical_verification"
    assert row["sha256"] == hashlib.sha256(PDF).hexdigest() and row["kind"] == "pdf"
    for who in ("certification_body", "testing_agency", "national_regulator"):
        got = client.get(f"{url}/{row['id']}", headers=world.headers(who))
        assert got.status_code == 200 and got.content == PDF, who
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["content-type"] == "application/octet-stream"
    for who, status in (
        ("app_operator", 403),
        ("testing_agency_2", 404),
        ("provincial_regulator", 403),
    ):
        assert client.get(f"{url}/{row['id']}", headers=world.headers(who)).status_code == status
    refused = {
        "empty": (b"", "category-3"),
        "wrong_type": (b"plain text", "category-3"),
        "unknown item": (PDF, "category-9"),
    }
    for what, (content, item) in refused.items():
        answer = client.post(
            url,
            params={"item": item, "filename": "x.pdf"},
            content=content,
            headers=world.headers("testing_agency"),
        )
        assert answer.status_code == 422, (what, answer.text)
    # Not the certification body's stage yet; nor the applicant's to add.
    assert (
        client.post(
            url,
            params={"item": "group-1"},
            content=PDF,
            headers=world.headers("certification_body"),
        ).status_code
        == 409
    )
    assert (
        client.post(
            url, params={"item": "group-1"}, content=PDF, headers=world.headers("app_operator")
        ).status_code
        == 403
    )
    assert _counts(world, case_id)[1] == 1
    listed = view(client, world, case_id, "national_regulator")
    (item,) = [i for i in listed["checklist"] if i["code"] == "category-3"]
    assert [f["id"] for f in item["evidence"]] == [row["id"]]
