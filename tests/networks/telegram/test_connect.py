"""Connecting a Telegram channel: the action, the page and the API endpoint all check the
token (getMe), the channel (getChat) and the bot's rights (getChatMember) before saving."""

from __future__ import annotations

import json

import pytest
import respx
from django.test import Client
from django.urls import reverse

from hubbub.core.access import ActionError
from hubbub.networks.models import Channel, Health
from hubbub.networks.telegram.connect import connect_telegram, normalise_chat
from hubbub.networks.telegram.connector import TelegramConnector
from tests.api.conftest import token_api
from tests.networks.telegram.conftest import (
    ADMIN,
    BOT_ID,
    CHAT,
    CHAT_ID,
    TOKEN,
    error,
    method_url,
    ok,
    sent_json,
)

URL = "/w/acme/channels/telegram/connect/"
API = "/workspaces/acme/channels/telegram"


@pytest.fixture
def owner(acme, alice):
    from hubbub.core.access import access_workspace

    return access_workspace(alice, acme.slug)


def test_it_checks_the_bot_the_channel_and_the_rights_then_saves(healthy, owner):
    channel = connect_telegram(owner, f"  {TOKEN} ", "https://t.me/acmenews")

    assert sent_json(healthy["getChat"].calls.last.request) == {"chat_id": "@acmenews"}
    assert sent_json(healthy["getChatMember"].calls.last.request) == {
        "chat_id": CHAT_ID,
        "user_id": BOT_ID,
    }
    assert healthy["getMe"].calls.last.request.url == method_url("getMe")
    channel.refresh_from_db()
    assert (channel.network, channel.external_id) == ("telegram", str(CHAT_ID))
    assert (channel.handle, channel.name) == ("@acmenews", "Acme News")
    assert channel.profile_url == "https://t.me/acmenews"
    assert channel.credentials == {"bot_token": TOKEN}
    assert TOKEN not in str(channel.credentials_encrypted)  # stored encrypted
    assert channel.config["chat_id"] == CHAT_ID and channel.config["can_delete"] is True
    assert channel.health == Health.OK
    # The same checks serve the health check.
    assert TelegramConnector(channel).check().external_id == str(CHAT_ID)


def test_an_unknown_token_says_to_copy_it_again(bot_api, owner):
    bot_api.post(method_url("getMe")).respond(401, json=error(401, "Unauthorized"))

    with pytest.raises(ActionError) as caught:
        connect_telegram(owner, TOKEN, "@acmenews")

    assert caught.value.field == "bot_token"
    assert "Telegram does not know this bot token: copy it again from @BotFather" in str(
        caught.value.message
    )
    assert not Channel.objects.exists()


def test_a_malformed_token_is_refused_before_any_request(bot_api, owner):
    with pytest.raises(ActionError) as caught:
        connect_telegram(owner, "my-password", "@acmenews")

    assert caught.value.field == "bot_token"
    assert not bot_api.calls


@pytest.mark.parametrize(
    "member",
    [
        {"user": {"id": BOT_ID, "is_bot": True, "first_name": "Acme Hubbub"}, "status": "member"},
        {**ADMIN, "can_post_messages": False},
    ],
    ids=["member", "admin-without-post-right"],
)
def test_a_bot_that_may_not_post_says_how_to_fix_it(bot_api, owner, member):
    bot_api.post(method_url("getMe")).respond(
        200,
        json=ok(
            {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Acme Hubbub",
                "username": "acme_hubbub_bot",
            }
        ),
    )
    bot_api.post(method_url("getChat")).respond(200, json=ok(CHAT))
    bot_api.post(method_url("getChatMember")).respond(200, json=ok(member))

    with pytest.raises(ActionError) as caught:
        connect_telegram(owner, TOKEN, "@acmenews")

    assert caught.value.field == "channel"
    assert "@acme_hubbub_bot" in caught.value.message
    assert "administrator" in caught.value.message
    assert '"Post messages"' in caught.value.message
    assert not Channel.objects.exists()


def test_a_channel_telegram_does_not_know(bot_api, owner):
    bot_api.post(method_url("getMe")).respond(200, json=ok({"id": BOT_ID, "username": "b"}))
    bot_api.post(method_url("getChat")).respond(400, json=error(400, "Bad Request: chat not found"))

    with pytest.raises(ActionError) as caught:
        connect_telegram(owner, TOKEN, "@nosuchchannel")

    assert caught.value.field == "channel"
    assert "@nosuchchannel" in caught.value.message


def test_a_group_is_not_a_channel(bot_api, owner):
    bot_api.post(method_url("getMe")).respond(200, json=ok({"id": BOT_ID, "username": "b"}))
    bot_api.post(method_url("getChat")).respond(200, json=ok({**CHAT, "type": "supergroup"}))

    with pytest.raises(ActionError, match="supergroup"):
        connect_telegram(owner, TOKEN, "@acmenews")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("@acmenews", "@acmenews"),
        ("acmenews", "@acmenews"),
        ("https://t.me/acmenews/", "@acmenews"),
        ("-1001234567890", -1001234567890),
    ],
)
def test_the_channel_may_be_typed_several_ways(typed, expected):
    assert normalise_chat(typed) == expected


@pytest.mark.parametrize("typed", ["https://t.me/+AbCdEf", "a b", "@ab"])
def test_what_does_not_name_a_channel_is_refused(typed):
    with pytest.raises(ActionError) as caught:
        normalise_chat(typed)
    assert caught.value.field == "channel"


def test_the_channels_page_links_to_the_form(alice_client: Client):
    assert reverse("telegram:connect", args=["acme"]) == URL

    page = alice_client.get("/w/acme/channels/").content.decode()

    assert f'href="{URL}" data-testid="connect-telegram"' in page
    form = alice_client.get(URL).content.decode()
    assert 'type="password" name="bot_token"' in form
    assert "@BotFather" in form


def test_the_page_connects_and_shows_errors_on_the_field(healthy, alice_client: Client):
    healthy.post(method_url("getMe", "999:" + "x" * 35)).respond(
        401, json=error(401, "Unauthorized")
    )

    refused = alice_client.post(URL, {"bot_token": "999:" + "x" * 35, "channel": "@acmenews"})
    assert refused.status_code == 200
    assert "copy it again from @BotFather" in refused.content.decode()

    response = alice_client.post(URL, {"bot_token": TOKEN, "channel": "@acmenews"}, follow=True)

    assert response.redirect_chain == [("/w/acme/channels/", 302)]
    assert "Telegram channel Acme News connected." in response.content.decode()
    assert Channel.objects.get().network == "telegram"


def test_the_api_connects(healthy, alice, acme):
    api = token_api(alice, acme)

    response = api.post(API, {"bot_token": TOKEN, "channel": "@acmenews"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["network"], body["handle"]) == ("telegram", "@acmenews")
    assert TOKEN not in json.dumps(body)


def test_the_api_says_which_field_is_wrong(bot_api: respx.MockRouter, alice, acme):
    bot_api.post(method_url("getMe")).respond(401, json=error(401, "Unauthorized"))

    response = token_api(alice, acme).post(API, {"bot_token": TOKEN, "channel": "@acmenews"})

    assert response.status_code == 400
    assert response.json()["field"] == "bot_token"
