"""Threads through the publishing dispatcher: a thread and its first comment go out as a
chain of replies, each naming the part before it."""

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
from tests.networks.threads.conftest import API, NOW, THREADS, form

pytestmark = pytest.mark.django_db


def test_a_thread_and_its_first_comment_are_a_chain_of_replies(
    alice: User, acme: Workspace, channel: Channel, router: respx.MockRouter
) -> None:
    send = router.post(THREADS).mock(
        side_effect=[httpx.Response(200, json={"id": n}) for n in ("1801", "1802", "1803")]
    )
    for n in ("1801", "1802", "1803"):
        router.get(f"{API}/{n}", params={"fields": "permalink"}).respond(
            200, json={"id": n, "permalink": f"https://www.threads.com/@acmecoffee/post/P{n}"}
        )
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)
    variant = VariantInput(channel, ["Part one", "Part two"], first_comment="Read more below")
    with time_machine.travel(NOW, tick=False) as clock:
        post = create_draft(owner, purpose="news", variants=[variant])
        schedule_post(owner, post, NOW + timedelta(minutes=10))
        delivery = Delivery.objects.get(post=post)
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")

    sent = [form(c.request) for c in send.calls]
    assert [(s["text"], s.get("reply_to_id")) for s in sent] == [
        (["Part one"], None),
        (["Part two"], ["1801"]),
        (["Read more below"], ["1802"]),
    ]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert [r["external_id"] for r in delivery.published_refs] == ["1801", "1802", "1803"]
    # Each part's own address, asked for after publishing, is what the post page links to.
    assert delivery.published_refs[0]["url"] == "https://www.threads.com/@acmecoffee/post/P1801"
