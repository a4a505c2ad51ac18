"""A period's figures: the same totals on the overview, per channel, per campaign and in the
CSV; counted as of the period's end; days of 23 and 25 hours in the workspace's time zone;
follower growth; unknown counts kept unknown."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from hubbub.core.models import Workspace
from hubbub.measure import reports
from hubbub.measure.models import ChannelSnapshot, PostSnapshot
from hubbub.measure.periods import Period, period_of
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign, Delivery
from tests.inbox.conftest_ingest import published_post

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


@pytest.fixture
def paris(acme: Workspace) -> Workspace:
    acme.time_zone = "Europe/Paris"
    acme.save()
    return acme


def channel(workspace: Workspace, network: str, handle: str) -> Channel:
    return Channel.objects.create(
        workspace=workspace, network=network, external_id=handle, handle=handle
    )


def post(
    on: Channel,
    at: datetime,
    taken: datetime | None = None,
    campaign: Campaign | None = None,
    **counts: int | None,
) -> Delivery:
    delivery = published_post(on, f"{on.handle}-{at.isoformat()}", at)
    if campaign is not None:
        delivery.post.campaign = campaign
        delivery.post.save()
    PostSnapshot.objects.create(
        workspace=on.workspace, channel=on, delivery=delivery, taken_at=taken or at, **counts
    )
    return delivery


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31), PARIS)


@pytest.fixture
def month(paris: Workspace) -> dict[str, Any]:
    """October: two channels, three posts, one of them in a campaign."""
    bluesky = channel(paris, "bluesky", "brand.bsky.social")
    mastodon = channel(paris, "mastodon", "@brand@social.example")
    launch = Campaign.objects.create(workspace=paris, name="Launch")
    post(bluesky, local(2026, 10, 3, 9), likes=10, comments=2, shares=3)
    post(bluesky, local(2026, 10, 20, 18), likes=4, comments=0, shares=1, campaign=launch)
    post(
        mastodon,
        local(2026, 10, 12, 12),
        likes=6,
        comments=1,
        shares=2,
        impressions=400,
        reach=250,
        clicks=5,
    )
    post(mastodon, local(2026, 9, 30, 23, 30), likes=99)  # September: not this period's
    return {"bluesky": bluesky, "mastodon": mastodon, "launch": launch}


def test_totals_by_hand_and_the_same_everywhere(month: dict[str, Any], paris: Workspace):
    scope = reports.Scope(paris.pk)
    found = reports.totals(scope, OCTOBER)
    assert found.posts == 3 and found.measured == 3
    assert found.counts["likes"] == 20 and found.counts["shares"] == 6
    assert found.counts["impressions"] == 400  # only Mastodon's: the others unknown, not 0
    assert found.figures["engagements"] == 20 + 3 + 6 + 5  # likes, comments, shares, clicks
    channels = reports.by_channel(scope, OCTOBER)
    for name in ("likes", "comments", "shares", "clicks"):
        assert sum(t.counts[name] or 0 for t in channels.values()) == found.counts[name]
    assert sum(t.posts for t in channels.values()) == found.posts
    one = reports.totals(reports.Scope(paris.pk, channel_id=month["bluesky"].pk), OCTOBER)
    assert one.counts == channels[month["bluesky"].pk].counts
    rows = reports.posts(scope, OCTOBER)
    assert sum(r.figures["engagements"] for r in rows) == found.figures["engagements"]
    campaign = reports.totals(reports.Scope(paris.pk, campaign_id=month["launch"].pk), OCTOBER)
    assert (campaign.posts, campaign.counts["likes"]) == (1, 4)


def test_the_pages_and_csv_show_the_same_totals(
    month: dict[str, Any], paris: Workspace, alice_client: Any
):
    params = {"from": "2026-10-01", "to": "2026-10-31"}
    page = alice_client.get(reverse("measure:overview", args=[paris.slug]), params)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="engagements"' in html and ">34<" in html
    assert "likes + comments + shares + saves + link clicks" in html  # the formula beside it
    answer = alice_client.get(reverse("measure:channels_csv", args=[paris.slug]), params)
    lines = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    header, body = lines[0], [line for line in lines[1:3]]
    engagements = header.index("engagements")
    assert sorted(int(line[engagements]) for line in body) == [14, 20]
    assert any(line and line[0] == "# engagement_rate_reach" for line in lines)
    answer = alice_client.get(reverse("measure:posts_csv", args=[paris.slug]), params)
    lines = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    column = lines[0].index("engagements")
    assert sum(int(line[column]) for line in lines[1:4]) == 34
    assert lines[1][0].endswith("+02:00")  # times in the workspace's zone


def test_counted_as_of_the_period_end(paris: Workspace) -> None:
    bluesky = channel(paris, "bluesky", "b")
    delivery = post(bluesky, local(2026, 10, 30, 10), likes=5)
    PostSnapshot.objects.create(
        workspace=paris,
        channel=bluesky,
        delivery=delivery,
        taken_at=local(2026, 11, 2, 10),
        likes=50,
    )
    assert reports.totals(reports.Scope(paris.pk), OCTOBER).counts["likes"] == 5
    both = Period(date(2026, 10, 1), date(2026, 11, 30), PARIS)
    assert reports.totals(reports.Scope(paris.pk), both).counts["likes"] == 50


@pytest.mark.parametrize(
    ("day", "inside", "outside"),
    [
        # 29 March 2026: clocks go forward, a day of 23 hours
        (date(2026, 3, 29), local(2026, 3, 29, 23, 30), local(2026, 3, 30, 0, 10)),
        # 25 October 2026: clocks go back, a day of 25 hours
        (date(2026, 10, 25), local(2026, 10, 25, 23, 59), local(2026, 10, 26, 0, 0)),
    ],
)
def test_a_day_of_23_or_25_hours(paris: Workspace, day: date, inside: datetime, outside: datetime):
    bluesky = channel(paris, "bluesky", "b")
    post(bluesky, inside, likes=1)
    post(bluesky, outside, likes=100)
    period = Period(day, day, PARIS)
    # (two datetimes of one zone subtract as wall clocks in Python: compare instants)
    hours = period.end.astimezone(UTC) - period.start.astimezone(UTC)
    assert hours in (timedelta(hours=23), timedelta(hours=25))
    found = reports.totals(reports.Scope(paris.pk), period)
    assert (found.posts, found.counts["likes"]) == (1, 1)
    assert reports.daily(reports.Scope(paris.pk), period) == [(day, 1, 1)]


def test_follower_growth_from_the_readings_around_the_period(paris: Workspace) -> None:
    bluesky = channel(paris, "bluesky", "b")
    mastodon = channel(paris, "mastodon", "m")
    for who, when, value in [
        (bluesky, local(2026, 9, 30, 6), 1000),
        (bluesky, local(2026, 10, 15, 6), 1030),
        (bluesky, local(2026, 10, 31, 6), 1060),
        (bluesky, local(2026, 11, 1, 6), 9999),  # after the period
        (mastodon, local(2026, 10, 10, 6), 200),  # first read during the period
        (mastodon, local(2026, 10, 31, 6), 190),
    ]:
        ChannelSnapshot.objects.create(workspace=paris, channel=who, taken_at=when, followers=value)
    found = reports.totals(reports.Scope(paris.pk), OCTOBER)
    assert (found.followers_start, found.followers_end) == (1200, 1250)
    assert found.figures["follower_growth"] == 50
    assert found.figures["follower_growth_rate"] == pytest.approx(50 / 1200 * 100)


def test_a_period_without_data_is_unknown_not_zero(paris: Workspace) -> None:
    found = reports.totals(reports.Scope(paris.pk), OCTOBER)
    assert found.posts == 0 and found.counts["likes"] is None
    assert found.figures["engagements"] is None and found.figures["follower_growth"] is None


def test_periods_presets_comparisons_and_the_29th_of_february() -> None:
    today = date(2028, 3, 10)
    found, preset = period_of({"period": "last-month"}, PARIS, today)
    assert (found.first, found.last, preset) == (date(2028, 2, 1), date(2028, 2, 29), "last-month")
    assert found.last_year().last == date(2027, 2, 28)
    assert found.previous() == Period(date(2028, 1, 3), date(2028, 1, 31), PARIS)
    assert period_of({"period": "7"}, PARIS, today)[0].first == date(2028, 3, 4)
    custom, preset = period_of({"from": "2028-01-05", "to": "2028-01-01"}, PARIS, today)
    assert preset == "30" and custom.days == 30  # backwards dates: the default instead
    assert period_of({"period": "month"}, PARIS, today)[0].first == date(2028, 3, 1)
    assert Period(date(2028, 1, 1), date(2028, 1, 1), UTC).days == 1  # type: ignore[arg-type]


def test_unusable_dates_are_said_not_silently_replaced(paris: Workspace, alice_client: Any):
    url = reverse("measure:overview", args=[paris.slug])
    html = alice_client.get(url, {"from": "2026-10-31", "to": "2026-10-01"}).content.decode()
    assert 'data-testid="dates-refused"' in html and "Showing the last 30 days" in html
    html = alice_client.get(url, {"from": "2026-10-01", "to": "2026-10-31"}).content.decode()
    assert 'data-testid="dates-refused"' not in html
