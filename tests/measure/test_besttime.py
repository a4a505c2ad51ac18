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
