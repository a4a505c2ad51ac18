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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

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
from django.db.models.functions import Coalesce, TruncDate

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


class LocalDate(TruncDate):
    """An instant's date in the period's time zone, for instants of the period.

    TruncDate with the zone, except on SQLite, where TruncDate calls a Python function a
    row (seconds for a year of a big team's posts): there the zone's offsets over the period
    are worked out beforehand and the date is SQLite's own date() of the instant moved by
    the offset of its stretch of the period (one stretch a change of clocks)."""

    def __init__(self, expression: str, period: Period) -> None:
        super().__init__(expression, tzinfo=period.zone)
        self.period = period

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.lhs)
        stretches = offsets(self.period)
        if len(stretches) == 1:  # no change of clocks in the period
            return f"date({sql}, %s)", [*params, f"{stretches[0][1]:+d} seconds"]
        parts, values = ["CASE"], []
        for until, seconds in stretches[:-1]:
            parts.append(f"WHEN {sql} < %s THEN date({sql}, %s)")
            adapted = connection.ops.adapt_datetimefield_value(until)
            values += [*params, adapted, *params, f"{seconds:+d} seconds"]
        parts.append(f"ELSE date({sql}, %s) END")
        values += [*params, f"{stretches[-1][1]:+d} seconds"]
        return " ".join(parts), values


JULIAN_1970_MS = 210866760000000  # 1970-01-01 00:00 UTC as SQLite's Julian milliseconds


class LocalSlot(Func):
    """An instant's weekday (Monday 0) times 24 plus its hour, in the period's time zone, for
    instants of the period (on SQLite, LocalDate's way): best time to post's slot, worked
    out by the database instead of a datetime made a post in Python."""

    output_field = IntegerField()

    def __init__(self, expression: str, period: Period) -> None:
        super().__init__(F(expression))
        self.period = period

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # Hours since 1970 on the local clock, from SQLite's own milliseconds of the instant
        # (what strftime reads too), plus 72 (1970-01-01 was a Thursday), modulo a week:
        # integer arithmetic on one julianday() a row, where two strftime() cost twice that.
        sql, params = compiler.compile(self.source_expressions[0])
        stretches = offsets(self.period)
        shift, values = ["CASE"], []
        for until, seconds in stretches[:-1]:
            shift.append(f"WHEN {sql} < %s THEN {seconds * 1000:d}")
            values += [*params, connection.ops.adapt_datetimefield_value(until)]
        shift.append(f"ELSE {stretches[-1][1] * 1000:d} END")
        local = (
            f"(CAST(round(julianday({sql}) * 86400000.0) AS INTEGER) - {JULIAN_1970_MS:d}"
            f" + {' '.join(shift)})"
        )
        return f"(({local} / 3600000 + 72) %% 168)", [*params, *values]

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        zone = getattr(self.period.zone, "key", None) or str(self.period.zone)
        local = f"({sql} AT TIME ZONE %s)"
        return (
            f"((EXTRACT(ISODOW FROM {local}) - 1) * 24 + EXTRACT(HOUR FROM {local}))::integer",
            [*params, zone, *params, zone],
        )


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


# A cell of the grid: [posts, measured, engagements, *POST_COUNTS], for one channel's posts
# of one local day (a list: 18,000 of them for a year of 50 channels, added up in Python).
Cell = list[Any]
POSTS, MEASURED, ENGAGED, COUNTS = 0, 1, 2, 3


def _new_cell() -> Cell:
    return [0, 0, None, *([None] * len(POST_COUNTS))]


def _add_into(cell: Cell, values: Iterable[Any], first: int) -> None:
    """Known counts added up; unknown (None) only while none is known."""
    for index, value in enumerate(values, first):
        if value is not None:
            known = cell[index]
            cell[index] = value if known is None else known + value


def _grid(scope: Scope, period: Period) -> dict[tuple[int, date], Cell]:
    """The period's posts and their counts as of its end by channel and local day: what
    totals, by_channel and daily add up (two or three grouped queries, not a row a post)."""
    cells: dict[tuple[int, date], Cell] = {}
    # Grouped by day first: by channel first, SQLite reads the rows in the order of the
    # channel index, one look-up each, instead of reading the table through.
    published: Any = (
        deliveries(scope, period)
        .order_by()
        .annotate(day=LocalDate("published_at", period), on=F("channel_id"))
        .values("day", "on")
        .annotate(n=Count("pk"))
        .values_list("on", "day", "n")
    )
    for channel_id, day, n in published:
        cell = cells[channel_id, day] = _new_cell()
        cell[POSTS] = n
    if not cells:  # no post: nothing read either (a period before the first post)
        return {}
    since = _read_since(scope, period)
    summed = {"measured": Count("pk"), "engaged": Sum(_engagements_or_none()), **_sums()}
    columns = ("on", "day", "measured", "engaged", *POST_COUNTS)
    parts: list[Any] = [
        copies(scope, period, since)
        .order_by()
        .annotate(day=LocalDate("published_at", period), on=F("channel_id"))
        .values("day", "on")
        .annotate(**summed)
        .values_list(*columns)
    ]
    looked_up = _looked_up(scope, period, since)
    if looked_up is not None:
        parts.append(
            looked_up.order_by()
            .annotate(day=LocalDate("delivery__published_at", period), on=F("channel_id"))
            .values("day", "on")
            .annotate(**summed)
            .values_list(*columns)
        )
    for part in parts:
        for channel_id, day, *values in part:
            # setdefault: a copy whose post is not counted cannot happen but by hand
            _add_into(cells.setdefault((channel_id, day), _new_cell()), values, MEASURED)
    return cells


def _total(cell: Cell) -> Totals:
    return Totals(
        posts=cell[POSTS],
        measured=cell[MEASURED],
        counts=dict(zip(POST_COUNTS, cell[COUNTS:], strict=True)),
    )


@dataclass
class Summary:
    """What the overview shows of a period, from one pass: totals, by channel, by day."""

    totals: Totals
    by_channel: dict[int, Totals]
    daily: list[tuple[date, int, int | None]]


def summary(scope: Scope, period: Period) -> Summary:
    """totals, by_channel and daily at once (each of them is this)."""
    cells = _grid(scope, period)
    counted_followers = followers_by_channel(scope, period) if scope.campaign_id is None else {}
    everything = _new_cell()
    channels: dict[int, Cell] = {}
    days: dict[date, Cell] = {}
    for (channel_id, day), cell in cells.items():
        for found in (
            everything,
            channels.setdefault(channel_id, _new_cell()),
            days.setdefault(day, _new_cell()),
        ):
            found[POSTS] += cell[POSTS]
            _add_into(found, cell[MEASURED:], MEASURED)
    result = _total(everything)
    if scope.campaign_id is None:
        result.followers_start, result.followers_end = _followers_sum(counted_followers)
    per_channel = {}
    for channel_id, cell in channels.items():
        one = per_channel[channel_id] = _total(cell)
        one.followers_start, one.followers_end = counted_followers.get(channel_id, (None, None))
    by_day = []
    for day in period.dates():
        cell = days.get(day) or _new_cell()
        by_day.append((day, cell[POSTS], cell[ENGAGED]))
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
