"""Discord webhook fixtures: answers shaped like the examples of Discord's developer
documentation ("Webhook Resource": the webhook object of Get Webhook with Token, which has
no `user`; "Message Resource": the message object Execute Webhook returns with wait=true;
"Reference" → Error Messages and "Topics" → Rate Limits for errors), with our test webhook."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.recorded import sent_json as sent_json

API = "https://discord.com/api/v10"
WEBHOOK_ID = "223704706495545344"
# The documentation's example token (Webhook Object, "Example Incoming Webhook").
TOKEN = (
    "3d89bb7572e0fb30d8128367b3b1b44fecd1726de135cbe28a41f8b2f777c372ba2939e72279b94526ff5d1bd4"
    "358d65cf11"
)
CHANNEL_ID = "199737254929760256"
GUILD_ID = "199737254929760257"
PASTED = f"https://discord.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}"
WEBHOOK_URL = f"{API}/webhooks/{WEBHOOK_ID}/{TOKEN}"

WEBHOOK: dict[str, Any] = {
    "application_id": None,
    "avatar": "a_5f1d3e7c9b2a4d6e8f0a1b2c3d4e5f60",
    "channel_id": CHANNEL_ID,
    "guild_id": GUILD_ID,
    "id": WEBHOOK_ID,
    "name": "Acme News",
    "type": 1,
    "token": TOKEN,
    "url": PASTED,
}


def message(message_id: str = "1201030507090110213", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": message_id,
        "type": 0,
        "content": "Hello from Hubbub",
        "channel_id": CHANNEL_ID,
        "author": {
            "bot": True,
            "id": WEBHOOK_ID,
            "username": "Acme News",
            "avatar": None,
            "discriminator": "0000",
        },
        "attachments": [],
        "embeds": [],
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        "timestamp": "2026-06-01T10:00:00.123000+00:00",
        "edited_timestamp": None,
        "flags": 0,
        "components": [],
        "webhook_id": WEBHOOK_ID,
    }
    body.update(fields)
    return body


def error(code: int, text: str) -> dict[str, Any]:
    return {"message": text, "code": code}


UNKNOWN_WEBHOOK = error(10015, "Unknown Webhook")


@pytest.fixture(autouse=True)
def discord_dns(fake_dns: dict[str, list[str]]) -> dict[str, list[str]]:
    fake_dns["discord.com"] = [PUBLIC_TEST_ADDRESS]
    return fake_dns


@pytest.fixture
def discord_api() -> Iterator[respx.MockRouter]:
    """Every outbound call must match a route; nothing reaches a network."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    channel = Channel(
        workspace=acme,
        network="discord",
        external_id=CHANNEL_ID,
        handle="Acme News",
        name="Acme News",
        config={"webhook_id": WEBHOOK_ID, "channel_id": CHANNEL_ID, "guild_id": GUILD_ID},
    )
    channel.credentials = {"webhook_id": WEBHOOK_ID, "webhook_token": TOKEN}
    channel.save()
    return channel
