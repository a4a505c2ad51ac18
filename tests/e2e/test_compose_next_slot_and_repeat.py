"""In a real browser: the composer's "Next free slot" button fills the time through htmx, and
the Repeat builder shows only what applies and says the series in words as one chooses."""

from __future__ import annotations

from datetime import time

import pytest
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.publishing.models import Post, QueueSlot
from tests.e2e.test_keyboard_and_language import sign_in

pytestmark = pytest.mark.e2e


def test_next_free_slot_and_the_repeat_builder(page: Page, shots, alice: User, acme: Workspace):
    channel = Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )
    sign_in(page, alice.email)
    page.goto("/w/acme/posts/new/")

    # No slot yet: said, with the way to the queue page for an owner.
    page.get_by_role("button", name="Next free slot").click()
    expect(page.get_by_test_id("slot-note")).to_contain_text("no queue slots yet")
    expect(page.get_by_role("link", name="Set up queue slots")).to_be_visible()

    QueueSlot.objects.create(channel=channel, weekday=1, time=time(9, 0))  # Tuesdays
    page.get_by_role("button", name="Next free slot").click()
    expect(page.get_by_test_id("slot-note")).to_contain_text("Next free slot:")
    value = page.locator("#scheduled-at").input_value()
    assert value.endswith("T09:00")
    assert page.url.endswith("/posts/new/")  # htmx answered in place: no page load
    shots(page, "slot-filled")

    # The weekdays appear for "every week" only; the check panel says the series.
    page.get_by_text("Repeat", exact=True).click()
    expect(page.get_by_role("checkbox", name="Thursday")).to_be_hidden()
    page.get_by_label("Repeats").select_option("weekly")
    page.get_by_role("checkbox", name="Tuesday").check()
    page.get_by_role("checkbox", name="Thursday").check()
    page.get_by_label("Date of the last post").fill("2027-03-01")
    expect(page.get_by_label("On this date")).to_be_checked()
    page.get_by_label("Purpose").fill("weekly tip")
    page.locator("#part-0").fill("Tip of the week")
    expect(page.get_by_test_id("repeat-preview")).to_have_text(
        "Repeats every Tuesday and Thursday at 09:00 until 1 March 2027"
    )
    shots(page, "repeat-preview")
    page.get_by_role("button", name="Schedule…").click()
    expect(page.get_by_test_id("series")).to_contain_text(
        "Repeats every Tuesday and Thursday at 09:00 until 1 March 2027"
    )
    shots(page, "post-page")
    assert Post.objects.filter(series__isnull=False).exists()
