"""'Draft a post': per-network texts within each channel's limits, and the optional text
generator (through hubbub.core.http) with its fallback to the templates."""

from __future__ import annotations

import httpx
import pytest
import respx

from hubbub.accounts.models import User
from hubbub.core.access import access_workspace
from hubbub.core.models import Workspace
from hubbub.curation import drafts
from hubbub.curation.models import Persona
from hubbub.curation.sharing import SharePrefill
from hubbub.networks.models import Channel
from hubbub.publishing.validation import limits_of

LINK = "https://news.example/articles/" + "very-long-slug-" * 10
LONG_TITLE = "Cargo bikes replace delivery vans in the old town " * 8
GENERATOR = "https://textgen.example/v1/chat/completions"


def _prefill(title: str = "Cargo bikes replace delivery vans") -> SharePrefill:
    return SharePrefill(
        source="feed:1",
        purpose=f"Share: {title}",
        text=f"{title}\nvia Jane Doe / City News\n{LINK}",
        link=LINK,
    )


def _channel(workspace: Workspace, network: str) -> Channel:
    return Channel.objects.create(
        workspace=workspace, network=network, external_id=network, handle=f"acme-{network}"
    )


@pytest.fixture
def setup(alice: User, acme: Workspace):
    x, linkedin, instagram = (_channel(acme, n) for n in ("x", "linkedin", "instagram"))
    persona = Persona.objects.create(
        workspace=acme, name="Cyclists", topics=["cargo bikes", "road safety"]
    )
    persona.channels.set([x, linkedin, instagram])
    return access_workspace(alice, "acme"), persona, x, linkedin, instagram


def test_each_network_gets_its_shape(setup) -> None:
    access, persona, x, linkedin, instagram = setup
    texts = drafts.draft_variants(access, _prefill(), persona.pk)
    assert set(texts) == {x.pk, linkedin.pk, instagram.pk}
    assert texts[x.pk] == (
        "Cargo bikes replace delivery vans #CargoBikes #RoadSafety\n"
        f"via Jane Doe / City News\n{LINK}"
    )
    assert texts[linkedin.pk].startswith("Cargo bikes replace delivery vans\n\nvia Jane Doe")
    assert LINK not in texts[instagram.pk]  # links do not click there


def test_a_long_title_is_shortened_to_the_limit_counting_links_as_x_does(setup) -> None:
    access, persona, x, _linkedin, _instagram = setup
    text = drafts.draft_variants(access, _prefill(LONG_TITLE), persona.pk)[x.pk]
    limit = limits_of(x).text
    assert len(text) > 280  # the link is long, but X counts it as 23 characters
    assert limit.count(text) <= 280
    assert text.endswith(f"…\nvia Jane Doe / City News\n{LINK}")
    assert "#CargoBikes" not in text  # hashtags go first when room is short


def test_without_a_persona_every_connected_channel_gets_a_text(alice, acme) -> None:
    x = _channel(acme, "x")
    texts = drafts.draft_variants(access_workspace(alice, "acme"), _prefill(), None)
    assert list(texts) == [x.pk]
    assert "#" not in texts[x.pk]


@respx.mock
def test_a_configured_generator_writes_the_texts(setup, settings) -> None:
    settings.HUBBUB_TEXTGEN_URL = GENERATOR
    settings.HUBBUB_TEXTGEN_KEY = "secret-key"
    access, persona, x, _linkedin, _instagram = setup
    route = respx.post(GENERATOR).mock(
        return_value=httpx.Response(
            200, json={"choices": [{"message": {"content": f"Cargo bikes win the city! {LINK}"}}]}
        )
    )
    found = drafts.draft(access, _prefill(), persona.pk)
    assert found.variants[x.pk] == f"Cargo bikes win the city! {LINK}"
    assert found.messages == []
    sent = route.calls[0].request
    assert sent.headers["Authorization"] == "Bearer secret-key"
    assert b"Cargo bikes replace delivery vans" in sent.content


@respx.mock
def test_a_failing_generator_falls_back_to_the_templates_with_a_message(setup, settings) -> None:
    settings.HUBBUB_TEXTGEN_URL = GENERATOR
    access, persona, x, linkedin, _instagram = setup
    respx.post(GENERATOR).mock(
        side_effect=[
            httpx.Response(500),
            httpx.Response(200, json={"choices": [{"message": {"content": "x" * 400}}]}),
            httpx.Response(200, json={"unexpected": True}),
        ]
    )
    found = drafts.draft(access, _prefill(), persona.pk)
    assert found.variants[x.pk].startswith("Cargo bikes replace delivery vans #CargoBikes")
    assert found.variants[linkedin.pk].startswith("Cargo bikes replace delivery vans")
    assert found.messages == [
        "The text generator did not answer well for acme-x, acme-linkedin, acme-instagram: "
        "the template was used."
    ]


def test_a_generator_at_a_private_address_is_refused_and_templates_are_used(
    setup, settings, caplog
) -> None:
    settings.HUBBUB_TEXTGEN_URL = "http://127.0.0.1:9/v1/chat/completions"
    access, persona, x, _linkedin, _instagram = setup
    with caplog.at_level("WARNING"):
        found = drafts.draft(access, _prefill(), persona.pk)
    assert "private or local address" in caplog.text  # refused before any connection
    assert found.variants[x.pk].startswith("Cargo bikes replace delivery vans")
    assert "did not answer well" in found.messages[0]


def test_another_workspaces_persona_is_refused(setup, charlie, globex) -> None:
    _access, persona, *_channels = setup
    from hubbub.core.access import ActionError

    with pytest.raises(ActionError, match="No such persona"):
        drafts.draft(access_workspace(charlie, "globex"), _prefill(), persona.pk)
