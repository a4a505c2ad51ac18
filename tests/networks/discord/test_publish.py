"""Publishing on a Discord channel through its webhook (Execute Webhook, Delete Webhook
Message): what we send, field by field, and what each answer becomes."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from PIL import Image

from hubbub.networks.base import AuthError, PermanentError, RateLimited, TransientError
from hubbub.networks.discord.connector import DiscordConnector
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.publishing.validation import check_variant
from tests.networks.discord.conftest import (
    CHANNEL_ID,
    GUILD_ID,
    TOKEN,
    UNKNOWN_WEBHOOK,
    WEBHOOK_ID,
    WEBHOOK_URL,
    error,
    message,
    sent_json,
)
from tests.networks.telegram.test_publish import multipart

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
EXECUTE = f"{WEBHOOK_URL}?wait=true"
MESSAGE_ID = "1201030507090110213"


@pytest.fixture
def png(tmp_path: Path) -> MediaFile:
    path = tmp_path / "square.png"
    Image.new("RGB", (120, 80), (200, 40, 40)).save(path)
    return MediaFile(path, "image/png", path.stat().st_size, alt_text="A red square")


def ref(message_id: str = MESSAGE_ID, webhook_id: str = WEBHOOK_ID) -> PublishedRef:
    return PublishedRef(
        message_id,
        f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{message_id}",
        {"channel_id": CHANNEL_ID, "webhook_id": webhook_id},
    )


def publish(channel, text: str = "Hi", **extra) -> PublishedRef:
    return DiscordConnector(channel).publish(OutgoingPart(text=text, idempotency_key="k", **extra))


def test_a_text_is_sent_as_json_and_never_pings_anyone(discord_api, channel, caplog):
    send = discord_api.post(EXECUTE).respond(200, json=message(MESSAGE_ID))
    text = "Launch day @everyone! Ask @here or <@80351110224678912>"

    with caplog.at_level(logging.INFO, logger="hubbub.http"):
        published = publish(channel, text, link="https://acme.example/news", language="en")

    request = send.calls.last.request
    assert request.method == "POST"
    assert str(request.url) == EXECUTE
    assert sent_json(request) == {"content": text, "allowed_mentions": {"parse": []}}
    assert published == ref()
    assert TOKEN not in caplog.text  # the token is in the path: the log masks it


def test_images_are_uploaded_with_their_alt_text(discord_api, channel, png, tmp_path):
    second = tmp_path / "plain.jpg"
    Image.new("RGB", (10, 10)).save(second)
    jpeg = MediaFile(second, "image/jpeg", second.stat().st_size)  # no alt text
    send = discord_api.post(EXECUTE).respond(200, json=message("1201030507090110214"))

    published = publish(channel, "Our chart", media=(png, jpeg))

    fields = multipart(send.calls.last.request)
    assert set(fields) == {"payload_json", "files[0]", "files[1]"}
    assert json.loads(fields["payload_json"][2]) == {
        "content": "Our chart",
        "allowed_mentions": {"parse": []},
        "attachments": [
            {"id": 0, "filename": "square.png", "description": "A red square"},
            {"id": 1, "filename": "plain.jpg"},
        ],
    }
    assert fields["files[0]"] == ("square.png", "image/png", png.path.read_bytes())
    assert fields["files[1]"] == ("plain.jpg", "image/jpeg", second.read_bytes())
    assert published.external_id == "1201030507090110214"


def test_limits_are_checked_while_composing_and_before_any_request(discord_api, channel, png):
    assert check_variant(channel, ["a" * 2000]) == []
    # Code points, as Discord counts: 2000 emoji outside the BMP fit.
    assert check_variant(channel, ["😀" * 2000]) == []
    [problem] = check_variant(channel, ["a" * 2001])
    assert "2001" in problem.message and "2000" in problem.message
    assert check_variant(channel, ["a"], media=[(0, png)] * 10) == []
    [too_many] = check_variant(channel, ["a"], media=[(0, png)] * 11)
    assert "11 images" in too_many.message
    # Two parts: Discord has no threads for a webhook.
    assert check_variant(channel, ["1/2", "2/2"])

    with pytest.raises(PermanentError, match="2000"):
        publish(channel, "a" * 2001)
    with pytest.raises(PermanentError, match="10 images"):
        publish(channel, "a", media=(png,) * 11)
    assert not discord_api.calls


@pytest.mark.parametrize(
    ("headers", "body", "wait"),
    [
        (
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "1.5"},
            {"message": "You are being rate limited.", "retry_after": 1.5, "global": False},
            timedelta(seconds=1.5),
        ),
        (  # no body (a proxy's answer): the header says when
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "64.57"},
            None,
            timedelta(seconds=64.57),
        ),
    ],
)
def test_a_rate_limit_waits_as_long_as_discord_says(discord_api, channel, headers, body, wait):
    discord_api.post(EXECUTE).respond(429, headers=headers, json=body)

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        publish(channel)

    assert caught.value.retry_at == NOW + wait
    assert not caught.value.permanent and caught.value.status == 429


@pytest.mark.parametrize(
    ("status", "body"),
    [(404, UNKNOWN_WEBHOOK), (401, error(50027, "Invalid Webhook Token"))],
)
def test_a_deleted_webhook_needs_a_reconnect(discord_api, channel, status, body):
    discord_api.post(EXECUTE).respond(status, json=body)

    with pytest.raises(AuthError) as caught:
        publish(channel)

    assert caught.value.needs_reconnect and caught.value.permanent
    assert "The webhook was deleted in Discord" in caught.value.message
    assert body["message"] in caught.value.network_message


def test_other_errors_keep_discords_words(discord_api, channel):
    send = discord_api.post(EXECUTE)
    send.respond(400, json=error(50035, "Invalid Form Body"))
    with pytest.raises(PermanentError) as refused:
        publish(channel)
    assert not refused.value.needs_reconnect
    assert "Invalid Form Body (50035)" in str(refused.value)

    send.respond(413, json=error(40005, "Request entity too large"))
    with pytest.raises(PermanentError, match="too large for this Discord server"):
        publish(channel)

    send.respond(502, text="Bad Gateway")
    with pytest.raises(TransientError):
        publish(channel)


def test_an_unknown_outcome_cannot_be_looked_up_so_a_person_decides(discord_api, channel):
    with pytest.raises(PermanentError) as caught:
        DiscordConnector(channel).find_published(OutgoingPart(text="Hi", idempotency_key="k"))

    assert not caught.value.needs_reconnect
    assert "Look in the channel" in str(caught.value)
    assert not discord_api.calls


def test_delete_removes_the_webhooks_message(discord_api, channel):
    delete = discord_api.delete(f"{WEBHOOK_URL}/messages/{MESSAGE_ID}").respond(204)

    DiscordConnector(channel).delete(ref())

    assert delete.call_count == 1


def test_delete_of_a_message_already_gone_succeeds(discord_api, channel):
    discord_api.delete(f"{WEBHOOK_URL}/messages/{MESSAGE_ID}").respond(
        404, json=error(10008, "Unknown Message")
    )

    DiscordConnector(channel).delete(ref())  # nothing raised: what a delete wants


def test_delete_through_a_deleted_webhook_needs_a_reconnect(discord_api, channel):
    discord_api.delete(f"{WEBHOOK_URL}/messages/{MESSAGE_ID}").respond(404, json=UNKNOWN_WEBHOOK)

    with pytest.raises(AuthError):
        DiscordConnector(channel).delete(ref())


def test_a_message_of_an_earlier_webhook_is_not_deleted_blindly(discord_api, channel):
    with pytest.raises(PermanentError, match="earlier webhook"):
        DiscordConnector(channel).delete(ref(webhook_id="1"))
    assert not discord_api.calls


def test_the_health_check_notices_a_deleted_webhook(discord_api, channel):
    from hubbub.networks.actions import check_channel
    from hubbub.networks.models import Health

    discord_api.get(WEBHOOK_URL).respond(404, json=UNKNOWN_WEBHOOK)

    check_channel(channel)

    channel.refresh_from_db()
    assert channel.health == Health.NEEDS_RECONNECT
    assert "deleted in Discord" in channel.health_message
