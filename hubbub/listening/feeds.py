"""RSS and Atom feeds as listening reads them: what a feed's bytes hold, item by item.

`parse(content, content_type=…, now=…)` returns the feed's items (id, link, title, plain
text, author, date) and the problems met, in sentences. It never raises on what a feed
sends: broken XML, a declared encoding that lies, an item of megabytes, no dates, HTML and
scripts in descriptions, a web page instead of a feed. What can be read is kept; what
cannot is said, with the item's number, so that a source's page shows why.

feedparser does the reading: it knows the RSS 0.9x/1.0/2.0 and Atom dialects, falls back to
a lenient parser on broken XML, and tries the declared, the sniffed and the usual encodings
in turn — a decade of feeds' quirks we would not write again.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from typing import Any

import feedparser  # type: ignore[import-untyped]
import regex
from django.utils.html import strip_tags

from hubbub.inbox import text as texts
from hubbub.inbox.ingest import ID_LENGTH, fit_id, safe_url

TITLE_LENGTH = 500
AUTHOR_LENGTH = 255
# Feeds larger than this are not read (a broken or hostile server streaming forever).
MAX_FEED_BYTES = 20 * 1024 * 1024
# strip_tags keeps the text between tags: a script's or a style's is not the item's text.
_SCRIPTS = regex.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", regex.IGNORECASE | regex.DOTALL)


@dataclass(frozen=True)
class FeedItem:
    external_id: str  # the item's id, else its link, else a hash of what it says
    url: str  # "" when the item has no web link (or a non-web one)
    title: str
    text: str  # plain text: title and summary or content, tags removed, entities decoded
    author: str
    published: datetime  # aware UTC; the time it was read when the feed gives none
    dated: bool  # False: the feed gave no date, `published` is when it was read
    truncated_from: int | None = None  # the text's length before it was cut (MAX_TEXT)


@dataclass
class Parsed:
    title: str = ""
    items: list[FeedItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse(content: bytes, *, content_type: str = "", now: datetime) -> Parsed:
    """The feed's items, newest first as the feed lists them, and its problems."""
    parsed = Parsed()
    if not content.strip():
        parsed.problems.append("The address answered with nothing: no feed to read.")
        return parsed
    if len(content) > MAX_FEED_BYTES:
        parsed.problems.append(
            f"The feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB: not read. "
            "Ask its publisher for a shorter one, or a feed per category."
        )
        return parsed
    # Only a charset the server states is passed on: feedparser otherwise applies RFC 3023's
    # us-ascii default to text/xml, and a good UTF-8 feed served as text/xml (very common)
    # would be reported as wrongly encoded. Without it the XML declaration decides.
    headers = {"content-type": content_type} if "charset=" in content_type.lower() else {}
    result = feedparser.parse(content, response_headers=headers)
    feed: dict[str, Any] = result.get("feed") or {}
    entries: list[dict[str, Any]] = result.get("entries") or []
    parsed.title = texts.clean_line(feed.get("title", ""), TITLE_LENGTH)
    if not entries and not feed.get("title"):
        reason = _reason(result)
        parsed.problems.append(
            "This is not an RSS or Atom feed"
            + (f" ({reason})" if reason else "")
            + ": check the address, or look on the site for its feed link."
        )
        return parsed
    if result.get("bozo"):
        reason = _reason(result)
        if reason:
            parsed.problems.append(
                f"The feed is not well-formed ({reason}); {len(entries)} item(s) were read anyway."
            )
    for number, entry in enumerate(entries, start=1):
        item, problem = _item(entry, now)
        if item is not None:
            parsed.items.append(item)
        if problem:
            parsed.problems.append(f"Item {number}: {problem}")
    return parsed


def _reason(result: Any) -> str:
    exception = result.get("bozo_exception")
    if exception is None:
        return ""
    name = type(exception).__name__
    if "CharacterEncoding" in name:
        encoding = result.get("encoding") or "another encoding"
        return f"its declared encoding is wrong; it was read as {encoding}"
    message = " ".join(str(exception).split())[:200]
    return message or name


def _item(entry: dict[str, Any], now: datetime) -> tuple[FeedItem | None, str]:
    title = _plain(entry.get("title", ""))
    body = _body(entry)
    url = safe_url(entry.get("link", ""))
    if not (title or body or url):
        return None, "it has no title, no text and no link: left out."
    published, dated = _date(entry, now)
    cleaned = texts.clean_text("\n\n".join(part for part in (title, body) if part))
    external = fit_id(entry.get("id", "")) or url
    if not external:
        digest = hashlib.sha256(f"{title}\n{body}\n{published.isoformat()}".encode()).hexdigest()
        external = f"sha256:{digest}"
    item = FeedItem(
        external_id=external[:ID_LENGTH],
        url=url,
        title=texts.clean_line(title, TITLE_LENGTH),
        text=cleaned.text,
        author=texts.clean_line(_plain(entry.get("author", "")), AUTHOR_LENGTH),
        published=published,
        dated=dated,
        truncated_from=cleaned.truncated_from,
    )
    problem = ""
    if cleaned.truncated_from is not None:
        problem = (
            f"its text is {cleaned.truncated_from:,} characters long; "
            f"the first {texts.MAX_TEXT:,} were kept."
        )
    return item, problem


def _body(entry: dict[str, Any]) -> str:
    """The fullest text the item has: its content, else its summary."""
    contents = entry.get("content") or []
    values = [c.get("value", "") for c in contents if isinstance(c, dict)]
    best = max(values, key=len, default="")
    summary = entry.get("summary", "")
    return _plain(best if len(best) >= len(summary) else summary)


def _plain(value: Any) -> str:
    """Text without tags (scripts and styles with their content), entities decoded."""
    raw = str(value or "")
    if "<" in raw:
        raw = _SCRIPTS.sub(" ", raw)
        raw = strip_tags(raw)
    return " ".join(html.unescape(raw).split())


def _date(entry: dict[str, Any], now: datetime) -> tuple[datetime, bool]:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, struct_time):
            try:
                moment = datetime(*value[:6], tzinfo=UTC)
            except ValueError:
                continue
            return min(moment, now), True  # a date in the future is taken as now
    return now, False
