"""Searching X for listening: GET /2/tweets/search/recent (X API > Posts > Search).

The terms are sent as the `query`, as written: X's own operators work (`-is:retweet`,
`lang:fr`, `from:`, quotes, OR, parentheses). X takes 512 characters at most on the
self-serve access levels (4,096 on Pro and Enterprise); Hubbub refuses a longer query before
asking. Recent search reaches the last 7 days only, and needs a paid access level: an app
without it gets 403 client-not-enrolled, reported as for any other endpoint (client.py).

Results come newest first, at most 100 a page (`max_results`, 10 to 100), the next page
named by meta.next_token, passed back as `next_token`. Ids are Snowflake ids, growing with
time; our cursor is the newest id read, passed back as `since_id`, and X answers only what is
newer, across all the pages: each read follows them to the end (at most MAX_PAGES), and
returns them oldest first. Past MAX_ITEMS_PER_FETCH a later read keeps the oldest and says
`more`; a first read keeps the newest.

A first read (no cursor) starts at `since` (`start_time`, RFC 3339, to the second),
clamped into the window X searches: no older than 7 days (less a minute, so that the clock
difference with X does not make the request invalid), and no later than a minute ago (X's
end_time defaults to 30 seconds before the request, and start_time must come before it);
posts older than `since` are then left out here. X refuses a since_id older than 7 days
(400, "Invalid 'since_id'"), and since_id together with start_time: a cursor older than the
window (a source paused for a week) is replaced by the window's start, everything there
being newer than the cursor anyway.

Each post comes with its author (`expansions=author_id`, includes.users): reach is the
author's public_metrics.followers_count, shares are retweet_count + quote_count, and the
language is X's `lang` when it is an ISO 639-1 code (X detects it; "und", "qme" (media
only), "zxx" and the like are no language). X escapes &, < and > in `text`: it is unescaped
once, as for mentions.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.incoming import MAX_ITEMS_PER_FETCH, Incoming, Page
from hubbub.networks.x.client import call
from hubbub.networks.x.reading import incoming, page_of, post_metrics

if TYPE_CHECKING:
    from hubbub.networks.x.connector import XConnector

log = logging.getLogger(__name__)

PATH = "/2/tweets/search/recent"
PAGE_SIZE = 100  # max_results: 10 to 100
# 5,000 posts a read at most; a term busier than that between two reads loses the oldest.
MAX_PAGES = 50
# "query: ... 512 characters long" for the self-serve access levels (Pro and Enterprise:
# 4,096); Hubbub keeps the limit every app has.
MAX_QUERY_LENGTH = 512
WINDOW = timedelta(days=7)  # what recent search reaches
WINDOW_MARGIN = timedelta(minutes=1)
LATEST_START = timedelta(minutes=1)
FIELDS = {
    "tweet.fields": (
        "created_at,lang,public_metrics,author_id,conversation_id,in_reply_to_user_id,"
        "referenced_tweets"
    ),
    "expansions": "author_id",
    "user.fields": "username,name,public_metrics,profile_image_url",
}
# Snowflake ids: milliseconds since X's epoch, shifted left by 22 bits.
SNOWFLAKE_EPOCH_MS = 1288834974657
# Java's old language codes, which X still sends for these languages.
_LEGACY_LANGUAGES = {"in": "id", "iw": "he", "ji": "yi"}
_ISO_639_1 = re.compile(r"[a-z]{2}")


def search(conn: XConnector, terms: str, cursor: str | None, since: datetime | None = None) -> Page:
    if len(terms) > MAX_QUERY_LENGTH:
        raise PermanentError(
            _(
                "X searches take at most %(limit)s characters, and this query has "
                "%(length)s: shorten it."
            )
            % {"limit": MAX_QUERY_LENGTH, "length": len(terms)}
        )
    now = timezone.now()
    oldest = now - WINDOW + WINDOW_MARGIN
    after = int(cursor) if cursor and cursor.isdigit() else None
    params: dict[str, str] = {"query": terms, "max_results": str(PAGE_SIZE), **FIELDS}
    if after is not None:
        if snowflake_time(after) > oldest:
            params["since_id"] = str(after)
        else:
            params["start_time"] = rfc3339(oldest)
    elif since is not None:
        params["start_time"] = rfc3339(min(max(since, oldest), now - LATEST_START))
    read: list[tuple[dict[str, Any], dict[str, dict[str, Any]]]] = []
    seen: set[str] = set()
    for _page_number in range(MAX_PAGES):
        body = call(conn, "GET", PATH, params=params)
        users = {
            str(u["id"]): u
            for u in (body.get("includes") or {}).get("users") or ()
            if isinstance(u, dict) and u.get("id")
        }
        for tweet in body.get("data") or ():  # newest first
            if not isinstance(tweet, dict) or not str(tweet.get("id") or "").isdigit():
                continue
            tweet_id = str(tweet["id"])
            if tweet_id in seen or (after is not None and int(tweet_id) <= after):
                continue
            if after is None and since is not None and _older(tweet, since):
                continue
            seen.add(tweet_id)
            read.append((tweet, users))
        token = (body.get("meta") or {}).get("next_token")
        if not token or (after is None and len(read) >= MAX_ITEMS_PER_FETCH):
            break
        params = {**params, "next_token": str(token)}
    else:
        log.warning("X: search has more than %s new posts; the oldest are skipped", len(read))
    return page_of(read, cursor, first_read=after is None, make=searched)


def searched(tweet: dict[str, Any], users: dict[str, dict[str, Any]]) -> Incoming:
    """A search result, with its language, its shares and its author's reach."""
    item = incoming(tweet, users)
    user = users.get(str(tweet.get("author_id") or ""), {})
    metrics = user.get("public_metrics")
    followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
    if isinstance(followers, int) and not isinstance(followers, bool):
        item = dataclasses.replace(
            item, author=dataclasses.replace(item.author, followers_count=followers)
        )
    return dataclasses.replace(item, language=language_of(tweet), shares=post_metrics(tweet).shares)


def language_of(tweet: dict[str, Any]) -> str:
    """X's `lang` as an ISO 639-1 code, or "" ("und", "qme", "zxx", "art", three-letter
    codes)."""
    code = str(tweet.get("lang") or "").strip().lower().split("-")[0]
    code = _LEGACY_LANGUAGES.get(code, code)
    return code if _ISO_639_1.fullmatch(code) else ""


def snowflake_time(tweet_id: int) -> datetime:
    return datetime.fromtimestamp(((tweet_id >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, UTC)


def rfc3339(when: datetime) -> str:
    """YYYY-MM-DDTHH:mm:ssZ, as X takes start_time (to the second)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _older(tweet: dict[str, Any], since: datetime) -> bool:
    value = tweet.get("created_at")
    if not isinstance(value, str):
        return False
    try:
        created = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return created < since
