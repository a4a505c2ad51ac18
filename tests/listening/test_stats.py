"""Listening's counts (hubbub.listening.stats): volume buckets in the workspace's time zone
(a 23-hour DST day is one day), gaps at zero, share of voice, top authors, terms, hashtags,
languages, sentiment totals, and filters read from a query string that may be nonsense."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict

from hubbub.core.models import Workspace
from hubbub.listening import stats
from hubbub.listening.models import GroupKind, Mention, MentionMatch, Query, QueryGroup
from hubbub.listening.stats import Filters

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
_ids = count(1)


def mention(workspace: Workspace, at: datetime, text: str = "acme", **kw: Any) -> Mention:
    values: dict[str, Any] = {
        "workspace": workspace,
        "network": "bluesky",
        "external_id": f"m{next(_ids)}",
        "text": text,
        "published_at": at,
        "sentiment": "neutral",
        "language": "en",
    }
    values.update(kw)
    return Mention.objects.create(**values)


def match(query: Query, m: Mention) -> MentionMatch:
    return MentionMatch.objects.create(
        workspace=query.workspace,
        query=query,
        mention=m,
        published_at=m.published_at,
        sentiment=m.sentiment,
        is_duplicate=m.duplicate_of_id is not None,
    )


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def test_day_buckets_follow_the_workspace_clock_across_a_23_hour_day(acme: Workspace) -> None:
    # 2026-03-29 in Paris: 00:00 is 23:00 UTC the day before, and the day lasts 23 hours.
    mention(acme, paris(2026, 3, 28, 23, 59), sentiment="positive")
    mention(acme, paris(2026, 3, 29, 0, 1), sentiment="negative")
    mention(acme, paris(2026, 3, 29, 1, 30), sentiment="negative")
    mention(acme, paris(2026, 3, 29, 3, 30))  # after the jump from 02:00 to 03:00
    mention(acme, paris(2026, 3, 29, 23, 59), sentiment="")  # no sentiment: total only
    mention(acme, paris(2026, 3, 31, 12, 0), sentiment="positive")
    filters = stats.filters_from({"from": "2026-03-28", "to": "2026-03-31"}, acme)
    rows = stats.volume(acme, filters, "day")
    assert [r["start"] for r in rows] == [
        paris(2026, 3, 28),
        paris(2026, 3, 29),
        paris(2026, 3, 30),
        paris(2026, 3, 31),
    ]
    assert [r["start"].utcoffset() for r in rows] == [
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(hours=2),
        timedelta(hours=2),
    ]
    assert [(r["total"], r["negative"], r["neutral"], r["positive"]) for r in rows] == [
        (1, 0, 0, 1),
        (4, 2, 1, 0),
        (0, 0, 0, 0),  # a gap is a zero, not a missing day
        (1, 0, 0, 1),
    ]
    # Same-zone subtraction is wall-clock time in Python: compare the instants.
    assert rows[2]["start"].astimezone(UTC) - rows[1]["start"].astimezone(UTC) == timedelta(
        hours=23
    )


def test_hour_buckets_skip_the_missing_hour_and_fill_gaps(acme: Workspace) -> None:
    mention(acme, paris(2026, 3, 29, 1, 10))
    mention(acme, paris(2026, 3, 29, 1, 50))
    mention(acme, paris(2026, 3, 29, 3, 5), sentiment="negative")
    filters = stats.filters_from({"from": "2026-03-29", "to": "2026-03-29"}, acme)
    rows = stats.volume(acme, filters, "hour")
    assert len(rows) == 23
    by_hour = {r["start"].hour: r["total"] for r in rows}
    assert 2 not in by_hour  # 02:00 never happened that night
    assert by_hour[1] == 2 and by_hour[3] == 1 and by_hour[0] == 0
    assert sum(r["negative"] for r in rows) == 1


def test_hour_buckets_keep_the_repeated_hour_of_a_25_hour_day_apart(acme: Workspace) -> None:
    # 2026-10-25: 02:00-03:00 happens twice in Paris (CEST, then CET).
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    mention(acme, first)
    mention(acme, second)
    mention(acme, second + timedelta(minutes=1))
    filters = stats.filters_from({"from": "2026-10-25", "to": "2026-10-25"}, acme)
    rows = stats.volume(acme, filters, "hour")
    assert len(rows) == 25
    twos = [r for r in rows if r["start"].hour == 2]
    assert [r["total"] for r in twos] == [1, 2]
    day = stats.volume(acme, filters, "day")
    assert [r["total"] for r in day] == [3]


def test_week_buckets_start_on_monday_and_open_ranges_use_the_data(acme: Workspace) -> None:
    mention(acme, paris(2026, 3, 25, 12))  # a Wednesday
    mention(acme, paris(2026, 3, 29, 22))  # the Sunday of the same week
    mention(acme, paris(2026, 4, 14, 9))  # two weeks later
    rows = stats.volume(acme, Filters(), "week")
    assert [(r["start"], r["total"]) for r in rows] == [
        (paris(2026, 3, 23), 2),
        (paris(2026, 3, 30), 0),
        (paris(2026, 4, 6), 0),
        (paris(2026, 4, 13), 1),
    ]
    assert stats.volume(acme, Filters(text="nothing like this"), "day") == []
    with pytest.raises(ValueError):
        stats.volume(acme, Filters(), "month")


def test_filters_select_by_query_group_sentiment_and_hide_reposts(
    acme: Workspace, globex: Workspace
) -> None:
    brand = QueryGroup.objects.create(workspace=acme, name="Us", kind=GroupKind.BRAND)
    q1 = Query.objects.create(workspace=acme, name="acme", text="acme", group=brand)
    q2 = Query.objects.create(workspace=acme, name="late", text="late")
    at = paris(2026, 5, 4, 10)
    a = mention(acme, at, "acme is late", sentiment="negative")
    b = mention(acme, at - timedelta(hours=1), "acme rocks", sentiment="positive")
    c = mention(acme, at - timedelta(hours=2), "acme is late", duplicate_of=a)
    mention(globex, at, "acme elsewhere")
    for m in (a, b, c):
        match(q1, m)
    match(q2, a)
    match(q2, c)

    def ids(filters: Filters) -> list[int]:
        return list(stats.mentions(acme, filters).values_list("pk", flat=True))

    assert ids(Filters()) == [a.pk, b.pk, c.pk]  # newest first, this workspace only
    assert ids(Filters(query_ids=[q2.pk])) == [a.pk, c.pk]
    assert ids(Filters(query_ids=[q1.pk, q2.pk])) == [a.pk, b.pk, c.pk]  # once each
    assert ids(Filters(group_id=brand.pk)) == [a.pk, b.pk, c.pk]
    assert ids(Filters(sentiment="negative")) == [a.pk]
    assert ids(Filters(include_duplicates=False)) == [a.pk, b.pk]
    assert ids(Filters(text="ROCKS")) == [b.pk]
    assert ids(Filters(start=at - timedelta(minutes=90), end=at)) == [b.pk]
    totals = stats.sentiment_totals(acme, Filters())
    assert totals == {"negative": 1, "neutral": 1, "positive": 1, "total": 3}


def test_share_of_voice_counts_distinct_mentions_per_group(acme: Workspace) -> None:
    us = QueryGroup.objects.create(workspace=acme, name="Us", kind=GroupKind.BRAND)
    them = QueryGroup.objects.create(workspace=acme, name="Them", kind=GroupKind.COMPETITOR)
    QueryGroup.objects.create(workspace=acme, name="Quiet", kind=GroupKind.OTHER)
    q1 = Query.objects.create(workspace=acme, name="acme", text="acme", group=us)
    q2 = Query.objects.create(workspace=acme, name="#acme", text="#acme", group=us)
    q3 = Query.objects.create(workspace=acme, name="globex", text="globex", group=them)
    at = paris(2026, 5, 4, 10)
    for i in range(3):
        m = mention(acme, at - timedelta(minutes=i), "#acme")
        match(q1, m)
        match(q2, m)  # matched twice in the group: counted once
    match(q3, mention(acme, at, "globex"))
    rows = stats.share_of_voice(acme, Filters())
    assert [(r["name"], r["kind"], r["mentions"]) for r in rows] == [
        ("Us", "brand", 3),
        ("Them", "competitor", 1),
        ("Quiet", "other", 0),
    ]
    assert [r["share"] for r in rows] == [0.75, 0.25, 0.0]
    assert sum(r["share"] for r in rows) == pytest.approx(1)
    # The group filter does not narrow it: it compares the groups.
    assert stats.share_of_voice(acme, Filters(group_id=them.pk))[0]["mentions"] == 3
    none = stats.share_of_voice(acme, Filters(text="nobody says this"))
    assert [r["share"] for r in none] == [0.0, 0.0, 0.0]


def test_top_authors_by_reach_then_mentions(acme: Workspace) -> None:
    at = paris(2026, 5, 4, 10)
    mention(acme, at, author_handle="@small", author_reach=10)
    mention(acme, at, author_handle="@big", author_name="Big", author_reach=5000)
    mention(acme, at, author_handle="@chatty", author_reach=10)
    mention(acme, at, author_handle="@chatty", author_reach=10)
    mention(acme, at, author_handle="@unknown")  # reach not known: last
    mention(acme, at, author_handle="")  # no author: left out
    rows = stats.top_authors(acme, Filters())
    assert [(r["handle"], r["reach"], r["mentions"]) for r in rows] == [
        ("@big", 5000, 1),
        ("@chatty", 10, 2),
        ("@small", 10, 1),
        ("@unknown", None, 1),
    ]
    assert rows[0]["name"] == "Big" and rows[0]["network"] == "bluesky"
    assert len(stats.top_authors(acme, Filters(), limit=2)) == 2
    assert [r["handle"] for r in stats.top_authors(acme, Filters(author="@chatty"))] == ["@chatty"]


def test_top_terms_hashtags_and_languages(acme: Workspace) -> None:
    at = paris(2026, 5, 4, 10)
    mention(acme, at, "The delivery was late, late, LATE! #Acme #fail", language="en")
    mention(acme, at, "Livraison en retard, délivrance lente #acme", language="fr")
    mention(acme, at, "Late again and the 2026 price is high", language="en")
    terms = {r["term"]: r["count"] for r in stats.top_terms(acme, Filters())}
    assert terms["late"] == 2  # mentions holding it, not occurrences
    assert terms["delivrance"] == 1  # folded
    assert "the" not in terms and "2026" not in terms and "en" not in terms
    tags = stats.top_hashtags(acme, Filters())
    assert tags[0] == {"term": "#acme", "count": 2}
    assert {"term": "#fail", "count": 1} in tags
    assert len(stats.top_terms(acme, Filters(), limit=3)) == 3
    assert stats.languages(acme, Filters()) == [
        {"language": "en", "mentions": 2},
        {"language": "fr", "mentions": 1},
    ]


def test_filters_from_a_query_string_ignores_what_makes_no_sense(acme: Workspace) -> None:
    good = stats.filters_from(
        QueryDict(
            "query=3&query=1&query=3&group=2&sentiment=negative&lang=FR&network=bluesky"
            "&from=2026-03-29&to=2026-03-29&q=late&dups=0&author=@big"
        ),
        acme,
    )
    assert good == Filters(
        query_ids=[1, 3],
        group_id=2,
        sentiment="negative",
        language="fr",
        network="bluesky",
        start=paris(2026, 3, 29),
        end=paris(2026, 3, 30),
        text="late",
        include_duplicates=False,
        author="@big",
    )
    assert good.end is not None and good.start is not None
    assert good.end.astimezone(UTC) - good.start.astimezone(UTC) == timedelta(hours=23)
    bad = stats.filters_from(
        QueryDict(
            "query=x&query=-4&query=99999999999999999999999&group=none&sentiment=angry"
            "&lang=<script>&network=a b&from=2026-02-30&to=yesterday&dups=maybe"
        ),
        acme,
    )
    assert bad == Filters()
    assert stats.filters_from({}, acme) == Filters()
    # Date-times (the drill-down from an hourly chart): naive ones are local, "to" excluded.
    hour = stats.filters_from({"from": "2026-03-29T03:00", "to": "2026-03-29T04:00:00+02:00"}, acme)
    assert hour.start == paris(2026, 3, 29, 3) and hour.end == paris(2026, 3, 29, 4)
