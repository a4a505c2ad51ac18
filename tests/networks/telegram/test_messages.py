"""Direct messages to the bot (Bot API getUpdates) and answers to them (sendMessage to the
person's chat, replying to their message)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.telegram.connector import TelegramConnector
from tests.networks.telegram.conftest import CHAT_ID, method_url, ok, sent_json

DAN = {"id": 555, "is_bot": False, "first_name": "Dan", "last_name": "Brown", "username": "dan"}


def _private(update_id: int, message_id: int, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "from": DAN,
            "chat": {"id": 555, "type": "private", "first_name": "Dan", "username": "dan"},
            "date": 1_790_000_000 + message_id,
            "text": text,
            **extra,
        },
    }


def _serve(bot_api, updates: list[dict[str, Any]]):
    def answer(request: httpx.Request) -> httpx.Response:
        offset = sent_json(request).get("offset")
        # Passing an offset confirms what came before: Telegram forgets it.
        if offset is not None:
            updates[:] = [u for u in updates if u["update_id"] >= offset]
        return httpx.Response(200, json=ok(updates[:100]))

    return bot_api.post(method_url("getUpdates")).mock(side_effect=answer)


def test_private_messages_are_read_and_confirmed_by_the_next_offset(bot_api, channel):
    updates = [
        _private(10, 1, "Hello, my order is late"),
        {"update_id": 11, "channel_post": {"message_id": 99, "chat": {"id": CHAT_ID}}},
        _private(12, 2, "Order 12345"),
    ]
    route = _serve(bot_api, updates)
    conn = TelegramConnector(channel)

    first = conn.fetch_messages(None)

    assert [i.text for i in first.items] == ["Hello, my order is late", "Order 12345"]
    dm = first.items[0]
    assert dm.external_id == "555:1" and dm.author.handle == "@dan"
    assert dm.author.name == "Dan Brown" and dm.data["conversation_id"] == "555"
    assert dm.created_at == datetime.fromtimestamp(1_790_000_001, tz=UTC)
    assert first.cursor == "13"
    assert sent_json(route.calls[0].request)["allowed_updates"] == ["message", "edited_message"]

    updates.append(_private(13, 3, "Any news?"))
    second = conn.fetch_messages(first.cursor)

    assert sent_json(route.calls.last.request)["offset"] == 13
    assert [i.text for i in second.items] == ["Any news?"] and second.cursor == "14"
    assert conn.fetch_messages(second.cursor).items == []


def test_an_edit_comes_back_with_the_same_id_and_its_edit_time(bot_api, channel):
    edit = _private(20, 1, "Hello, my order is VERY late", edit_date=1_790_000_100)
    edit["edited_message"] = edit.pop("message")
    _serve(bot_api, [edit])

    (item,) = TelegramConnector(channel).fetch_messages(None).items

    assert item.external_id == "555:1"
    assert item.edited_at == datetime.fromtimestamp(1_790_000_100, tz=UTC)


def test_groups_and_the_channel_are_not_conversations(bot_api, channel):
    group = _private(30, 5, "hi all")
    group["message"]["chat"] = {"id": -42, "type": "supergroup", "title": "Fans"}
    _serve(bot_api, [group])

    page = TelegramConnector(channel).fetch_messages(None)

    assert page.items == [] and page.cursor == "31"


def test_an_answer_goes_to_the_persons_chat_replying_to_their_message(bot_api, channel):
    _serve(bot_api, [_private(40, 7, "Where is my parcel?")])
    conn = TelegramConnector(channel)
    (dm,) = conn.fetch_messages(None).items
    send = bot_api.post(method_url("sendMessage")).respond(
        200,
        json=ok({"message_id": 8, "chat": {"id": 555, "type": "private"}, "date": 1, "text": "x"}),
    )
    theirs = PublishedRef(external_id=dm.external_id, data=dm.data)
    ref = conn.publish(
        OutgoingPart(text="On its way!", idempotency_key="r", reply_to=ReplyTarget(theirs, theirs))
    )

    assert sent_json(send.calls.last.request) == {
        "chat_id": 555,
        "text": "On its way!",
        "reply_parameters": {"message_id": 7},
    }
    assert ref.data["chat_id"] == 555
