"""A WordPress post through Hubbub's publishing pipeline: scheduled, sent when due, and after
a time-out found again by its slug instead of being posted twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import respx
import time_machine

from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.networks.wordpress.content import slug_for
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.dispatcher import deliver, idempotency_key
from hubbub.publishing.models import Attempt, Delivery, DeliveryAttempt, DeliveryStatus
from tests.networks.wordpress.conftest import API, POST_ID, SITE, post, sent_json

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POSTS = f"{API}/wp/v2/posts"


def test_a_time_out_after_sending_is_found_by_its_slug_and_not_sent_again(
    wp: respx.MockRouter, channel: Channel, alice: object, acme: Workspace
) -> None:
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)  # type: ignore[arg-type]
    send = wp.post(POSTS)
    send.side_effect = httpx.ReadTimeout("read timed out")
    with time_machine.travel(NOW, tick=False) as clock:
        draft = create_draft(
            owner, purpose="news", variants=[VariantInput(channel, ["Launch day\n\nIt is here."])]
        )
        schedule_post(owner, draft, NOW + timedelta(minutes=10))
        delivery = Delivery.objects.get(post=draft)
        slug = slug_for("Launch day", idempotency_key(delivery.pk, 0))
        clock.move_to(NOW + timedelta(minutes=10))

        deliver(delivery.pk, "w1")  # the request left; no answer came back
        delivery.refresh_from_db()
        assert (delivery.status, delivery.in_flight_part) == (DeliveryStatus.RETRYING, 0)
        assert sent_json(send.calls.last.request)["slug"] == slug

        lookup = wp.get(POSTS, params={"slug": slug, "status": "any"}).respond(
            200, json=[post(slug=slug)]
        )
        clock.move_to(delivery.next_attempt_at)
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert send.call_count == 1 and lookup.call_count == 1  # found, never sent again
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert delivery.published_url == f"{SITE}/2026/03/{slug}/"
    assert delivery.refs()[0].external_id == str(POST_ID)
    outcomes = list(
        DeliveryAttempt.objects.filter(delivery=delivery).values_list("outcome", flat=True)
    )
    assert outcomes[0] == Attempt.UNKNOWN
