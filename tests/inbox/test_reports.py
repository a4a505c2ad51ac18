"""Response-time reports against figures worked out by hand: nearest-rank median and p90
(odd and even counts), wall-clock and business time, attainment, breaches, the heatmap in
the workspace's clock (including both daylight-saving days), and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.inbox import reports
from hubbub.inbox.models import Breach, Conversation, Message
from hubbub.networks.models import Channel
from tests.inbox.conftest_coverage import (  # noqa: F401  (fixtures)
    conversation,
    dave_fixture,
    inbound,
    make_channel,
    paris,
    utc,
)

MIN = 60  # seconds
START, END = paris(2026, 11, 23), paris(2026, 12, 7)


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([], None, None),
        ([7], 7, 7),
        ([1, 2], 1, 2),  # even: the lower middle value
        ([1, 2, 3, 4], 2, 4),
        ([1, 2, 3, 4, 5], 3, 5),
        (list(range(1, 11)), 5, 9),  # rank ceil(0.9 * 10) = 9, no float rounding
        (list(range(1, 21)), 10, 18),
        (list(range(1, 101)), 50, 90),
    ],
)
def test_nearest_rank(values: list[float], median: float | None, p90: float | None) -> None:
    assert reports.percentile(values, 50) == median
    assert reports.percentile(values, 90) == p90


def answered(
    acme: Workspace,
    channel: Channel,
    opened: datetime,
    first: float | None,
    closed: float | None = None,
    **fields: object,
) -> Conversation:
    """A conversation answered `first` minutes after it opened (closed after `closed`)."""
    c = conversation(
        acme,
        channel,
        opened,
        first_response_at=opened + timedelta(minutes=first) if first is not None else None,
        closed_at=opened + timedelta(minutes=closed) if closed is not None else None,
        status="closed" if closed is not None else "open",
        **fields,
    )
    inbound(c, opened)
    return c


@pytest.fixture
def data(acme: Workspace, alice: User, bob: User) -> dict[str, object]:
    """Acme's fortnight from Monday 23 November 2026 (Paris; business hours 09-17 Mon-Fri)."""
    a = make_channel(acme, "acme.bsky.social")
    b = make_channel(acme, "acme@mastodon.example", network="mastodon")
    c1 = answered(
        acme,
        a,
        paris(2026, 11, 23, 10),
        10,
        60,
        assignee=alice,
        first_response_due_at=paris(2026, 11, 23, 11),
        resolution_due_at=paris(2026, 11, 23, 18),
    )
    c2 = answered(
        acme,
        a,
        paris(2026, 11, 23, 11),
        30,
        120,
        assignee=alice,
        first_response_due_at=paris(2026, 11, 23, 11, 15),
        resolution_due_at=paris(2026, 11, 23, 12),
    )
    c3 = answered(
        acme,
        b,
        paris(2026, 11, 24, 10),
        20,
        assignee=bob,
        first_response_due_at=paris(2026, 11, 24, 11),
    )
    # Friday 16:30, answered Monday 09:30: 65 hours on the clock, one business hour.
    c4 = answered(
        acme,
        b,
        paris(2026, 11, 27, 16, 30),
        65 * 60,
        assignee=bob,
        first_response_due_at=paris(2026, 11, 30, 9, 15),
    )
    c5 = answered(
        acme, a, paris(2026, 12, 1, 10), 40, 40, first_response_due_at=paris(2026, 12, 1, 11)
    )
    c6 = answered(
        acme, a, paris(2026, 12, 1, 12), None, first_response_due_at=paris(2026, 12, 1, 13)
    )
    answered(acme, a, paris(2026, 11, 20, 10), 5, assignee=alice)  # before the report
    for conv, kind, at, who in (
        (c2, "first_response", paris(2026, 11, 23, 11, 15), alice),
        (c2, "resolution", paris(2026, 11, 23, 12), alice),
        (c4, "first_response", paris(2026, 11, 30, 9, 15), bob),
        (c2, "resolution", paris(2026, 11, 20, 12), alice),  # before the report
    ):
        Breach.objects.create(
            workspace=acme,
            conversation=conv,
            kind=kind,
            due_at=at,
            breached_at=at,
            channel=conv.channel,
            assignee=who,
        )
    return {"a": a, "b": b, "c": [c1, c2, c3, c4, c5, c6]}


def test_totals(acme: Workspace, data: dict[str, object]) -> None:
    report = reports.response_report(acme, START, END)
    total = report.total
    assert total.conversations == 6
    # First responses 10, 20, 30, 40 and 3900 minutes: median the 3rd, p90 the 5th.
    assert total.first_response == reports.Durations(5, 30 * MIN, 3900 * MIN)
    # In business time c4 took one hour: 10, 20, 30, 40, 60.
    assert total.first_response_business == reports.Durations(5, 30 * MIN, 60 * MIN)
    # Resolutions 40, 60, 120 minutes, all inside opening hours.
    assert total.resolution == reports.Durations(3, 60 * MIN, 120 * MIN)
    assert total.resolution_business == total.resolution
    # Answered by the due time: c1, c3, c5 of the five answered (c6 is not answered yet).
    assert (total.first_response_within_target, total.first_response_measured) == (3, 5)
    assert total.first_response_attainment == 60.0
    # Resolved by the due time: c1 of c1 and c2 (c5 had no resolution due time).
    assert total.resolution_attainment == 50.0
    assert (total.breaches_first_response, total.breaches_resolution) == (2, 1)
    assert report.inbound_messages == 6


def test_by_channel_member_and_week(
    acme: Workspace, alice: User, bob: User, data: dict[str, object]
) -> None:
    report = reports.response_report(acme, START, END)
    by_channel = {r.label: r for r in report.by_channel}
    a, b = by_channel["bluesky: acme.bsky.social"], by_channel["mastodon: acme@mastodon.example"]
    assert a.conversations == 4
    assert a.first_response == reports.Durations(3, 30 * MIN, 40 * MIN)  # 10, 30, 40
    assert b.first_response == reports.Durations(2, 20 * MIN, 3900 * MIN)  # even: 20, 3900
    assert (b.breaches_first_response, b.breaches_resolution) == (1, 0)
    assert b.first_response_attainment == 50.0

    by_member = {r.label: r for r in report.by_member}
    assert list(by_member) == ["Alice Martin", "Bob Durand", "Unassigned"]
    assert by_member["Alice Martin"].key == str(alice.pk)
    assert by_member["Alice Martin"].first_response == reports.Durations(2, 10 * MIN, 30 * MIN)
    assert by_member["Alice Martin"].breaches_resolution == 1
    assert by_member["Unassigned"].conversations == 2
    assert by_member["Unassigned"].key == ""

    weeks = {r.key: r for r in report.by_week}
    assert list(weeks) == ["2026-W48", "2026-W49"]
    assert weeks["2026-W48"].conversations == 4
    assert weeks["2026-W49"].conversations == 2
    # c4's breach happened on Monday 30 November: week 49.
    assert weeks["2026-W49"].breaches_first_response == 1
    assert weeks["2026-W48"].breaches_first_response == 1


def test_for_one_channel_or_one_member(
    acme: Workspace, alice: User, data: dict[str, object]
) -> None:
    b = data["b"]
    assert isinstance(b, Channel)
    only_b = reports.response_report(acme, START, END, channel=b)
    assert only_b.total.conversations == 2
    assert only_b.inbound_messages == 2
    assert [r.label for r in only_b.by_channel] == ["mastodon: acme@mastodon.example"]
    mine = reports.response_report(acme, START, END, user=alice.pk)
    assert mine.total.conversations == 2
    assert (mine.total.breaches_first_response, mine.total.breaches_resolution) == (1, 1)
    assert sum(map(sum, mine.heatmap)) == 2


def test_heatmap_in_the_workspace_clock(acme: Workspace, data: dict[str, object]) -> None:
    c1 = data["c"][0]  # type: ignore[index]
    inbound(c1, utc(2026, 11, 23, 23, 30))  # Tuesday 00:30 in Paris
    Message.objects.create(  # our own reply: not inbound
        workspace=acme,
        conversation=c1,
        channel=c1.channel,
        direction="out",
        kind="comment",
        text="hi",
        created_at=paris(2026, 11, 23, 10, 10),
    )
    grid = reports.response_report(acme, START, END).heatmap
    assert len(grid) == 7 and all(len(day) == 24 for day in grid)
    assert grid[0][10] == 1 and grid[0][11] == 1  # Monday 10:xx and 11:xx
    assert grid[1][0] == 1  # the message at 23:30 UTC on Monday
    assert grid[1][10] == 2  # c3 and c5, both on a Tuesday at 10:00
    assert grid[4][16] == 1  # c4 on Friday 16:30
    assert grid[1][12] == 1  # c6 on Tuesday 1 December
    assert sum(map(sum, grid)) == 7


def test_heatmap_on_both_daylight_saving_days(acme: Workspace) -> None:
    channel = make_channel(acme, "acme.bsky.social")
    c = conversation(acme, channel, utc(2026, 3, 28))
    inbound(c, utc(2026, 3, 29, 0, 30))  # 01:30 CET
    inbound(c, utc(2026, 3, 29, 1, 30))  # 03:30 CEST: 02:xx never happens
    spring = reports.response_report(acme, utc(2026, 3, 28), utc(2026, 3, 30)).heatmap
    assert (spring[6][1], spring[6][2], spring[6][3]) == (1, 0, 1)

    inbound(c, utc(2026, 10, 25, 0, 30))  # 02:30 CEST
    inbound(c, utc(2026, 10, 25, 1, 30))  # 02:30 CET, the repeated hour
    inbound(c, utc(2026, 10, 25, 2, 30))  # 03:30 CET
    inbound(c, utc(2026, 10, 25, 22, 30))  # 23:30 CET, still Sunday
    inbound(c, utc(2026, 10, 25, 23, 30))  # Monday 00:30 CET
    autumn = reports.response_report(acme, utc(2026, 10, 24), utc(2026, 10, 27)).heatmap
    assert (autumn[6][1], autumn[6][2], autumn[6][3]) == (0, 2, 1)
    assert autumn[6][23] == 1 and autumn[0][0] == 1


def test_business_time_follows_the_policy(acme: Workspace) -> None:
    from hubbub.inbox.sla import policy_for

    policy = policy_for(acme)
    policy.business_hours_only = False
    policy.save()
    channel = make_channel(acme, "acme.bsky.social")
    answered(acme, channel, paris(2026, 11, 27, 16, 30), 65 * 60)
    row = reports.response_report(acme, START, END).total
    assert (
        row.first_response_business
        == row.first_response
        == reports.Durations(1, 65 * 3600, 65 * 3600)
    )


def test_an_empty_report(acme: Workspace) -> None:
    report = reports.response_report(acme, START, END)
    assert report.total.conversations == 0
    assert report.total.first_response == reports.Durations(0, None, None)
    assert report.total.first_response_attainment is None
    assert report.by_channel == report.by_member == report.by_week == []
    rows = list(csv.DictReader(io.StringIO(reports.report_csv(report))))
    median = next(
        r
        for r in rows
        if r["section"] == "total" and r["metric"] == "first_response_median_seconds"
    )
    assert median["value"] == ""


def test_queries_do_not_grow_with_the_data(
    acme: Workspace, data: dict[str, object], django_assert_max_num_queries: object
) -> None:
    channel = data["a"]
    assert isinstance(channel, Channel)
    for n in range(50):
        answered(acme, channel, paris(2026, 11, 25, 9) + timedelta(minutes=n), n)
    # policy (created on first use), holidays, conversations, breaches, heatmap, names
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        reports.response_report(acme, START, END)


def test_csv_parses_back_and_guards_formulas(
    acme: Workspace, dave: User, data: dict[str, object]
) -> None:
    dave.full_name = '=HYPERLINK("http://evil.example")'
    dave.save()
    channel = data["a"]
    assert isinstance(channel, Channel)
    answered(acme, channel, paris(2026, 11, 25, 10), 15, assignee=dave)
    text = reports.report_csv(reports.response_report(acme, START, END))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["section", "key", "label", "metric", "value"]

    def value(section: str, key: str, metric: str) -> str:
        [row] = [r for r in rows if (r["section"], r["key"], r["metric"]) == (section, key, metric)]
        return row["value"]

    assert value("report", "", "time_zone") == "Europe/Paris"
    assert value("report", "", "start") == "2026-11-23T00:00:00+01:00"
    assert value("total", "all", "conversations") == "7"
    assert value("total", "all", "first_response_median_seconds") == str(20 * MIN)
    # 3 of the 5 with a due time (the new one has none)
    assert value("total", "all", "first_response_attainment_pct") == "60"
    assert value("week", "2026-W49", "breaches_first_response") == "1"
    member_labels = {r["label"] for r in rows if r["section"] == "member"}
    assert '\'=HYPERLINK("http://evil.example")' in member_labels
    assert not any(r["label"].startswith(("=", "+", "-", "@")) for r in rows)
    heat = [r for r in rows if r["section"] == "heatmap"]
    assert len(heat) == 7 * 24
    assert {r["key"] for r in heat} == {str(d) for d in range(1, 8)}
    monday_10 = next(r for r in heat if r["key"] == "1" and r["metric"] == "hour_10")
    assert (monday_10["label"], monday_10["value"]) == ("Monday", "1")


def test_the_business_clock_agrees_with_the_calendar(acme: Workspace) -> None:
    """Reports' fast business time equals Calendar.between, across nights, weekends, a
    holiday and both daylight-saving changes (random pairs, fixed seed)."""
    import random

    from hubbub.inbox.business_hours import Calendar

    calendar = Calendar(
        tz=acme.tz,
        hours={
            "1": [["09:00", "12:00"], ["13:00", "17:30"]],
            "3": [["00:00", "24:00"]],
            "5": [["02:00", "04:00"]],
            "6": [["10:00", "14:00"]],
        },
        holidays={datetime(2026, 5, 1).date(), datetime(2026, 12, 25).date()},
    )
    first, last = utc(2026, 1, 1), utc(2027, 1, 31)
    clock = reports.BusinessClock(calendar, acme.tz, int(first.timestamp()), int(last.timestamp()))
    rnd = random.Random(5)
    span = int((last - first).total_seconds()) - 40 * 86400
    samples = [(utc(2026, 3, 27), utc(2026, 3, 31)), (utc(2026, 10, 23), utc(2026, 10, 27))]
    for _n in range(400):
        a = first + timedelta(seconds=rnd.randrange(span))
        samples.append((a, a + timedelta(seconds=rnd.randrange(30 * 86400))))
    for a, b in samples:
        expected = calendar.between(a, b).total_seconds()
        assert clock.between(int(a.timestamp()), int(b.timestamp())) == expected, (a, b)
