"""Reading counts on a schedule into snapshots, against Mastodon's API contract (respx at the
one HTTP seam): hourly for three days, daily to ninety, never overwritten; a failing channel
keeps its reason and waits, the others go on; a deleted post is left alone after a few tries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from hubbub.measure import collection
from hubbub.measure.models import ChannelSnapshot, PostSnapshot, PostTracking
from hubbub.networks.models import Channel
from hubbub.publishing.models import Delivery
from tests.inbox.conftest_ingest import published_post
from tests.networks.mastodon import bodies
from tests.networks.mastodon import reading_sim as sim
from tests.networks.mastodon.conftest import server
from tests.networks.mastodon.test_publish import channel, status

__all__ = ["channel", "server"]  # the Mastodon fixtures

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
STATUSES = f"{bodies.SERVER}/api/v1/statuses"


@pytest.mark.parametrize(
    ("age", "wait"),
    [
        (timedelta(minutes=5), timedelta(hours=1)),
        (timedelta(days=3) - timedelta(seconds=1), timedelta(hours=1)),
        (timedelta(days=3), timedelta(days=1)),
        (timedelta(days=89, hours=23), timedelta(days=1)),
        (timedelta(days=90), None),
    ],
)
def test_the_schedule_hourly_then_daily_then_never(age: timedelta, wait: timedelta | None):
    found = collection.next_reading(NOW - age, NOW)
    assert found == (NOW + wait if wait is not None else None)


def post_on(channel: Channel, external_id: str, age: timedelta) -> Delivery:
    return published_post(channel, external_id, NOW - age)


@pytest.mark.django_db
def test_readings_are_new_rows_hourly_then_daily(server: Any, channel: Channel) -> None:
    fresh = post_on(channel, "201", timedelta(hours=2))
    older = post_on(channel, "202", timedelta(days=10))
    ancient = post_on(channel, "203", timedelta(days=120))  # past ninety days: not read
    served: dict[str, Any] = {}

    def count(likes: dict[str, int]) -> None:
        served.update(
            {
                key: status(id=key, favourites_count=value, reblogs_count=1, replies_count=2)
                for key, value in likes.items()
            }
        )

    count({"201": 5, "202": 40})
    route = sim.serve_statuses(server, served)
    with time_machine.travel(NOW, tick=False):
        done = collection.collect_due(channels=False)
    assert done.posts == 2 and done.problems == []
    assert PostTracking.objects.filter(pk=ancient.pk).count() == 0
    snapshot = PostSnapshot.objects.get(delivery=fresh)
    assert (snapshot.likes, snapshot.shares, snapshot.comments) == (5, 1, 2)
    assert snapshot.impressions is None  # Mastodon does not count them: unknown, not 0
    assert PostTracking.objects.get(pk=fresh.pk).next_at == NOW + timedelta(hours=1)
    assert PostTracking.objects.get(pk=older.pk).next_at == NOW + timedelta(days=1)

    # An hour later only the fresh post is due; its new count is a new row.
    count({"201": 9})
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        done = collection.collect_due(channels=False)
    assert done.posts == 1
    assert route.calls[-1].request.url.params.get_list("id[]") == ["201"]
    assert list(PostSnapshot.objects.filter(delivery=fresh).values_list("likes", flat=True)) == [
        5,
        9,
    ]
    assert PostSnapshot.objects.filter(delivery=older).count() == 1


@pytest.mark.django_db
def test_a_failing_channel_waits_with_its_reason_and_others_go_on(
    server: Any, channel: Channel, acme: Any
) -> None:
    broken = Channel.objects.create(
        workspace=acme,
        network="mastodon",
        external_id="9@other.example",
        handle="@brand@other.example",
        config={**channel.config, "server": "https://other.example", "domain": "other.example"},
    )
    broken.credentials = channel.credentials
    broken.save()
    server.get("https://other.example/api/v1/statuses").respond(
        503, json={"error": "down for maintenance"}
    )
    sim.serve_statuses(server, {"301": status(id="301", favourites_count=1)})
    ours = post_on(channel, "301", timedelta(hours=1))
    theirs = post_on(broken, "302", timedelta(hours=1))

    with time_machine.travel(NOW, tick=False):
        done = collection.collect_due(channels=False)

    assert done.posts == 1
    assert len(done.problems) == 1 and "other.example" in done.problems[0]
    assert PostSnapshot.objects.filter(delivery=ours).count() == 1
    waiting = PostTracking.objects.get(pk=theirs.pk)
    assert waiting.failures == 1 and waiting.last_error
    assert waiting.next_at == NOW + timedelta(hours=1)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        collection.collect_due(channels=False)
    waiting.refresh_from_db()
    assert waiting.failures == 2 and waiting.next_at == NOW + timedelta(hours=3)  # doubled


@pytest.mark.django_db
def test_a_deleted_post_keeps_its_history_and_is_left_alone(server: Any, channel: Channel):
    gone = post_on(channel, "401", timedelta(hours=1))
    served = {"401": status(id="401", favourites_count=3)}
    sim.serve_statuses(server, served)
    with time_machine.travel(NOW, tick=False):
        collection.collect_due(channels=False)
    served.clear()  # the status is gone
    for hour in range(1, collection.MAX_MISSING + 1):
        with time_machine.travel(NOW + timedelta(hours=hour), tick=False):
            collection.collect_due(channels=False)
    tracking = PostTracking.objects.get(pk=gone.pk)
    assert tracking.next_at is None and "no longer shows" in tracking.last_error
    assert PostSnapshot.objects.filter(delivery=gone).count() == 1  # the reading it had


@pytest.mark.django_db
def test_channels_are_read_once_a_day(server: Any, channel: Channel) -> None:
    account = {**bodies.ACCOUNT, "followers_count": 1200, "following_count": 80}
    server.routes["verify"].respond(200, json=account)
    with time_machine.travel(NOW, tick=False):
        assert collection.collect_due().channels == 1
    with time_machine.travel(NOW + timedelta(hours=6), tick=False):
        assert collection.collect_due().channels == 0
    account["followers_count"] = 1260
    server.routes["verify"].respond(200, json=account)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        call_command("metrics-collect")
    rows = ChannelSnapshot.objects.filter(channel=channel).values_list("followers", "following")
    assert list(rows) == [(1200, 80), (1260, 80)]
