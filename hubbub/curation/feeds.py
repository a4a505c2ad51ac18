"""Feeds a workspace subscribes to: finding a site's feed, reading it, keeping its items once.

- `discover(url)`: the address a person types is often the site, not its feed. The page is
  read; if it is a feed, that is it; else its `<link rel="alternate">` to RSS or Atom, else
  the usual paths (/feed, /rss.xml…) are tried, each through hubbub.core.http (the private
  address guard checks every one, and every redirect).
- `read_feed(feed)`: claimed by a conditional update of next_read_at (two workers never read
  the same feed), read with a size cap while streaming (a 50 MB feed is refused after
  MAX_FEED_BYTES, never held whole), parsed by listening's `parse` (broken XML, lying
  encodings, huge items, no dates), and stored: one FeedItem per normalised link in the
  workspace, whichever feed or read brings it again. A failure stays on the feed
  (`last_error`, shown on the feeds page) with a back-off; the other feeds go on.
- The actions people take (subscribe, change, pause, remove, read now, mark read; OPML is
  in hubbub.curation.feeds_opml) check the permission and write the audit entry here, for the pages,
  the API and the worker alike.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.accounts.models import User
from hubbub.core import http
from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Workspace
from hubbub.curation.models import Feed, FeedItem, FeedItemRead
from hubbub.listening import feeds as parser
from hubbub.listening.dedupe import canonical_url
from hubbub.nlp.language import detect

log = logging.getLogger(__name__)

# A feed's whole body is at most this: a larger one is refused while it streams in.
MAX_FEED_BYTES = parser.MAX_FEED_BYTES
READ_TIMEOUT = 15.0  # seconds for each network read of a feed
DEADLINE = 60.0  # seconds for the whole feed (a server trickling bytes is cut off)
LEASE = timedelta(minutes=5)
MIN_INTERVAL = 300  # seconds: a feed's owner would not thank us for reading it more often
MAX_BACKOFF = timedelta(hours=12)
TIME_BUDGET = 50.0  # seconds a read_due run spends before leaving the rest to the next
USUAL_PATHS = ("/feed", "/feed/", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+xml")
NLP_CHARS = 2000  # language is read from the start of an item
CHUNK = 500  # keys per IN (...) query


class FeedError(Exception):
    """A feed that could not be read at all: the message says why, for the feeds page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- reading over HTTP ----------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str
    etag: str = ""
    last_modified: str = ""
    unchanged: bool = False  # the server's validators match the ones stored: body not read


def too_big() -> str:
    return _("The feed is larger than %(mb)d MB; Hubbub reads feeds up to that size.") % {
        "mb": MAX_FEED_BYTES // (1024 * 1024)
    }


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """The body at `url`, at most MAX_FEED_BYTES, or FeedError / http.OutboundError.

    The validators of the last read are sent (If-None-Match, If-Modified-Since): an
    unchanged feed answers 304 with no body. A server that ignores them and sends the same
    validators back is treated alike, its body left unread after the headers."""
    asked = {"If-None-Match": etag} if etag else {}
    if last_modified:
        asked["If-Modified-Since"] = last_modified
    started = time.monotonic()
    try:
        with http.stream_get(
            url, timeout=READ_TIMEOUT, deadline=DEADLINE, headers=asked
        ) as response:
            if response.status_code == 304:
                return Fetched(b"", "", etag, last_modified, unchanged=True)
            if response.status_code >= 400:
                raise FeedError(
                    _("The feed's server answered HTTP %(status)s.")
                    % {"status": response.status_code}
                )
            new_etag = response.headers.get("etag", "")[:500]
            new_modified = response.headers.get("last-modified", "")[:100]
            if (etag and new_etag == etag) or (
                not etag and not new_etag and last_modified and new_modified == last_modified
            ):
                return Fetched(b"", "", new_etag, new_modified, unchanged=True)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_FEED_BYTES:
                raise FeedError(too_big())
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_FEED_BYTES:
                    raise FeedError(too_big())
                chunks.append(chunk)
            return Fetched(
                b"".join(chunks),
                response.headers.get("content-type", ""),
                new_etag,
                new_modified,
            )
    except httpx.TimeoutException:
        if time.monotonic() - started >= DEADLINE:
            raise FeedError(
                _("The feed took more than %(seconds)d seconds to arrive.") % {"seconds": DEADLINE}
            ) from None
        raise FeedError(
            _("The feed's server stopped answering for %(seconds)d seconds.")
            % {"seconds": READ_TIMEOUT}
        ) from None
    except httpx.TransportError as exc:
        raise FeedError(
            _("The connection broke while reading the feed (%(reason)s).") % {"reason": exc}
        ) from None


# --- discovery ------------------------------------------------------------------------------


class _FeedLinks(HTMLParser):
    """<link rel="alternate" type="application/rss+xml" href="…"> in a page's markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, title)
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "title":
            self._in_title = True
        if tag != "link":
            return
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href"):
            self.links.append((values["href"], values.get("title", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.title:
            self.title = " ".join(data.split())[:300]


@dataclass
class Discovered:
    url: str  # the feed's own address
    site_url: str
    title: str
    fetched: Fetched
    parsed: parser.Parsed


def web_address(raw: str) -> str:
    """What a person typed, as a web address: "example.com" means https://example.com."""
    url = raw.strip()
    if url and "://" not in url:
        url = "https://" + url
    if len(url) > 2000:
        raise ActionError(_("That address is too long to be a feed's."), field="url")
    host = urlsplit(url).hostname or ""
    dotless = "." not in host and ":" not in host and host != "localhost"  # not IPv6, not local
    if any(c.isspace() for c in url) or dotless:
        # Said before any DNS lookup: "not a url" is a typing slip, not an unknown site.
        raise ActionError(
            _(
                "“%(raw)s” is not a web address: type a site or feed address such as "
                "example.com or https://example.com/feed.xml."
            )
            % {"raw": raw.strip()[:100]},
            field="url",
        )
    return url


def _looks_like_html(fetched: Fetched) -> bool:
    # What the bytes start with wins over the Content-Type: many servers send their RSS
    # as text/html.
    start = fetched.content[:500].lstrip().lower()
    if start.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        return False
    return "html" in fetched.content_type.lower() or start.startswith((b"<!doctype", b"<html"))


def _as_feed(url: str, fetched: Fetched, now: datetime) -> parser.Parsed | None:
    parsed = parser.parse(fetched.content, content_type=fetched.content_type, now=now)
    return parsed if parsed.items or parsed.title else None


def discover(raw_url: str, now: datetime | None = None) -> Discovered:
    """The feed behind an address (the feed itself, or a site that links to one).

    Raises ActionError with a sentence for the person (private address, nothing found)."""
    at = now or timezone.now()
    url = web_address(raw_url)
    try:
        page = fetch(url)
        if not _looks_like_html(page):
            parsed = _as_feed(url, page, at)
            if parsed is not None:
                return Discovered(url, _site_of(url), parsed.title, page, parsed)
            raise ActionError(
                "; ".join(
                    parser.parse(page.content, content_type=page.content_type, now=at).problems[:2]
                )
                or _("There is no feed at this address."),
                field="url",
            )
        links = _FeedLinks()
        links.feed(page.content[:MAX_FEED_BYTES].decode("utf-8", "replace"))
        candidates = [urljoin(url, href) for href, _title in links.links]
        root = _site_of(url)
        candidates += [urljoin(root, path) for path in USUAL_PATHS]
        for candidate in dict.fromkeys(candidates):  # in order, each once
            found = _try(candidate, at)
            if found is not None:
                fetched, parsed = found
                return Discovered(candidate, url, parsed.title or links.title, fetched, parsed)
    except http.OutboundError as exc:
        raise ActionError(exc.message, field="url") from None
    except FeedError as exc:
        raise ActionError(exc.message, field="url") from None
    raise ActionError(
        _(
            "No RSS or Atom feed was found on this site: the page links to none and the usual "
            "addresses (/feed, /rss.xml…) have none. Paste the feed's own address."
        ),
        field="url",
    )


def _try(url: str, at: datetime) -> tuple[Fetched, parser.Parsed] | None:
    """A candidate address: its feed, or None when it is not one (or cannot be read)."""
    try:
        fetched = fetch(url)
    except http.BlockedAddress:
        raise  # a link to a private address is refused loudly, not skipped
    except (FeedError, http.OutboundError):
        return None
    if _looks_like_html(fetched):
        return None
    parsed = _as_feed(url, fetched, at)
    return (fetched, parsed) if parsed is not None else None


def _site_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


# --- storing items --------------------------------------------------------------------------


def item_key(feed_id: int, url: str, external_id: str) -> str:
    """The same link is the same item whatever feed or read brings it; without a link, the
    feed's own id for it (only that feed can repeat it)."""
    canonical = canonical_url(url) if url else ""
    basis = f"link:{canonical}" if canonical else f"feed:{feed_id}:{external_id}"
    return hashlib.sha256(basis.encode()).hexdigest()


def _fit(value: str, length: int) -> str:
    if len(value) <= length:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def store_items(feed: Feed, items: Iterable[parser.FeedItem], at: datetime) -> int:
    """Keep the items not seen before in this workspace; how many were new."""
    by_key: dict[str, parser.FeedItem] = {}
    for item in items:
        by_key.setdefault(item_key(feed.pk, item.url, item.external_id), item)
    known: set[str] = set()
    keys = list(by_key)
    for start in range(0, len(keys), CHUNK):
        known.update(
            FeedItem.objects.filter(
                workspace_id=feed.workspace_id, key__in=keys[start : start + CHUNK]
            ).values_list("key", flat=True)
        )
    new = [
        FeedItem(
            workspace_id=feed.workspace_id,
            feed=feed,
            key=key,
            external_id=_fit(item.external_id, 500),
            url=item.url,
            title=item.title,
            text=item.text,
            author=item.author,
            language=feed.language or detect(item.text[:NLP_CHARS]),
            published_at=item.published,
            dated=item.dated,
            fetched_at=at,
        )
        for key, item in by_key.items()
        if key not in known
    ]
    # Another read of another feed carrying the same link may land between the check and
    # the insert: the unique key keeps one, and this read does not fail for it.
    FeedItem.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)
    return len(new)


# --- reading on schedule --------------------------------------------------------------------


@dataclass
class ReadResult:
    read: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def interval_of(feed: Feed) -> timedelta:
    return timedelta(seconds=max(feed.interval, MIN_INTERVAL))


def read_due(
    now: datetime | None = None, limit: int = 200, budget: float = TIME_BUDGET
) -> ReadResult:
    """Read every due, active feed (oldest due first) for at most `budget` seconds."""
    at = now or timezone.now()
    result = ReadResult()
    due = list(
        Feed.objects.filter(is_active=True, next_read_at__lte=at).order_by("next_read_at", "id")[
            :limit
        ]
    )
    started = time.monotonic()
    for feed in due:
        if time.monotonic() - started > budget:
            break
        if not claim(feed, at):
            continue  # another worker got there first
        if read_feed(feed, at):
            result.read += 1
        else:
            result.failed += 1
            result.errors.append(f"{feed}: {feed.last_error}")
    return result


def claim(feed: Feed, now: datetime) -> bool:
    """Take the feed for LEASE: a conditional update only one worker can win."""
    until = now + LEASE
    taken = Feed.objects.filter(pk=feed.pk, next_read_at=feed.next_read_at).update(
        next_read_at=until
    )
    if taken:
        feed.next_read_at = until
    return bool(taken)


def read_feed(feed: Feed, now: datetime | None = None) -> bool:
    """Read a claimed feed and store what is new; False when it failed (`last_error`)."""
    at = now or timezone.now()
    try:
        fetched = fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        found = 0
        problems: list[str] = []
        if not fetched.unchanged:
            parsed = parser.parse(fetched.content, content_type=fetched.content_type, now=at)
            if not parsed.items and parsed.problems:
                raise FeedError("; ".join(parsed.problems[:3]))
            with transaction.atomic():
                found = store_items(feed, parsed.items, at)
            problems = parsed.problems
            if parsed.title and not feed.title:
                feed.title = parsed.title[:300]
        _succeeded(feed, fetched, found, problems, at)
        return True
    except (FeedError, http.OutboundError) as exc:
        _failed(feed, exc.message, at)
    except Exception as exc:  # one broken feed must not stop the others
        log.exception("feed %s could not be read", feed.pk)
        _failed(feed, str(exc) or exc.__class__.__name__, at)
    return False


def _succeeded(feed: Feed, fetched: Fetched, found: int, problems: list[str], at: datetime) -> None:
    values: dict[str, Any] = {
        "title": feed.title,
        "last_read_at": at,
        "last_found": found,
        "last_error": "",
        "error_count": 0,
        "next_read_at": at + interval_of(feed),
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
    }
    if not fetched.unchanged:
        values["last_problems"] = problems[:50]
    Feed.objects.filter(pk=feed.pk).update(**values)
    for name, value in values.items():
        setattr(feed, name, value)


def _failed(feed: Feed, message: str, at: datetime) -> None:
    failures = feed.error_count + 1
    wait = min(interval_of(feed) * (2 ** min(failures - 1, 16)), MAX_BACKOFF)
    values: dict[str, Any] = {
        "last_error": message[:2000],
        "error_count": failures,
        "last_read_at": at,
        "next_read_at": at + wait,
    }
    try:
        Feed.objects.filter(pk=feed.pk).update(**values)
    except Exception:
        log.exception("feed %s: the failure could not be recorded", feed.pk)
    for name, value in values.items():
        setattr(feed, name, value)


# --- what people do -------------------------------------------------------------------------


def same_workspace(access: Access, obj: Any) -> None:
    if obj.workspace_id != access.workspace.pk:
        raise ActionError(_("That belongs to another workspace."))


def _interval(value: int | None) -> int:
    if value is None:
        return 3600
    if value < MIN_INTERVAL or value > 7 * 86400:
        raise ActionError(
            _("Read a feed between every %(min)d seconds and once a week.") % {"min": MIN_INTERVAL},
            field="interval",
        )
    return value


def subscribe(
    access: Access, url: str, *, topic: str = "", title: str = "", now: datetime | None = None
) -> Feed:
    """Find the feed behind `url`, subscribe and keep its items at once."""
    access.require("curation.edit")
    at = now or timezone.now()
    if not url.strip():
        raise ActionError(_("Paste the address of a site or of its feed."), field="url")
    found = discover(url, at)
    if Feed.objects.filter(workspace=access.workspace, url=found.url).exists():
        raise ActionError(_("This workspace already reads that feed."), field="url")
    try:
        with transaction.atomic():
            feed = Feed.objects.create(
                workspace=access.workspace,
                url=found.url,
                site_url=found.site_url if found.site_url != found.url else "",
                title=(title.strip() or found.title or urlsplit(found.url).netloc)[:300],
                topic=topic.strip()[:100],
                created_by=access.user,
                next_read_at=at,
            )
            record(
                "feed.subscribe",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=feed,
                after={"url": feed.url, "topic": feed.topic},
            )
    except IntegrityError:
        raise ActionError(_("This workspace already reads that feed."), field="url") from None
    # The first read is the one discovery just made: its items are shown straight away.
    with transaction.atomic():
        found_count = store_items(feed, found.parsed.items, at)
    _succeeded(feed, found.fetched, found_count, found.parsed.problems, at)
    return feed


@dataclass(frozen=True)
class FeedChange:
    title: str | None = None
    topic: str | None = None
    interval: int | None = None
    is_active: bool | None = None


def update_feed(access: Access, feed: Feed, change: FeedChange) -> Feed:
    access.require("curation.edit")
    same_workspace(access, feed)
    before = {"title": feed.title, "topic": feed.topic, "interval": feed.interval}
    before["is_active"] = feed.is_active
    if change.title is not None:
        feed.title = change.title.strip()[:300] or feed.title
    if change.topic is not None:
        feed.topic = change.topic.strip()[:100]
    if change.interval is not None:
        feed.interval = _interval(change.interval)
    if change.is_active is not None:
        resumed = change.is_active and not feed.is_active
        feed.is_active = change.is_active
        if resumed:  # read again soon, not after the pause's back-off
            feed.next_read_at = timezone.now()
    with transaction.atomic():
        feed.save()
        record(
            "feed.update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=feed,
            before=before,
            after={
                "title": feed.title,
                "topic": feed.topic,
                "interval": feed.interval,
                "is_active": feed.is_active,
            },
        )
    return feed


def delete_feed(access: Access, feed: Feed) -> None:
    """Unsubscribe; its items go, except those saved to the library (their copy stays)."""
    access.require("curation.edit")
    same_workspace(access, feed)
    with transaction.atomic():
        record(
            "feed.delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=feed,
            before={"url": feed.url},
        )
        feed.delete()


def read_now(access: Access, feed: Feed) -> Feed:
    """Read the feed in the request (a person waits for the answer)."""
    access.require("curation.edit")
    same_workspace(access, feed)
    at = timezone.now()
    Feed.objects.filter(pk=feed.pk).update(next_read_at=at)
    feed.refresh_from_db()
    if claim(feed, at):
        read_feed(feed, at)
    feed.refresh_from_db()
    return feed


# --- the list, unread counts, read marks ----------------------------------------------------


def feeds_with_counts(workspace: Workspace, user: User) -> QuerySet[Feed]:
    """The feeds, each with `total` items and `unread` by this person."""
    return (
        Feed.objects.filter(workspace=workspace)
        .annotate(
            total=Count("items", distinct=True),
            seen=Count("items__reads", filter=Q(items__reads__user=user), distinct=True),
        )
        .order_by("topic", "title", "id")
    )


def items_for(
    workspace: Workspace,
    user: User,
    *,
    feed_id: int | None = None,
    topic: str = "",
    unread: bool = False,
) -> QuerySet[FeedItem]:
    """Items newest first, each with `is_read` for this person, filtered as asked."""
    found = (
        FeedItem.objects.filter(workspace=workspace)
        .select_related("feed")
        .annotate(is_read=Exists(FeedItemRead.objects.filter(item=OuterRef("pk"), user=user)))
    )
    if feed_id is not None:
        found = found.filter(feed_id=feed_id)
    if topic:
        found = found.filter(feed__topic=topic)
    if unread:
        found = found.filter(is_read=False)
    return found.order_by("-published_at", "-id")


def mark(access: Access, items: Iterable[FeedItem], read: bool) -> int:
    """Read marks are each person's own (no audit entry: they change nobody else's view)."""
    access.require("curation.view")
    ids = [item.pk for item in items if item.workspace_id == access.workspace.pk]
    if read:
        FeedItemRead.objects.bulk_create(
            [FeedItemRead(item_id=pk, user=access.user) for pk in ids],
            ignore_conflicts=True,
            batch_size=CHUNK,
        )
    else:
        FeedItemRead.objects.filter(item_id__in=ids, user=access.user).delete()
    return len(ids)


def mark_all_read(access: Access, items: QuerySet[FeedItem]) -> int:
    """Every item of this (filtered) list, read for this person."""
    access.require("curation.view")
    unread = items.filter(workspace=access.workspace).exclude(reads__user=access.user)
    ids = list(unread.values_list("pk", flat=True)[:20_000])
    FeedItemRead.objects.bulk_create(
        [FeedItemRead(item_id=pk, user=access.user) for pk in ids],
        ignore_conflicts=True,
        batch_size=CHUNK,
    )
    return len(ids)
