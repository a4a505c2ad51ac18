"""Each post's latest reading, copied (LatestCounts) so that reports need not search the
readings: every writer keeps the copy right — collection, the demo, a reading saved by
hand, one arriving late — and a past period is still counted as of its end."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hubbub.core.models import Workspace
from hubbub.measure import besttime, collection, latest, reports
from hubbub.measure.demo import fill_measure
from hubbub.measure.models import LatestCounts, PostSnapshot
from hubbub.measure.periods import Period
from hubbub.networks.models import Channel
from hubbub.publishing.models import Delivery
from tests.inbox.conftest_ingest import published_post
from tests.networks.mastodon import reading_sim as sim
from tests.networks.mastodon.conftest import server
from tests.networks.mastodon.test_publish import channel, status

__all__ = ["channel", "server"]  # the Mastodon fixtures

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def read(delivery: Delivery, at: datetime, **counts: int | None) -> PostSnapshot:
    return PostSnapshot.objects.create(
        workspace_id=delivery.workspace_id,
        channel_id=delivery.channel_id,
        delivery=delivery,
        taken_at=at,
        **counts,
    )


@pytest.fixture
def mine(acme: Workspace) -> Channel:
    return Channel.objects.create(workspace=acme, network="bluesky", external_id="b", handle="b")


def test_a_reading_saved_by_hand_is_copied_and_a_late_one_does_not_replace_it(mine: Channel):
    post = published_post(mine, "1", NOW - timedelta(days=20))
    read(post, NOW - timedelta(days=19), likes=5)
    read(post, NOW - timedelta(days=2), likes=50, comments=3)
    copy = LatestCounts.objects.get(pk=post.pk)
    assert (copy.likes, copy.comments, copy.engagements) == (50, 3, 53)
    assert copy.published_at == post.published_at
    assert (copy.week_taken_at, copy.week_engagements) == (NOW - timedelta(days=19), 5)
    # A reading taken earlier that arrives now (a retried read, a backfill): still the newest.
    read(post, NOW - timedelta(days=10), likes=20)
    copy.refresh_from_db()
    assert copy.likes == 50 and copy.taken_at == NOW - timedelta(days=2)


def test_a_post_not_published_has_no_copy(mine: Channel):
    post = published_post(mine, "2", NOW - timedelta(days=3), status="cancelled")
    read(post, NOW - timedelta(days=1), likes=5)
    assert not LatestCounts.objects.filter(pk=post.pk).exists()


def test_collection_keeps_the_copy(server: Any, channel: Channel) -> None:
    post = published_post(channel, "201", NOW - timedelta(hours=2))
    served = {"201": status(id="201", favourites_count=5, reblogs_count=1, replies_count=2)}
    sim.serve_statuses(server, served)
    with time_machine.travel(NOW, tick=False):
        collection.collect_due(channels=False)
    assert LatestCounts.objects.get(pk=post.pk).likes == 5
    served["201"] = status(id="201", favourites_count=9, reblogs_count=1, replies_count=2)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        collection.collect_due(channels=False)
    copy = LatestCounts.objects.get(pk=post.pk)
    assert (copy.likes, copy.taken_at) == (9, NOW + timedelta(hours=1))


def test_the_demo_keeps_the_copy(acme: Workspace, mine: Channel) -> None:
    mine.config = {"demo": True}
    mine.save()
    for index in range(30):
        published_post(mine, f"d{index}", NOW - timedelta(days=index * 3 + 1))
    with time_machine.travel(NOW, tick=False):
        fill_measure(acme)
    copies = {c.pk: c for c in LatestCounts.objects.filter(workspace=acme)}
    assert copies
    for delivery_id, copy in copies.items():
        newest = PostSnapshot.objects.filter(delivery_id=delivery_id).order_by("-taken_at", "-pk")
        assert (copy.taken_at, copy.likes) == (newest[0].taken_at, newest[0].likes)
    before = {pk: (c.taken_at, c.likes, c.week_engagements) for pk, c in copies.items()}
    LatestCounts.objects.all().delete()
    latest.refresh()  # every post, in one pass: the same copies
    again = LatestCounts.objects.filter(workspace=acme)
    assert {c.pk: (c.taken_at, c.likes, c.week_engagements) for c in again} == before


def test_a_past_period_is_counted_as_of_its_end_and_agrees_with_the_readings(
    acme: Workspace, mine: Channel
):
    """October, asked in November: a post read again since counts what it had by the 31st;
    a post first read after the 31st counts as posted but not measured."""
    october = Period(date(2026, 10, 1), date(2026, 10, 31), PARIS)
    early = published_post(mine, "e", datetime(2026, 10, 5, 9, tzinfo=PARIS))
    read(early, datetime(2026, 10, 6, tzinfo=PARIS), likes=10)
    read(early, datetime(2026, 11, 10, tzinfo=PARIS), likes=70)  # after the end
    late = published_post(mine, "l", datetime(2026, 10, 31, 22, tzinfo=PARIS))
    read(late, datetime(2026, 11, 2, tzinfo=PARIS), likes=40)  # its first reading: November
    settled = published_post(mine, "s", datetime(2026, 10, 10, 9, tzinfo=PARIS))
    read(settled, datetime(2026, 10, 20, tzinfo=PARIS), likes=3)  # last read in October
    scope = reports.Scope(acme.pk)
    found = reports.totals(scope, october)
    assert (found.posts, found.measured, found.counts["likes"]) == (3, 2, 13)
    assert sum(t.counts["likes"] or 0 for t in reports.by_channel(scope, october).values()) == 13
    rows = reports.posts(scope, october)
    assert [(r.delivery_id, r.counts["likes"]) for r in rows] == [
        (early.pk, 10),
        (settled.pk, 3),
    ]
    assert [r.delivery_id for r in reports.posts(scope, october, order="engagements")] == [
        settled.pk,
        early.pk,
    ]
    days = {day: (n, engaged) for day, n, engaged in reports.daily(scope, october)}
    assert days[date(2026, 10, 5)] == (1, 10) and days[date(2026, 10, 31)] == (1, None)
    # The period up to today counts everything with its latest reading.
    now = Period(date(2026, 10, 1), date(2026, 11, 20), PARIS)
    found = reports.totals(scope, now)
    assert (found.posts, found.measured, found.counts["likes"]) == (3, 3, 70 + 40 + 3)


def test_days_follow_the_clocks_of_the_workspace(acme: Workspace, mine: Channel):
    """The local date of a post around a change of clocks (25 October: 25 hours)."""
    october = Period(date(2026, 10, 24), date(2026, 10, 26), PARIS)
    for at in (
        datetime(2026, 10, 24, 23, 30, tzinfo=PARIS),  # still the 24th (UTC+2)
        datetime(2026, 10, 25, 23, 30, tzinfo=PARIS),  # the 25th (UTC+1 by then)
        datetime(2026, 10, 26, 0, 30, tzinfo=PARIS),  # the 26th
    ):
        read(published_post(mine, at.isoformat(), at), at + timedelta(minutes=5), likes=1)
    days = reports.daily(reports.Scope(acme.pk), october)
    assert [(day.day, n, engaged) for day, n, engaged in days] == [
        (24, 1, 1),
        (25, 1, 1),
        (26, 1, 1),
    ]
    assert [until for until, _offset in reports.offsets(october)][:-1] == [
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    ]


def test_the_best_posts_of_a_long_period_and_a_short_one(acme: Workspace, mine: Channel):
    """Found through the engagements index for the one, by sorting the period for the other
    (more than reports.WALK posts outside it first)."""
    for index in range(60):
        at = NOW - timedelta(days=index, hours=1)
        read(published_post(mine, f"p{index}", at), at + timedelta(hours=1), likes=index)
    year = Period(date(2025, 11, 21), date(2026, 11, 20), UTC)  # type: ignore[arg-type]
    best = reports.posts(reports.Scope(acme.pk), year, limit=3)
    assert [r.counts["likes"] for r in best] == [59, 58, 57]
    day = (NOW - timedelta(days=30)).date()
    one = Period(day, day, UTC)  # type: ignore[arg-type]
    old_walk = reports.WALK
    reports.WALK = 5  # the five best are not that day's: the query sorts the day instead
    try:
        found = reports.posts(reports.Scope(acme.pk), one, order="engagements", limit=2)
    finally:
        reports.WALK = old_walk
    assert [r.counts["likes"] for r in found] == [30]


def test_many_held_out_posts_get_the_normal_interval() -> None:
    """Above BOOTSTRAP_UP_TO the interval is the delta method's: close to the bootstrap's."""
    import random

    draw = random.Random(4)
    pairs = [
        (draw.expovariate(1.0) * (1.5 if i % 7 == 0 else 1.0), i % 7 == 0) for i in range(3000)
    ]
    low, high = besttime._normal_interval(pairs) or (0.0, 0.0)
    lift = besttime._lift(pairs)
    assert lift is not None and low < lift < high
    lifts = []
    for _ in range(300):
        sample = [pairs[draw.randrange(len(pairs))] for _ in pairs]
        found = besttime._lift(sample)
        assert found is not None
        lifts.append(found)
    lifts.sort()
    assert abs(lifts[15] - low) < 0.06 and abs(lifts[284] - high) < 0.06
