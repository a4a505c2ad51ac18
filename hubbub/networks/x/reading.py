"""Reading from X: mentions of the account, replies to our posts, and post metrics.

Mentions: GET /2/users/:id/mentions (X API > Posts > Timelines), newest first, at most 100
a page (max_results), `since_id` for "newer than", `pagination_token` for the next page
(meta.next_token). X keeps the 800 most recent mentions there.

Comments: GET /2/tweets/search/recent with query `conversation_id:<root id>` (X API > Posts >
Search): every reply in the post's conversation, newest first, 100 a page, `since_id` and
`next_token`. Recent search only reaches the last 7 days: replies older than that are not
read (the full archive needs the Pro access level). The root post and our own replies (a
thread's next parts, answers sent from Hubbub) are not comments.

Both ask for `expansions=author_id` with user.fields username, name and profile_image_url,
so that the authors come in the same answer (`includes.users`). Ids are Snowflake ids,
growing with time: the cursor is the newest id read, compared as an integer, and passed
back as since_id. Each call follows the pages until X has no more (the answer is everything
newer than since_id); past MAX_ITEMS_PER_FETCH, a first read keeps the newest, a later one
the oldest and says `more`.

Metrics: GET /2/tweets?ids=…&tweet.fields=public_metrics (X API > Posts > Post lookup), 100
ids a call. like_count → likes, retweet_count + quote_count → shares, reply_count →
comments, impression_count → impressions, bookmark_count → saves. A deleted post comes back
in `errors` instead of `data`, and is left out.

Account metrics: GET /2/users/me?user.fields=public_metrics (X API > Users > User lookup):
followers_count, following_count and tweet_count.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from hubbub.networks.incoming import (
    MAX_ITEMS_PER_FETCH,
    AccountMetrics,
    Author,
    Incoming,
    Page,
    PostMetrics,
)
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.x.client import call

if TYPE_CHECKING:
    from hubbub.networks.x.connector import XConnector

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # max_results: 5-100 for mentions, 10-100 for recent search
# A walk never goes on for ever: 5,000 items at most a call at X's 100 a page. The mentions
# timeline keeps only the 800 newest anyway; a post with more new replies than that between
# two reads (the inbox reads every few minutes) loses the oldest of them, and says so in the log.
MAX_PAGES = 50
IDS_PER_CALL = 100  # GET /2/tweets: "A comma separated list of Post IDs. Up to 100"
FIELDS = {
    "expansions": "author_id",
    "user.fields": "username,name,profile_image_url",
    "tweet.fields": "created_at,author_id,conversation_id,referenced_tweets",
}


def fetch_mentions(conn: XConnector, cursor: str | None) -> Page:
    params = {"max_results": str(PAGE_SIZE), **FIELDS}
    read = _walk(conn, f"/2/users/{conn.user_id()}/mentions", params, "pagination_token", cursor)
    return _page(conn, read, cursor, keep=lambda tweet: True)


def fetch_comments(conn: XConnector, ref: PublishedRef, cursor: str | None) -> Page:
    root = str(ref.data.get("id") or ref.external_id)
    own = conn.user_id()
    params = {"query": f"conversation_id:{root}", "max_results": str(PAGE_SIZE), **FIELDS}
    read = _walk(conn, "/2/tweets/search/recent", params, "next_token", cursor)
    return _page(
        conn,
        read,
        cursor,
        keep=lambda tweet: str(tweet["id"]) != root and str(tweet.get("author_id")) != own,
    )


Read = list[tuple[dict[str, Any], dict[str, dict[str, Any]]]]  # each tweet, with its users


def _walk(
    conn: XConnector, path: str, params: dict[str, str], token_name: str, cursor: str | None
) -> Read:
    if cursor:
        params = {**params, "since_id": cursor}
    read: Read = []
    for _ in range(MAX_PAGES):
        body = call(conn, "GET", path, params=params)
        users = {
            str(u["id"]): u
            for u in (body.get("includes") or {}).get("users") or ()
            if isinstance(u, dict) and u.get("id")
        }
        read += [(t, users) for t in body.get("data") or () if isinstance(t, dict) and t.get("id")]
        token = (body.get("meta") or {}).get("next_token")
        if not token or (cursor is None and len(read) >= MAX_ITEMS_PER_FETCH):
            break
        params = {**params, token_name: str(token)}
    else:
        log.warning("X: %s has more than %s new items; the oldest are skipped", path, len(read))
    return read


def _page(conn: XConnector, read: Read, cursor: str | None, keep: Any) -> Page:
    return page_of(
        read,
        cursor,
        first_read=cursor is None,
        make=lambda tweet, users: incoming(tweet, users) if keep(tweet) else None,
    )


def page_of(
    read: list[tuple[dict[str, Any], Any]],
    cursor: str | None,
    first_read: bool,
    make: Callable[[dict[str, Any], Any], Incoming | None],
) -> Page:
    """Items read (each with what `make` needs beside it), oldest first by their Snowflake id,
    at most MAX_ITEMS_PER_FETCH; the cursor is the newest id kept (posts and direct
    messages alike)."""
    oldest_first = sorted(read, key=lambda pair: int(pair[0]["id"]))
    more = False
    if len(oldest_first) > MAX_ITEMS_PER_FETCH:
        if first_read:  # a first read keeps the newest: what came before is history
            oldest_first = oldest_first[-MAX_ITEMS_PER_FETCH:]
        else:
            oldest_first, more = oldest_first[:MAX_ITEMS_PER_FETCH], True
    if not oldest_first:
        return Page(items=[], cursor=cursor)
    items = [item for item in (make(a, b) for a, b in oldest_first) if item is not None]
    return Page(items=items, cursor=str(oldest_first[-1][0]["id"]), more=more)


def incoming(tweet: dict[str, Any], users: dict[str, dict[str, Any]]) -> Incoming:
    author_id = str(tweet.get("author_id") or "")
    user = users.get(author_id, {})
    username = str(user.get("username") or "")
    tweet_id = str(tweet["id"])
    replied_to = ""
    for referenced in tweet.get("referenced_tweets") or ():
        if isinstance(referenced, dict) and referenced.get("type") == "replied_to":
            replied_to = str(referenced.get("id") or "")
    return Incoming(
        external_id=tweet_id,
        # X escapes &, < and > as HTML entities in `text`; the inbox wants the plain text.
        text=html.unescape(str(tweet.get("text") or "")),
        author=Author(
            external_id=author_id,
            handle=f"@{username}" if username else "",
            name=str(user.get("name") or username),
            avatar_url=str(user.get("profile_image_url") or ""),
            profile_url=f"https://x.com/{username}" if username else "",
        ),
        created_at=_when(tweet.get("created_at")) or timezone.now(),
        url=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
        in_reply_to=replied_to,
        data={"id": tweet_id, "conversation_id": str(tweet.get("conversation_id") or "")},
    )


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def fetch_metrics(conn: XConnector, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
    by_id = {str(ref.data.get("id") or ref.external_id): ref.external_id for ref in refs}
    ids = list(by_id)
    metrics: dict[str, PostMetrics] = {}
    for start in range(0, len(ids), IDS_PER_CALL):
        chunk = ids[start : start + IDS_PER_CALL]
        body = call(
            conn,
            "GET",
            "/2/tweets",
            params={"ids": ",".join(chunk), "tweet.fields": "public_metrics"},
        )
        for tweet in body.get("data") or ():
            if isinstance(tweet, dict) and str(tweet.get("id")) in by_id:
                metrics[by_id[str(tweet["id"])]] = post_metrics(tweet)
    return metrics


def post_metrics(tweet: dict[str, Any]) -> PostMetrics:
    found = tweet.get("public_metrics")
    counts: dict[str, Any] = found if isinstance(found, dict) else {}

    def count(name: str) -> int | None:
        value = counts.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    retweets, quotes = count("retweet_count"), count("quote_count")
    shares = None if retweets is None and quotes is None else (retweets or 0) + (quotes or 0)
    return PostMetrics(
        likes=count("like_count"),
        shares=shares,
        comments=count("reply_count"),
        impressions=count("impression_count"),
        saves=count("bookmark_count"),
    )


def fetch_account_metrics(conn: XConnector) -> AccountMetrics:
    """GET /2/users/me with user.fields=public_metrics: followers_count, following_count and
    tweet_count (X reports no profile views through the API)."""
    body = call(conn, "GET", "/2/users/me", params={"user.fields": "public_metrics"})
    user = body.get("data")
    found = user.get("public_metrics") if isinstance(user, dict) else None
    counts: dict[str, Any] = found if isinstance(found, dict) else {}
    return AccountMetrics(
        followers=_optional(counts, "followers_count"),
        following=_optional(counts, "following_count"),
        posts=_optional(counts, "tweet_count"),
    )


def _optional(found: dict[str, Any], name: str) -> int | None:
    value = found.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
