"""Personas in a real browser: paste example posts, press "Propose" (htmx swaps the form
with the empty fields filled), save by keyboard; then set a suggestion aside in place."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.curation.models import Feed, FeedItem, Persona, SuggestionDismissal
from tests.e2e.test_keyboard_and_language import sign_in

pytestmark = pytest.mark.e2e

EXAMPLES = (
    "Our new cargo bike lanes open downtown this Saturday! Come ride with us.\n\n"
    "Urban cycling is safer with protected bike lanes.\n\n"
    "Cargo bikes carry kids and groceries: the city needs more protected lanes."
)


def test_propose_then_save_then_set_aside(page: Page, shots, alice: User, acme: Workspace) -> None:
    feed = Feed.objects.create(workspace=acme, url="https://news.example/rss", title="News")
    item = FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="k1",
        url="https://news.example/1",
        title="Protected bike lanes <script>alert(1)</script> open",
        published_at=timezone.now() - timedelta(days=1),
    )
    sign_in(page, alice.email)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.goto("/w/acme/curate/personas/new/")
    page.get_by_label("Name").fill("Cyclists")
    page.get_by_label("Example posts").fill(EXAMPLES)
    page.get_by_test_id("propose").click()
    expect(page.get_by_test_id("proposal")).to_contain_text("bike lanes")
    expect(page.get_by_label("Topics")).to_have_value(re.compile("bike lanes"))
    expect(page.get_by_label("Name")).to_have_value("Cyclists")
    shots(page, "proposed")
    page.get_by_test_id("save-persona").click()
    expect(page).to_have_url(re.compile(r"/curate/personas/$"))
    persona = Persona.objects.get(name="Cyclists")
    assert "bike lanes" in persona.topics

    page.goto(f"/w/acme/curate/suggestions/?persona={persona.pk}")
    suggestion = page.get_by_test_id("suggestion")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("<script>alert(1)</script>")  # shown as text
    page.get_by_test_id("dismiss").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("suggestion")).to_have_count(0)
    assert SuggestionDismissal.objects.filter(persona=persona, item_key=f"feed:{item.pk}").exists()
