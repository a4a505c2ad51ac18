"""Direct messages pushed by Telegram to /hooks/telegram/<channel id>/ (Bot API setWebhook
with a secret_token), and switching a channel between webhook and getUpdates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hubbub.core.access import ActionError
from hubbub.core.models import Workspace
from hubbub.inbox.models import Conversation, Message
from hubbub.networks.models import Channel
from hubbub.networks.telegram import webhook
from hubbub.networks.telegram.reading import ALLOWED_UPDATES
from tests.networks.telegram.conftest import error, method_url, ok, sent_json

SECRET = "s3cr3t-Token_for-acme-news-0123456789abcdef"
DAN = {"id": 555, "is_bot": False, "first_name": "Dan", "last_name": "Brown", "username": "dan"}


@pytest.fixture
def hooked(channel: Channel) -> Channel:
    channel.credentials = {**channel.credentials, "webhook_secret": SECRET}
    channel.config = {**channel.config, "telegram_webhook": True}
    channel.save()
    return channel


def update(update_id: int, message_id: int, text: str, edited: bool = False) -> dict[str, Any]:
    message = {
        "message_id": message_id,
        "from": DAN,
        "chat": {"id": 555, "type": "private", "first_name": "Dan", "username": "dan"},
        "date": 1_790_000_000 + message_id,
        "text": text,
    }
    if edited:
        message["edit_date"] = 1_790_000_500
    return {"update_id": update_id, ("edited_message" if edited else "message"): message}


def push(channel_id: int, body: Any, secret: str | None = SECRET, raw: bytes | None = None):
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    data = raw if raw is not None else json.dumps(body).encode()
    return Client().post(
        f"/hooks/telegram/{channel_id}/",
        data=data,
        content_type="application/json",
        headers=headers,
    )


def test_a_pushed_private_message_is_stored_as_a_direct_message(hooked):
    answer = push(hooked.pk, update(10, 1, "Hello, my order is late"))

    assert answer.status_code == 200
    message = Message.objects.get()
    assert message.external_id == "555:1" and message.kind == "message"
    assert message.text == "Hello, my order is late" and message.channel == hooked
    assert message.conversation.thread_key == "555"
    assert message.identity is not None and message.identity.handle == "@dan"


def test_a_repeat_and_an_edit(hooked):
    push(hooked.pk, update(10, 1, "Helo"))
    push(hooked.pk, update(10, 1, "Helo"))  # Telegram retries what was not answered 2xx

    push(hooked.pk, update(11, 1, "Hello", edited=True))

    message = Message.objects.get()
    assert message.text == "Hello" and message.original_text == "Helo"
    assert Conversation.objects.get().message_count == 1


def test_what_is_not_a_private_message_is_accepted_and_ignored(hooked):
    post = {
        "update_id": 12,
        "channel_post": {"message_id": 9, "chat": {"id": -100, "type": "channel"}},
    }

    answer = push(hooked.pk, post)

    assert answer.status_code == 200 and answer.json()["stored"] == 0
    assert not Message.objects.exists()


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET[:-1]])
def test_a_wrong_or_missing_secret_is_refused(hooked, secret):
    answer = push(hooked.pk, update(10, 1, "Forged"), secret=secret)

    assert answer.status_code == 403
    assert not Message.objects.exists()


def test_a_channel_without_a_webhook_secret_refuses_everything(channel):
    assert push(channel.pk, update(10, 1, "Hi"), secret="").status_code == 403


def test_an_unknown_channel_is_a_404_with_the_same_answer(hooked, acme: Workspace):
    other = Channel.objects.create(workspace=acme, network="mastodon", external_id="1", handle="@a")

    refused = push(hooked.pk, update(10, 1, "x"), secret="wrong")
    unknown = push(hooked.pk + 1000, update(10, 1, "x"))
    not_telegram = push(other.pk, update(10, 1, "x"))

    assert unknown.status_code == 404 and not_telegram.status_code == 404
    assert unknown.json() == refused.json() == not_telegram.json()


def test_invalid_json_is_a_400_that_says_so(hooked):
    answer = push(hooked.pk, None, raw=b"{not json")

    assert answer.status_code == 400
    assert "not JSON" in answer.json()["error"]


def test_only_post_is_answered(hooked):
    assert Client().get(f"/hooks/telegram/{hooked.pk}/").status_code == 405


# --- switching modes --------------------------------------------------------------------------


def test_set_webhook_gives_telegram_our_address_and_a_new_secret(channel, bot_api, settings):
    settings.BASE_URL = "https://hubbub.example.com"
    route = bot_api.post(method_url("setWebhook")).respond(200, json=ok(True))

    url = webhook.set_webhook(channel)

    assert url == f"https://hubbub.example.com/hooks/telegram/{channel.pk}/"
    sent = sent_json(route.calls.last.request)
    assert sent["url"] == url and sent["allowed_updates"] == ALLOWED_UPDATES
    assert sent["drop_pending_updates"] is False
    channel.refresh_from_db()
    assert webhook.uses_webhook(channel)
    assert channel.credentials["webhook_secret"] == sent["secret_token"]
    assert len(sent["secret_token"]) >= 32
    assert channel.credentials["bot_token"]  # the bot token is kept
    # What Telegram then pushes with that secret is accepted.
    assert push(channel.pk, update(10, 1, "Hi"), secret=sent["secret_token"]).status_code == 200


def test_without_https_there_is_no_webhook(channel, bot_api, settings):
    settings.BASE_URL = "http://127.0.0.1:8000"

    with pytest.raises(ActionError, match="https"):
        webhook.set_webhook(channel)

    channel.refresh_from_db()
    assert not webhook.uses_webhook(channel)


def test_when_telegram_refuses_the_channel_keeps_polling(channel, bot_api, settings):
    settings.BASE_URL = "https://hubbub.example.com"
    bot_api.post(method_url("setWebhook")).respond(
        400, json=error(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
    )

    with pytest.raises(Exception, match="rejected"):
        webhook.set_webhook(channel)

    channel.refresh_from_db()
    assert not webhook.uses_webhook(channel)


def test_delete_webhook_goes_back_to_polling_and_forgets_the_secret(hooked, bot_api):
    route = bot_api.post(method_url("deleteWebhook")).respond(200, json=ok(True))

    webhook.delete_webhook(hooked)

    assert sent_json(route.calls.last.request) == {"drop_pending_updates": False}
    hooked.refresh_from_db()
    assert not webhook.uses_webhook(hooked)
    assert "webhook_secret" not in hooked.credentials and hooked.credentials["bot_token"]
    assert push(hooked.pk, update(10, 1, "Hi")).status_code == 403


def test_configure_follows_the_base_url(channel, bot_api, settings):
    set_route = bot_api.post(method_url("setWebhook")).respond(200, json=ok(True))
    delete_route = bot_api.post(method_url("deleteWebhook")).respond(200, json=ok(True))

    settings.BASE_URL = "http://127.0.0.1:8000"
    assert webhook.configure(channel) is False
    assert delete_route.called and not set_route.called

    settings.BASE_URL = "https://hubbub.example.com"
    assert webhook.configure(channel) is True
    assert set_route.called


def test_after_connect_sets_the_webhook_when_the_address_is_https(channel, bot_api, settings):
    from hubbub.networks.hooks import after_connect

    settings.BASE_URL = "https://hubbub.example.com"
    bot_api.post(method_url("setWebhook")).respond(200, json=ok(True))

    after_connect(channel)

    channel.refresh_from_db()
    assert webhook.uses_webhook(channel)
