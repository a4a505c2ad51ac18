"""Best time to post, from the workspace's own history, and how far to trust it.

1. Each post older than a week gets a **score**: its engagements a week after it went out
   (its latest reading by then), divided by the median of its channel's posts over the
   window, so that a big channel does not decide every slot. 1.0 is a usual post.
2. The **heatmap**: the mean score by weekday and hour, in the workspace's time zone.
3. The **recommendation**: the TOP slots by mean score, each mean pulled towards 1.0 as if
   PRIOR usual posts had gone out there too (a slot with one lucky post does not win), among
   slots with at least MIN_POSTS posts.
4. The **backtest**: for each of the last HELD_OUT weeks, the recommendation is made again
   from the weeks before it only, and that week's posts are scored: the lift is the mean
   score of the posts that went out in a recommended slot over the mean of all that week's
   posts. Its uncertainty is a 90 % interval from a bootstrap over those posts (seeded, so
   the page says the same thing twice); above BOOTSTRAP_UP_TO posts, from the normal
   approximation the bootstrap tends to (the delta method), which costs one pass, not a
   thousand. An interval that includes 1.0 means the history does
   not yet show the slots to be better than any other.

best_time() has the database add the window's posts up by slot and by week of the backtest
(the held-out weeks and the weeks before them): a big team's six months are 100,000s of
posts, a few thousand sums. The scores are divided by their channel's median after the
adding up, which is the same as before it. The posts of the held-out weeks are read one by
one only for the bootstrap, when there are few.

Why not a model: a few hundred posts a year per workspace is little data; a mean per slot
with shrinkage is what the data supports, and people can check it against the heatmap.
"""

from __future__ import annotations

import bisect
import math
import random
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    FloatField,
    Func,
    IntegerField,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast

from hubbub.measure.latest import SETTLED_DAYS
from hubbub.measure.models import LatestCounts
from hubbub.measure.periods import Period
from hubbub.measure.reports import LocalSlot, plain_rows

WINDOW = timedelta(weeks=26)
# A post's engagements are compared a week after it went out (the reading then is copied
# by hubbub.measure.latest as readings are written).
SETTLED = timedelta(days=SETTLED_DAYS)
TOP = 3
PRIOR = 3.0
MIN_POSTS = 2
HELD_OUT = 4  # weeks
MIN_HISTORY = 30  # posts with a score before anything is recommended
BOOTSTRAP = 1000
# Above this many held-out posts (a big team's four weeks) the bootstrap would take seconds
# (BOOTSTRAP resamples of every post): the normal approximation it tends to is used instead.
BOOTSTRAP_UP_TO = 2000
Z90 = 1.6449  # the normal distribution's 95th percentile: a two-sided 90 % interval
SEED = 20261122

Slot = tuple[int, int]  # (weekday 0 = Monday, hour)
SLOTS: list[Slot] = [(day, hour) for day in range(7) for hour in range(24)]


class Scored(NamedTuple):  # a tuple: a big team scores 100,000s of posts a page
    at: float  # published, in seconds since 1970 (UTC)
    slot: Slot
    score: float


@dataclass
class BestTime:
    posts: int = 0  # scored posts in the window
    heatmap: dict[Slot, tuple[float, int]] = field(default_factory=dict)  # mean score, posts
    recommended: list[Slot] = field(default_factory=list)
    lift: float | None = None  # held-out weeks: recommended slots' mean over all posts' mean
    interval: tuple[float, float] | None = None  # 90 % bootstrap interval of the lift
    held_out_posts: int = 0  # posts of the held-out weeks
    held_out_in_slots: int = 0  # of those, posted in a recommended slot
    enough: bool = False


def _window(workspace_id: int, now: datetime, channel_id: int | None) -> QuerySet[LatestCounts]:
    """The window's scored posts: a row each in LatestCounts, whose week_engagements is the
    reading a week after publishing (hubbub.measure.latest), not a search among readings."""
    found = LatestCounts.objects.filter(
        workspace_id=workspace_id,
        published_at__gte=now - WINDOW,
        published_at__lte=now - SETTLED,
        week_engagements__isnull=False,
    )
    if channel_id is not None:
        found = found.filter(channel_id=channel_id)
    return found.order_by()


def _slot_period(zone: ZoneInfo, now: datetime) -> Period:
    """Local days covering the window, for LocalSlot's changes of clocks."""
    local_now = now.astimezone(zone).date()
    return Period(local_now - WINDOW - timedelta(days=2), local_now, zone)


def _usual(window: QuerySet[LatestCounts]) -> dict[int, float]:
    """Each channel's median engagements over the window (1 for a median of 0): what a post
    of the channel is divided by to make its score."""
    by_channel: dict[int, list[int]] = defaultdict(list)
    for channel, engaged in plain_rows(window.values_list("channel_id", "week_engagements")):
        by_channel[channel].append(int(engaged))
    return {channel: statistics.median(found) or 1 for channel, found in by_channel.items()}


def scored_posts(
    workspace_id: int, zone: ZoneInfo, now: datetime, channel_id: int | None = None
) -> list[Scored]:
    """The window's posts, each with its score (see the module docstring), in time order:
    what best_time() adds up in the database instead, one by one (heatmap(), recommend()
    and backtest() take them)."""
    window = _window(workspace_id, now, channel_id)
    usual = _usual(window)
    query = window.annotate(
        at=Epoch("published_at"), slot=LocalSlot("published_at", _slot_period(zone, now))
    ).values_list("channel_id", "at", "slot", "week_engagements")
    new = tuple.__new__  # Scored(...) runs a Python __new__ a post
    found: list[Scored] = [
        new(Scored, (float(at), SLOTS[int(slot)], int(engaged) / usual[channel]))
        for channel, at, slot, engaged in plain_rows(query)
    ]
    found.sort()
    return found


class Epoch(Func):
    """A timestamp as seconds since 1970 (a float)."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # Stored as UTC text; julianday() reads it to the millisecond and better.
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
        return self.as_sql(compiler, connection, template=template, **extra_context)


# What the heatmap, the recommendation and the backtest read, per (part, slot): [posts, sum
# of scores, sum of squared scores]. Part 0 is before the held-out weeks, 1 to HELD_OUT the
# held-out weeks from the oldest, HELD_OUT + 1 after them (a post published exactly a week
# ago). Summed by the database from a big team's 100,000s of posts: a few thousand cells.
Cells = dict[tuple[int, Slot], list[float]]
HeldOut = list[tuple[int, Slot, float]]  # (part, slot, score) of each held-out post, in time order


def heatmap(posts: list[Scored]) -> dict[Slot, tuple[float, int]]:
    return _heatmap(_cells(posts))


def recommend(posts: list[Scored]) -> list[Slot]:
    """The TOP slots by shrunk mean score, among slots with MIN_POSTS posts."""
    return _ranked(_by_slot(_cells(posts)))


def backtest(
    posts: list[Scored], now: datetime
) -> tuple[float | None, tuple[float, float] | None, int, int]:
    """(lift, interval, held-out posts, of which in a recommended slot) over the last
    HELD_OUT weeks, each week predicted from the weeks before it."""
    bounds = [bound.timestamp() for bound in _bounds(now)]
    ordered = sorted(posts)
    parts = [bisect.bisect_right(bounds, post.at) for post in ordered]
    held_out = [
        (part, post.slot, post.score)
        for part, post in zip(parts, ordered, strict=True)
        if 0 < part <= HELD_OUT
    ]
    return _backtest(_cells(ordered, parts), lambda: held_out)


def _bounds(now: datetime) -> list[datetime]:
    """The held-out weeks' starts, oldest first, then the last one's end. `now` is local:
    the weeks are local weeks of the same clock as the posts' times."""
    settled_until = now - SETTLED
    return [settled_until - timedelta(weeks=week) for week in range(HELD_OUT, 0, -1)] + [
        settled_until
    ]


def _cells(posts: list[Scored], parts: list[int] | None = None) -> Cells:
    """Scored posts added up as the database does (all in part 0 without `parts`)."""
    cells: Cells = defaultdict(lambda: [0, 0.0, 0.0])
    for index, post in enumerate(posts):
        cell = cells[parts[index] if parts is not None else 0, post.slot]
        cell[0] += 1
        cell[1] += post.score
        cell[2] += post.score * post.score
    return cells


def _by_slot(cells: Cells, before: int | None = None) -> dict[Slot, list[float]]:
    """Each slot's [sum of scores, posts], over the parts before `before` (None: all)."""
    sums: dict[Slot, list[float]] = defaultdict(lambda: [0.0, 0])
    for (part, slot), (n, total, _squares) in cells.items():
        if before is None or part < before:
            found = sums[slot]
            found[0] += total
            found[1] += n
    return sums


def _heatmap(cells: Cells) -> dict[Slot, tuple[float, int]]:
    return {slot: (total / n, int(n)) for slot, (total, n) in _by_slot(cells).items() if n}


def _ranked(sums: dict[Slot, list[float]]) -> list[Slot]:
    """recommend() from each slot's [sum of scores, posts]."""
    ranked = sorted(
        (
            ((total + PRIOR * 1.0) / (count + PRIOR), slot)
            for slot, (total, count) in sums.items()
            if count >= MIN_POSTS
        ),
        reverse=True,
    )
    return [slot for shrunk, slot in ranked[:TOP] if shrunk > 1.0]


# A held-out week's posts of one slot: (in a recommended slot, posts, sum of scores, sum of
# squared scores).
Group = tuple[bool, float, float, float]


def _backtest(
    cells: Cells, held_out: Callable[[], HeldOut]
) -> tuple[float | None, tuple[float, float] | None, int, int]:
    """backtest() from the cells; `held_out` gives the posts one by one, asked for only when
    few enough for the bootstrap."""
    groups: list[Group] = []
    chosen: dict[int, set[Slot]] = {}
    for week in range(1, HELD_OUT + 1):
        history = _by_slot(cells, before=week)
        if sum(count for _total, count in history.values()) < MIN_HISTORY:
            continue
        slots = chosen[week] = set(_ranked(history))
        groups += [
            (slot in slots, n, total, squares)
            for (part, slot), (n, total, squares) in cells.items()
            if part == week
        ]
    posts = int(sum(n for _hit, n, _total, _squares in groups))
    inside = int(sum(n for hit, n, _total, _squares in groups if hit))
    if not posts or not inside:
        return None, None, posts, inside
    lift = _ratio(
        sum(total for hit, _n, total, _squares in groups if hit),
        inside,
        sum(total for _hit, _n, total, _squares in groups),
        posts,
    )
    if posts > BOOTSTRAP_UP_TO:
        return lift, _normal_interval_of(groups), posts, inside
    pairs = [(score, slot in chosen[part]) for part, slot, score in held_out() if part in chosen]
    draw = random.Random(SEED)  # noqa: S311 (a resample, not a secret)
    lifts = []
    for _ in range(BOOTSTRAP):
        sample = [pairs[draw.randrange(len(pairs))] for _ in pairs]
        found = _lift(sample)
        if found is not None:
            lifts.append(found)
    lifts.sort()
    interval = (lifts[int(0.05 * len(lifts))], lifts[int(0.95 * len(lifts)) - 1]) if lifts else None
    return lift, interval, posts, inside


def _normal_interval(pairs: list[tuple[float, bool]]) -> tuple[float, float] | None:
    return _normal_interval_of([(hit, 1.0, score, score * score) for score, hit in pairs])


def _normal_interval_of(groups: list[Group]) -> tuple[float, float] | None:
    """The 90 % interval of the lift from its normal approximation (the delta method: the
    lift is a ratio of means, each post's influence on it added up), which the bootstrap's
    interval comes to with this many posts, in one pass instead of BOOTSTRAP of them.

    A post's influence is a * score + b, with a and b the same for every post of a group
    (its slot was recommended or not): the squares add up from the group's sums."""
    n = sum(count for _hit, count, _total, _squares in groups)
    mean_all = sum(total for _hit, _n, total, _squares in groups) / n
    share_in = sum(count for hit, count, _total, _squares in groups if hit) / n
    mean_hits = sum(total for hit, _n, total, _squares in groups if hit) / n
    if mean_all <= 0 or share_in <= 0 or mean_hits <= 0:
        return None
    lift = mean_hits / (share_in * mean_all)
    spread = 0.0
    for hit, count, total, squares in groups:
        inside = 1.0 if hit else 0.0
        a = inside / mean_hits - 1.0 / mean_all
        b = 1.0 - inside / share_in
        spread += a * a * squares + 2.0 * a * b * total + b * b * count
    margin = Z90 * lift * math.sqrt(max(spread, 0.0)) / n  # max: rounding, when all alike
    return (lift - margin, lift + margin)


def _lift(pairs: list[tuple[float, bool]]) -> float | None:
    inside = [score for score, hit in pairs if hit]
    return _ratio(sum(inside), len(inside), sum(score for score, _hit in pairs), len(pairs))


def _ratio(inside: float, posts_inside: int, overall: float, posts: int) -> float | None:
    """The mean score in the recommended slots over the mean of all posts."""
    if not posts_inside or overall / posts <= 0:
        return None
    return (inside / posts_inside) / (overall / posts)


def best_time(
    workspace_id: int, zone: ZoneInfo, now: datetime, channel_id: int | None = None
) -> BestTime:
    """From the window's posts added up by the database by part and slot (two grouped
    passes), not a row a post: a big team's 26 weeks are 100,000s of them."""
    window = _window(workspace_id, now, channel_id)
    usual = _usual(window)
    bounds = _bounds(now.astimezone(zone))
    period = _slot_period(zone, now)
    grouped = (
        window.annotate(part=_part(bounds), slot=LocalSlot("published_at", period))
        .values("channel_id", "part", "slot")
        .annotate(
            n=Count("pk"),
            total=Sum("week_engagements"),
            squares=Sum(_float("week_engagements") * _float("week_engagements")),
        )
        .values_list("channel_id", "part", "slot", "n", "total", "squares")
    )
    cells: Cells = defaultdict(lambda: [0, 0.0, 0.0])
    for channel, part, slot, n, total, squares in plain_rows(grouped):
        divisor = usual[channel]
        cell = cells[int(part), SLOTS[int(slot)]]
        cell[0] += n
        cell[1] += int(total) / divisor
        cell[2] += float(squares) / (divisor * divisor)
    posts = int(sum(n for n, _total, _squares in cells.values()))
    result = BestTime(posts=posts, heatmap=_heatmap(cells))
    if posts < MIN_HISTORY:
        return result
    result.enough = True
    result.recommended = _ranked(_by_slot(cells))

    def held_out() -> HeldOut:
        rows = window.filter(published_at__gte=bounds[0], published_at__lt=bounds[-1])
        query = rows.annotate(
            at=Epoch("published_at"), part=_part(bounds), slot=LocalSlot("published_at", period)
        ).values_list("at", "part", "slot", "channel_id", "week_engagements")
        found = [
            (float(at), SLOTS[int(slot)], int(engaged) / usual[channel], int(part))
            for at, part, slot, channel, engaged in plain_rows(query)
        ]
        # In the order of scored_posts(): the bootstrap's draws pick posts by position.
        found.sort(key=lambda post: post[:3])
        return [(part, slot, score) for _at, slot, score, part in found]

    lift, interval, held, inside = _backtest(cells, held_out)
    result.lift, result.interval = lift, interval
    result.held_out_posts, result.held_out_in_slots = held, inside
    return result


def _part(bounds: list[datetime]) -> Case:
    """Which part of the window (see Cells) a post falls in, by the held-out weeks' bounds."""
    return Case(
        *(When(published_at__lt=bound, then=Value(part)) for part, bound in enumerate(bounds)),
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def _float(name: str) -> Cast:
    # Squares added up as floats: a big account's squared engagements overflow SQLite's
    # integers when summed.
    return Cast(name, FloatField())
