"""A Telegram part whose outcome is unknown is never sent again blindly: the Bot API cannot
look it up, so the delivery waits for a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import time_machine

from hubbub.core.access import Access
from hubbub.core.roles import Role
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.models import Attempt, Delivery, DeliveryAttempt, DeliveryStatus
from tests.networks.telegram.conftest import message, method_url, ok

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def test_a_timeout_after_sending_ends_in_needs_attention_not_a_duplicate(
    bot_api, channel, alice, acme
):
    send = bot_api.post(method_url("sendMessage"))
    send.side_effect = httpx.ReadTimeout("read timed out")
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)
    with time_machine.travel(NOW, tick=False) as clock:
        post = create_draft(owner, purpose="news", variants=[VariantInput(channel, ["Hello"])])
        schedule_post(owner, post, NOW + timedelta(minutes=10))
        delivery = Delivery.objects.get(post=post)
        clock.move_to(NOW + timedelta(minutes=10))

        deliver(delivery.pk, "w1")  # the request left; no answer came back
        delivery.refresh_from_db()
        assert (delivery.status, delivery.in_flight_part) == (DeliveryStatus.RETRYING, 0)

        send.side_effect = None
        send.respond(200, json=ok(message(42)))
        clock.move_to(delivery.next_attempt_at)
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert send.call_count == 1  # never sent a second time
    assert delivery.status == DeliveryStatus.NEEDS_ATTENTION
    assert delivery.in_flight_part == 0
    assert "Look in the channel" in delivery.last_error
    outcomes = list(
        DeliveryAttempt.objects.filter(delivery=delivery).values_list("outcome", flat=True)
    )
    assert outcomes == [Attempt.UNKNOWN, Attempt.PERMANENT]


def test_after_looking_in_the_channel_a_person_sends_it_again_once(bot_api, channel, alice, acme):
    from hubbub.core.models import AuditEntry
    from hubbub.publishing.actions.pause import send_now

    send = bot_api.post(method_url("sendMessage"))
    send.side_effect = httpx.ReadTimeout("read timed out")
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)
    with time_machine.travel(NOW, tick=False) as clock:
        post = create_draft(owner, purpose="news", variants=[VariantInput(channel, ["Hello"])])
        schedule_post(owner, post, NOW + timedelta(minutes=10))
        delivery = Delivery.objects.get(post=post)
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")
        delivery.refresh_from_db()
        clock.move_to(delivery.next_attempt_at)
        deliver(delivery.pk, "w1")  # cannot look it up: waits for a person
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.NEEDS_ATTENTION

        # The message is not in the channel: "Send now" is the person's answer.
        send.side_effect = None
        send.respond(200, json=ok(message(43)))
        send_now(owner, delivery)
        deliver(delivery.pk, "w1")  # the job send_now queued

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert send.call_count == 2  # the lost one, then this one
    assert delivery.refs()[0].external_id == "43"
    entry = AuditEntry.objects.get(action="delivery.send_now")
    assert entry.after["resent_unknown_part"] == 0
