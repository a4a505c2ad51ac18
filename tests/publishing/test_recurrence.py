"""Recurring posts: RFC 5545 rules in the workspace's wall-clock time, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

import hubbub.urls  # noqa: F401  (load the URLs before the fake network joins the registry)
from hubbub.core.access import Access, ActionError
from hubbub.core.models import AuditEntry
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing import recurrence
from hubbub.publishing.actions.posts import VariantInput, create_draft
from hubbub.publishing.models import Delivery, Post, PostMedia, PostStatus

pytestmark = pytest.mark.django_db

TUE_THU = "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=9;BYMINUTE=0"


def draft(access: Access, channel: Channel) -> Post:
    post = create_draft(
        access, purpose="weekly tip", variants=[VariantInput(channel, ["Tip of the day"])]
    )
    PostMedia.objects.create(
        post=post, variant=post.variants.get(), path="acme/tip.png", mime_type="image/png", size=10
    )
    return post


def local_times(posts: list[Post], access: Access) -> list[str]:
    tz = access.workspace.tz
    return [
        p.scheduled_at.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %z")
        for p in posts
        if p.scheduled_at
    ]


def test_tuesday_and_thursday_at_nine_across_the_paris_autumn_change(owner, channel):
    with time_machine.travel(datetime(2026, 10, 19, 10, 0, tzinfo=UTC), tick=False):
        post = draft(owner, channel)
        result = recurrence.create_series(owner, post, TUE_THU + ";UNTIL=20261105")
    posts = recurrence.series_posts(result.origin)
    assert local_times(posts, owner) == [
        "Tue 2026-10-20 09:00 +0200",
        "Thu 2026-10-22 09:00 +0200",
        "Tue 2026-10-27 09:00 +0100",  # CET since Sunday: still 09:00 on the clock
        "Thu 2026-10-29 09:00 +0100",
        "Tue 2026-11-03 09:00 +0100",
        "Thu 2026-11-05 09:00 +0100",  # UNTIL, a date: the whole day counts
    ]
    assert all(p.status == PostStatus.SCHEDULED for p in posts)
    assert posts[0].pk == post.pk and posts[0].rrule.startswith("FREQ=WEEKLY")
    assert all(p.series_id == post.pk for p in posts[1:])
    # Each occurrence is a post of its own, with a copy of the variant and media.
    copy = posts[1]
    assert copy.variants.get().parts == ["Tip of the day"]
    assert copy.media.get().path == "acme/tip.png"
    assert Delivery.objects.filter(post__in=posts).count() == 6
    entry = AuditEntry.objects.get(action="post.series_create")
    assert entry.after["occurrences"] == 6


def test_new_york_spring_forward_keeps_nine_oclock(alice, acme, channel):
    acme.time_zone = "America/New_York"
    acme.save()
    access = Access(user=alice, workspace=acme, role=Role.OWNER)
    with time_machine.travel(datetime(2027, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        post = draft(access, channel)
        result = recurrence.create_series(access, post, TUE_THU + ";COUNT=4")
    posts = recurrence.series_posts(result.origin)
    # US clocks jump on Sunday 14 March 2027; COUNT counts the first post too.
    assert [p.scheduled_at for p in posts] == [
        datetime(2027, 3, 2, 14, 0, tzinfo=UTC),
        datetime(2027, 3, 4, 14, 0, tzinfo=UTC),
        datetime(2027, 3, 9, 14, 0, tzinfo=UTC),
        datetime(2027, 3, 11, 14, 0, tzinfo=UTC),
    ]


def test_count_limits_the_series_even_when_extended_later(owner, channel):
    start = datetime(2026, 10, 19, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        result = recurrence.create_series(
            owner, draft(owner, channel), "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;COUNT=12"
        )
    made = recurrence.series_posts(result.origin)
    assert len(made) == 8  # Mondays 26 Oct … 14 Dec: those within 60 days
    later = start + timedelta(days=40)
    with time_machine.travel(later, tick=False):
        assert recurrence.extend_all() == 4  # 21 Dec … 11 Jan: the 12th is the last
        assert recurrence.extend_all() == 0  # idempotent
    posts = recurrence.series_posts(result.origin)
    assert len(posts) == 12
    assert local_times(posts[-1:], owner) == ["Mon 2027-01-11 09:00 +0100"]


def test_the_daily_task_extends_endless_series_up_to_the_horizon(owner, channel):
    start = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        result = recurrence.create_series(owner, draft(owner, channel), "FREQ=DAILY;BYHOUR=8")
    assert len(recurrence.series_posts(result.origin)) == 60
    with time_machine.travel(start + timedelta(days=7), tick=False):
        recurrence.extend_task.call_local()
    posts = recurrence.series_posts(result.origin)
    assert len(posts) == 67
    assert len({p.scheduled_at for p in posts}) == 67  # no time made twice


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not allowed"),
        ("FREQ=MINUTELY", "FREQ=MINUTELY is not allowed"),
        ("FREQ=WEEKLY;BYDAY=XX", "not valid"),
        ("FREQ=WEEKLY;COUNT=2;UNTIL=20261231", "COUNT or UNTIL, not both"),
        ("FREQ=WEEKLY;UNTIL=31/12/2026", "UNTIL=31/12/2026 is not a date"),
        ("DTSTART:20260101T090000\nRRULE:FREQ=DAILY", "without DTSTART"),
        ("", "Write a repeat rule"),
        ("FREQ=WEEKLY;BYHOUR=9;UNTIL=20260102", "no time in the next 60 days"),
    ],
)
def test_bad_rules_are_refused_with_the_fix(owner, channel, clock, rule, message):
    post = draft(owner, channel)
    with pytest.raises(ActionError, match=message):
        recurrence.create_series(owner, post, rule)
    post.refresh_from_db()
    assert post.rrule == "" and post.status == PostStatus.DRAFT
    assert not Post.objects.filter(series=post).exists()


def test_a_draft_without_a_time_needs_the_time_in_the_rule(owner, channel, clock):
    with pytest.raises(ActionError, match="BYHOUR=9;BYMINUTE=0"):
        recurrence.create_series(owner, draft(owner, channel), "FREQ=WEEKLY;BYDAY=TU")


def test_stopping_cancels_future_occurrences_and_keeps_published_ones(owner, channel):
    start = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        result = recurrence.create_series(owner, draft(owner, channel), TUE_THU + ";COUNT=6")
    posts = recurrence.series_posts(result.origin)
    # The first one went out.
    Post.objects.filter(pk=posts[0].pk).update(status=PostStatus.PUBLISHED)
    Delivery.objects.filter(post=posts[0]).update(status="published")
    with time_machine.travel(datetime(2026, 6, 3, 10, 0, tzinfo=UTC), tick=False):
        cancelled = recurrence.stop_series(owner, posts[3])  # any post of the series will do
    assert sorted(p.pk for p in cancelled) == sorted(p.pk for p in posts[1:])
    statuses = [Post.objects.get(pk=p.pk).status for p in posts]
    assert statuses == [PostStatus.PUBLISHED] + [PostStatus.CANCELLED] * 5
    assert Post.objects.get(pk=result.origin.pk).rrule == ""
    with time_machine.travel(datetime(2026, 7, 3, tzinfo=UTC), tick=False):
        assert recurrence.extend_all() == 0
    with pytest.raises(ActionError, match="does not repeat"):
        recurrence.stop_series(owner, result.origin)


def test_an_occurrence_cannot_start_a_series_of_its_own(owner, channel, clock):
    result = recurrence.create_series(owner, draft(owner, channel), TUE_THU + ";COUNT=2")
    second = recurrence.series_posts(result.origin)[1]
    with pytest.raises(ActionError, match="already part of a recurring series"):
        recurrence.create_series(owner, second, TUE_THU)
