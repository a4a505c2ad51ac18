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
   the page says the same thing twice). An interval that includes 1.0 means the history does
   not yet show the slots to be better than any other.

Why not a model: a few hundred posts a year per workspace is little data; a mean per slot
with shrinkage is what the data supports, and people can check it against the heatmap.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Subquery

from hubbub.measure import formulas
from hubbub.measure.models import PostSnapshot
from hubbub.publishing.models import Delivery, DeliveryStatus

WINDOW = timedelta(weeks=26)
SETTLED = timedelta(days=7)  # a post's engagements are compared a week after it went out
TOP = 3
PRIOR = 3.0
MIN_POSTS = 2
HELD_OUT = 4  # weeks
MIN_HISTORY = 30  # posts with a score before anything is recommended
BOOTSTRAP = 1000
SEED = 20261122

Slot = tuple[int, int]  # (weekday 0 = Monday, hour)


@dataclass(frozen=True)
class Scored:
    published_at: datetime  # local
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
    """The window's posts, each with its score (see the module docstring)."""
    newest = (
        PostSnapshot.objects.filter(
            delivery=OuterRef("pk"), taken_at__lte=OuterRef("published_at") + SETTLED
        )
        .order_by("-taken_at", "-pk")
        .values("pk")[:1]
    )
    deliveries = Delivery.objects.filter(
        workspace_id=workspace_id,
        status=DeliveryStatus.PUBLISHED,
        published_at__gte=now - WINDOW,
        published_at__lte=now - SETTLED,
    )
    if channel_id is not None:
        deliveries = deliveries.filter(channel_id=channel_id)
    chosen = deliveries.annotate(snapshot=Subquery(newest)).values("snapshot")
    rows = PostSnapshot.objects.filter(pk__in=chosen).values_list(
        "channel_id", "delivery__published_at", *formulas.ENGAGEMENT_COUNTS
    )
    by_channel: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for channel, published_at, *counts in rows:
        engaged = formulas.engagements(dict(zip(formulas.ENGAGEMENT_COUNTS, counts, strict=True)))
        if engaged is not None and published_at is not None:
            by_channel[channel].append((published_at, engaged))
    found: list[Scored] = []
    for posts in by_channel.values():
        usual = statistics.median(engaged for _when, engaged in posts) or 1
        for published_at, engaged in posts:
            local = published_at.astimezone(zone)
            found.append(Scored(local, (local.weekday(), local.hour), engaged / usual))
    found.sort(key=lambda s: s.published_at)
    return found


def heatmap(posts: list[Scored]) -> dict[Slot, tuple[float, int]]:
    sums: dict[Slot, list[float]] = defaultdict(list)
    for post in posts:
        sums[post.slot].append(post.score)
    return {slot: (sum(scores) / len(scores), len(scores)) for slot, scores in sums.items()}


def recommend(posts: list[Scored]) -> list[Slot]:
    """The TOP slots by shrunk mean score, among slots with MIN_POSTS posts."""
    sums: dict[Slot, list[float]] = defaultdict(list)
    for post in posts:
        sums[post.slot].append(post.score)
    ranked = sorted(
        (
            ((sum(scores) + PRIOR * 1.0) / (len(scores) + PRIOR), slot)
            for slot, scores in sums.items()
            if len(scores) >= MIN_POSTS
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
    for week in range(HELD_OUT, 0, -1):
        start = settled_until - timedelta(weeks=week)
        end = start + timedelta(weeks=1)
        before = [p for p in posts if p.published_at < start]
        if len(before) < MIN_HISTORY:
            continue
        slots = set(recommend(before))
        pairs += [(p.score, p.slot in slots) for p in posts if start <= p.published_at < end]
    inside = [score for score, hit in pairs if hit]
    if not pairs or not inside:
        return None, None, len(pairs), len(inside)
    lift = _lift(pairs)
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
