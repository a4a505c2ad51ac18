"""Reading listening sources: a network's search through a connected channel, or an RSS/Atom
feed. Each source on its own: claimed (a conditional update of next_read_at, a lease), read
from its cursor, its mentions processed and its new cursor saved in one transaction, and a
failure kept on the source (`last_error`, shown on the sources page) with a back-off — a
rate limit waits for the time the network gives — while the other sources go on.

Feeds go through hubbub.core.http like every outbound call (the SSRF guard refuses private
addresses, on every redirect too), with a time-out for each read of the connection and a
deadline for the whole body (a server that trickles bytes is cut off), and at most
feeds.MAX_FEED_BYTES. An item the feed parser could not use is reported in `last_problems`
with why; the others are stored.

A first read (no cursor) goes back `backfill_days` at most: a network search asks for that
(`since`); feed items older than that are left out.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.listening import feeds
from hubbub.listening.models import ListeningSource, SourceKind
from hubbub.listening.pipeline import Found, Result, process
from hubbub.networks.base import ConnectorError, RateLimited
from hubbub.networks.incoming import Incoming
from hubbub.networks.models import Health
from hubbub.networks.registry import connector_for

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MIN_INTERVAL = 30  # seconds; networks' rate limits and feeds' owners would not take less
MAX_BACKOFF = timedelta(hours=6)
FEED_TIMEOUT = 15.0  # seconds for each network read of a feed
FEED_DEADLINE = 60.0  # seconds for the whole feed
MAX_ROUNDS = 10  # search pages of MAX_ITEMS_PER_FETCH read back to back when more is waiting
TIME_BUDGET = 50.0  # seconds a read_due run spends before leaving the rest for the next


class FeedError(Exception):
    """A feed that could not be read at all (the message says why, for the sources page)."""


@dataclass
class ReadResult:
    read: int = 0
    failed: int = 0
    mentions: Result = field(default_factory=Result)
    errors: list[str] = field(default_factory=list)

    def add(self, other: ReadResult) -> None:
        self.read += other.read
        self.failed += other.failed
        self.mentions.add(other.mentions)
        self.errors += other.errors


def read_due(
    now: datetime | None = None, limit: int = 200, budget: float = TIME_BUDGET
) -> ReadResult:
    """Read every due, active source (oldest due first), for at most `budget` seconds."""
    at = now or timezone.now()
    result = ReadResult()
    due = list(
        ListeningSource.objects.filter(is_active=True, next_read_at__lte=at)
        .select_related("workspace", "channel")
        .order_by("next_read_at", "id")[:limit]
    )
    started = time.monotonic()
    for source in due:
        if time.monotonic() - started > budget:
            break
        result.add(read_source(source, now))
    return result


def claim(source: ListeningSource, now: datetime) -> bool:
    until = now + LEASE
    taken = ListeningSource.objects.filter(pk=source.pk, next_read_at=source.next_read_at).update(
        next_read_at=until
    )
    if taken:
        source.next_read_at = until
    return bool(taken)


def read_source(source: ListeningSource, now: datetime | None = None) -> ReadResult:
    """Claim and read one source now (also the "Read now" button)."""
    result = ReadResult()
    at = now or timezone.now()
    if not claim(source, at):
        return result
    try:
        if source.kind == SourceKind.FEED:
            _read_feed(source, at, now, result)
        else:
            _read_search(source, at, now, result)
        result.read += 1
    except (ConnectorError, FeedError, http.OutboundError) as exc:
        _failed(source, exc, at, result)
    except Exception as exc:
        log.exception("listening source %s could not be read", source.pk)
        _failed(source, exc, at, result)
    return result


def _read_search(
    source: ListeningSource, at: datetime, now: datetime | None, result: ReadResult
) -> None:
    channel = source.channel
    if channel is None or channel.disconnected_at is not None:
        raise FeedError(_("Its channel is disconnected: choose another channel or reconnect it."))
    if (channel.config or {}).get("demo"):
        raise FeedError(_("A demo channel has no account to search with."))
    if channel.health == Health.NEEDS_RECONNECT:
        raise FeedError(_("Its channel needs reconnecting (Channels page)."))
    connector = connector_for(channel)
    so_far = Result()  # what this read found over its rounds, for last_found and last_problems
    for round_number in range(MAX_ROUNDS):
        # Only a first read (no cursor yet) goes back to the backfill; the rounds after it
        # continue from the cursor the first round saved.
        since = at - timedelta(days=source.backfill_days) if source.cursor is None else None
        page = connector.search(source.terms, source.cursor, since)
        found = [_from_incoming(channel.network, item) for item in page.items]
        last = not page.more or round_number == MAX_ROUNDS - 1
        with transaction.atomic():
            got = process(source.workspace, found, source, now=at)
            shown = Result(
                stored=so_far.stored + got.stored, problems=so_far.problems + got.problems
            )
            _saved(source, page.cursor, got, at, last, more=page.more, shown=shown)
        so_far = shown
        result.mentions.add(got)
        if last:
            break


def _from_incoming(network: str, item: Incoming) -> Found:
    return Found(
        network=network,
        external_id=item.external_id,
        text=item.text,
        published_at=item.created_at,
        url=item.url,
        author_handle=item.author.handle,
        author_name=item.author.name,
        author_url=item.author.profile_url,
        author_reach=item.author.followers_count,
        language=item.language,
        shares=item.shares,
        data={
            **item.data,
            "author_id": item.author.external_id,
            "in_reply_to": item.in_reply_to,
        },
    )


def _read_feed(
    source: ListeningSource, at: datetime, now: datetime | None, result: ReadResult
) -> None:
    content, content_type = fetch_feed(source.url)
    parsed = feeds.parse(content, content_type=content_type, now=at)
    if not parsed.items and parsed.problems:
        raise FeedError("; ".join(parsed.problems[:3]))
    oldest = at - timedelta(days=source.backfill_days) if source.cursor is None else None
    found = [
        Found(
            network="rss",
            external_id=item.external_id,
            text=item.text,
            published_at=item.published,
            url=item.url,
            title=item.title,
            author_name=item.author,
            data={"feed": source.url, "dated": item.dated},
        )
        for item in parsed.items
        if oldest is None or item.published >= oldest
    ]
    with transaction.atomic():
        got = process(source.workspace, found, source, now=at)
        got.problems = parsed.problems + got.problems
        # A feed has no cursor of its own: the time of the first read marks the backfill done.
        _saved(source, source.cursor or at.isoformat(), got, at, last=True, more=False)
    result.mentions.add(got)


def fetch_feed(url: str) -> tuple[bytes, str]:
    """The feed's body and Content-Type, or FeedError / http.OutboundError saying why not."""
    started = time.monotonic()
    try:
        with http.stream_get(url, timeout=FEED_TIMEOUT, deadline=FEED_DEADLINE) as response:
            if response.status_code >= 400:
                raise FeedError(
                    _("The feed's server answered HTTP %(status)s.")
                    % {"status": response.status_code}
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > feeds.MAX_FEED_BYTES:
                raise FeedError(_too_big())
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > feeds.MAX_FEED_BYTES:
                    raise FeedError(_too_big())
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("content-type", "")
    except httpx.TimeoutException:
        if time.monotonic() - started >= FEED_DEADLINE:
            raise FeedError(
                _("The feed took more than %(seconds)d seconds to arrive.")
                % {"seconds": FEED_DEADLINE}
            ) from None
        raise FeedError(
            _("The feed's server stopped answering for %(seconds)d seconds.")
            % {"seconds": FEED_TIMEOUT}
        ) from None
    except httpx.TransportError as exc:
        raise FeedError(
            _("The connection broke while reading the feed (%(reason)s).") % {"reason": exc}
        ) from None


def _too_big() -> str:
    return _("The feed is larger than %(mb)d MB; Hubbub reads feeds up to that size.") % {
        "mb": feeds.MAX_FEED_BYTES // (1024 * 1024)
    }


def interval_of(source: ListeningSource) -> timedelta:
    return timedelta(seconds=max(source.interval, MIN_INTERVAL))


def _saved(
    source: ListeningSource,
    cursor: str | None,
    got: Result,
    at: datetime,
    last: bool,
    *,
    more: bool,
    shown: Result | None = None,
) -> None:
    """Save the cursor and the read's outcome; `shown` is what the read found so far when it
    took several rounds (`got` is this round's batch, whose queries the alerts check)."""
    shown = shown or got
    values: dict[str, Any] = {
        "cursor": cursor if cursor is not None else source.cursor,
        "last_read_at": at,
        "last_found": shown.stored,
        "last_error": "",
        "last_problems": shown.problems[:50],
        "error_count": 0,
    }
    if last:
        values["next_read_at"] = at if more else at + interval_of(source)
    ListeningSource.objects.filter(pk=source.pk).update(**values)
    for name, value in values.items():
        setattr(source, name, value)
    if got.by_query:
        from hubbub.listening import alerts

        alerts.after_batch(source.workspace, got, at)


def backoff(source: ListeningSource, failures: int) -> timedelta:
    grown: timedelta = interval_of(source) * (2 ** min(failures - 1, 16))
    return min(grown, MAX_BACKOFF)


def _failed(source: ListeningSource, exc: Exception, at: datetime, result: ReadResult) -> None:
    message = (getattr(exc, "message", "") or str(exc))[:2000] or exc.__class__.__name__
    failures = source.error_count + 1
    values: dict[str, Any] = {"last_error": message, "error_count": failures, "last_read_at": at}
    if isinstance(exc, RateLimited):
        values["next_read_at"] = max(exc.retry_at or at + interval_of(source), at)
    elif isinstance(exc, ConnectorError) and exc.needs_reconnect and source.channel is not None:
        from hubbub.publishing.dispatcher import mark_needs_reconnect

        mark_needs_reconnect(source.channel, message)
        values["next_read_at"] = at + interval_of(source)
    else:
        retry_at = getattr(exc, "retry_at", None)
        values["next_read_at"] = max(retry_at or at + backoff(source, failures), at)
    result.failed += 1
    result.errors.append(f"{source.name}: {message}")
    try:
        ListeningSource.objects.filter(pk=source.pk).update(**values)
    except Exception:
        log.exception("listening source %s: the failure could not be recorded", source.pk)
    for name, value in values.items():
        setattr(source, name, value)
