"""The feed reader in a real browser: j / k move between items by keyboard, m marks the
focused one read (htmx swaps it in place), and hostile feed text stays text (no dialog
opens: the `dialogs` fixture fails the test if one does)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.curation.models import Feed, FeedItem, FeedItemRead
from tests.e2e.test_keyboard_and_language import sign_in

pytestmark = pytest.mark.e2e


def test_j_k_and_m_read_the_items_by_keyboard(
    page: Page, shots, alice: User, acme: Workspace
) -> None:
    feed = Feed.objects.create(workspace=acme, url="https://news.example/rss", title="News")
    now = timezone.now()
    for number, title in enumerate(
        ["Newest <img src=x onerror=alert(1)>", "Middle", "Oldest <script>alert(2)</script>"]
    ):
        FeedItem.objects.create(
            workspace=acme,
            feed=feed,
            key=f"k{number}",
            url=f"https://news.example/{number}",
            title=title,
            text="Body",
            published_at=now - timedelta(hours=number),
        )
    sign_in(page, alice.email)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.goto("/w/acme/curate/feeds/items/")
    page.wait_for_load_state("load")
    items = page.get_by_test_id("feed-item")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("Newest <img src=x onerror=alert(1)>")

    page.keyboard.press("j")
    expect(items.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(items.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(items.nth(0)).to_be_focused()
    page.keyboard.press("m")
    expect(items.nth(0).get_by_role("button", name="Mark unread")).to_be_visible()
    expect(items.nth(0)).not_to_contain_text("Unread")
    shots(page, "first-read")
    assert FeedItemRead.objects.filter(user=alice, item__key="k0").exists()
    assert FeedItemRead.objects.count() == 1
