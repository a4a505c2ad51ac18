"""A failing source never stops the others: rate limits wait for the network's time, temporary
errors back off, a revoked authorization marks the channel for reconnecting, a deleted post
stops being read."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from hubbub.core.models import Workspace
from hubbub.inbox import polling
from hubbub.inbox.models import InboxSource, Message, SourceKind
from hubbub.networks.base import AuthError, PermanentError, RateLimited, TransientError
from hubbub.networks.models import Channel, Health
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import NOW, InboxNetwork, make_channel, published_post, said

# Fixtures shared by the ingestion tests.
channel, clock, network = conftest_ingest.channel, conftest_ingest.clock, conftest_ingest.network

MINUTE = timedelta(minutes=1)


@pytest.fixture
def other(acme: Workspace, network: type[InboxNetwork]) -> Channel:
    return make_channel(acme, "you")


@pytest.fixture
def both(
    channel: Channel, other: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.mentions["me"] = [said("@me hi", "m1", "carol")]
    network.mentions["you"] = [said("@you hi", "y1", "dave")]
    polling.ensure_sources(channel)
    polling.ensure_sources(other)


def mentions_of(channel: Channel) -> InboxSource:
    return InboxSource.objects.get(channel=channel, kind=SourceKind.MENTIONS)


def ids() -> set[str]:
    return set(Message.objects.values_list("external_id", flat=True))


@pytest.mark.usefixtures("both")
def test_a_rate_limit_holds_the_channel_until_the_network_says(
    channel: Channel, other: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    reset = NOW + timedelta(minutes=15)
    network.fail_next("mentions", RateLimited("Inboxbook rate limit reached", reset))

    result = polling.poll_due()

    assert result.rate_limited == 1
    assert ids() == {"y1"}  # the other channel went on
    source = mentions_of(channel)
    assert source.next_poll_at == reset
    assert source.last_error == "Inboxbook rate limit reached"
    # The channel's other streams wait too: the limit is the account's.
    messages = InboxSource.objects.get(channel=channel, kind=SourceKind.MESSAGES)
    assert messages.next_poll_at >= NOW + MINUTE

    clock.shift(timedelta(minutes=14))
    polling.poll_due()
    assert "m1" not in ids()
    clock.shift(MINUTE)
    polling.poll_due()
    assert "m1" in ids()
    assert mentions_of(channel).last_error == ""


@pytest.mark.usefixtures("both")
def test_a_temporary_error_backs_off_then_recovers(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.fail_next("mentions", TransientError("Inboxbook is unavailable (HTTP 503)"))
    network.fail_next("mentions", TransientError("Inboxbook is unavailable (HTTP 503)"))

    polling.poll_due()
    source = mentions_of(channel)
    assert (source.error_count, source.next_poll_at) == (1, NOW + 2 * MINUTE)
    assert ids() == {"y1"}

    clock.shift(2 * MINUTE)
    polling.poll_due()
    source = mentions_of(channel)
    assert (source.error_count, source.next_poll_at) == (2, NOW + 2 * MINUTE + 4 * MINUTE)

    clock.shift(4 * MINUTE)
    polling.poll_due()
    source = mentions_of(channel)
    assert (source.error_count, source.last_error) == (0, "")
    assert "m1" in ids()


@pytest.mark.usefixtures("both")
def test_a_revoked_authorization_pauses_the_channel_until_it_is_reconnected(
    channel: Channel, other: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.fail_next("mentions", AuthError("Inboxbook refused the credentials"))

    result = polling.poll_due()

    assert result.failed == 1
    channel.refresh_from_db()
    assert channel.health == Health.NEEDS_RECONNECT
    assert mentions_of(channel).last_error == "Inboxbook refused the credentials"
    assert ids() == {"y1"}
    # While it needs reconnecting, none of its sources is read.
    network.calls.clear()
    clock.shift(timedelta(minutes=10))
    polling.poll_due()
    assert [c for _m, c, _k in network.calls if c == "me"] == []

    Channel.objects.filter(pk=channel.pk).update(health=Health.OK)  # reconnected
    polling.poll_due()
    assert "m1" in ids()


@pytest.mark.usefixtures("both")
def test_an_unexpected_failure_in_one_source_leaves_the_others_running(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.fail_next("mentions", ValueError("the connector has a bug"))

    result = polling.poll_due()

    assert ids() == {"y1"}
    assert result.failed == 1
    assert "the connector has a bug" in mentions_of(channel).last_error
    assert mentions_of(channel).next_poll_at == NOW + 2 * MINUTE


def test_a_deleted_post_stops_its_comments_being_read(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    published_post(channel, "post-1", NOW - timedelta(hours=1))
    published_post(channel, "post-2", NOW - timedelta(hours=2))
    network.comments["post-2"] = [said("Still here", "c1", "carol")]
    polling.ensure_sources(channel)
    network.fail_next("comments:post-1", PermanentError("Inboxbook: post not found"))

    polling.poll_due()

    gone = InboxSource.objects.get(ref_external_id="post-1")
    assert gone.active_until == NOW
    assert gone.last_error == "Inboxbook: post not found"
    assert ids() == {"c1"}
    network.calls.clear()
    clock.shift(timedelta(days=1))
    polling.poll_due()
    assert "comments:post-1" not in [m for m, _c, _k in network.calls]
