"""hubbub.curation.demo_personas: two personas, English and French, on the demo channels."""

from __future__ import annotations

from hubbub.core.access import access_workspace
from hubbub.curation.demo_personas import fill_personas
from hubbub.curation.models import Persona
from hubbub.networks.models import Channel


def test_fill_personas_adds_an_english_and_a_french_voice_once(alice, acme) -> None:
    bluesky = Channel.objects.create(
        workspace=acme, network="bluesky", external_id="b", handle="acme.bsky.social"
    )
    mastodon = Channel.objects.create(
        workspace=acme, network="mastodon", external_id="m", handle="@acme@m.example"
    )
    access = access_workspace(alice, "acme")
    fill_personas(access)
    fill_personas(access)  # idempotent
    found = {p.languages[0]: p for p in Persona.objects.filter(workspace=acme)}
    assert set(found) == {"en", "fr"}
    assert list(found["en"].channels.all()) == [bluesky]  # acme speaks English
    assert list(found["fr"].channels.all()) == [mastodon]
    assert found["fr"].tone_profile["examples"] == 4
    assert all(p.topics for p in found.values())
