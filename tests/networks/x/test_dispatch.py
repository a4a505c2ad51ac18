"""X through the publishing dispatcher: a thread and its first comment go out as a chain of
replies; a part whose sending timed out is found on X and never sent twice."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import respx
import time_machine

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.models import Delivery, DeliveryStatus
from tests.networks.x.conftest import API, NOW, TWEETS, USER_ID, created, sent_json

pytestmark = pytest.mark.django_db


def schedule(alice: User, acme: Workspace, channel: Channel, variant: VariantInput) -> Delivery:
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)
    post = create_draft(owner, purpose="news", variants=[variant])
    schedule_post(owner, post, NOW + timedelta(minutes=10))
    return Delivery.objects.get(post=post)


def test_a_thread_and_its_first_comment_are_a_chain_of_replies(
    alice: User, acme: Workspace, channel: Channel, router: respx.MockRouter
) -> None:
    send = router.post(TWEETS)
    send.side_effect = [
        httpx.Response(201, json=created("101", "Part one")),
        httpx.Response(201, json=created("102", "Part two")),
        httpx.Response(201, json=created("103", "Read more below")),
    ]
    variant = VariantInput(channel, ["Part one", "Part two"], first_comment="Read more below")
    with time_machine.travel(NOW, tick=False) as clock:
        delivery = schedule(alice, acme, channel, variant)
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")

    assert [sent_json(c.request) for c in send.calls] == [
        {"text": "Part one"},
        {"text": "Part two", "reply": {"in_reply_to_tweet_id": "101"}},
        {"text": "Read more below", "reply": {"in_reply_to_tweet_id": "102"}},
    ]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED


def test_a_time_out_is_looked_up_and_not_sent_again(
    alice: User, acme: Workspace, channel: Channel, router: respx.MockRouter
) -> None:
    send = router.post(TWEETS).mock(side_effect=httpx.ReadTimeout("read timed out"))
    lookup = router.get(f"{API}/2/users/{USER_ID}/tweets").respond(
        200, json={"data": [{"id": "777", "text": "Hello"}], "meta": {"result_count": 1}}
    )
    with time_machine.travel(NOW, tick=False) as clock:
        delivery = schedule(alice, acme, channel, VariantInput(channel, ["Hello"]))
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.RETRYING
        clock.move_to(delivery.next_attempt_at)
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert send.call_count == 1 and lookup.call_count == 1
