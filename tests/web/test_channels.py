"""The channels page: connected channels with their health; disconnect; check now."""

from __future__ import annotations

import pytest
import respx
from django.utils import timezone

from hubbub.core.models import AuditEntry, Workspace
from hubbub.networks.models import Channel, Health
from tests.conftest import signed_in
from tests.web.conftest import count, messages_of, text


def channel(workspace: Workspace, network: str, handle: str, **fields) -> Channel:
    made = Channel(
        workspace=workspace,
        network=network,
        external_id=f"id:{handle}",
        handle=handle,
        name=fields.pop("name", handle),
        **fields,
    )
    made.credentials = {"access_token": f"secret-of-{handle}"}
    made.save()
    return made


@pytest.fixture
def channels(acme, globex):
    return {
        "healthy": channel(acme, "bluesky", "acme.bsky.social", name="Acme on Bluesky"),
        "broken": channel(
            acme,
            "mastodon",
            "@acme@mastodon.example",
            name="Acme on Mastodon",
            health=Health.NEEDS_RECONNECT,
            health_message="mastodon refused the credentials; reconnect",
        ),
        "gone": channel(
            acme,
            "bluesky",
            "old.bsky.social",
            health=Health.DISCONNECTED,
            disconnected_at=timezone.now(),
        ),
        "demo": channel(acme, "bluesky", "demo.bsky.social", config={"demo": True}),
        "theirs": channel(globex, "bluesky", "globex.bsky.social"),
    }


def test_it_lists_the_connected_channels_with_their_health(channels, alice):
    response = signed_in(alice).get("/w/acme/channels/")
    assert response.status_code == 200
    assert count(response, "channel-row") == 3
    page = text(response)
    assert "Acme on Bluesky acme.bsky.social Bluesky Healthy" in page
    assert (
        "Acme on Mastodon @acme@mastodon.example Mastodon Needs reconnecting "
        "mastodon refused the credentials; reconnect"
    ) in page
    assert "old.bsky.social" not in page
    assert "globex.bsky.social" not in page
    assert "secret-of-" not in response.content.decode()


def test_disconnecting_forgets_the_credentials_and_is_audited(channels, alice):
    target = channels["healthy"]
    client = signed_in(alice)
    response = client.post(f"/w/acme/channels/{target.pk}/disconnect/")
    assert response["Location"] == "/w/acme/channels/"
    assert messages_of(response) == ["acme.bsky.social disconnected."]
    target.refresh_from_db()
    assert target.credentials_encrypted == ""
    assert target.credentials == {}
    assert target.disconnected_at is not None
    assert target.health == Health.DISCONNECTED
    entry = AuditEntry.objects.get(action="channel.disconnect")
    assert (entry.actor, entry.workspace, entry.object_id) == (
        alice,
        target.workspace,
        str(target.pk),
    )
    assert entry.before == {"health": "ok"} and entry.after == {"health": "disconnected"}
    listed = client.get("/w/acme/channels/")
    assert count(listed, "channel-row") == 2
    assert "Acme on Bluesky" not in text(listed)
    # Disconnecting again finds nothing to disconnect.
    assert client.post(f"/w/acme/channels/{target.pk}/disconnect/").status_code == 404


def test_an_editor_cannot_disconnect(channels, bob):
    target = channels["healthy"]
    client = signed_in(bob)
    assert "/disconnect/" not in client.get("/w/acme/channels/").content.decode()
    assert client.post(f"/w/acme/channels/{target.pk}/disconnect/").status_code == 403
    target.refresh_from_db()
    assert target.credentials == {"access_token": "secret-of-acme.bsky.social"}


def test_a_channel_of_another_workspace_is_not_found(channels, alice):
    theirs = channels["theirs"]
    client = signed_in(alice)
    assert client.post(f"/w/acme/channels/{theirs.pk}/disconnect/").status_code == 404
    assert client.post(f"/w/acme/channels/{theirs.pk}/check/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.disconnected_at is None


@respx.mock(assert_all_mocked=True)
def test_check_now_on_a_demo_channel_asks_no_network(channels, bob):
    demo = channels["demo"]
    response = signed_in(bob).post(f"/w/acme/channels/{demo.pk}/check/")
    assert response["Location"] == "/w/acme/channels/"
    assert messages_of(response) == ["demo.bsky.social is healthy."]
    assert respx.calls.call_count == 0
    demo.refresh_from_db()
    assert demo.health == Health.OK
    assert not AuditEntry.objects.filter(action="channel.health").exists()


def test_check_is_a_post(channels, alice):
    assert signed_in(alice).get(f"/w/acme/channels/{channels['demo'].pk}/check/").status_code == 405


def test_every_network_is_offered_and_unset_oauth_apps_say_so(alice_client, settings):
    """The Channels page offers each registered network with its connect page; one whose
    OAuth app the operator has not set up says so before anyone clicks."""
    from django.urls import reverse

    from hubbub.networks.registry import NETWORKS

    settings.HUBBUB_X_CLIENT_ID = "id"
    settings.HUBBUB_X_CLIENT_SECRET = "secret"
    settings.HUBBUB_META_CLIENT_ID = ""
    page = alice_client.get("/w/acme/channels/").content.decode()

    for name in NETWORKS:
        assert f'href="{reverse(f"{name}:connect", args=["acme"])}"' in page, name
    assert 'data-testid="not-set-up-facebook"' in page
    assert 'data-testid="not-set-up-x"' not in page
    assert 'data-testid="not-set-up-telegram"' not in page  # a bot token, no app needed
