"""/api/workspaces/{slug}/personas…: CRUD, propose, suggestions, set aside, drafts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hubbub.curation.models import Feed, FeedItem, Persona, SuggestionDismissal
from hubbub.networks.models import Channel
from tests.api.conftest import Api, token_api

P = "/workspaces/acme/personas"


@pytest.fixture
def alice_api(alice, acme) -> Api:
    return token_api(alice, acme)


@pytest.fixture
def bob_api(bob, acme) -> Api:
    return token_api(bob, acme)


def test_create_read_replace_delete(alice_api: Api, acme) -> None:
    created = alice_api.post(P, {"name": "Cyclists", "topics": ["bike lanes"], "languages": ["en"]})
    assert created.status_code == 201
    body = created.json()
    assert body["topics"] == ["bike lanes"] and body["notes"] == []
    one = f"{P}/{body['id']}"
    assert alice_api.get(one).json()["name"] == "Cyclists"
    replaced = alice_api.call("put", one, {"name": "Riders"})
    assert replaced.json()["topics"] == []
    assert "no topics" in replaced.json()["notes"][0]
    assert [p["name"] for p in alice_api.get(P).json()] == ["Riders"]
    assert alice_api.delete(one).status_code == 204
    assert not Persona.objects.exists()


def test_bad_input_is_a_400_naming_the_field(alice_api: Api, acme) -> None:
    response = alice_api.post(P, {"name": "A", "languages": ["klingon"]})
    assert response.status_code == 400
    assert response.json()["field"] == "languages"


def test_an_editor_cannot_create(bob_api: Api, acme) -> None:
    assert bob_api.post(P, {"name": "Mine"}).status_code == 403


def test_propose(alice_api: Api, acme) -> None:
    response = alice_api.post(
        f"{P}/propose",
        {
            "example_posts": [
                "Our cargo bike lanes open downtown on Saturday.",
                "Cargo bike lanes make the city safer.",
                "Ride the new cargo bike lanes with us.",
            ]
        },
    )
    assert response.status_code == 200
    assert "cargo bike" in response.json()["topics"] or "bike lanes" in response.json()["topics"]
    assert response.json()["languages"] == ["en"]


def test_suggestions_dismiss_and_drafts(alice_api: Api, acme) -> None:
    persona = Persona.objects.create(workspace=acme, name="Cyclists", topics=["bike lanes"])
    channel = Channel.objects.create(workspace=acme, network="x", external_id="1", handle="acme")
    persona.channels.set([channel])
    feed = Feed.objects.create(workspace=acme, url="https://news.example/feed", title="News")
    item = FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="1" * 64,
        title="Bike lanes open",
        url="https://news.example/1",
        published_at=timezone.now(),
    )
    found = alice_api.get(f"{P}/{persona.pk}/suggestions").json()
    assert [s["source"] for s in found] == [f"feed:{item.pk}"]
    assert found[0]["reasons"][0] == "matches bike lanes"
    drafted = alice_api.post(f"{P}/{persona.pk}/drafts", {"draft_source": f"feed:{item.pk}"})
    assert drafted.status_code == 200
    variant = drafted.json()["variants"][0]
    assert variant["channel_id"] == channel.pk and "https://news.example/1" in variant["text"]
    unknown = alice_api.post(f"{P}/{persona.pk}/drafts", {"draft_source": "feed:999999"})
    assert unknown.status_code == 400
    dismissed = alice_api.post(
        f"{P}/{persona.pk}/suggestions/dismiss", {"item_key": f"feed:{item.pk}"}
    )
    assert dismissed.status_code == 204
    assert SuggestionDismissal.objects.filter(persona=persona).exists()
    assert alice_api.get(f"{P}/{persona.pk}/suggestions").json() == []
