"""`hubbub demo` gives each demo workspace a year of metrics: posts, readings that grow and
level off, followers that grow, a spring campaign; the networks' unknown counts stay
unknown, a rerun adds nothing, and collection never asks a network about a demo channel."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from hubbub.core.models import Workspace
from hubbub.measure import collection, reports
from hubbub.measure.demo import fill_measure
from hubbub.measure.models import ChannelSnapshot, PostSnapshot, PostTracking
from hubbub.measure.periods import Period
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign, Delivery, DeliveryStatus, Post, PostStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 3, 15, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def channels(acme: Workspace) -> list[Channel]:
    return [
        Channel.objects.create(
            workspace=acme,
            network=network,
            external_id=f"demo:{handle}",
            handle=handle,
            config={"demo": True},
        )
        for network, handle in (
            ("bluesky", "acme.bsky.social"),
            ("mastodon", "@acme@mastodon.social"),
        )
    ]


@pytest.fixture
def filled(acme: Workspace, channels: list[Channel]) -> Workspace:
    with time_machine.travel(NOW, tick=False):
        started = clock.perf_counter()
        fill_measure(acme)
        assert clock.perf_counter() - started < 10
    return acme


def year(workspace: Workspace) -> Period:
    today = NOW.astimezone(workspace.tz).date()
    return Period(today - timedelta(days=364), today, workspace.tz)


def counts() -> dict[str, int]:
    return {
        "posts": Post.objects.count(),
        "deliveries": Delivery.objects.count(),
        "post_snapshots": PostSnapshot.objects.count(),
        "channel_snapshots": ChannelSnapshot.objects.count(),
        "trackings": PostTracking.objects.count(),
        "campaigns": Campaign.objects.count(),
    }


def test_a_year_of_posts_with_counts(filled: Workspace) -> None:
    found = reports.totals(reports.Scope(filled.pk), year(filled))
    assert found.posts >= 300
    assert found.measured >= found.posts - 20  # all but the silent week's
    engagements = found.figures["engagements"]
    assert engagements is not None and engagements > 1000
    assert found.counts["likes"] and found.counts["shares"] and found.counts["comments"]
    for unknown in ("impressions", "reach", "views", "clicks", "saves"):
        assert found.counts[unknown] is None  # Bluesky and Mastodon do not say: "—"
    assert found.followers_start is not None and found.followers_end is not None
    assert 300 < found.followers_start < 1500
    assert found.followers_end > 3 * found.followers_start


def test_posts_are_published_like_the_dispatcher_leaves_them(filled: Workspace) -> None:
    tz = filled.tz
    deliveries = Delivery.objects.filter(workspace=filled).select_related("post", "channel")
    hours: dict[int, int] = {}
    for delivery in deliveries:
        assert delivery.status == DeliveryStatus.PUBLISHED
        assert delivery.post.status == PostStatus.PUBLISHED
        assert delivery.published_at is not None and delivery.published_at > delivery.due_at
        assert delivery.published_at < NOW - timedelta(days=3)
        host = "bsky.app" if delivery.channel.network == "bluesky" else "mastodon.social/@acme/"
        assert host in delivery.published_url
        assert delivery.published_refs[0]["url"] == delivery.published_url
        hour = delivery.published_at.astimezone(tz).hour
        hours[hour] = hours.get(hour, 0) + 1
    assert deliveries.filter(attempts__outcome="published").count() == deliveries.count()
    busiest = sorted(hours, key=hours.__getitem__, reverse=True)[:3]
    assert sorted(busiest) == [9, 12, 18]


def test_readings_grow_then_level_off(filled: Workspace) -> None:
    delivery = (
        Delivery.objects.filter(workspace=filled, published_at__lt=NOW - timedelta(days=100))
        .order_by("-published_at")
        .first()
    )
    assert delivery is not None
    readings = list(delivery.snapshots.order_by("taken_at"))
    assert len(readings) == 6  # 1 h, 24 h, 72 h, 7 days, 30 days, 90 days
    likes = [r.likes or 0 for r in readings]
    assert likes == sorted(likes)
    assert likes[1] >= likes[0] and likes[-1] - likes[-2] <= max(2, likes[-1] // 10)


def test_tuesday_and_thursday_evenings_do_best(filled: Workspace) -> None:
    tz = filled.tz
    best: list[int] = []
    rest: list[int] = []
    for row in reports.posts(reports.Scope(filled.pk), year(filled)):
        local = row.published_at.astimezone(tz)
        likes = row.counts["likes"] or 0
        (best if local.hour == 18 and local.weekday() in (1, 3) else rest).append(likes)
    assert best and rest
    assert sum(best) / len(best) > 2 * sum(rest) / len(rest)


def test_one_channel_was_silent_for_five_days(filled: Workspace, channels: list[Channel]) -> None:
    tz = filled.tz
    read_days = {
        taken.astimezone(tz).date()
        for taken in ChannelSnapshot.objects.filter(channel=channels[0]).values_list(
            "taken_at", flat=True
        )
    }
    today = NOW.astimezone(tz).date()
    missing = [
        today - timedelta(days=n) for n in range(366) if today - timedelta(days=n) not in read_days
    ]
    assert len(missing) == 5 and all(190 < (today - day).days < 210 for day in missing)
    silent: list[date] = missing
    posts = Delivery.objects.filter(channel=channels[0], published_at__date__in=silent)
    assert posts.exists() and not PostSnapshot.objects.filter(delivery__in=posts).exists()
    assert ChannelSnapshot.objects.filter(channel=channels[1]).count() == 366


def test_channel_posts_count_up(filled: Workspace, channels: list[Channel]) -> None:
    for channel in channels:
        readings = list(ChannelSnapshot.objects.filter(channel=channel).order_by("taken_at"))
        posts = [r.posts or 0 for r in readings]
        assert posts == sorted(posts)
        assert posts[-1] == Delivery.objects.filter(channel=channel).count()
        following = [r.following or 0 for r in readings]
        assert max(following) - min(following) < 60


def test_the_spring_campaign_has_posts(filled: Workspace) -> None:
    campaign = Campaign.objects.get(workspace=filled, name="Spring launch")
    assert campaign.starts_on is not None and campaign.starts_on.month == 4
    found = reports.totals(reports.Scope(filled.pk, campaign_id=campaign.pk), year(filled))
    assert found.posts >= 20 and found.measured == found.posts


def test_the_french_workspace_gets_french_posts(channels: list[Channel], acme: Workspace) -> None:
    acme.language = "fr"
    acme.save()
    with time_machine.travel(NOW, tick=False):
        fill_measure(acme)
    campaign = Campaign.objects.get(workspace=acme, name="Lancement de printemps")
    assert campaign.posts.exists()
    assert not Post.objects.filter(workspace=acme).exclude(variants__language="fr").exists()


def test_running_it_again_adds_nothing(filled: Workspace) -> None:
    before = counts()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        fill_measure(filled)
    assert counts() == before


def test_collection_leaves_demo_channels_alone(
    filled: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("collection asked a network about a demo channel")

    monkeypatch.setattr(collection, "connector_for", no_network)
    monkeypatch.setattr(collection, "_connector", no_network)
    tracked = PostTracking.objects.filter(workspace=filled)
    assert tracked.count() > 50
    assert tracked.filter(next_at__lte=NOW + timedelta(days=1)).exists()
    before = counts()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        done = collection.collect_due()
    assert (done.posts, done.channels, done.problems) == (0, 0, [])
    assert counts() == before
    assert not tracked.filter(next_at__isnull=False).exists()
    assert set(tracked.values_list("last_error", flat=True)) == {"demo channel"}
