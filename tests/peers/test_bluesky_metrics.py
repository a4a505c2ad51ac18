"""Measure on a real Bluesky network (Bluesky's reference PDS and AppView on loopback): other
accounts like, repost and reply to the brand's post and follow the brand; the collection
round reads those counts into snapshots, as the worker does every five minutes."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from hubbub.core.access import access_workspace
from hubbub.measure import collection
from hubbub.measure.models import ChannelSnapshot, PostSnapshot, PostTracking
from hubbub.networks.bluesky.connect import connect_bluesky
from hubbub.networks.bluesky.connector import BlueskyConnector
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart
from tests.inbox.conftest_ingest import published_post
from tests.peers.bluesky_net import BlueskyNet
from tests.peers.test_bluesky_reading import Fan, strong

pytestmark = [pytest.mark.peers, pytest.mark.usefixtures("private_networks_allowed")]


@pytest.fixture
def channel(bluesky_net: BlueskyNet, alice: Any, acme: Any) -> Channel:
    handle, password, _did = bluesky_net.create_account("measured")
    owner = access_workspace(alice, "acme")
    app_password = bluesky_net.create_app_password(handle, password)
    return connect_bluesky(owner, handle, app_password, bluesky_net.pds_url)


def test_likes_reposts_replies_and_followers_are_read_into_snapshots(
    bluesky_net: BlueskyNet, channel: Channel
) -> None:
    connector = BlueskyConnector(channel)
    ref = connector.publish(OutgoingPart(text="Our autumn range is out", idempotency_key="m-1"))
    delivery = published_post(channel, ref.external_id, timezone.now() - timedelta(minutes=5))
    delivery.published_refs = [{"external_id": ref.external_id, "url": ref.url, "data": ref.data}]
    delivery.save(update_fields=["published_refs"])
    fans = [Fan(bluesky_net) for _ in range(2)]
    for fan in fans:
        fan.create("app.bsky.feed.like", {"subject": strong(ref)})
        fan.create("app.bsky.graph.follow", {"subject": channel.external_id})
    fans[0].create("app.bsky.feed.repost", {"subject": strong(ref)})
    fans[1].reply("Love the colours", root=ref, parent=ref)

    # The AppView counts a moment after the PDS stores: read as the worker would, again
    # (each round is a new reading, kept) until the counts are all there.
    snapshot = None
    for _ in range(80):
        PostTracking.objects.filter(pk=delivery.pk).update(next_at=timezone.now())
        ChannelSnapshot.objects.all().delete()
        done = collection.collect_due()
        assert done.problems == []
        snapshot = PostSnapshot.objects.filter(delivery=delivery).last()
        account = ChannelSnapshot.objects.filter(channel=channel).last()
        if (
            snapshot is not None
            and (snapshot.likes, snapshot.shares, snapshot.comments) == (2, 1, 1)
            and account is not None
            and account.followers == 2
        ):
            break
        time.sleep(0.25)
    else:
        raise AssertionError(f"the counts never arrived: {snapshot and snapshot.__dict__}")

    assert snapshot.impressions is None and snapshot.reach is None  # Bluesky does not say
    assert account.posts is not None and account.posts >= 1
    readings = PostSnapshot.objects.filter(delivery=delivery).count()
    assert readings >= 1  # every round a new row: history is never overwritten
    tracking = PostTracking.objects.get(pk=delivery.pk)
    assert tracking.last_error == ""
    assert tracking.next_at is not None and tracking.last_at is not None
    assert tracking.next_at - tracking.last_at == timedelta(hours=1)  # a fresh post: hourly
