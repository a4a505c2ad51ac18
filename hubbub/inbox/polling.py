"""Polling: each channel's streams read every minute with a cursor, nothing missed or twice.

A source (InboxSource) is one stream: a channel's mentions, its direct messages, or the
comments under one of its published posts (for HUBBUB_INBOX_BACKFILL_DAYS after publishing).
`poll_due` claims each due source with a conditional update of next_poll_at (the claim is a
lease: a worker that dies leaves the source to another after LEASE), reads it from its
stored cursor, and saves the items and the new cursor in one transaction: a worker that
dies between the read and the save leaves the old cursor, so the next read returns the same
items again (nothing missed), and items already stored are recognised by their network id
(nothing twice).

Failures stay with their source: a rate limit moves the channel's sources to the time the
network gives, a temporary error backs off, a revoked authorization marks the channel for
reconnecting (its sources wait until then), a post that is gone stops its comments being
read. The other sources go on.

Backfill: a new source starts with no cursor, and its first read returns what the network
still shows; of that, only items newer than the backfill window are kept. `backfill(channel)`
does this at once for a channel just connected (the minute's sync would otherwise do it).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hubbub.inbox.ingest import IngestResult, fit_id, ingest
from hubbub.inbox.models import InboxSource, SourceKind
from hubbub.networks.base import Capability, Connector, ConnectorError, RateLimited
from hubbub.networks.incoming import Incoming, Page
from hubbub.networks.models import Channel, Health
from hubbub.networks.registry import UnknownNetwork, connector_class, connector_for
from hubbub.publishing.models import Delivery, PostKind
from hubbub.publishing.models.deliveries import DeliveryStatus, ref_from_json

log = logging.getLogger(__name__)

# A claimed source is another worker's again after this long (the claimer died).
LEASE = timedelta(minutes=10)
# Page.more: read again at once, at most this many times in one poll (then at the next).
MAX_ROUNDS = 20
MAX_BACKOFF = timedelta(hours=1)
# A stream the network refuses for good (not a post that is gone) is tried again this often.
PERMANENT_RETRY = timedelta(hours=6)
# Comments under a post older than a day are read less often: most come in the first hours.
OLD_POST = timedelta(days=1)
OLD_POST_FACTOR = 5
# poll_due stops claiming after this long, so that the minute's next run is not blocked.
TIME_BUDGET = 50.0


def poll_interval() -> timedelta:
    return timedelta(seconds=getattr(settings, "HUBBUB_INBOX_POLL_SECONDS", 60))


def backfill_window() -> timedelta:
    return timedelta(days=getattr(settings, "HUBBUB_INBOX_BACKFILL_DAYS", 7))


@dataclass
class PollResult:
    polled: int = 0  # sources read
    created: int = 0  # new messages
    updated: int = 0  # messages edited or deleted on the network since the last read
    conversations_created: int = 0
    rate_limited: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: PollResult) -> None:
        self.polled += other.polled
        self.created += other.created
        self.updated += other.updated
        self.conversations_created += other.conversations_created
        self.rate_limited += other.rate_limited
        self.failed += other.failed
        self.errors += other.errors


# --- sources ---------------------------------------------------------------------------------


def _implements(cls: type[Connector], method: str) -> bool:
    own = getattr(cls, method, None)
    return own is not None and own is not getattr(Connector, method, None)


def _pollable(channel: Channel) -> type[Connector] | None:
    if not channel.is_connected or (channel.config or {}).get("demo"):
        return None  # demo channels (hubbub demo) have no account to read
    try:
        return connector_class(channel.network)
    except UnknownNetwork:
        return None


def ensure_sources(channel: Channel, now: datetime | None = None) -> int:
    """Create the sources `channel` should be read through; returns how many were new.
    Mentions and direct messages where the network has them; the comments of each post
    published in the backfill window, read until the window has passed since publishing."""
    cls = _pollable(channel)
    if cls is None:
        return 0
    now = now or timezone.now()
    wanted: list[InboxSource] = []
    base = {"workspace_id": channel.workspace_id, "channel": channel, "next_poll_at": now}
    if Capability.MENTIONS in cls.capabilities and _implements(cls, "fetch_mentions"):
        wanted.append(InboxSource(kind=SourceKind.MENTIONS, **base))
    if Capability.DIRECT_MESSAGES in cls.capabilities and _implements(cls, "fetch_messages"):
        wanted.append(InboxSource(kind=SourceKind.MESSAGES, **base))
    if Capability.READ_COMMENTS in cls.capabilities and _implements(cls, "fetch_comments"):
        window = backfill_window()
        published = Delivery.objects.filter(
            channel=channel,
            status=DeliveryStatus.PUBLISHED,
            published_at__gte=now - window,
            post__kind=PostKind.POST,  # not the inbox's own replies
        ).values_list("published_refs", "published_at")
        for refs, published_at in published:
            source = _comment_source(channel, refs, published_at or now, window, now)
            if source is not None:
                wanted.append(source)
    if not wanted:
        return 0
    before = InboxSource.objects.filter(channel=channel).count()
    InboxSource.objects.bulk_create(wanted, ignore_conflicts=True)
    return InboxSource.objects.filter(channel=channel).count() - before


def _comment_source(
    channel: Channel, refs: Any, published_at: datetime, window: timedelta, now: datetime
) -> InboxSource | None:
    if not isinstance(refs, list) or not refs or not isinstance(refs[0], dict):
        return None
    ref = refs[0]  # the post itself; a thread's later parts are replies under it
    external_id = fit_id(ref.get("external_id"))
    if not external_id:
        return None
    return InboxSource(
        workspace_id=channel.workspace_id,
        channel=channel,
        kind=SourceKind.COMMENTS,
        ref_external_id=external_id,
        ref_data=ref,
        active_until=published_at + window,
        next_poll_at=now,
    )


def source_for_delivery(delivery: Delivery) -> None:
    """A post just published: read its comments from the next minute on (a receiver of
    hubbub.publishing.signals.delivery_published; the minute's sync catches up otherwise)."""
    if delivery.post.kind != PostKind.POST:
        return
    cls = _pollable(delivery.channel)
    if cls is None or Capability.READ_COMMENTS not in cls.capabilities:
        return
    now = timezone.now()
    source = _comment_source(
        delivery.channel,
        delivery.published_refs,
        delivery.published_at or now,
        backfill_window(),
        now,
    )
    if source is not None:
        InboxSource.objects.bulk_create([source], ignore_conflicts=True)


def sync_sources(now: datetime | None = None) -> int:
    """ensure_sources for every connected channel (a minute's first step)."""
    created = 0
    for channel in Channel.objects.connected().exclude(health=Health.NEEDS_RECONNECT):
        try:
            created += ensure_sources(channel, now)
        except Exception:  # one channel's odd data must not stop the others
            log.exception("inbox sources of channel %s could not be set up", channel.pk)
    return created


# --- polling ---------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    return (
        Q(next_poll_at__lte=now, channel__disconnected_at__isnull=True)
        & ~Q(channel__health=Health.NEEDS_RECONNECT)
        & (Q(active_until__isnull=True) | Q(active_until__gt=now))
        # A Telegram bot whose updates come by webhook cannot also be asked with getUpdates.
        & ~Q(
            kind=SourceKind.MESSAGES,
            channel__network="telegram",
            channel__config__telegram_webhook=True,
        )
    )


def poll_due(
    now: datetime | None = None, limit: int = 500, budget: float = TIME_BUDGET
) -> PollResult:
    """Read every due source (up to `limit`, for at most `budget` seconds); see the module
    docstring. Safe to run in several workers at once: each source is read by one."""
    fixed = now
    at = now or timezone.now()
    result = PollResult()
    due = list(
        InboxSource.objects.filter(_due(at))
        .select_related("channel", "channel__workspace")
        .order_by("next_poll_at", "id")[:limit]
    )
    started = time.monotonic()
    for source in due:
        if time.monotonic() - started > budget:
            break  # the rest stay due for the next run
        result.add(poll_source(source, fixed))
    return result


def claim(source: InboxSource, now: datetime) -> bool:
    """Take `source` for LEASE, unless another worker took it since it was read."""
    until = now + LEASE
    taken = InboxSource.objects.filter(pk=source.pk, next_poll_at=source.next_poll_at).update(
        next_poll_at=until
    )
    if taken:
        source.next_poll_at = until
    return bool(taken)


def poll_source(source: InboxSource, now: datetime | None = None) -> PollResult:
    """Claim and read one source, rounds until its answer has no more (see the docstring)."""
    result = PollResult()
    at = now or timezone.now()
    if not claim(source, at):
        return result
    channel = source.channel
    cutoff = at - backfill_window() if source.cursor is None else None
    try:
        connector = connector_for(channel)
        for round_number in range(MAX_ROUNDS):
            page = _fetch(connector, source)
            items = page.items
            if cutoff is not None:
                items = [i for i in items if _utc(i.created_at) >= cutoff]
            last = not page.more or round_number == MAX_ROUNDS - 1
            with transaction.atomic():
                got = _ingest(channel, source, items)
                _saved(source, page, now, last)
            result.created += got.created
            result.updated += got.updated
            result.conversations_created += got.conversations_created
            result.errors += got.errors
            if last:
                break
        result.polled += 1
    except ConnectorError as exc:
        _failed(source, exc, now, result)
    except Exception as exc:
        # A bug, or the database refusing: this source waits, the others go on.
        log.exception("inbox source %s could not be read", source.pk)
        _failed(source, exc, now, result)
    return result


def _utc(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _fetch(connector: Connector, source: InboxSource) -> Page:
    if source.kind == SourceKind.COMMENTS:
        return connector.fetch_comments(ref_from_json(_ref_json(source)), source.cursor)
    if source.kind == SourceKind.MESSAGES:
        return connector.fetch_messages(source.cursor)
    return connector.fetch_mentions(source.cursor)


def _ref_json(source: InboxSource) -> dict[str, Any]:
    data = dict(source.ref_data or {})
    data.setdefault("external_id", source.ref_external_id)
    return data


def _ingest(channel: Channel, source: InboxSource, items: list[Incoming]) -> IngestResult:
    post_ref = ref_from_json(_ref_json(source)) if source.kind == SourceKind.COMMENTS else None
    return ingest(channel, source.kind, items, post_ref=post_ref)


def _saved(source: InboxSource, page: Page, now: datetime | None, last: bool) -> None:
    """The new cursor, saved with the items (same transaction). While more rounds follow the
    lease is kept; after the last, the next poll is due in an interval (at once when the
    network still had more than the rounds read)."""
    at = now or timezone.now()
    cursor = page.cursor if page.cursor is not None else source.cursor
    values: dict[str, Any] = {
        "cursor": cursor,
        "last_polled_at": at,
        "last_error": "",
        "error_count": 0,
    }
    if last:
        values["next_poll_at"] = at if page.more else at + interval_for(source, at)
    InboxSource.objects.filter(pk=source.pk).update(**values)
    for name, value in values.items():
        setattr(source, name, value)


def interval_for(source: InboxSource, now: datetime) -> timedelta:
    interval = poll_interval()
    if source.kind == SourceKind.COMMENTS and source.active_until is not None:
        published = source.active_until - backfill_window()
        if now - published > OLD_POST:
            return interval * OLD_POST_FACTOR
    return interval


def backoff(failures: int) -> timedelta:
    grown: timedelta = poll_interval() * (2 ** min(failures, 16))
    return min(grown, MAX_BACKOFF)


def _failed(source: InboxSource, exc: Exception, now: datetime | None, result: PollResult) -> None:
    at = now or timezone.now()
    message = str(exc)[:2000] or exc.__class__.__name__
    failures = source.error_count + 1
    values: dict[str, Any] = {"last_error": message, "error_count": failures}
    if isinstance(exc, RateLimited):
        until = max(exc.retry_at or at + poll_interval(), at)
        # The limit is the account's: the channel's other sources wait as well.
        InboxSource.objects.filter(channel_id=source.channel_id, next_poll_at__lt=until).exclude(
            pk=source.pk
        ).update(next_poll_at=until)
        values = {"last_error": message, "next_poll_at": until}  # not the source's fault
        result.rate_limited += 1
    elif isinstance(exc, ConnectorError) and exc.needs_reconnect:
        from hubbub.publishing.dispatcher import mark_needs_reconnect

        mark_needs_reconnect(source.channel, message)
        # Not read again until someone reconnects the channel (then from where it stopped).
        values["next_poll_at"] = at + poll_interval()
        result.failed += 1
    elif isinstance(exc, ConnectorError) and exc.permanent:
        if source.kind == SourceKind.COMMENTS:
            values["active_until"] = at  # the post is gone (or unreadable): stop reading it
        values["next_poll_at"] = at + PERMANENT_RETRY
        result.failed += 1
    else:
        retry_at = exc.retry_at if isinstance(exc, ConnectorError) else None
        values["next_poll_at"] = max(retry_at or at + backoff(failures), at)
        result.failed += 1
    result.errors.append(f"{source}: {message}")
    try:
        InboxSource.objects.filter(pk=source.pk).update(**values)
    except Exception:  # the database itself is failing: the lease expires, a retry follows
        log.exception("inbox source %s: the failure could not be recorded", source.pk)
    for name, value in values.items():
        setattr(source, name, value)


# --- backfill --------------------------------------------------------------------------------


def backfill(channel: Channel, now: datetime | None = None) -> PollResult:
    """For a channel just connected (or reconnected): create its sources and read each once
    now. A new source has no cursor: the network's first answer, cut to the backfill window.
    A source that has one (a reconnect) goes on from it, so the gap is read too."""
    ensure_sources(channel, now)
    result = PollResult()
    at = now or timezone.now()
    sources = InboxSource.objects.filter(channel=channel).filter(
        Q(active_until__isnull=True) | Q(active_until__gt=at)
    )
    for source in sources.select_related("channel", "channel__workspace"):
        result.add(poll_source(source, now))
    return result
