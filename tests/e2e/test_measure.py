"""The Results page in a real browser: reached with the keyboard (g y), the period chosen from
the filters, the headline figures with their formulas, and the chart drawn by plotly (served
from our own static files) with a gap where no count is known."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.measure.models import PostSnapshot
from tests.e2e.test_keyboard_and_language import sign_in
from tests.measure.test_reports import channel, local, post

pytestmark = pytest.mark.e2e


def test_results_by_keyboard_with_formulas_and_a_chart(
    page: Page, shots, alice: User, acme: Workspace
) -> None:
    acme.time_zone = "Europe/Paris"
    acme.save()
    bluesky = channel(acme, "bluesky", "brand.bsky.social")
    post(bluesky, local(2026, 10, 3, 9), likes=10, comments=2, shares=3)
    post(bluesky, local(2026, 10, 20, 18), likes=4, comments=0, shares=1)
    assert PostSnapshot.objects.count() == 2
    sign_in(page, alice.email)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.keyboard.press("g")
    page.keyboard.press("y")
    expect(page).to_have_url(re.compile(r"/w/acme/measure/$"))

    page.get_by_label("Period", exact=True).select_option("custom")
    page.get_by_label("From", exact=True).fill("2026-10-01")
    page.get_by_label("To (included)", exact=True).fill("2026-10-31")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_test_id("measure-period")).to_contain_text("From 2026-10-01 to 2026-10-31")
    row = page.locator('[data-figure="engagements"]')
    expect(row).to_contain_text("20")
    expect(row).to_contain_text("likes + comments + shares + saves + link clicks")
    expect(page.locator('[data-figure="engagement_rate_reach"]')).to_contain_text("—")
    chart = page.locator("#daily-chart")
    expect(chart.locator(".main-svg").first).to_be_visible()
    shots(page, "results")
