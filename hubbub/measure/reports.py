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
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from hubbub.measure import formulas
from hubbub.measure.models import POST_COUNTS, ChannelSnapshot, PostSnapshot
from hubbub.measure.periods import Period
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


def latest(scope: Scope, period: Period) -> QuerySet[PostSnapshot]:
    """Each post of the period's latest reading before the period's end."""
    newest = (
        PostSnapshot.objects.filter(delivery=OuterRef("pk"), taken_at__lt=period.end)
        .order_by("-taken_at", "-pk")
        .values("pk")[:1]
    )
    chosen = deliveries(scope, period).annotate(snapshot=Subquery(newest)).values("snapshot")
    return PostSnapshot.objects.filter(pk__in=chosen)


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in POST_COUNTS}


def totals(scope: Scope, period: Period) -> Totals:
    found = latest(scope, period).aggregate(measured=Count("pk"), **_sums())
    result = Totals(
        posts=deliveries(scope, period).count(),
        measured=int(found.pop("measured") or 0),
        counts={name: found[name] for name in POST_COUNTS},
    )
    if scope.campaign_id is None:
        result.followers_start, result.followers_end = followers(scope, period)
    return result


def by_channel(scope: Scope, period: Period) -> dict[int, Totals]:
    """The same totals, one per channel (the rows of the overview's channel table)."""
    rows: dict[int, Totals] = defaultdict(Totals)
    counted: Any = deliveries(scope, period).values("channel_id").annotate(n=Count("pk"))
    for row in counted:
        rows[row["channel_id"]].posts = row["n"]
    sums: Any = latest(scope, period).values("channel_id").annotate(measured=Count("pk"), **_sums())
    for row in sums:
        found = rows[row["channel_id"]]
        found.measured = row["measured"]
        found.counts = {name: row[name] for name in POST_COUNTS}
    counted_followers = followers_by_channel(scope, period) if scope.campaign_id is None else {}
    for channel_id, found in rows.items():
        if not found.counts:
            found.counts = dict.fromkeys(POST_COUNTS)
        found.followers_start, found.followers_end = counted_followers.get(channel_id, (None, None))
    return dict(rows)


def followers_by_channel(scope: Scope, period: Period) -> dict[int, tuple[int, int]]:
    """Each channel's followers at the period's start and end (channels that have both),
    read in one pass over the readings."""
    snapshots = ChannelSnapshot.objects.filter(workspace_id=scope.workspace_id).exclude(
        followers__isnull=True
    )
    if scope.channel_id is not None:
        snapshots = snapshots.filter(channel_id=scope.channel_id)
    start: dict[int, int] = {}
    end: dict[int, int] = {}
    first_in: dict[int, int] = {}
    for channel_id, taken_at, value in (
        snapshots.filter(taken_at__lt=period.end)
        .order_by("taken_at", "pk")
        .values_list("channel_id", "taken_at", "followers")
    ):
        if value is None:
            continue
        if taken_at < period.start:
            start[channel_id] = value
        else:
            first_in.setdefault(channel_id, value)
        end[channel_id] = value
    begin = {**first_in, **start}
    return {c: (begin[c], end[c]) for c in end if c in begin}


def followers(scope: Scope, period: Period) -> tuple[int | None, int | None]:
    """Followers at the period's start and end, over the scope's channels that have both."""
    found = followers_by_channel(scope, period)
    if not found:
        return None, None
    return sum(a for a, _b in found.values()), sum(b for _a, b in found.values())


def _engagements_expression() -> Any:
    total: Any = Value(0)
    for name in formulas.ENGAGEMENT_COUNTS:
        total = total + Coalesce(F(name), Value(0))
    return total


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


def posts(
    scope: Scope, period: Period, *, order: str = "-engagements", limit: int | None = None
) -> list[PostRow]:
    """The period's posts with their counts as of the period's end, best first by default
    ("engagements" for the least engaging first)."""
    found = (
        latest(scope, period)
        .annotate(engagements=_engagements_expression())
        .select_related("delivery__variant")
        .order_by(order, "delivery__published_at")
    )
    if limit is not None:
        found = found[:limit]
    rows = []
    for snapshot in found:
        delivery = snapshot.delivery
        parts = delivery.variant.parts if delivery.variant_id else []
        rows.append(
            PostRow(
                delivery_id=delivery.pk,
                channel_id=delivery.channel_id,
                published_at=delivery.published_at or snapshot.taken_at,
                url=delivery.published_url,
                text=str(parts[0]) if parts else "",
                counts={name: getattr(snapshot, name) for name in POST_COUNTS},
            )
        )
    return rows


def daily(scope: Scope, period: Period) -> list[tuple[date, int, int | None]]:
    """Per local day of the period: posts published, and their engagements as of the end
    (None: no post that day had a count)."""
    published: dict[date, int] = defaultdict(int)
    for when in deliveries(scope, period).values_list("published_at", flat=True):
        if when is not None:
            published[when.astimezone(period.zone).date()] += 1
    engaged: dict[date, int] = {}
    rows = latest(scope, period).values_list("delivery__published_at", *formulas.ENGAGEMENT_COUNTS)
    for when, *values in rows:
        day = when.astimezone(period.zone).date()
        known = [v for v in values if v is not None]
        if known:
            engaged[day] = engaged.get(day, 0) + sum(known)
    return [(day, published.get(day, 0), engaged.get(day)) for day in period.dates()]


def change(now: Any, before: Any) -> float | None:
    """now against before, in percent; None without both or from nothing."""
    if now is None or before is None or not before:
        return None
    return float((now - before) / abs(before) * 100)
