"""The public complaint form (ECS-5.1) in a real Chromium: anyone, without logging in, files a
complaint about a CA in the registry with an evidence file, gets a tracking code once, and
follows the complaint's public status with it; a refusal keeps what was typed and says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from support.browser import ZH

pytestmark = pytest.mark.browser


def test_ecs_5_1_anyone_files_a_complaint_and_follows_it_by_its_code(
    page: Page, world: Any, tmp_path: Path
) -> None:
    page.goto("/")
    page.get_by_role("link", name=ZH["complain_link"], exact=True).click()
    expect(page.get_by_role("heading", name=ZH["complain"])).to_be_visible()
    # Refused: no provider named; the text typed is kept and the reason shown.
    page.get_by_label(ZH["complain_subject"]).fill("证书信息错误")
    page.get_by_label(ZH["complain_description"]).fill("签发的证书单位名称错误。")
    page.get_by_role("button", name=ZH["complain_submit"]).click()
    expect(page.locator("#error")).to_contain_text("ca_party_id")
    expect(page.get_by_label(ZH["complain_subject"])).to_have_value("证书信息错误")

    options = page.locator("#ca_party_id option")
    assert options.count() >= 2
    page.locator("#ca_party_id").select_option(index=1)
    evidence = tmp_path / "screenshot.txt"
    evidence.write_text("certificate subject: wrong organisation", encoding="utf-8")
    page.get_by_label(ZH["complain_evidence"]).set_input_files(str(evidence))
    page.get_by_role("button", name=ZH["complain_submit"]).click()
    expect(page.get_by_role("heading", name=ZH["complain_filed"])).to_be_visible()
    code = page.locator("#code").inner_text()
    assert code.startswith("cmp")

    page.goto("/complaints/status")
    page.get_by_label(ZH["complain_code"]).fill(code)
    page.get_by_role("button", name=ZH["complain_track"]).click()
    expect(page.locator("#status .status")).not_to_be_empty()
    expect(page.locator("#status")).to_contain_text("证书信息错误")
    # The public page never shows who complained.
    assert "screenshot" not in page.content()

    page.goto("/complaints/status?code=cmp-not-a-code")
    expect(page.locator("#error")).to_be_visible()
