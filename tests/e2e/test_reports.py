"""Reports in a real browser: the brand set on the settings page (colour and logo file), the
Results page's PDF downloaded with the brand on it, and a weekly report scheduled from the
keyboard-friendly form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Brand, Workspace
from hubbub.reporting.models import ReportSchedule
from tests.e2e.test_keyboard_and_language import sign_in
from tests.measure.test_reports import channel, local, post
from tests.reporting.helpers import at_mm, close, pages_images, pages_text, png

pytestmark = pytest.mark.e2e


def test_brand_then_pdf_then_a_schedule(
    page: Page, shots, alice: User, acme: Workspace, tmp_path: Path
) -> None:
    bluesky = channel(acme, "bluesky", "brand.bsky.social")
    post(bluesky, local(2026, 10, 3, 9), likes=10, comments=2, shares=3)
    logo = tmp_path / "logo.png"
    logo.write_bytes(png("#dc2626").read())
    sign_in(page, alice.email)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))

    page.goto(page.url + "settings/")
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_label("Main colour").fill("#0f766e")
    page.get_by_label("Prepared by").fill("North Agency")
    page.get_by_role("button", name="Save brand").click()
    expect(page.get_by_text("Brand saved.")).to_be_visible()
    expect(page.get_by_test_id("brand-logo")).to_be_visible()
    assert Brand.of(acme).primary_colour == "#0f766e"
    shots(page, "brand")

    page.goto(page.url.split("/settings/")[0] + "/measure/?from=2026-10-01&to=2026-10-31")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    data = Path(download.value.path()).read_bytes()
    text = " ".join(" ".join(pages_text(data)).split())
    assert "Results: Acme" in text and "Prepared by North Agency" in text
    assert "Engagements [1] 15" in text
    first = pages_images(data)[0]
    assert close(at_mm(first, 200, 3), "#0f766e")
    assert close(at_mm(first, 33, 13), "#dc2626")

    page.get_by_role("link", name="E-mail it on schedule").click()
    page.get_by_label("Name").fill("Monday results")
    page.get_by_label("Weekly: on").select_option(label="Monday")
    page.get_by_label("At", exact=True).select_option(label="08:00")
    page.get_by_label("And to these addresses").fill("director@brand.example")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("“Monday results” will be sent as scheduled.")).to_be_visible()
    row = page.get_by_test_id("schedules").locator("tbody tr").first
    expect(row).to_contain_text("Monday, 08:00")
    expect(row).to_contain_text("director@brand.example")
    assert ReportSchedule.objects.get().address_list() == ["director@brand.example"]
    shots(page, "schedules")
