"""The figures of a period, for a workspace, a channel or a campaign: every page, export and
API answer about metrics reads them here, so the same period gives the same totals
everywhere (tests/measure/test_reports.py checks the overview, channel, campaign and CSV
views agree).

What a period's post figures mean: the posts published in the period (in the workspace's
time zone), each counted as of its latest reading before the period ended. A post published
on the 30th and read on the 2nd counts in its month with what it had by the end of the
month: a report run again later gives the same answer.

Followers: each channel's latest reading before the period's start (or, for a channel first
read during the period, its first reading) against its latest reading before the end.

Counts a network did not give stay unknown: SUM over no known value is NULL in SQL, which
is formulas.total's rule too.

How, at a year of a big team's posts (bench/measure_bench.py): each post's latest reading is
copied to LatestCounts as readings are written (hubbub.measure.latest), so a period's posts
last read before its end — all of them, for a period ending today — are summed from that
table in one grouped query, by channel and local day, which gives the totals, the channel
table and the daily series at once (summary); only the posts read again since the end of a
past period have their reading looked up among all their readings.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import NotSupportedError, connections
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from hubbub.measure import formulas
from hubbub.measure.models import POST_COUNTS, ChannelSnapshot, LatestCounts, PostSnapshot
from hubbub.measure.periods import Period
from hubbub.networks.models import Channel
from hubbub.publishing.models import Delivery, DeliveryStatus


@dataclass(frozen=True)
class Scope:
    """What a report is about: a workspace, or one of its channels or campaigns."""

    workspace_id: int
    channel_id: int | None = None
    campaign_id: int | None = None


@dataclass
class Totals:
    posts: int = 0  # published in the period
    measured: int = 0  # of those, with at least one reading
    counts: dict[str, int | None] = field(default_factory=dict)
    followers_start: int | None = None
    followers_end: int | None = None

    @property
    def figures(self) -> dict[str, Any]:
        """Every figure of formulas.FORMULAS that a period has (cost per result: campaigns)."""
        found: dict[str, Any] = dict(formulas.derived(self.counts))
        found["follower_growth"] = formulas.follower_growth(
            self.followers_start, self.followers_end
        )
        found["follower_growth_rate"] = formulas.follower_growth_rate(
            self.followers_start, self.followers_end
        )
        return found


def deliveries(scope: Scope, period: Period) -> QuerySet[Delivery]:
    """The posts published in `period` within `scope`."""
    found = Delivery.objects.filter(
        workspace_id=scope.workspace_id,
        status=DeliveryStatus.PUBLISHED,
        published_at__gte=period.start,
        published_at__lt=period.end,
    )
    if scope.channel_id is not None:
        found = found.filter(channel_id=scope.channel_id)
    if scope.campaign_id is not None:
        found = found.filter(post__campaign_id=scope.campaign_id)
    return found


JULIAN_1970_MS = 210866760000000  # 1970-01-01 00:00 UTC as SQLite's Julian milliseconds
ORDINAL_1970 = date(1970, 1, 1).toordinal()


class _LocalClock(Func, ABC):
    """An instant of the period in its time zone, as integer arithmetic on the time since
    1970 moved by the UTC offset of its stretch of the period (offsets(): one stretch a
    change of clocks, worked out beforehand). TruncDate and AT TIME ZONE, a row each of a
    big team's year, cost the database several times more (SQLite calls a Python function
    a row for TruncDate)."""

    output_field = IntegerField()

    def __init__(self, expression: str, period: Period) -> None:
        super().__init__(F(expression))
        self.period = period

    @abstractmethod
    def of_local(self, local: str, hour: int) -> str:
        """The SQL of what is wanted from `local`, the local time since 1970 in units of
        which `hour` make an hour (LocalDay: the day; LocalSlot: weekday and hour)."""

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        raise NotSupportedError(f"{type(self).__name__} is for SQLite and PostgreSQL")

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # SQLite's own milliseconds of the instant, the ones its date() and strftime() read.
        sql, params = compiler.compile(self.source_expressions[0])
        shift, values = _offset_sql(sql, params, self.period, connection, 1000)
        local = (
            f"(CAST(round(julianday({sql}) * 86400000.0) AS INTEGER) - {JULIAN_1970_MS:d}"
            f" + {shift})"
        )
        return self.of_local(local, 3600000), [*params, *values]

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        shift, values = _offset_sql(sql, params, self.period, connection, 1)
        local = f"(floor(EXTRACT(EPOCH FROM {sql}))::bigint + {shift})"
        return self.of_local(local, 3600), [*params, *values]


class LocalDay(_LocalClock):
    """An instant's date in the period's time zone, for instants of the period, as days
    since 1970 (day_of() makes it a date)."""

    def of_local(self, local: str, hour: int) -> str:
        return f"({local} / {24 * hour:d})"


def day_of(days: int) -> date:
    return date.fromordinal(ORDINAL_1970 + days)


class LocalSlot(_LocalClock):
    """An instant's weekday (Monday 0) times 24 plus its hour, in the period's time zone, for
    instants of the period: best time to post's slot."""

    def of_local(self, local: str, hour: int) -> str:
        # The local hours since 1970, plus 72 (1970-01-01 was a Thursday), modulo a week.
        return f"(({local} / {hour:d} + 72) %% 168)"


def _offset_sql(
    sql: str, params: list[Any], period: Period, connection: Any, scale: int
) -> tuple[str, list[Any]]:
    """The UTC offset of the instant `sql` of the period, in seconds times `scale`: a CASE
    over the period's stretches (offsets()) when the clocks change in it."""
    stretches = offsets(period)
    last = f"{stretches[-1][1] * scale:d}"
    if len(stretches) == 1:
        return last, []
    parts, values = ["CASE"], []
    for until, seconds in stretches[:-1]:
        parts.append(f"WHEN {sql} < %s THEN {seconds * scale:d}")
        values += [*params, connection.ops.adapt_datetimefield_value(until)]
    return " ".join([*parts, f"ELSE {last} END"]), values


@functools.lru_cache(maxsize=64)
def offsets(period: Period) -> list[tuple[datetime, int]]:
    """The period's stretches of one UTC offset: (until, offset in seconds), the last one's
    `until` being the period's end. Clocks change on a whole minute, at most once a day:
    each day is checked, and within a day that has a change, its hour, then its minute."""
    zone = period.zone

    def offset(at: datetime) -> int:
        found = at.astimezone(zone).utcoffset()
        return int(found.total_seconds()) if found is not None else 0

    at, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    current = offset(at)
    found: list[tuple[datetime, int]] = []
    while at < end:
        step = min(at + timedelta(days=1), end)
        if offset(step) != current:
            for size in (timedelta(hours=1), timedelta(minutes=1)):
                while offset(at + size) == current:
                    at += size
            step = at + timedelta(minutes=1)
            found.append((step, current))
            current = offset(step)
        at = step
    found.append((end, current))
    return found


def copies(scope: Scope, period: Period, since: bool = True) -> QuerySet[LatestCounts]:
    """The period's posts whose latest reading came before the period's end (the usual
    case: every post of a period ending now): that reading, copied to LatestCounts
    (hubbub.measure.latest), is the one they count with, read from that table alone.
    `since`: whether some post has been read since the end (_read_since); when none has,
    the time of the reading is not asked about (SQLite would then look every row up
    through its index instead of reading the table)."""
    found = LatestCounts.objects.filter(
        workspace_id=scope.workspace_id,
        published_at__gte=period.start,
        published_at__lt=period.end,
    )
    if since:
        found = found.filter(taken_at__lt=period.end)
    if scope.channel_id is not None:
        found = found.filter(channel_id=scope.channel_id)
    if scope.campaign_id is not None:
        found = found.filter(delivery__post__campaign_id=scope.campaign_id)
    return found


def _read_since(scope: Scope, period: Period) -> bool:
    """Whether any post of the scope has been read again since the period's end (a past
    period, counted "as of" its end): only then are readings looked up post by post."""
    found = LatestCounts.objects.filter(workspace_id=scope.workspace_id, taken_at__gte=period.end)
    if scope.channel_id is not None:
        found = found.filter(channel_id=scope.channel_id)
    return found.exists()


def latest(scope: Scope, period: Period) -> QuerySet[PostSnapshot]:
    """The latest reading before the period's end of the period's posts read again since
    then, looked up among their readings (the other posts count with their copy)."""
    newest = (
        PostSnapshot.objects.filter(delivery=OuterRef("pk"), taken_at__lt=period.end)
        .order_by("-taken_at", "-pk")
        .values("pk")[:1]
    )
    chosen = (
        deliveries(scope, period)
        .filter(latest_counts__taken_at__gte=period.end)
        .annotate(snapshot=Subquery(newest))
        .values("snapshot")
    )
    return PostSnapshot.objects.filter(pk__in=chosen)


def _looked_up(scope: Scope, period: Period, since: bool) -> QuerySet[PostSnapshot] | None:
    return latest(scope, period) if since else None


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in POST_COUNTS}


def plain_rows(query: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """A query's rows straight from the cursor: numbers need none of Django's converters,
    which cost a big team's grouped rows a tenth of a second."""
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _known_sum(values: Iterable[Any]) -> int | None:
    """Known counts added up; unknown (None) when none is known. int(): PostgreSQL's SUM of
    integers is a numeric, a Decimal from the cursor."""
    known = [value for value in values if value is not None]
    return int(sum(known)) if known else None


# A row of the grid read: (channel, local day as days since 1970, measured, engagements,
# *POST_COUNTS), the posts of one channel and day that have a reading.
MEASURED = 2


def _grid(scope: Scope, period: Period) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The period's posts by channel and local day — (channel, day, posts) — and their
    counts as of its end (see above): what totals, by_channel and daily add up (two or
    three grouped queries, not a row a post)."""
    # Grouped by day first: by channel first, SQLite reads the rows in the order of the
    # channel index, one look-up each, instead of reading the table through.
    published = plain_rows(
        deliveries(scope, period)
        .order_by()
        .annotate(day=LocalDay("published_at", period), on=F("channel_id"))
        .values("day", "on")
        .annotate(n=Count("pk"))
        .values_list("on", "day", "n")
    )
    if not published:  # no post: nothing read either (a period before the first post)
        return [], []
    since = _read_since(scope, period)
    summed = {"measured": Count("pk"), "engaged": Sum(_engagements_or_none()), **_sums()}
    columns = ("on", "day", "measured", "engaged", *POST_COUNTS)
    read = plain_rows(
        copies(scope, period, since)
        .order_by()
        .annotate(day=LocalDay("published_at", period), on=F("channel_id"))
        .values("day", "on")
        .annotate(**summed)
        .values_list(*columns)
    )
    looked_up = _looked_up(scope, period, since)
    if looked_up is not None:
        read += plain_rows(
            looked_up.order_by()
            .annotate(day=LocalDay("delivery__published_at", period), on=F("channel_id"))
            .values("day", "on")
            .annotate(**summed)
            .values_list(*columns)
        )
    return published, read


def _total(posts: int, rows: list[tuple[Any, ...]]) -> Totals:
    """Totals of posts and of read rows (the grid's, from MEASURED on) added up."""
    columns = list(zip(*rows, strict=True))[MEASURED:] if rows else []
    sums = [_known_sum(column) for column in columns] or [None] * (2 + len(POST_COUNTS))
    return Totals(
        posts=posts,
        measured=sums[0] or 0,
        counts=dict(zip(POST_COUNTS, sums[2:], strict=True)),
    )


@dataclass
class Summary:
    """What the overview shows of a period, from one pass: totals, by channel, by day."""

    totals: Totals
    by_channel: dict[int, Totals]
    daily: list[tuple[date, int, int | None]]


def summary(scope: Scope, period: Period) -> Summary:
    """totals, by_channel and daily at once (each of them is this)."""
    published, read = _grid(scope, period)
    counted_followers = followers_by_channel(scope, period) if scope.campaign_id is None else {}
    posts_by_channel: dict[int, int] = defaultdict(int)
    posts_by_day: dict[int, int] = defaultdict(int)
    for channel_id, day, n in published:
        posts_by_channel[channel_id] += n
        posts_by_day[day] += n
    read_by_channel: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    engaged_by_day: dict[int, list[Any]] = defaultdict(list)
    for row in read:
        read_by_channel[row[0]].append(row)
        engaged_by_day[row[1]].append(row[MEASURED + 1])
    per_channel = {}
    # A copy whose post is not counted cannot happen but by hand: its channel still shows.
    for channel_id in posts_by_channel.keys() | read_by_channel.keys():
        one = per_channel[channel_id] = _total(
            posts_by_channel.get(channel_id, 0), read_by_channel.get(channel_id, [])
        )
        one.followers_start, one.followers_end = counted_followers.get(channel_id, (None, None))
    result = _total(sum(posts_by_channel.values()), read)
    if scope.campaign_id is None:
        result.followers_start, result.followers_end = _followers_sum(counted_followers)
    by_day = []
    first = (period.first - day_of(0)).days
    for offset, day in enumerate(period.dates()):
        number = first + offset
        by_day.append(
            (day, posts_by_day.get(number, 0), _known_sum(engaged_by_day.get(number, ())))
        )
    return Summary(result, per_channel, by_day)


def totals(scope: Scope, period: Period) -> Totals:
    return summary(scope, period).totals


def by_channel(scope: Scope, period: Period) -> dict[int, Totals]:
    """The same totals, one per channel (the rows of the overview's channel table)."""
    return summary(scope, period).by_channel


def _reading(
    scope: Scope, before: datetime, after: datetime | None = None, *, first: bool = False
) -> Any:
    """Per channel (OuterRef), the followers of its last reading before `before` (the first
    from `after` on when `first`), found through the (channel, taken_at) index."""
    found = ChannelSnapshot.objects.filter(
        workspace_id=scope.workspace_id,
        channel=OuterRef("pk"),
        taken_at__lt=before,
        followers__isnull=False,
    )
    if after is not None:
        found = found.filter(taken_at__gte=after)
    order = ("taken_at", "pk") if first else ("-taken_at", "-pk")
    return Subquery(found.order_by(*order).values("followers")[:1])


def followers_by_channel(scope: Scope, period: Period) -> dict[int, tuple[int, int]]:
    """Each channel's followers at the period's start and end (channels that have both):
    three readings a channel, not all of them."""
    channels = Channel.objects.filter(workspace_id=scope.workspace_id)
    if scope.channel_id is not None:
        channels = channels.filter(pk=scope.channel_id)
    rows = channels.annotate(
        start=_reading(scope, period.start),
        first_in=_reading(scope, period.end, period.start, first=True),
        end=_reading(scope, period.end),
    ).values_list("pk", "start", "first_in", "end")
    found: dict[int, tuple[int, int]] = {}
    for channel_id, start, first_in, end in rows:
        begin = start if start is not None else first_in
        if begin is not None and end is not None:
            found[channel_id] = (begin, end)
    return found


def followers(scope: Scope, period: Period) -> tuple[int | None, int | None]:
    """Followers at the period's start and end, over the scope's channels that have both."""
    return _followers_sum(followers_by_channel(scope, period))


def _followers_sum(found: dict[int, tuple[int, int]]) -> tuple[int | None, int | None]:
    if not found:
        return None, None
    return sum(a for a, _b in found.values()), sum(b for _a, b in found.values())


def _engagements_expression(prefix: str = "") -> Any:
    total: Any = Value(0)
    for name in formulas.ENGAGEMENT_COUNTS:
        total = total + Coalesce(F(prefix + name), Value(0))
    return total


def _engagements_or_none(prefix: str = "") -> Any:
    """formulas.engagements in SQL: unknown when none of the counts is known."""
    none_known = Q(**{f"{prefix}{name}__isnull": True for name in formulas.ENGAGEMENT_COUNTS})
    return Case(When(none_known, then=Value(None)), default=_engagements_expression(prefix))


@dataclass(frozen=True)
class PostRow:
    delivery_id: int
    channel_id: int
    published_at: datetime
    url: str
    text: str
    counts: dict[str, int | None]

    @property
    def figures(self) -> dict[str, Any]:
        return formulas.derived(self.counts)


ORDERS = ("-engagements", "engagements")


def posts(
    scope: Scope, period: Period, *, order: str = "-engagements", limit: int | None = None
) -> list[PostRow]:
    """The period's posts with their counts as of the period's end, best first by default
    ("engagements" for the least engaging first)."""
    if order not in ORDERS:
        raise ValueError(f"posts are ordered by {' or '.join(ORDERS)}, not {order}")
    found: list[tuple[int, PostRow]] = []
    since = _read_since(scope, period)
    copied: Any = (
        copies(scope, period, since)
        .select_related("delivery__variant")
        .order_by(order, "published_at")
    )
    walked = _walk(scope, period, order, limit, since) if limit is not None else None
    if walked is not None:
        chosen = {copy.pk: copy for copy in copied.filter(pk__in=walked)}
        picked: Any = [chosen[pk] for pk in walked]
    else:
        picked = copied[:limit] if limit is not None else copied
    for copy in picked:
        found.append((copy.engagements, _row(copy.delivery, copy.published_at, copy)))
    looked_up = _looked_up(scope, period, since)
    if looked_up is not None:
        more: Any = (
            looked_up.annotate(engagements=_engagements_expression())
            .select_related("delivery__variant")
            .order_by(order, "delivery__published_at")
        )
        for snapshot in more[:limit] if limit is not None else more:
            delivery = snapshot.delivery
            at = delivery.published_at or snapshot.taken_at
            found.append((snapshot.engagements, _row(delivery, at, snapshot)))
        # Both parts come in order: merged, the same order as one query would give.
        sign = -1 if order.startswith("-") else 1
        found.sort(key=lambda item: (sign * item[0], item[1].published_at))
        if limit is not None:
            found = found[:limit]
    return [row for _engagements, row in found]


WALK = 2000  # copies read through the engagements index before sorting the period's instead


def _walk(scope: Scope, period: Period, order: str, limit: int, since: bool) -> list[int] | None:
    """The ids of the period's `limit` best (or weakest) copies, read in the order of the
    (workspace, engagements) index and kept when in the period: for a long period the
    first few rows are, where sorting the period's posts takes a second on SQLite (asked
    with the period, SQLite goes through the rows of the period instead of the index).
    None when WALK rows are not enough (a short period or a small channel): the query sorts."""
    if scope.campaign_id is not None:
        return None
    walk = LatestCounts.objects.filter(workspace_id=scope.workspace_id)
    if scope.channel_id is not None:
        walk = walk.filter(channel_id=scope.channel_id)
    rows = list(
        walk.order_by(order, "published_at").values_list("pk", "published_at", "taken_at")[:WALK]
    )
    kept = [
        pk
        for pk, published_at, taken_at in rows
        if period.start <= published_at < period.end and (not since or taken_at < period.end)
    ][:limit]
    return kept if len(kept) == limit or len(rows) < WALK else None


def _row(delivery: Delivery, published_at: datetime, counts: Any) -> PostRow:
    parts = delivery.variant.parts if delivery.variant_id else []
    return PostRow(
        delivery_id=delivery.pk,
        channel_id=delivery.channel_id,
        published_at=published_at,
        url=delivery.published_url,
        text=str(parts[0]) if parts else "",
        counts={name: getattr(counts, name) for name in POST_COUNTS},
    )


def daily(scope: Scope, period: Period) -> list[tuple[date, int, int | None]]:
    """Per local day of the period: posts published, and their engagements as of the end
    (None: no post that day had a count)."""
    return summary(scope, period).daily


def change(now: Any, before: Any) -> float | None:
    """now against before, in percent; None without both or from nothing."""
    if now is None or before is None or not before:
        return None
    return float((now - before) / abs(before) * 100)
