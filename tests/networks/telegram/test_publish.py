"""Publishing on a Telegram channel through the Bot API (sendMessage, sendPhoto,
deleteMessage): what we send, field by field, and what each answer becomes."""

from __future__ import annotations

import email.parser
import email.policy
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import time_machine
from PIL import Image

from hubbub.networks.base import AuthError, PermanentError, RateLimited, TransientError
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.telegram.connector import TelegramConnector
from hubbub.publishing.validation import check_variant
from tests.networks.telegram.conftest import (
    CHAT_ID,
    TOKEN,
    error,
    message,
    method_url,
    ok,
    sent_json,
)

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def png(tmp_path: Path) -> MediaFile:
    path = tmp_path / "square.png"
    Image.new("RGB", (120, 80), (200, 40, 40)).save(path)
    return MediaFile(path, "image/png", path.stat().st_size, alt_text="A red square")


def multipart(request: httpx.Request) -> dict[str, tuple[str | None, str, bytes]]:
    """A multipart body: name → (filename, content type, bytes)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.content)
    out = {}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        out[str(name)] = (part.get_filename(), part.get_content_type(), payload)
    return out


def ref(message_id: int) -> PublishedRef:
    return PublishedRef(
        str(message_id),
        f"https://t.me/acmenews/{message_id}",
        {"chat_id": CHAT_ID, "message_id": message_id},
    )


def test_a_text_is_sent_with_sendmessage(bot_api, channel, caplog):
    send = bot_api.post(method_url("sendMessage")).respond(200, json=ok(message(42)))

    with caplog.at_level(logging.INFO, logger="hubbub.http"):
        published = TelegramConnector(channel).publish(
            OutgoingPart(
                text="Hello from Hubbub",
                idempotency_key="delivery-7:0",
                link="https://acme.example/news",
            )
        )

    request = send.calls.last.request
    assert request.method == "POST"
    assert str(request.url) == f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    assert sent_json(request) == {
        "chat_id": CHAT_ID,
        "text": "Hello from Hubbub",
        "link_preview_options": {"url": "https://acme.example/news"},
    }
    assert published == ref(42)
    # The token is in the URL's path: the request log masks it.
    assert "/bot<token>/sendMessage" in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


def test_a_photo_is_uploaded_with_its_caption(bot_api, channel, png):
    send = bot_api.post(method_url("sendPhoto")).respond(
        200, json=ok(message(43, text=None, caption="Our chart", photo=[]))
    )

    published = TelegramConnector(channel).publish(
        OutgoingPart(text="Our chart", idempotency_key="k", media=(png,))
    )

    fields = multipart(send.calls.last.request)
    assert set(fields) == {"chat_id", "caption", "photo"}
    assert fields["chat_id"][2] == str(CHAT_ID).encode()
    assert fields["caption"][2] == b"Our chart"
    assert fields["photo"] == ("square.png", "image/png", png.path.read_bytes())
    assert published.external_id == "43"


def test_a_thread_replies_to_the_previous_part(bot_api, channel, png):
    send = bot_api.post(method_url("sendMessage")).respond(200, json=ok(message(45)))
    photo = bot_api.post(method_url("sendPhoto")).respond(200, json=ok(message(46)))
    conn = TelegramConnector(channel)
    target = ReplyTarget(root=ref(44), parent=ref(44))

    conn.publish(OutgoingPart(text="2/3", idempotency_key="k:1", reply_to=target))
    conn.publish(
        OutgoingPart(
            text="3/3", idempotency_key="k:2", media=(png,), reply_to=ReplyTarget(ref(44), ref(45))
        )
    )

    assert sent_json(send.calls.last.request) == {
        "chat_id": CHAT_ID,
        "text": "2/3",
        "reply_parameters": {"message_id": 44},
    }
    fields = multipart(photo.calls.last.request)
    assert json.loads(fields["reply_parameters"][2]) == {"message_id": 45}


def test_over_limit_texts_are_refused_before_any_request(bot_api, channel, png):
    conn = TelegramConnector(channel)
    # 2048 emoji outside the BMP: 2048 code points, 4096 UTF-16 units (Telegram's count).
    at_limit = "😀" * 2048
    assert conn.limits().text.count(at_limit) == 4096
    assert check_variant(channel, [at_limit]) == []
    problems = check_variant(channel, [at_limit + "!"])
    assert len(problems) == 1 and "4097" in problems[0].message and "4096" in problems[0].message

    with pytest.raises(PermanentError, match="4096"):
        conn.publish(OutgoingPart(text=at_limit + "!", idempotency_key="k"))
    with pytest.raises(PermanentError, match="1024"):
        conn.publish(OutgoingPart(text="a" * 1025, idempotency_key="k", media=(png,)))
    assert not bot_api.calls


def test_a_part_carrying_a_photo_is_held_to_the_caption_limit_while_composing(channel, png):
    # The composer's live check says so before anything is scheduled, not at publish time.
    assert check_variant(channel, ["a" * 1024], media=[(0, png)]) == []
    [problem] = check_variant(channel, ["a" * 1025, "b" * 2000], media=[(0, png)])
    assert problem.field == "parts.0"
    assert problem.message == (
        "Part 1 for Telegram (@acmenews) carries an image, so it is its caption: 1025 "
        "characters where a caption may have 1024: shorten it by 1."
    )
    assert check_variant(channel, ["a" * 2000, "b"], media=[(1, png)]) == []  # text-only part


def test_a_flood_limit_waits_for_retry_after(bot_api, channel):
    bot_api.post(method_url("sendMessage")).respond(
        429, json=error(429, "Too Many Requests: retry after 35", retry_after=35)
    )

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        TelegramConnector(channel).publish(OutgoingPart(text="Hi", idempotency_key="k"))

    assert caught.value.retry_at == NOW + timedelta(seconds=35)
    assert caught.value.network_message == "Too Many Requests: retry after 35"
    assert not caught.value.permanent


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (403, "Forbidden: bot was kicked from the channel chat"),
        (403, "Forbidden: bot is not a member of the channel chat"),
        (400, "Bad Request: chat not found"),
        (401, "Unauthorized"),
    ],
)
def test_a_bot_that_lost_the_channel_needs_a_reconnect(bot_api, channel, status, description):
    bot_api.post(method_url("sendMessage")).respond(status, json=error(status, description))

    with pytest.raises(AuthError) as caught:
        TelegramConnector(channel).publish(OutgoingPart(text="Hi", idempotency_key="k"))

    assert caught.value.needs_reconnect and caught.value.permanent
    assert caught.value.network_message == description


def test_other_errors_keep_telegrams_words(bot_api, channel):
    send = bot_api.post(method_url("sendMessage"))
    send.respond(400, json=error(400, "Bad Request: message text is empty"))
    with pytest.raises(PermanentError) as refused:
        TelegramConnector(channel).publish(OutgoingPart(text="Hi", idempotency_key="k"))
    assert not refused.value.needs_reconnect
    assert "message text is empty" in str(refused.value)

    send.respond(502, json=error(502, "Bad Gateway"))
    with pytest.raises(TransientError):
        TelegramConnector(channel).publish(OutgoingPart(text="Hi", idempotency_key="k"))


def test_an_unknown_outcome_cannot_be_looked_up_so_a_person_decides(bot_api, channel):
    # No Bot API method lists a channel's messages: saying "not found" would make the
    # dispatcher send again. A permanent error puts the delivery in "needs attention".
    with pytest.raises(PermanentError) as caught:
        TelegramConnector(channel).find_published(OutgoingPart(text="Hi", idempotency_key="k"))

    assert not caught.value.needs_reconnect
    assert "Look in the channel" in str(caught.value)
    assert not bot_api.calls


def test_delete_calls_deletemessage(bot_api, channel):
    delete = bot_api.post(method_url("deleteMessage")).respond(200, json=ok(True))

    TelegramConnector(channel).delete(ref(42))

    assert sent_json(delete.calls.last.request) == {"chat_id": CHAT_ID, "message_id": 42}


def test_delete_of_a_message_already_gone_succeeds_and_a_too_old_one_explains(bot_api, channel):
    delete = bot_api.post(method_url("deleteMessage"))
    delete.respond(400, json=error(400, "Bad Request: message to delete not found"))
    TelegramConnector(channel).delete(ref(42))

    delete.respond(400, json=error(400, "Bad Request: message can't be deleted"))
    with pytest.raises(PermanentError, match="48 hours"):
        TelegramConnector(channel).delete(ref(42))
