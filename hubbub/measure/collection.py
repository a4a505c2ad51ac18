"""Reading the counts of published posts and of channels, on a schedule, into snapshots.

- A published post is read hourly for its first three days (HOURLY_FOR), then daily until it
  is ninety days old (DAILY_UNTIL); after that its last reading stands. Each reading is a new
  PostSnapshot row: history is never overwritten.
- A channel's own counts (followers, …) are read once a day (ChannelSnapshot).
- Posts are read a channel at a time, up to BATCH per call where the network takes a list
  (Connector.fetch_metrics). A failure stays on its channel: its posts are tried again later
  (an hour, doubling with each failure in a row, at most a day; a rate limit's own time when
  the network gives one), with the reason kept on each post's PostTracking, and the other
  channels go on.
- A post the network no longer shows (deleted) is tried MAX_MISSING times, then left alone:
  its earlier snapshots stay.

`collect_due(now)` does one round; the worker runs it every five minutes
(hubbub.measure.tasks), `hubbub metrics-collect` by hand.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.measure import latest
from hubbub.measure.models import (
    CHANNEL_COUNTS,
    POST_COUNTS,
    ChannelSnapshot,
    PostSnapshot,
    PostTracking,
)
from hubbub.networks.base import Capability, Connector, ConnectorError
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.registry import UnknownNetwork, connector_for
from hubbub.publishing.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

HOURLY_FOR = timedelta(days=3)
DAILY_UNTIL = timedelta(days=90)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# A channel read a little less than a day ago is due: the round that reads it runs every
# five minutes, and "daily" must not drift by five minutes a day.
CHANNEL_EVERY = DAY - timedelta(minutes=10)
BATCH = 100  # posts per call to the network
MAX_MISSING = 3
MAX_POSTS_PER_ROUND = 5000


@dataclass
class Collected:
    posts: int = 0  # post snapshots written
    channels: int = 0  # channel snapshots written
    problems: list[str] = field(default_factory=list)  # one line per channel that failed


def next_reading(published_at: datetime, at: datetime) -> datetime | None:
    """When a post published at `published_at` and read at `at` is read next; None: never."""
    age = at - published_at
    if age < HOURLY_FOR:
        return at + HOUR
    if age < DAILY_UNTIL:
        return at + DAY
    return None


def track_new(now: datetime) -> int:
    """Start tracking the posts published in the last DAILY_UNTIL that are not tracked yet."""
    rows = Delivery.objects.filter(
        status=DeliveryStatus.PUBLISHED,
        published_at__gte=now - DAILY_UNTIL,
        tracking__isnull=True,
    ).values_list("pk", "workspace_id", "channel_id", "published_at")
    made = [
        PostTracking(
            delivery_id=pk,
            workspace_id=workspace_id,
            channel_id=channel_id,
            published_at=published_at,
            next_at=now,
        )
        for pk, workspace_id, channel_id, published_at in rows
        if published_at is not None
    ]
    PostTracking.objects.bulk_create(made, ignore_conflicts=True)
    return len(made)


def collect_due(now: datetime | None = None, *, channels: bool = True) -> Collected:
    """One round: new posts tracked, due posts read, channels due read."""
    at = now or timezone.now()
    result = Collected()
    track_new(at)
    due = list(
        PostTracking.objects.filter(next_at__lte=at)
        .select_related("delivery", "channel")
        .order_by("next_at")[:MAX_POSTS_PER_ROUND]
    )
    by_channel: dict[int, list[PostTracking]] = defaultdict(list)
    for tracking in due:
        by_channel[tracking.channel_id].append(tracking)
    for trackings in by_channel.values():
        collect_posts(trackings[0].channel, trackings, at, result)
    if channels:
        collect_channels(at, result)
    return result


def _connector(channel: Channel) -> Connector | None:
    try:
        return connector_for(channel)
    except UnknownNetwork:
        return None


def _ref(delivery: Delivery) -> PublishedRef | None:
    """The post's first part: where a thread's counts are read."""
    refs = delivery.published_refs or []
    first = refs[0] if refs and isinstance(refs[0], dict) else None
    if first is None or not first.get("external_id"):
        return None
    data = first.get("data")
    return PublishedRef(
        external_id=str(first["external_id"]),
        url=str(first.get("url") or ""),
        data=data if isinstance(data, dict) else {},
    )


def collect_posts(
    channel: Channel, trackings: list[PostTracking], at: datetime, result: Collected
) -> None:
    """Read `trackings`' posts, all on `channel`."""
    if (channel.config or {}).get("demo"):
        # A demo channel (hubbub demo) has no account on the network: never ask it.
        for tracking in trackings:
            tracking.last_error = "demo channel"
            tracking.next_at = None
        _save(trackings, [])
        return
    connector = _connector(channel) if channel.is_connected else None
    if connector is None or Capability.METRICS not in connector.capabilities:
        why = (
            _("the channel is disconnected")
            if not channel.is_connected
            else _("%(network)s does not report post counts to Hubbub")
            % {"network": channel.network_label}
        )
        for tracking in trackings:
            tracking.last_error = why
            # A disconnected channel may come back: look again tomorrow.
            tracking.next_at = at + DAY if not channel.is_connected else None
        _save(trackings, [])
        return
    snapshots: list[PostSnapshot] = []
    for start in range(0, len(trackings), BATCH):
        chunk = trackings[start : start + BATCH]
        refs = {t.pk: _ref(t.delivery) for t in chunk}
        wanted = [ref for ref in refs.values() if ref is not None]
        try:
            found = connector.fetch_metrics(wanted) if wanted else {}
        except ConnectorError as exc:
            _failed(channel, chunk, exc, at, result)
            continue
        for tracking in chunk:
            ref = refs[tracking.pk]
            counts = found.get(ref.external_id) if ref is not None else None
            tracking.last_at = at
            tracking.failures = 0
            if counts is None:
                tracking.missing += 1
                tracking.last_error = _("%(network)s no longer shows this post") % {
                    "network": channel.network_label
                }
                tracking.next_at = (
                    None
                    if tracking.missing >= MAX_MISSING
                    else next_reading(tracking.published_at, at)
                )
                continue
            tracking.missing = 0
            tracking.last_error = ""
            tracking.next_at = next_reading(tracking.published_at, at)
            snapshots.append(
                PostSnapshot(
                    workspace_id=tracking.workspace_id,
                    channel_id=channel.pk,
                    delivery_id=tracking.pk,
                    taken_at=at,
                    **{name: getattr(counts, name) for name in POST_COUNTS},
                )
            )
    _save(trackings, snapshots)
    result.posts += len(snapshots)


def _failed(
    channel: Channel,
    chunk: list[PostTracking],
    exc: ConnectorError,
    at: datetime,
    result: Collected,
) -> None:
    for tracking in chunk:
        tracking.failures += 1
        tracking.last_error = str(exc)
        wait = min(HOUR * 2 ** (tracking.failures - 1), DAY)
        retry_at = exc.retry_at  # a rate limit's own time, when the network gives one
        tracking.next_at = retry_at if retry_at is not None and retry_at > at else at + wait
    result.problems.append(f"{channel}: {exc}")
    log.info("metrics: %s: %s", channel, exc)


def _save(trackings: list[PostTracking], snapshots: list[PostSnapshot]) -> None:
    with transaction.atomic():
        PostSnapshot.objects.bulk_create(snapshots)
        # bulk_create sends no post_save: the reports' copy of each post's latest reading
        # (LatestCounts) is refreshed here, in the same transaction as the readings.
        latest.refresh({snapshot.delivery_id for snapshot in snapshots})
        PostTracking.objects.bulk_update(
            trackings, ["next_at", "last_at", "last_error", "failures", "missing"]
        )


def channels_due(at: datetime) -> list[Channel]:
    """Connected channels whose network reports account counts, not read in the last day."""
    recent = set(
        ChannelSnapshot.objects.filter(taken_at__gt=at - CHANNEL_EVERY).values_list(
            "channel_id", flat=True
        )
    )
    found = []
    for channel in Channel.objects.connected().order_by("pk"):
        if channel.pk in recent or (channel.config or {}).get("demo"):
            continue  # read already, or a demo channel with no account to read
        connector = _connector(channel)
        if connector is None or Capability.METRICS not in connector.capabilities:
            continue
        if type(connector).fetch_account_metrics is Connector.fetch_account_metrics:
            continue  # the network reports post counts only
        found.append(channel)
    return found


def collect_channels(at: datetime, result: Collected) -> None:
    for channel in channels_due(at):
        connector = connector_for(channel)
        try:
            counts = connector.fetch_account_metrics()
        except ConnectorError as exc:
            result.problems.append(f"{channel}: {exc}")
            log.info("metrics: %s: %s", channel, exc)
            continue
        ChannelSnapshot.objects.create(
            workspace_id=channel.workspace_id,
            channel=channel,
            taken_at=at,
            **{name: getattr(counts, name) for name in CHANNEL_COUNTS},
        )
        result.channels += 1
