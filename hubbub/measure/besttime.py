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

Why not a model: a few hundred posts a year per workspace is little data; a mean per slot
with shrinkage is what the data supports, and people can check it against the heatmap.
"""

from __future__ import annotations

import bisect
import math
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import FloatField, Func

from hubbub.measure.latest import SETTLED_DAYS
from hubbub.measure.models import LatestCounts
from hubbub.measure.periods import Period
from hubbub.measure.reports import LocalSlot

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


def scored_posts(
    workspace_id: int, zone: ZoneInfo, now: datetime, channel_id: int | None = None
) -> list[Scored]:
    """The window's posts, each with its score (see the module docstring). The reading a
    week after publishing is the one copied for each post (LatestCounts.week_engagements,
    hubbub.measure.latest): a row a post, not a search among its readings."""
    found_rows = LatestCounts.objects.filter(
        workspace_id=workspace_id,
        published_at__gte=now - WINDOW,
        published_at__lte=now - SETTLED,
        week_engagements__isnull=False,
    )
    if channel_id is not None:
        found_rows = found_rows.filter(channel_id=channel_id)
    # The time as seconds since 1970: turning 100,000s of database timestamps into aware
    # datetimes costs Django's converters a second; a number, fromtimestamp a fifth of it.
    # The slot worked out by the database, the time as seconds since 1970: a datetime made
    # a post in Python (Django's converters, astimezone) costs a big team seconds.
    local_now = now.astimezone(zone).date()
    window = Period(local_now - WINDOW - timedelta(days=2), local_now, zone)
    query = found_rows.annotate(
        at=Epoch("published_at"), slot=LocalSlot("published_at", window)
    ).values_list("channel_id", "at", "slot", "week_engagements")
    # Plain rows from the cursor: numbers need none of Django's per-row converters.
    sql, params = query.query.sql_with_params()
    by_channel: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        for channel, at, slot, engaged in cursor.fetchall():
            by_channel[channel].append((float(at), int(slot), int(engaged)))
    found: list[Scored] = []
    new = tuple.__new__  # Scored(...) runs a Python __new__ a post
    for posts in by_channel.values():
        usual = statistics.median(engaged for _at, _slot, engaged in posts) or 1
        for at, slot, engaged in posts:
            found.append(new(Scored, (at, SLOTS[slot], engaged / usual)))
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


def heatmap(posts: list[Scored]) -> dict[Slot, tuple[float, int]]:
    sums: dict[Slot, list[float]] = defaultdict(list)
    for post in posts:
        sums[post.slot].append(post.score)
    return {slot: (sum(scores) / len(scores), len(scores)) for slot, scores in sums.items()}


def recommend(posts: list[Scored]) -> list[Slot]:
    """The TOP slots by shrunk mean score, among slots with MIN_POSTS posts."""
    sums: dict[Slot, list[float]] = defaultdict(lambda: [0.0, 0])
    for post in posts:
        found = sums[post.slot]
        found[0] += post.score
        found[1] += 1
    return _ranked(sums)


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


def backtest(
    posts: list[Scored], now: datetime
) -> tuple[float | None, tuple[float, float] | None, int, int]:
    """(lift, interval, held-out posts, of which in a recommended slot) over the last
    HELD_OUT weeks, each week predicted from the weeks before it."""
    pairs: list[tuple[float, bool]] = []  # (score, in a recommended slot)
    settled_until = now - SETTLED
    # The posts are in time order: the weeks before each held-out week are a prefix, whose
    # sums by slot grow week by week (one pass, not one per week: a big team has 100,000s).
    ordered = sorted(posts)
    times = [p.at for p in ordered]
    sums: dict[Slot, list[float]] = defaultdict(lambda: [0.0, 0])
    counted = 0
    for week in range(HELD_OUT, 0, -1):
        start = settled_until - timedelta(weeks=week)
        end = start + timedelta(weeks=1)
        first = bisect.bisect_left(times, start.timestamp())
        for post in ordered[counted:first]:
            slot_sums = sums[post.slot]
            slot_sums[0] += post.score
            slot_sums[1] += 1
        counted = max(counted, first)
        if first < MIN_HISTORY:
            continue
        slots = set(_ranked(sums))
        last = bisect.bisect_left(times, end.timestamp())
        pairs += [(p.score, p.slot in slots) for p in ordered[first:last]]
    inside = [score for score, hit in pairs if hit]
    if not pairs or not inside:
        return None, None, len(pairs), len(inside)
    lift = _lift(pairs)
    if len(pairs) > BOOTSTRAP_UP_TO:
        return lift, _normal_interval(pairs), len(pairs), len(inside)
    draw = random.Random(SEED)  # noqa: S311 (a resample, not a secret)
    lifts = []
    for _ in range(BOOTSTRAP):
        sample = [pairs[draw.randrange(len(pairs))] for _ in pairs]
        found = _lift(sample)
        if found is not None:
            lifts.append(found)
    lifts.sort()
    interval = (lifts[int(0.05 * len(lifts))], lifts[int(0.95 * len(lifts)) - 1]) if lifts else None
    return lift, interval, len(pairs), len(inside)


def _normal_interval(pairs: list[tuple[float, bool]]) -> tuple[float, float] | None:
    """The 90 % interval of the lift from its normal approximation (the delta method: the
    lift is a ratio of means, each post's influence on it added up), which the bootstrap's
    interval comes to with this many posts, in one pass instead of BOOTSTRAP of them."""
    n = len(pairs)
    mean_all = sum(score for score, _hit in pairs) / n
    share_in = sum(1 for _score, hit in pairs if hit) / n
    mean_hits = sum(score for score, hit in pairs if hit) / n
    if mean_all <= 0 or share_in <= 0 or mean_hits <= 0:
        return None
    lift = mean_hits / (share_in * mean_all)
    spread = 0.0
    for score, hit in pairs:
        inside = 1.0 if hit else 0.0
        influence = (
            (inside * score - mean_hits) / mean_hits
            - (inside - share_in) / share_in
            - (score - mean_all) / mean_all
        )
        spread += influence * influence
    margin = Z90 * lift * math.sqrt(spread) / n
    return (lift - margin, lift + margin)


def _lift(pairs: list[tuple[float, bool]]) -> float | None:
    inside = [score for score, hit in pairs if hit]
    overall = sum(score for score, _hit in pairs) / len(pairs)
    if not inside or overall <= 0:
        return None
    return (sum(inside) / len(inside)) / overall


def best_time(
    workspace_id: int, zone: ZoneInfo, now: datetime, channel_id: int | None = None
) -> BestTime:
    posts = scored_posts(workspace_id, zone, now, channel_id)
    result = BestTime(posts=len(posts), heatmap=heatmap(posts))
    if len(posts) < MIN_HISTORY:
        return result
    result.enough = True
    result.recommended = recommend(posts)
    # The backtest's weeks are local weeks of the same clock as the posts' times.
    local_now = now.astimezone(zone)
    lift, interval, held, inside = backtest(posts, local_now)
    result.lift, result.interval = lift, interval
    result.held_out_posts, result.held_out_in_slots = held, inside
    return result
