"""Connecting a Discord channel: the action, the page and the API endpoint all ask Discord
for the pasted webhook (Get Webhook with Token) before saving it, encrypted."""

from __future__ import annotations

import json
import logging

import pytest
import respx
from django.test import Client
from django.urls import reverse

from hubbub.core.access import ActionError
from hubbub.networks.discord.connect import connect_discord
from hubbub.networks.discord.connector import DiscordConnector
from hubbub.networks.models import Channel, Health
from tests.api.conftest import token_api
from tests.networks.discord.conftest import (
    CHANNEL_ID,
    GUILD_ID,
    PASTED,
    TOKEN,
    UNKNOWN_WEBHOOK,
    WEBHOOK,
    WEBHOOK_ID,
    WEBHOOK_URL,
)

URL = "/w/acme/channels/discord/connect/"
API = "/workspaces/acme/channels/discord"


@pytest.fixture
def owner(acme, alice):
    from hubbub.core.access import access_workspace

    return access_workspace(alice, acme.slug)


@pytest.fixture
def healthy(discord_api: respx.MockRouter) -> respx.MockRouter:
    discord_api.get(WEBHOOK_URL, name="webhook").respond(200, json=WEBHOOK)
    return discord_api


def test_it_checks_the_webhook_then_saves_it_encrypted(healthy, owner, caplog):
    with caplog.at_level(logging.INFO, logger="hubbub.http"):
        channel = connect_discord(owner, f"  {PASTED}  ")

    request = healthy["webhook"].calls.last.request
    assert request.method == "GET" and str(request.url) == WEBHOOK_URL
    channel.refresh_from_db()
    assert (channel.network, channel.external_id) == ("discord", CHANNEL_ID)
    assert (channel.handle, channel.name) == ("Acme News", "Acme News")
    assert channel.profile_url == f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}"
    assert channel.avatar_url == (
        f"https://cdn.discordapp.com/avatars/{WEBHOOK_ID}/{WEBHOOK['avatar']}.png"
    )
    assert channel.credentials == {"webhook_id": WEBHOOK_ID, "webhook_token": TOKEN}
    assert TOKEN not in str(channel.credentials_encrypted)  # stored encrypted
    assert TOKEN not in json.dumps(channel.config)
    assert channel.health == Health.OK
    # The request log shows the webhook, never its token.
    assert f"/api/v10/webhooks/{WEBHOOK_ID}/<token>" in caplog.text
    assert TOKEN not in caplog.text
    # The same call serves the health check.
    assert DiscordConnector(channel).check().external_id == CHANNEL_ID


@pytest.mark.parametrize(
    "host", ["discordapp.com", "canary.discord.com", "ptb.discord.com", "DISCORD.com"]
)
def test_every_host_discord_copies_urls_from_is_accepted(healthy, owner, host):
    connect_discord(owner, f"https://{host}/api/webhooks/{WEBHOOK_ID}/{TOKEN}")

    # Whichever host was pasted, Hubbub talks to the API at discord.com.
    assert str(healthy["webhook"].calls.last.request.url) == WEBHOOK_URL


@pytest.mark.parametrize(
    "pasted",
    [
        f"http://discord.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}",  # not https
        f"https://discord.example.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}",
        f"https://evil.com/discord.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}",
        f"https://discord.com@evil.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}",
        f"https://discord.com/api/webhooks/{WEBHOOK_ID}",  # no token
        f"https://discord.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}/github",
        f"https://discord.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}?thread_id=1",
        "https://discord.com/channels/1/2",  # a channel link, not a webhook
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "my webhook",
    ],
)
def test_anything_else_is_refused_before_any_request_saying_where_to_find_it(
    discord_api, owner, pasted
):
    with pytest.raises(ActionError) as caught:
        connect_discord(owner, pasted)

    assert caught.value.field == "webhook_url"
    assert "Server Settings → Integrations → Webhooks" in caught.value.message
    assert "Copy Webhook URL" in caught.value.message
    assert TOKEN not in caught.value.message
    assert not discord_api.calls
    assert not Channel.objects.exists()


def test_a_deleted_webhook_says_so_and_saves_nothing(discord_api, owner):
    discord_api.get(WEBHOOK_URL).respond(404, json=UNKNOWN_WEBHOOK)

    with pytest.raises(ActionError) as caught:
        connect_discord(owner, PASTED)

    assert caught.value.field == "webhook_url"
    assert "The webhook was deleted in Discord" in caught.value.message
    assert "Unknown Webhook (10015)" in caught.value.message
    assert not Channel.objects.exists()


def test_a_webhook_that_cannot_post_is_refused(discord_api, owner):
    # Type 2: a Channel Follower webhook, which Discord itself posts through.
    discord_api.get(WEBHOOK_URL).respond(200, json={**WEBHOOK, "type": 2})

    with pytest.raises(ActionError, match="cannot post messages"):
        connect_discord(owner, PASTED)
    assert not Channel.objects.exists()


def test_a_busy_discord_says_to_try_again(discord_api, owner):
    discord_api.get(WEBHOOK_URL).respond(503, json={"message": "Service Unavailable"})

    with pytest.raises(ActionError) as caught:
        connect_discord(owner, PASTED)

    assert caught.value.field is None
    assert "try again in a minute" in caught.value.message


def test_a_new_webhook_for_the_same_channel_updates_it(healthy, owner):
    first = connect_discord(owner, PASTED)
    new_id, new_token = "223704706495545399", "N" * 68
    healthy.get(f"https://discord.com/api/v10/webhooks/{new_id}/{new_token}").respond(
        200, json={**WEBHOOK, "id": new_id, "token": new_token}
    )

    second = connect_discord(owner, f"https://discord.com/api/webhooks/{new_id}/{new_token}")

    assert second.pk == first.pk
    second.refresh_from_db()
    assert second.credentials == {"webhook_id": new_id, "webhook_token": new_token}
    assert second.config["webhook_id"] == new_id


def test_the_channels_page_links_to_the_form(alice_client: Client):
    assert reverse("discord:connect", args=["acme"]) == URL

    page = alice_client.get("/w/acme/channels/").content.decode()

    assert f'href="{URL}" data-testid="connect-discord"' in page
    form = alice_client.get(URL).content.decode()
    assert 'type="password" name="webhook_url"' in form
    assert "Server Settings → Integrations → Webhooks" in form


def test_the_page_connects_and_shows_errors_on_the_field(healthy, alice_client: Client):
    refused = alice_client.post(URL, {"webhook_url": "https://example.com/hook"})
    assert refused.status_code == 200
    assert "This is not a Discord webhook URL" in refused.content.decode()

    response = alice_client.post(URL, {"webhook_url": PASTED}, follow=True)

    assert response.redirect_chain == [("/w/acme/channels/", 302)]
    assert "Discord webhook Acme News connected." in response.content.decode()
    assert Channel.objects.get().network == "discord"
    assert TOKEN not in response.content.decode()


def test_the_api_connects_and_never_returns_the_token(healthy, alice, acme):
    response = token_api(alice, acme).post(API, {"webhook_url": PASTED})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["network"], body["handle"]) == ("discord", "Acme News")
    assert TOKEN not in json.dumps(body)


def test_the_api_says_what_is_wrong(discord_api, alice, acme):
    discord_api.get(WEBHOOK_URL).respond(404, json=UNKNOWN_WEBHOOK)
    api = token_api(alice, acme)

    deleted = api.post(API, {"webhook_url": PASTED})
    malformed = api.post(API, {"webhook_url": "https://example.com/"})

    assert deleted.status_code == 400
    assert deleted.json()["field"] == "webhook_url"
    assert "deleted in Discord" in deleted.json()["detail"]
    assert malformed.status_code == 400 and malformed.json()["field"] == "webhook_url"
