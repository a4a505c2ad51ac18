"""Best time to post: the heatmap and the recommendation come from the workspace's own
history, and the backtest on held-out weeks says whether the slots really did better, with
an interval; too little history recommends nothing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from hubbub.core.models import Workspace
from hubbub.measure import besttime
from hubbub.measure.models import PostSnapshot
from hubbub.networks.models import Channel
from tests.inbox.conftest_ingest import published_post
from tests.measure.test_demo import NOW, channels, filled

__all__ = ["channels", "filled"]  # fixtures
pytestmark = pytest.mark.django_db


def test_the_demo_history_points_at_its_best_evenings(filled: Workspace) -> None:
    """The demo's posts at 18:00 on Tuesdays and Thursdays do best: the recommendation finds
    them, and on held-out weeks posts in its slots beat the average."""
    found = besttime.best_time(filled.pk, filled.tz, NOW)
    assert found.enough and found.posts > 100
    assert found.recommended and set(found.recommended) <= {
        (1, 18),
        (3, 18),
        (0, 18),
        (2, 18),
        (4, 18),
    }
    assert (1, 18) in found.recommended or (3, 18) in found.recommended
    assert found.lift is not None and found.lift > 1.5
    assert found.interval is not None and found.interval[0] > 1.0
    assert found.held_out_in_slots >= 1 and found.held_out_posts > found.held_out_in_slots
    mean, posts = found.heatmap[(1, 18)]
    assert posts >= 2 and mean > 1.5


def post_at(channel: Channel, when: datetime, likes: int) -> None:
    delivery = published_post(channel, f"p-{when.isoformat()}", when)
    PostSnapshot.objects.create(
        workspace=channel.workspace,
        channel=channel,
        delivery=delivery,
        taken_at=when + timedelta(days=2),
        likes=likes,
    )


def test_no_real_difference_gives_an_interval_around_one(acme: Workspace) -> None:
    channel = Channel.objects.create(workspace=acme, network="bluesky", external_id="b", handle="b")
    draw = random.Random(7)
    start = NOW - timedelta(weeks=25)
    for day in range(7 * 24):
        when = start + timedelta(days=day, hours=draw.choice([9, 12, 18]))
        post_at(channel, when, likes=draw.randint(8, 12))  # every slot alike
    found = besttime.best_time(acme.pk, acme.tz, NOW)
    assert found.enough
    if found.interval is not None:
        low, high = found.interval
        assert low <= 1.0 + 0.1 and high >= 1.0 - 0.1  # no slot clearly better


def test_too_little_history_recommends_nothing(acme: Workspace) -> None:
    channel = Channel.objects.create(workspace=acme, network="bluesky", external_id="b", handle="b")
    for n in range(10):
        post_at(channel, NOW - timedelta(days=10 + n), likes=5)
    found = besttime.best_time(acme.pk, acme.tz, NOW)
    assert (found.enough, found.recommended, found.lift) == (False, [], None)
    assert found.posts == 10 and sum(n for _mean, n in found.heatmap.values()) == 10


def test_a_post_is_scored_by_its_first_week_only(acme: Workspace) -> None:
    channel = Channel.objects.create(workspace=acme, network="bluesky", external_id="b", handle="b")
    when = NOW - timedelta(days=30)
    post_at(channel, when, likes=5)
    delivery = PostSnapshot.objects.get().delivery
    PostSnapshot.objects.create(
        workspace=acme,
        channel=channel,
        delivery=delivery,
        taken_at=when + timedelta(days=20),
        likes=500,  # later: not what the slot earned
    )
    post_at(channel, NOW - timedelta(days=29), likes=10)
    with time_machine.travel(NOW, tick=False):
        found = besttime.scored_posts(acme.pk, UTC, NOW)  # type: ignore[arg-type]
    assert [round(s.score, 2) for s in found] == [round(5 / 7.5, 2), round(10 / 7.5, 2)]


def test_the_page_and_the_api_say_it(filled: Workspace, alice: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    from tests.api.conftest import token_api

    with time_machine.travel(NOW, tick=False):
        client = Client()
        client.force_login(alice)
        html = client.get(reverse("measure:overview", args=[filled.slug])).content.decode()
        body = token_api(alice, filled).get("/workspaces/acme/measure/best-time").json()
    assert 'data-testid="best-slots"' in html and "Thursday 18:00" in html
    assert "as well as the average (90 % interval" in html
    assert body["enough"] and {"weekday": 3, "hour": 18} in [
        {"weekday": s["weekday"], "hour": s["hour"]} for s in body["recommended"]
    ]
    assert body["lift"] > 1.5 and body["interval"][0] > 1.0


def _as_per_post(workspace: Workspace, now: datetime) -> besttime.BestTime:
    """What best_time says, worked out from each scored post in Python."""
    posts = besttime.scored_posts(workspace.pk, workspace.tz, now)
    lift, interval, held, inside = besttime.backtest(posts, now.astimezone(workspace.tz))
    return besttime.BestTime(
        posts=len(posts),
        heatmap=besttime.heatmap(posts),
        recommended=besttime.recommend(posts),
        lift=lift,
        interval=interval,
        held_out_posts=held,
        held_out_in_slots=inside,
        enough=True,
    )


def _assert_same(found: besttime.BestTime, expected: besttime.BestTime) -> None:
    assert found.posts == expected.posts
    assert found.heatmap.keys() == expected.heatmap.keys()
    for slot, (mean, n) in expected.heatmap.items():
        assert found.heatmap[slot][0] == pytest.approx(mean, rel=1e-12)
        assert found.heatmap[slot][1] == n
    assert found.recommended == expected.recommended
    assert (found.held_out_posts, found.held_out_in_slots) == (
        expected.held_out_posts,
        expected.held_out_in_slots,
    )
    assert found.lift == pytest.approx(expected.lift, rel=1e-12)
    assert found.interval == pytest.approx(expected.interval, rel=1e-12)


def test_the_database_adds_up_what_each_post_would_say(filled: Workspace) -> None:
    """best_time adds the window's posts up by week and slot in the database (a big team has
    100,000s): the same heatmap, recommendation and backtest as going through each scored
    post. The demo's six months cross the change of clocks of 29 March."""
    found = besttime.best_time(filled.pk, filled.tz, NOW)
    assert found.held_out_posts <= besttime.BOOTSTRAP_UP_TO  # the bootstrap's interval
    _assert_same(found, _as_per_post(filled, NOW))


def test_the_normal_interval_from_the_database_sums(
    filled: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(besttime, "BOOTSTRAP_UP_TO", 10)
    found = besttime.best_time(filled.pk, filled.tz, NOW)
    assert found.held_out_posts > 10 and found.interval is not None
    _assert_same(found, _as_per_post(filled, NOW))


def test_the_normal_interval_adds_up_by_slot() -> None:
    """The interval from each group's sums is the one from each post's influence."""
    draw = random.Random(5)
    pairs = [(draw.expovariate(1.0) * (1.4 if i % 6 == 0 else 1.0), i % 6 == 0) for i in range(900)]
    n = len(pairs)
    mean_all = sum(s for s, _h in pairs) / n
    share_in = sum(1 for _s, h in pairs if h) / n
    mean_hits = sum(s for s, h in pairs if h) / n
    lift = mean_hits / (share_in * mean_all)
    spread = sum(
        ((h * s - mean_hits) / mean_hits - (h - share_in) / share_in - (s - mean_all) / mean_all)
        ** 2
        for s, h in pairs
    )
    margin = besttime.Z90 * lift * spread**0.5 / n
    groups: dict[tuple[bool, int], list[float]] = {}
    for index, (score, hit) in enumerate(pairs):
        sums = groups.setdefault((hit, index % 11), [0.0, 0.0, 0.0])
        sums[0] += 1
        sums[1] += score
        sums[2] += score * score
    grouped = besttime._normal_interval_of(
        [(hit, n, total, squares) for (hit, _k), (n, total, squares) in groups.items()]
    )
    assert grouped == pytest.approx((lift - margin, lift + margin), rel=1e-9)


@pytest.mark.parametrize(
    ("now", "instants"),
    [
        (  # 29 March 2026: 02:00 CET becomes 03:00 CEST, a day of 23 hours
            datetime(2026, 5, 1, tzinfo=UTC),
            [datetime(2026, 3, 28, 22, 30, tzinfo=UTC) + timedelta(hours=h) for h in range(6)],
        ),
        (  # 25 October 2026: 03:00 CEST becomes 02:00 CET, a day of 25 hours
            datetime(2026, 12, 1, tzinfo=UTC),
            [datetime(2026, 10, 24, 21, 30, tzinfo=UTC) + timedelta(hours=h) for h in range(8)],
        ),
    ],
)
def test_slots_follow_the_clocks_of_the_workspace(
    acme: Workspace, now: datetime, instants: list[datetime]
) -> None:
    """Around a change of clocks each post is in the weekday and hour its local time shows
    (two posts an hour apart in the hour that happens twice share a slot)."""
    channel = Channel.objects.create(workspace=acme, network="bluesky", external_id="b", handle="b")
    for when in instants:
        post_at(channel, when, likes=10)
    expected: dict[besttime.Slot, int] = {}
    for when in instants:
        local = when.astimezone(acme.tz)
        slot = (local.weekday(), local.hour)
        expected[slot] = expected.get(slot, 0) + 1
    found = besttime.best_time(acme.pk, acme.tz, now)
    assert {slot: n for slot, (_mean, n) in found.heatmap.items()} == expected
    assert sorted(p.slot for p in besttime.scored_posts(acme.pk, acme.tz, now)) == sorted(
        (w.astimezone(acme.tz).weekday(), w.astimezone(acme.tz).hour) for w in instants
    )
