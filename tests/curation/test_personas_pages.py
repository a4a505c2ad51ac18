"""The personas and suggestions pages, and the composer's persona panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.curation.models import Feed, FeedItem, Persona, SuggestionDismissal
from hubbub.networks.models import Channel
from tests.conftest import signed_in

BASE = "/w/acme/curate"
EXAMPLES = (
    "Our new cargo bike lanes open downtown this Saturday! Come ride with us.\n\n"
    "Urban cycling is safer with protected bike lanes.\n\n"
    "Cargo bikes carry kids and groceries: the city needs more protected lanes."
)


def test_a_manager_writes_a_persona_from_the_form(alice: User, acme: Workspace) -> None:
    channel = Channel.objects.create(workspace=acme, network="x", external_id="1", handle="acme")
    client = signed_in(alice)
    response = client.post(
        f"{BASE}/personas/new/",
        {
            "name": "Cyclists",
            "topics": "cycling\nbike lanes",
            "languages": "en",
            "example_posts": EXAMPLES,
            "channels": [channel.pk],
        },
    )
    assert response.status_code == 302
    persona = Persona.objects.get()
    assert persona.topics == ["cycling", "bike lanes"]
    assert len(persona.example_posts) == 3
    assert list(persona.channels.all()) == [channel]
    listing = client.get(f"{BASE}/personas/")
    assert "Cyclists" in listing.content.decode()


def test_propose_fills_only_the_empty_fields_and_saves_nothing(alice, acme) -> None:
    response = signed_in(alice).post(
        f"{BASE}/personas/new/",
        {"name": "", "tone": "dry", "example_posts": EXAMPLES, "propose": "1"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="proposal"' in page
    assert "bike lanes" in page  # the topics field is filled
    assert ">dry<" not in page and 'value="dry"' in page  # what was typed stays
    assert not Persona.objects.exists()


def test_a_bad_persona_is_shown_again_with_its_message(alice, acme) -> None:
    response = signed_in(alice).post(f"{BASE}/personas/new/", {"name": "A", "languages": "klingon"})
    assert response.status_code == 400
    assert "klingon is not a language Hubbub reads" in response.content.decode()


def test_with_nothing_to_attach_the_form_says_so_then_lists_the_channels(alice, acme) -> None:
    client = signed_in(alice)
    empty = client.get(f"{BASE}/personas/new/").content.decode()
    assert "No channel connected yet" in empty and "No campaign yet" in empty
    Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:x", handle="acme.bsky.social"
    )
    listed = client.get(f"{BASE}/personas/new/").content.decode()
    assert "No channel connected yet" not in listed and "acme.bsky.social" in listed


def test_an_editor_cannot_open_the_form(bob, acme) -> None:
    assert signed_in(bob).get(f"{BASE}/personas/new/").status_code == 403


def test_persona_text_is_escaped(alice, acme) -> None:
    Persona.objects.create(workspace=acme, name="<script>x</script>", topics=["<b>t</b>"])
    page = signed_in(alice).get(f"{BASE}/personas/").content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


@pytest.fixture
def persona_with_items(acme: Workspace) -> tuple[Persona, FeedItem, FeedItem]:
    persona = Persona.objects.create(workspace=acme, name="Cyclists", topics=["bike lanes"])
    feed = Feed.objects.create(workspace=acme, url="https://news.example/feed", title="News")
    now = timezone.now()
    match = FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="1" * 64,
        title="Bike lanes open <b>downtown</b>",
        url="https://news.example/1",
        published_at=now - timedelta(days=2),
    )
    other = FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="2" * 64,
        title="Bank holds rates",
        url="https://news.example/2",
        published_at=now,
    )
    return persona, match, other


def test_suggestions_page_ranks_says_why_and_links_to_the_composer(bob, persona_with_items) -> None:
    persona, match, _other = persona_with_items
    page = signed_in(bob).get(f"{BASE}/suggestions/?persona={persona.pk}").content.decode()
    assert page.count('data-testid="suggestion"') == 1
    assert "Bike lanes open &lt;b&gt;downtown&lt;/b&gt;" in page
    assert "matches bike lanes; published 2 days ago" in page
    assert f"/w/acme/posts/new/?share=feed%3A{match.pk}&amp;persona={persona.pk}" in page


def test_set_aside_hides_it_next_time(bob, persona_with_items) -> None:
    persona, match, _other = persona_with_items
    client = signed_in(bob)
    response = client.post(
        f"{BASE}/suggestions/{persona.pk}/dismiss/",
        {"item": f"feed:{match.pk}"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert SuggestionDismissal.objects.filter(persona=persona).count() == 1
    page = client.get(f"{BASE}/suggestions/?persona={persona.pk}").content.decode()
    assert 'data-testid="no-suggestion"' in page


def test_no_persona_yet_says_what_to_do(bob, acme) -> None:
    page = signed_in(bob).get(f"{BASE}/suggestions/").content.decode()
    assert "write one first" in page


def test_the_composer_panel_shows_the_channels_persona(bob, acme) -> None:
    channel = Channel.objects.create(workspace=acme, network="x", external_id="1", handle="acme")
    persona = Persona.objects.create(
        workspace=acme,
        name="Cyclists",
        tone="warm",
        words_to_avoid=["accident"],
        example_posts=["Ride with us on Saturday."],
    )
    persona.channels.set([channel])
    client = signed_in(bob)
    panel = client.get(f"{BASE}/compose/persona/", {"channels": [channel.pk]}).content.decode()
    assert "Cyclists" in panel and "accident" in panel and "Ride with us on Saturday." in panel
    empty = client.get(f"{BASE}/compose/persona/", {"channels": ["abc"]}).content.decode()
    assert 'data-testid="persona-card"' not in empty


def test_the_edit_page_shows_the_notes_and_the_measured_tone(alice, acme) -> None:
    persona = Persona.objects.create(
        workspace=acme,
        name="Cyclists",
        languages=["fr"],
        example_posts=["Our new bike lanes open downtown this Saturday! Come and ride with us!"],
        tone_profile={"examples": 1, "exclamations": 2, "sentence_words": 6},
    )
    page = signed_in(alice).get(f"{BASE}/personas/{persona.pk}/").content.decode()
    assert "This persona has no topics" in page
    assert "which the persona does not declare (fr)" in page
    assert "short sentences, enthusiastic" in page
