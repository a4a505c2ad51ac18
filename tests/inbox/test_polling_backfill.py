"""Sources and backfill: which streams a channel is read through, the last N days read when
a channel is connected, and comments read only while their post is recent."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from hubbub.core.models import Workspace
from hubbub.inbox import polling
from hubbub.inbox.models import InboxSource, Message, SourceKind
from hubbub.networks.models import Channel
from hubbub.publishing.models import PostKind
from hubbub.publishing.models.deliveries import DeliveryStatus
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import NOW, InboxNetwork, make_channel, published_post, said

# Fixtures shared by the ingestion tests.
channel, clock, network = conftest_ingest.channel, conftest_ingest.clock, conftest_ingest.network

DAY = timedelta(days=1)


def sources(channel: Channel) -> set[tuple[str, str]]:
    return set(InboxSource.objects.filter(channel=channel).values_list("kind", "ref_external_id"))


def test_sources_follow_what_the_network_can_read(
    channel: Channel, clock: time_machine.Traveller
) -> None:
    published_post(channel, "recent", NOW - 2 * DAY)
    published_post(channel, "old", NOW - 8 * DAY)  # before the backfill window
    published_post(channel, "reply", NOW - DAY, kind=PostKind.REPLY)  # an inbox reply of ours
    published_post(channel, "failed", NOW - DAY, status=DeliveryStatus.NEEDS_ATTENTION)

    assert polling.ensure_sources(channel) == 3
    assert polling.ensure_sources(channel) == 0  # once each

    assert sources(channel) == {
        (SourceKind.MENTIONS, ""),
        (SourceKind.MESSAGES, ""),
        (SourceKind.COMMENTS, "recent"),
    }
    comments = InboxSource.objects.get(kind=SourceKind.COMMENTS)
    assert comments.active_until == NOW - 2 * DAY + 7 * DAY
    assert comments.ref_data["url"] == "https://inbox.example/me/recent"


@pytest.mark.usefixtures("clock")
def test_channels_that_cannot_be_read_get_no_sources(acme: Workspace) -> None:
    newsletter = make_channel(acme, "letters", network="newsletter")
    demo = Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:demo", config={"demo": True}
    )
    gone = make_channel(acme, "gone", network="bluesky")
    Channel.objects.filter(pk=gone.pk).update(disconnected_at=NOW)
    gone.refresh_from_db()

    assert [polling.ensure_sources(c) for c in (newsletter, demo, gone)] == [0, 0, 0]


def test_backfill_reads_the_last_days_once(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    published_post(channel, "post-1", NOW - 3 * DAY)
    network.mentions["me"] = [
        said("@me long ago", "m-old", "carol", NOW - 30 * DAY),
        said("@me last week", "m-8d", "carol", NOW - 8 * DAY),
        said("@me this week", "m-6d", "carol", NOW - 6 * DAY),
        said("@me today", "m-now", "dave", NOW - timedelta(hours=1)),
    ]
    network.comments["post-1"] = [said("Day one", "c1", "erin", NOW - 3 * DAY + timedelta(hours=1))]

    result = polling.backfill(channel)

    assert result.polled == 3
    stored = set(Message.objects.values_list("external_id", flat=True))
    assert stored == {"m-6d", "m-now", "c1"}  # older than 7 days: history, not inbox
    mentions = InboxSource.objects.get(channel=channel, kind=SourceKind.MENTIONS)
    assert mentions.cursor == "m-now"  # from here on, what is new

    # Later polls go on from the cursors, and never bring the old ones back.
    network.mentions["me"].append(said("@me new", "m-new", "carol", NOW + timedelta(minutes=1)))
    clock.shift(timedelta(minutes=2))
    polling.poll_due()
    assert Message.objects.filter(external_id="m-new").exists()
    assert not Message.objects.filter(external_id__in=["m-old", "m-8d"]).exists()


@override_settings(HUBBUB_INBOX_BACKFILL_DAYS=2, HUBBUB_INBOX_POLL_SECONDS=120)
def test_the_window_and_the_interval_are_settings(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    published_post(channel, "post-3d", NOW - 3 * DAY)
    published_post(channel, "post-1d", NOW - timedelta(hours=20))
    network.mentions["me"] = [
        said("@me 3 days ago", "m3", "carol", NOW - 3 * DAY),
        said("@me yesterday", "m1", "carol", NOW - DAY),
    ]

    polling.backfill(channel)

    assert (SourceKind.COMMENTS, "post-1d") in sources(channel)
    assert (SourceKind.COMMENTS, "post-3d") not in sources(channel)
    assert set(Message.objects.values_list("external_id", flat=True)) == {"m1"}
    mentions = InboxSource.objects.get(channel=channel, kind=SourceKind.MENTIONS)
    assert mentions.next_poll_at == NOW + timedelta(seconds=120)


def test_comments_stop_being_read_when_the_post_leaves_the_window(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    published_post(channel, "post-1", NOW - 6 * DAY)
    polling.ensure_sources(channel)
    polling.poll_due()
    source = InboxSource.objects.get(kind=SourceKind.COMMENTS)
    # A post over a day old is read every 5 minutes rather than every minute.
    assert source.next_poll_at == NOW + timedelta(minutes=5)

    clock.shift(DAY + timedelta(minutes=1))
    network.calls.clear()
    polling.poll_due()

    assert [m for m, _c, _k in network.calls] == ["mentions", "messages"]


def test_a_post_published_later_is_read_from_the_next_minute(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    polling.ensure_sources(channel)
    delivery = published_post(channel, "post-new", NOW)
    network.comments["post-new"] = [said("First!", "c1", "carol", NOW)]

    polling.source_for_delivery(delivery)  # the published signal
    clock.shift(timedelta(minutes=1))
    assert polling.sync_sources() == 0  # (or the minute's sync, when the signal was missed)
    polling.poll_due()

    assert Message.objects.get().external_id == "c1"
