"""Slack through the dispatcher: a published post has Hubbub's own id and no link (the
webhook answers "ok"), and an unknown outcome waits for a person."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import time_machine
from django.test import Client

from hubbub.core.access import Access
from hubbub.core.roles import Role
from hubbub.networks.models import Health
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.models import Delivery, DeliveryStatus
from tests.networks.slack.conftest import WEBHOOK_URL

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def _scheduled(owner: Access, channel, text: str = "Hello") -> Delivery:
    post = create_draft(owner, purpose="news", variants=[VariantInput(channel, [text])])
    schedule_post(owner, post, NOW + timedelta(minutes=10))
    return Delivery.objects.get(post=post)


def test_a_post_goes_out_escaped_and_its_page_shows_no_link(
    slack_api, channel, alice, acme, alice_client: Client
):
    send = slack_api.post(WEBHOOK_URL).respond(200, text="ok")
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)
    with time_machine.travel(NOW, tick=False) as clock:
        delivery = _scheduled(owner, channel, "Q&A <today>")
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert json.loads(send.calls.last.request.content) == {"text": "Q&amp;A &lt;today&gt;"}
    [ref] = delivery.refs()
    assert ref.external_id.startswith("slack:") and ref.url == ""
    assert delivery.published_url == ""
    page = alice_client.get(f"/w/acme/posts/{delivery.post_id}/")
    assert page.status_code == 200
    assert 'data-testid="published-link"' not in page.content.decode()


def test_a_timeout_after_sending_ends_in_needs_attention_not_a_duplicate(
    slack_api, channel, alice, acme
):
    send = slack_api.post(WEBHOOK_URL)
    send.side_effect = httpx.ReadTimeout("read timed out")
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)
    with time_machine.travel(NOW, tick=False) as clock:
        delivery = _scheduled(owner, channel)
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")
        delivery.refresh_from_db()
        send.side_effect = None
        send.respond(200, text="ok")
        clock.move_to(delivery.next_attempt_at)
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert send.call_count == 1  # never sent a second time
    assert delivery.status == DeliveryStatus.NEEDS_ATTENTION
    assert "Look in the channel" in delivery.last_error


def test_a_removed_webhook_holds_the_post_and_asks_for_a_reconnect(slack_api, channel, alice, acme):
    slack_api.post(WEBHOOK_URL).respond(404, text="no_service")
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)
    with time_machine.travel(NOW, tick=False) as clock:
        delivery = _scheduled(owner, channel)
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    channel.refresh_from_db()
    assert delivery.status == DeliveryStatus.HELD
    assert channel.health == Health.NEEDS_RECONNECT
    assert "removed or disabled in Slack" in channel.health_message
