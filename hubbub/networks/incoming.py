"""What a connector reads back from a network: comments, mentions and metrics.

Cursors. `fetch_comments(ref, cursor)` and `fetch_mentions(cursor)` return a Page: the items
newer than what `cursor` covers, oldest first, and the cursor to pass next time. The cursor
is opaque to callers (each connector encodes what its network needs: a since_id, a
timestamp, the newest id seen) and is stored as-is by the inbox. Within one call the
connector follows the network's pagination until it reaches what the cursor covers (or
`MAX_ITEMS_PER_FETCH`, when `Page.more` says a next call continues from there), so that
nothing is missed between two calls and nothing is returned twice. The first call (cursor
None) returns what the network still shows, up to MAX_ITEMS_PER_FETCH.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# One call reads at most this many items; a busier post is read over several calls.
MAX_ITEMS_PER_FETCH = 500


@dataclass(frozen=True)
class Author:
    external_id: str
    handle: str  # as the network shows it, e.g. @alice.bsky.social, @alice@example.social
    name: str = ""
    avatar_url: str = ""
    profile_url: str = ""
    followers_count: int | None = None  # where the network says (inbox rules use it)


@dataclass(frozen=True)
class Incoming:
    """One comment or mention, as the network has it."""

    external_id: str  # the network's id; with the channel, unique
    text: str  # plain text (HTML converted), never trusted: escaped wherever shown
    author: Author
    created_at: datetime  # aware, UTC
    url: str = ""  # where a person opens it on the network
    in_reply_to: str = ""  # the external_id of the post or comment it answers, if any
    # What a reply to it needs (Bluesky: uri and cid), as PublishedRef.data is for posts.
    data: dict[str, Any] = field(default_factory=dict)
    # Where the network tells of changes (webhooks, full re-reads): when it was last edited,
    # and whether it was deleted (then `text` may be empty; the inbox keeps what it had).
    edited_at: datetime | None = None
    deleted: bool = False
    # Where the network says (listening uses them): the language the author declared, and
    # how many times it was shared (reposts, boosts, retweets) when read.
    language: str = ""
    shares: int | None = None


@dataclass(frozen=True)
class Page:
    items: list[Incoming]
    cursor: str | None  # pass to the next call; None only when nothing was ever seen
    more: bool = False  # MAX_ITEMS_PER_FETCH was reached: call again at once for the rest


@dataclass(frozen=True)
class PostMetrics:
    """A published post's counts when read; None where the network does not give one.

    likes: likes, favourites, reactions. shares: reposts, boosts, retweets, shares.
    comments: replies and comments. impressions: times shown (Meta's "impressions",
    X's impression_count). views: video views or plays. clicks: link clicks. saves:
    bookmarks, saves, pins saved.
    """

    likes: int | None = None
    shares: int | None = None
    comments: int | None = None
    impressions: int | None = None
    views: int | None = None
    clicks: int | None = None
    saves: int | None = None
    reach: int | None = None  # distinct accounts that saw it, where the network says


@dataclass(frozen=True)
class AccountMetrics:
    """An account's counts when read; None where the network does not give one.

    followers: accounts following it. following: accounts it follows. posts: what it has
    published (statuses, posts). profile_views: visits to its profile in the last day, where
    the network reports them (its business APIs).
    """

    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    profile_views: int | None = None
