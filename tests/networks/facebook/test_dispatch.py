"""Facebook through the dispatcher: the post, then its first comment on it as the Page; and
after a time-out, the post is found on the Page instead of being sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
import time_machine

from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.models import Delivery, DeliveryStatus
from tests.networks.facebook.conftest import GRAPH, PAGE_ID, POST_ID, form

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
FEED = f"{GRAPH}/{PAGE_ID}/feed"
pytestmark = pytest.mark.django_db


def _due(owner: Access, channel: Channel, first_comment: str = "") -> Delivery:
    variant = VariantInput(channel, ["Fresh beans"], first_comment=first_comment)
    post = create_draft(owner, purpose="beans", variants=[variant])
    schedule_post(owner, post, NOW + timedelta(minutes=10))
    return Delivery.objects.get(post=post)


def test_the_first_comment_follows_the_post(
    router: respx.MockRouter, channel: Channel, alice, acme: Workspace
) -> None:
    feed = router.post(FEED).respond(200, json={"id": POST_ID})
    comment = router.post(f"{GRAPH}/{POST_ID}/comments").respond(200, json={"id": "1_7"})
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)

    with time_machine.travel(NOW, tick=False) as clock:
        delivery = _due(owner, channel, first_comment="Order at acme.example")
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert delivery.published_url == f"https://www.facebook.com/{POST_ID}"
    assert form(feed.calls.last.request)["message"] == ["Fresh beans"]
    assert form(comment.calls.last.request)["message"] == ["Order at acme.example"]


def test_a_time_out_is_looked_up_not_sent_again(
    router: respx.MockRouter, channel: Channel, alice, acme: Workspace
) -> None:
    feed = router.post(FEED).mock(side_effect=httpx.ReadTimeout("timed out"))
    router.get(f"{GRAPH}/{PAGE_ID}/published_posts").respond(
        200, json={"data": [{"id": POST_ID, "message": "Fresh beans"}]}
    )
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)

    with time_machine.travel(NOW, tick=False) as clock:
        delivery = _due(owner, channel)
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.RETRYING
        clock.move_to(delivery.next_attempt_at)
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert feed.call_count == 1
