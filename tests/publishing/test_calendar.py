"""The calendar's grids, filters and moving posts, in the workspace's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from icalendar import Calendar

import hubbub.urls  # noqa: F401  (load the URLs before the fake network joins the registry)
from hubbub.core.access import Access, ActionError
from hubbub.networks.models import Channel
from hubbub.publishing import calendar as cal
from hubbub.publishing import ical
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.models import Campaign, Delivery, Post, PostStatus, WorkspacePublishing

pytestmark = pytest.mark.django_db


def draft(access: Access, channel: Channel, purpose: str = "announce the sale", **kw) -> Post:
    return create_draft(access, purpose=purpose, variants=[VariantInput(channel, ["Hello"])], **kw)


def planned(access: Access, channel: Channel, when: datetime, **kw) -> Post:
    post = draft(access, channel, **kw)
    return schedule_post(access, post, when)


def test_a_post_lands_on_its_local_day_on_the_night_the_clocks_go_back(owner, channel, clock):
    # 00:30 in Paris on 25 October 2026 is 22:30 UTC the day before (CEST, +02:00).
    post = planned(owner, channel, datetime(2026, 10, 25, 0, 30))
    assert post.scheduled_at == datetime(2026, 10, 24, 22, 30, tzinfo=UTC)
    weeks = cal.month_grid(owner, 2026, 10)
    days = {d.day: d for week in weeks for d in week}
    assert [e.post.pk for e in days[date(2026, 10, 25)].entries] == [post.pk]
    assert days[date(2026, 10, 24)].entries == []
    # The day itself is 25 hours long: 23:30 local that evening (22:30 UTC) is still the 25th.
    late = planned(owner, channel, datetime(2026, 10, 25, 23, 30))
    days = {d.day: d for week in cal.month_grid(owner, 2026, 10) for d in week}
    assert [e.post.pk for e in days[date(2026, 10, 25)].entries] == [post.pk, late.pk]


def test_the_month_grid_starts_on_monday_and_marks_days_outside_the_month(owner, channel, clock):
    weeks = cal.month_grid(owner, 2026, 6)
    assert weeks[0][0].day == date(2026, 6, 1)  # a Monday
    assert all(len(w) == 7 for w in weeks)
    assert weeks[-1][-1].day == date(2026, 7, 5)
    assert weeks[-1][-1].in_range is False
    assert weeks[0][0].is_today  # the clock is frozen at 2026-06-01 12:00 in Paris


def test_the_week_grid_puts_posts_in_their_local_hour(owner, channel, clock):
    post = planned(owner, channel, datetime(2026, 6, 3, 9, 15))
    week = cal.week_grid(owner, date(2026, 6, 4))
    assert week.days[0].day == date(2026, 6, 1)
    assert [e.post.pk for e in week.hours[9][2]] == [post.pk]
    assert week.hours[9][2][0].local.strftime("%H:%M") == "09:15"
    assert sum(len(cell) for hour in week.hours for cell in hour) == 1


def test_filters_by_channel_campaign_status_and_author(owner, editor, channel, clock):
    other = Channel.objects.create(
        workspace=channel.workspace, network="fake", external_id="2", handle="@other"
    )
    sale = Campaign.objects.create(workspace=channel.workspace, name="Sale", colour="#ff0000")
    a = planned(owner, channel, datetime(2026, 6, 2, 9, 0), campaign=sale)
    b = planned(editor, other, datetime(2026, 6, 2, 10, 0))
    c = draft(owner, channel)
    cal.plan_post(owner, c, datetime(2026, 6, 2, 11, 0))
    start, end = cal.day_bounds(date(2026, 6, 1), date(2026, 6, 30), channel.workspace.tz)

    def ids(**filters: Any) -> list[int]:
        return [p.pk for p in cal.posts_between(owner, start, end, cal.Filters(**filters))]

    assert ids() == [a.pk, b.pk, c.pk]
    assert ids(channel=other.pk) == [b.pk]
    assert ids(campaign=sale.pk) == [a.pk]
    assert ids(status="draft") == [c.pk]
    assert ids(author=editor.user.pk) == [b.pk]
    with pytest.raises(ActionError, match="Unknown status 'nope'"):
        ids(status="nope")


def test_a_chip_takes_its_campaign_colour(owner, channel, clock):
    sale = Campaign.objects.create(workspace=channel.workspace, name="Sale", colour="#ff0000")
    planned(owner, channel, datetime(2026, 6, 2, 9, 0), campaign=sale)
    planned(owner, channel, datetime(2026, 6, 2, 10, 0))
    entries = cal.list_days(owner, date(2026, 6, 1))[0].entries
    assert [e.colour for e in entries] == ["#ff0000", cal.DEFAULT_COLOUR]


def test_moving_a_scheduled_post_moves_its_deliveries(owner, channel, clock):
    post = planned(owner, channel, datetime(2026, 6, 2, 9, 0))
    moved = cal.move_post(owner, post, datetime(2026, 6, 5, 9, 0))
    assert moved.status == PostStatus.SCHEDULED
    delivery = Delivery.objects.get(post=post)
    assert delivery.due_at == datetime(2026, 6, 5, 7, 0, tzinfo=UTC)


def test_moving_a_draft_changes_only_its_planned_time(owner, channel, clock):
    post = draft(owner, channel)
    moved = cal.move_post(owner, post, datetime(2026, 6, 5, 18, 0))
    assert moved.status == PostStatus.DRAFT
    assert moved.scheduled_at == datetime(2026, 6, 5, 16, 0, tzinfo=UTC)
    assert not Delivery.objects.filter(post=post).exists()


def test_moving_into_the_past_or_the_dst_gap_is_refused(owner, channel, clock):
    post = draft(owner, channel)
    with pytest.raises(ActionError, match="already passed"):
        cal.move_post(owner, post, datetime(2026, 5, 1, 9, 0))
    with pytest.raises(ActionError, match="next valid time is 2027-03-28 03:00"):
        cal.move_post(owner, post, datetime(2027, 3, 28, 2, 30))


def test_an_editor_cannot_move_someone_elses_draft(owner, editor, channel, clock):
    post = draft(owner, channel)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        cal.move_post(editor, post, datetime(2026, 6, 5, 9, 0))


# --- the iCal feed --------------------------------------------------------------------------


def test_the_ical_feed_lists_planned_posts_with_their_details(owner, channel, clock, settings):
    settings.BASE_URL = "https://hubbub.example"
    sale = Campaign.objects.create(workspace=channel.workspace, name="Spring sale")
    post = planned(owner, channel, datetime(2026, 6, 2, 9, 0), campaign=sale)
    plan = draft(owner, channel, purpose="tease the summer range")
    cal.plan_post(owner, plan, datetime(2026, 6, 3, 9, 0))
    gone = planned(owner, channel, datetime(2026, 6, 4, 9, 0))
    from hubbub.publishing.actions.posts import cancel_post

    cancel_post(owner, gone)
    feed = Calendar.from_ical(ical.build_feed(channel.workspace))
    events = {str(e["uid"]): e for e in feed.walk("VEVENT")}
    assert set(events) == {f"post-{post.pk}@hubbub.example", f"post-{plan.pk}@hubbub.example"}
    event = events[f"post-{post.pk}@hubbub.example"]
    assert event.decoded("dtstart") == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    assert str(event["summary"]) == "announce the sale [Scheduled]"
    assert str(event["url"]) == f"https://hubbub.example/w/acme/posts/{post.pk}/"
    description = str(event["description"])
    assert "Channels: @acme" in description and "Campaign: Spring sale" in description
    assert str(event["status"]) == "CONFIRMED"
    assert str(events[f"post-{plan.pk}@hubbub.example"]["status"]) == "TENTATIVE"
    assert str(feed["x-wr-timezone"]) == "Europe/Paris"


def test_regenerating_the_feed_secret_changes_the_url(owner, channel):
    old = WorkspacePublishing.of(channel.workspace).ical_token
    url = ical.regenerate_token(owner)
    assert old not in url
    assert ical.workspace_for_token(old) is None
    assert ical.workspace_for_token(url.rsplit("/", 1)[1].removesuffix(".ics")) == channel.workspace
