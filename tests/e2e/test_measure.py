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
from tests.measure.test_engagement import heard, inbox
from tests.measure.test_reports import channel, local, post

pytestmark = pytest.mark.e2e
__all__ = ["heard", "inbox"]  # fixtures: a week of conversations and mentions


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


def test_response_times_and_listening_panels(
    page: Page, shots, alice: User, acme: Workspace, inbox, heard
) -> None:
    """The week of tests/measure/test_engagement.py: each panel's figures beside the week
    before's with their formulas; a channel shows its response times and says why listening
    is not shown; the inbox's report opens from the keyboard for the same days."""
    sign_in(page, alice.email)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.goto("/w/acme/measure/?from=2026-10-19&to=2026-10-25")

    responses = page.get_by_role("region", name="Response times")
    expect(responses).to_be_visible()
    median = responses.locator('[data-figure="first_response_median"]')
    expect(median).to_contain_text("45 min")
    expect(median).to_contain_text("10 min")  # the week before
    expect(median).to_contain_text("nearest rank")
    expect(responses.locator('[data-figure="conversations"]')).to_contain_text("+150.0")
    listening = page.get_by_role("region", name="Listening")
    expect(listening.locator('[data-figure="net_sentiment"]')).to_contain_text("+42.9")
    expect(listening.get_by_test_id("top-queries").locator("tbody tr")).to_have_count(3)
    shots(page, "panels")

    page.get_by_label("Channel", exact=True).select_option(label="Mastodon: acme@mastodon.example")
    page.get_by_role("button", name="Show").click()
    expect(responses.locator('[data-figure="conversations"]')).to_contain_text("2")
    expect(page.get_by_test_id("listening-reason")).to_contain_text("not about one of your")
    shots(page, "one-channel")

    link = page.get_by_test_id("responses-link")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/w/acme/inbox/reports/\?.*start=2026-10-19"))
    expect(page.get_by_test_id("report-period")).to_contain_text("From 2026-10-19 to 2026-10-25")
    shots(page, "inbox-report")
