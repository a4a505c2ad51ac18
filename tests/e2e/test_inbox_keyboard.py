"""The inbox in a real browser, driven by the keyboard: j/k move, Enter opens, r focuses the
reply, Ctrl+Enter sends, e closes; and a conversation that arrives while the list is open
appears without a reload (htmx polls every 15 s)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.inbox.models import Conversation, Direction, Message, Status
from hubbub.networks.models import Channel
from tests.e2e.test_keyboard_and_language import sign_in
from tests.inbox import conftest_pages
from tests.inbox.conftest_pages import conversation

pytestmark = pytest.mark.e2e

chan = conftest_pages.chan
inbox_network = conftest_pages.inbox_network

POLL_MS = 25_000  # the list polls every 15 s


def test_j_k_enter_r_reply_and_e_close_with_the_keyboard(
    page: Page, shots, alice: User, acme: Workspace, chan: Channel
) -> None:
    now = timezone.now()
    first = conversation(
        chan, "Newest: where is my parcel?", handle="@ann", at=now - timedelta(minutes=1)
    )
    second = conversation(chan, "Middle: wrong size", handle="@ben", at=now - timedelta(minutes=5))
    conversation(chan, "Oldest: thanks!", handle="@cat", at=now - timedelta(minutes=9))
    sign_in(page, alice.email)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.wait_for_load_state("load")  # hubbub.js (deferred) listens from here
    page.keyboard.press("g")
    page.keyboard.press("b")
    expect(page).to_have_url(re.compile(r"/w/acme/inbox/$"))
    page.wait_for_load_state("load")
    rows = page.get_by_test_id("conversation-row")
    expect(rows).to_have_count(3)

    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    expect(rows.nth(0)).not_to_have_attribute("aria-current", "true")
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    shots(page, "list-selected")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/w/acme/inbox/{first.pk}/$"))
    expect(page.get_by_test_id("thread")).to_contain_text("Newest: where is my parcel?")
    page.wait_for_load_state("load")

    # r focuses the reply box; the letter is not typed into it.
    page.keyboard.press("r")
    box = page.get_by_label("Your reply")
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    box.press_sequentially("Sorry Ann, it ships today.")
    expect(page.get_by_test_id("reply-counter")).to_have_text("26 / 300")
    box.press("Control+Enter")
    expect(page.get_by_role("status")).to_contain_text("Reply queued")
    page.wait_for_load_state("load")
    reply = page.get_by_test_id("message").filter(has_text="Sorry Ann, it ships today.")
    expect(reply).to_be_visible()
    expect(reply.get_by_test_id("delivery-status")).to_be_visible()
    assert Message.objects.filter(direction=Direction.OUTBOUND, conversation=first).count() == 1
    shots(page, "replied")

    # e closes; j goes to the next conversation of the list as it was shown.
    page.keyboard.press("e")
    expect(page.get_by_test_id("conversation-status")).to_have_text("Closed")
    page.wait_for_load_state("load")
    first.refresh_from_db()
    assert first.status == Status.CLOSED
    page.keyboard.press("j")
    expect(page).to_have_url(re.compile(rf"/w/acme/inbox/{second.pk}/$"))
    page.wait_for_load_state("load")
    shots(page, "next-conversation")

    # "?" lists the inbox's keys with the rest.
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_contain_text("Next / previous conversation")
    expect(dialog).to_contain_text("Overview")
    page.keyboard.press("Escape")


def test_keys_do_nothing_while_typing_in_the_search_box(
    page: Page, alice: User, acme: Workspace, chan: Channel
) -> None:
    conversation(chan, "hello", at=timezone.now() - timedelta(minutes=1))
    sign_in(page, alice.email)
    page.goto("/w/acme/inbox/")
    page.keyboard.press("/")
    search = page.get_by_label("Search")
    expect(search).to_be_focused()
    search.press_sequentially("jke")
    expect(search).to_have_value("jke")
    expect(page).to_have_url(re.compile(r"/w/acme/inbox/$"))


def test_x_selects_and_e_closes_the_selection(
    page: Page, alice: User, acme: Workspace, chan: Channel
) -> None:
    now = timezone.now()
    one = conversation(chan, "one", handle="@one", at=now - timedelta(minutes=1))
    two = conversation(chan, "two", handle="@two", at=now - timedelta(minutes=2))
    three = conversation(chan, "three", handle="@three", at=now - timedelta(minutes=3))
    sign_in(page, alice.email)
    page.goto("/w/acme/inbox/")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.keyboard.press("e")
    expect(page.get_by_role("status")).to_contain_text("2 conversations updated.")
    statuses = dict(Conversation.objects.values_list("pk", "status"))
    assert statuses == {one.pk: "closed", two.pk: "open", three.pk: "closed"}


def test_a_new_conversation_appears_without_a_reload(
    page: Page, shots, alice: User, acme: Workspace, chan: Channel
) -> None:
    conversation(chan, "Already here", handle="@old", at=timezone.now() - timedelta(minutes=5))
    sign_in(page, alice.email)
    page.goto("/w/acme/inbox/?status=open")
    rows = page.get_by_test_id("conversation-row")
    expect(rows).to_have_count(1)
    page.evaluate("window.__sameDocument = true")

    later = timezone.now() + timedelta(seconds=1)
    conversation(chan, "Just arrived: help!", handle="@new", at=later)
    conversation(chan, "Closed on arrival", handle="@spam", at=later, status=Status.CLOSED)

    expect(rows).to_have_count(2, timeout=POLL_MS)
    expect(rows.nth(0)).to_contain_text("Just arrived: help!")
    # The closed one is not in this view: a badge says something arrived elsewhere.
    expect(page.get_by_test_id("new-elsewhere")).to_have_text(
        "1 new conversation outside this view"
    )
    assert page.evaluate("window.__sameDocument") is True
    shots(page, "new-row")


def test_a_colleague_typing_a_reply_is_announced(
    open_page, alice: User, bob: User, acme: Workspace, chan: Channel
) -> None:
    c = conversation(chan, "Help please", at=timezone.now() - timedelta(minutes=2))
    bobs = open_page()
    sign_in(bobs, bob.email)
    expect(bobs).to_have_url(re.compile(r"/w/acme/$"))
    bobs.goto(f"/w/acme/inbox/{c.pk}/")
    with bobs.expect_response(re.compile(r"/replying/$")):
        bobs.get_by_label("Your reply").click()  # the heartbeat takes the lease
    bobs.get_by_label("Your reply").press_sequentially("On it")
    c.refresh_from_db()
    assert c.replying_user == bob

    alices = open_page()
    sign_in(alices, alice.email)
    expect(alices).to_have_url(re.compile(r"/w/acme/$"))
    alices.goto(f"/w/acme/inbox/{c.pk}/")
    expect(alices.get_by_test_id("replying-warning")).to_have_text(
        "Bob Durand is already replying."
    )
    # Alice's own heartbeat, when she starts typing, says the same.
    with alices.expect_response(re.compile(r"/replying/$")):
        alices.get_by_label("Your reply").click()
    expect(alices.get_by_test_id("replying-warning")).to_be_visible()
