"""Telegram Bot API fixtures: answers shaped like the examples of the Bot API documentation
(https://core.telegram.org/bots/api: User, ChatFullInfo, ChatMemberAdministrator, Message,
and the error object of "Making requests"), with our test bot and channel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.recorded import sent_json as sent_json

API = "https://api.telegram.org"
# The token format of the Bot API documentation's own example ("Authorizing your bot").
TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
BOT_ID = 123456
CHAT_ID = -1001234567890
USERNAME = "acmenews"


def method_url(name: str, token: str = TOKEN) -> str:
    return f"{API}/bot{token}/{name}"


def ok(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


def error(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


BOT: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Acme Hubbub",
    "username": "acme_hubbub_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}

CHAT: dict[str, Any] = {
    "id": CHAT_ID,
    "type": "channel",
    "title": "Acme News",
    "username": USERNAME,
    "description": "News from Acme",
    "accent_color_id": 3,
    "max_reaction_count": 11,
    "accepted_gift_types": {
        "unlimited_gifts": False,
        "limited_gifts": False,
        "unique_gifts": False,
        "premium_subscription": False,
    },
}

ADMIN: dict[str, Any] = {
    "user": BOT,
    "status": "administrator",
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": False,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": False,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_post_messages": True,
    "can_edit_messages": True,
}


def message(message_id: int = 42, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": message_id,
        "sender_chat": {
            "id": CHAT_ID,
            "title": "Acme News",
            "username": USERNAME,
            "type": "channel",
        },
        "chat": {"id": CHAT_ID, "title": "Acme News", "username": USERNAME, "type": "channel"},
        "date": 1780308000,
        "text": "Hello from Hubbub",
    }
    body.update(fields)
    return body


@pytest.fixture(autouse=True)
def telegram_dns(fake_dns: dict[str, list[str]]) -> dict[str, list[str]]:
    fake_dns["api.telegram.org"] = [PUBLIC_TEST_ADDRESS]
    return fake_dns


@pytest.fixture
def bot_api() -> Iterator[respx.MockRouter]:
    """Every outbound call must match a route; nothing reaches a network."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def healthy(bot_api: respx.MockRouter) -> respx.MockRouter:
    """A bot that is an administrator of @acmenews, allowed to post and delete."""
    bot_api.post(method_url("getMe"), name="getMe").respond(200, json=ok(BOT))
    bot_api.post(method_url("getChat"), name="getChat").respond(200, json=ok(CHAT))
    bot_api.post(method_url("getChatMember"), name="getChatMember").respond(200, json=ok(ADMIN))
    return bot_api


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    channel = Channel(
        workspace=acme,
        network="telegram",
        external_id=str(CHAT_ID),
        handle=f"@{USERNAME}",
        name="Acme News",
        config={
            "chat_id": CHAT_ID,
            "username": USERNAME,
            "bot_id": BOT_ID,
            "bot_username": "acme_hubbub_bot",
            "can_delete": True,
        },
    )
    channel.credentials = {"bot_token": TOKEN}
    channel.save()
    return channel
