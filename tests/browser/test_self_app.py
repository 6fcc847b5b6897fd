"""Self-service for an app operator (SYS-7, APP-1, APP-3, APP-6) in a real Chromium: it
applies for Android and iOS units with the documents through the page, uploads the sample,
remedies a deficiency with evidence, records when it received a denial and complains on the
last allowed business day; bad uploads (a zip bomb named .apk, a document of the wrong type)
are refused in the form with nothing stored. The other parties act through the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from certgov.actors import SYSTEM_ACTOR, Role
from certgov.clock import FixedClock
from certgov.context import Context
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work
from certgov.uploads.models import StoredUpload
from support.appcert import AGENCY, CB, REQUIRED, accept_and_assign, case_of, record
from support.browser import PASSWORD, assert_chinese_page, log_in
from support.licensing import act
from unit.appscan.samples import shop_apk

pytestmark = pytest.mark.browser


def zh(message: str) -> str:
    return translate("zh", message)


def add_party_user(ctx: Context, username: str, role: Role, party_id: int) -> None:
    with unit_of_work(ctx.sessions) as session:
        identity.create_user(
            session,
            ctx.audit,
            by=SYSTEM_ACTOR,
            username=username,
            display_name="运营专员",
            password=PASSWORD,
            grant=identity.Grant(role, "national", party_id),
        )


def _uploads(ctx: Context, purpose: str) -> int:
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return int(
            session.scalar(
                select(func.count(StoredUpload.id)).where(StoredUpload.purpose == purpose)
            )
            or 0
        )


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AndroidManifest.xml", b"\0" * 64)
        archive.writestr("classes.dex", b"\0" * (200 * 1024 * 1024))
    return out.getvalue()


def test_sys_7_the_app_operator_applies_uploads_the_sample_remedies_and_complains_by_pages(
    page: Page, ctx: Context, world: Any, client: TestClient, clock: FixedClock, tmp_path: Path
) -> None:
    add_party_user(ctx, "app-self", Role.APP_OPERATOR, world.parties["app_operator"])
    log_in(page, "app-self", PASSWORD)
    expect(page.locator("#whoami")).to_be_visible()
    page.goto("/self")
    expect(page.get_by_role("heading", name=zh("Your tasks"), exact=True)).to_be_visible()
    assert_chinese_page(page)
    page.get_by_role("link", name=zh("App certification"), exact=True).click()
    assert_chinese_page(page)
    page.get_by_label(zh("The app's name")).fill("示例支付")
    page.get_by_label(zh("Version line")).fill("5.x")
    page.get_by_label("Android").check()
    page.get_by_label("iOS").check()
    # A document of the wrong type first: refused in the form, nothing stored.
    wrong = tmp_path / "form.pdf"
    wrong.write_bytes(b"MZ\x90\x00 not a pdf")
    files = []
    for index, kind in enumerate(REQUIRED):
        path = tmp_path / f"doc-{index}.pdf"
        path.write_bytes(f"%PDF-1.7 {kind}\n".encode())
        files.append(path)
    for index, path in enumerate(files):
        page.locator(f"#doc_{index}").set_input_files(str(wrong if index == 0 else path))
    page.get_by_role("button", name=zh("Submit the application")).click()
    expect(page.locator("#error")).to_contain_text("form.pdf")
    assert_chinese_page(page)
    assert _uploads(ctx, "app-document") == 0
    expect(page.get_by_label(zh("The app's name"))).to_have_value("示例支付")
    for index, path in enumerate(files):
        page.locator(f"#doc_{index}").set_input_files(str(path))
    page.get_by_role("button", name=zh("Submit the application")).click()
    expect(page.locator("#documents")).to_be_visible()
    assert_chinese_page(page)
    assert page.locator("#documents tbody tr").count() == len(REQUIRED)
    expect(page.locator("#documents")).to_contain_text(
        hashlib.sha256(files[0].read_bytes()).hexdigest()
    )
    page.goto("/self/apps")
    assert page.locator("#units tbody tr").count() == 2
    rows = page.locator("#units tbody tr")
    ids = {
        rows.nth(i).locator("td").nth(1).inner_text(): rows.nth(i)
        .locator("a")
        .get_attribute("href")
        for i in range(2)
    }
    android_url, ios_url = ids["Android"], ids["iOS"]
    assert android_url and ios_url
    android_id = int(android_url.rsplit("/", 1)[1])
    ios_id = int(ios_url.rsplit("/", 1)[1])

    # The certification body accepts and assigns a testing agency; the operator uploads the
    # sample: first a zip bomb named .apk (refused, nothing stored), then the real one.
    accept_and_assign(client, world, android_id)
    page.goto(android_url)
    bomb = tmp_path / "app.apk"
    bomb.write_bytes(_zip_bomb())
    page.get_by_label(zh("The APK file")).set_input_files(str(bomb))
    page.get_by_role("button", name=zh("Upload the sample")).click()
    expect(page.locator("#error")).to_contain_text("app.apk")
    assert_chinese_page(page)
    assert _uploads(ctx, "app-sample") == 0
    sample = tmp_path / "shop.apk"
    sample.write_bytes(shop_apk())
    page.get_by_label(zh("The APK file")).set_input_files(str(sample))
    page.get_by_label(zh("Its version")).fill("5.2.0")
    page.get_by_role("button", name=zh("Upload the sample")).click()
    expect(page.locator("#sample")).to_contain_text(hashlib.sha256(sample.read_bytes()).hexdigest())
    assert_chinese_page(page)
    assert _uploads(ctx, "app-sample") == 1

    # The testing agency finds a deficiency; the operator remedies it with evidence.
    record(
        client,
        world,
        AGENCY,
        android_id,
        [{"item": "group-2", "result": "deficient", "note": "日志保存期限超出声明"}],
    )
    page.reload()
    expect(page.locator(".deficiency")).to_contain_text(zh("Open: remedy it by the day shown"))
    assert_chinese_page(page)
    evidence = tmp_path / "evidence.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    deficiency = page.locator(".deficiency").first
    deficiency.get_by_label(zh("What you changed")).fill("日志保存期限改为 30 天。")
    deficiency.get_by_label(zh("Evidence (PDF or image)")).set_input_files(str(evidence))
    deficiency.get_by_role("button", name=zh("Submit the remedy")).click()
    expect(page.locator(".deficiency")).to_contain_text(zh("Remedy submitted, awaiting review"))
    assert_chinese_page(page)
    assert _uploads(ctx, "remedy-evidence") == 1

    # The iOS unit is denied; the operator records the day it received the decision and
    # complains on the last allowed business day (National Day 2025 does not count).
    accepted = act(client, world, CB, case_of(client, world, ios_id), "accept")
    act(client, world, CB, accepted, "deny", reason="收集通讯录未经同意")
    page.goto(ios_url)
    page.get_by_label(zh("The day you received the decision")).fill("2025-09-25")
    page.get_by_role("button", name=zh("Record the day of receipt")).click()
    expect(page.locator("#last-day")).to_contain_text("2025年10月15日")
    assert_chinese_page(page)
    clock.set(dt.datetime(2025, 10, 15, 2, 0, tzinfo=dt.UTC))
    # Twenty days later the session has ended: the operator logs in again.
    log_in(page, "app-self", PASSWORD)
    expect(page.locator("#whoami")).to_be_visible()
    page.goto(ios_url)
    expect(page.locator("#last-day")).to_be_visible()
    page.get_by_label(zh("Grounds of the complaint")).fill("通讯录权限为可选。")
    page.get_by_role("button", name=zh("File the complaint")).click()
    expect(page.locator("#complained")).to_be_visible()
    expect(page.locator("#complaints li")).to_have_count(1)
    assert_chinese_page(page)
