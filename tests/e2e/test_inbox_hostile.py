"""Hostile network text in a real browser: HTML and script, onerror handlers, javascript:
links, right-to-left overrides, zero-width characters and a 100,000-character comment are
shown as the characters they are; nothing runs, nothing opens a dialog, nothing is lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.inbox.models import Conversation, Identity, Message
from hubbub.networks.models import Channel
from tests.e2e.test_keyboard_and_language import sign_in
from tests.inbox import conftest_pages
from tests.inbox.conftest_pages import conversation, message

pytestmark = pytest.mark.e2e

chan = conftest_pages.chan
inbox_network = conftest_pages.inbox_network

SCRIPT = "<script>window.__pwned = 'script'</script>"
IMG = "<img src=x onerror=\"window.__pwned='img';alert('img')\">"
SVG = "<svg onload=alert('svg')></svg>"
RLO_NAME = "\u202eSupport team\u202c"
ZERO_WIDTH = "pay\u200bpal.com \u2066isolate\u2069 \ufeffbom"
LONG = ("Refund me now. " * 6667)[:99_991] + " THE END."  # 100,000 characters


@pytest.fixture
def hostile(chan: Channel, acme: Workspace) -> Conversation:
    now = timezone.now()
    c = conversation(
        chan,
        f"{SCRIPT} {IMG}",
        handle="@\u202eevil",
        name=RLO_NAME,
        at=now - timedelta(minutes=9),
    )
    Identity.objects.filter(conversations=c).update(profile_url="javascript:alert('profile')")
    message(c, SVG + " " + ZERO_WIDTH, at=now - timedelta(minutes=8), external_id="zw")
    Message.objects.filter(external_id="zw").update(url="javascript:alert('link')")
    message(c, LONG, at=now - timedelta(minutes=7), external_id="long")
    return c


def test_hostile_text_is_shown_escaped_and_nothing_runs(
    page: Page, shots, dialogs: list[str], alice: User, hostile: Conversation
) -> None:
    sign_in(page, alice.email)
    page.goto("/w/acme/inbox/")
    page.wait_for_load_state("networkidle")
    row = page.get_by_test_id("conversation-row")
    expect(row.get_by_test_id("excerpt")).to_have_text(f"{SCRIPT} {IMG}")
    # The override stays inside its name: the rest of the row reads left to right.
    expect(row.locator("bdi").first).to_have_text(RLO_NAME)
    assert page.evaluate("window.__pwned") is None
    shots(page, "list")

    page.goto(f"/w/acme/inbox/{hostile.pk}/")
    page.wait_for_load_state("networkidle")
    messages = page.get_by_test_id("message")
    expect(messages).to_have_count(3)
    # Every character as received, the invisible ones included.
    texts = [messages.nth(i).get_by_test_id("text").first for i in range(3)]
    assert texts[0].evaluate("e => e.textContent") == f"{SCRIPT} {IMG}"
    assert texts[1].evaluate("e => e.textContent") == f"{SVG} {ZERO_WIDTH}"
    expect(texts[0]).to_be_visible()
    # ... and a warning that shows where the invisible ones are.
    warning = messages.nth(1).get_by_test_id("invisible")
    expect(warning).to_contain_text("U+200B, U+2066, U+2069, U+FEFF")
    warning.locator("summary").click()
    expect(warning).to_contain_text("pay⟦U+200B⟧pal.com")
    # No element came out of the text, and no javascript: link is offered.
    expect(page.locator('img[src="x"]')).to_have_count(0)
    expect(page.locator("main svg")).to_have_count(0)
    expect(page.locator('a[href^="javascript:"]')).to_have_count(0)
    assert page.evaluate("window.__pwned") is None

    # The 100,000-character comment is folded, whole, and unfolds on demand.
    long_text = texts[2]
    assert long_text.evaluate("e => e.textContent.length") == len(LONG)
    folded = long_text.evaluate("e => e.getBoundingClientRect().height")
    messages.nth(2).get_by_test_id("show-all").click()
    expect(long_text).to_contain_text("THE END.")
    assert long_text.evaluate("e => e.getBoundingClientRect().height") > folded * 10
    shots(page, "conversation")
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
