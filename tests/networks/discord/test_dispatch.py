"""Discord through the dispatcher: an unknown outcome waits for a person (a webhook cannot
look a message up), and a deleted webhook holds the post until the channel is reconnected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import time_machine

from hubbub.core.access import Access
from hubbub.core.roles import Role
from hubbub.networks.discord.connect import connect_discord
from hubbub.networks.models import Health
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.models import Delivery, DeliveryStatus
from tests.networks.discord.conftest import (
    PASTED,
    UNKNOWN_WEBHOOK,
    WEBHOOK,
    WEBHOOK_URL,
    message,
)

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
EXECUTE = f"{WEBHOOK_URL}?wait=true"


def _scheduled(owner: Access, channel) -> Delivery:
    post = create_draft(owner, purpose="news", variants=[VariantInput(channel, ["Hello"])])
    schedule_post(owner, post, NOW + timedelta(minutes=10))
    return Delivery.objects.get(post=post)


def test_a_timeout_after_sending_ends_in_needs_attention_not_a_duplicate(
    discord_api, channel, alice, acme
):
    send = discord_api.post(EXECUTE)
    send.side_effect = httpx.ReadTimeout("read timed out")
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)
    with time_machine.travel(NOW, tick=False) as clock:
        delivery = _scheduled(owner, channel)
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")  # the request left; no answer came back
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.RETRYING

        send.side_effect = None
        send.respond(200, json=message())
        clock.move_to(delivery.next_attempt_at)
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert send.call_count == 1  # never sent a second time
    assert delivery.status == DeliveryStatus.NEEDS_ATTENTION
    assert "Look in the channel" in delivery.last_error


def test_a_deleted_webhook_holds_the_post_until_a_new_one_is_connected(
    discord_api, channel, alice, acme
):
    send = discord_api.post(EXECUTE).respond(404, json=UNKNOWN_WEBHOOK)
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)
    with time_machine.travel(NOW, tick=False) as clock:
        delivery = _scheduled(owner, channel)
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")

        delivery.refresh_from_db()
        channel.refresh_from_db()
        assert delivery.status == DeliveryStatus.HELD
        assert channel.health == Health.NEEDS_RECONNECT
        assert "deleted in Discord" in channel.health_message

        # The person creates a webhook again (the same URL stands for it here) and reconnects.
        discord_api.get(WEBHOOK_URL).respond(200, json=WEBHOOK)
        send.respond(200, json=message())
        connect_discord(owner, PASTED)
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert send.call_count == 2
