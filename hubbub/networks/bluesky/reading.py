"""Reading from Bluesky: replies to our posts, mentions of the account, and post counts.

All three are AppView methods (app.bsky.*). We call them on the account's PDS, which proxies
app.bsky.* to the AppView with the session's credentials (as get_profile does), so the only
address Hubbub talks to stays the one the person typed.

Comments: app.bsky.feed.getPostThread gives the whole reply tree at once (it does not page;
depth up to 1000). We walk every depth and keep replies newer than the cursor. Mentions:
app.bsky.notification.listNotifications, newest first, paged with its own `cursor` until we
reach what our cursor covers. Our cursor, for both, is "<indexedAt> <uri>" of the newest
item returned: indexedAt is when the AppView saw the post, so a post whose author backdated
its createdAt is still caught. Metrics: app.bsky.feed.getPosts, 25 posts a call.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError, TransientError
from hubbub.networks.bluesky.posting import get_post, split_uri
from hubbub.networks.incoming import (
    MAX_ITEMS_PER_FETCH,
    AccountMetrics,
    Author,
    Incoming,
    Page,
    PostMetrics,
)
from hubbub.networks.outgoing import PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.bluesky.connector import BlueskyConnector

# app.bsky.feed.getPostThread: `depth` is at most 1000 (lexicon); the AppView may cut
# sooner, which only hides replies deeper than any real conversation.
THREAD_DEPTH = 1000
# app.bsky.notification.listNotifications: `limit` from 1 to 100 (lexicon).
NOTIFICATIONS_LIMIT = 100
# Notifications that are posts addressed to the account (likes, reposts and follows are not).
MENTION_REASONS = ("mention", "reply", "quote")
# app.bsky.feed.getPosts: `uris` takes at most 25 (lexicon).
POSTS_PER_CALL = 25
# Enough pages to cover a very busy account between two reads (20,000 notifications); past
# that we stop rather than page without end, and the oldest of that gap are not read.
MAX_NOTIFICATION_PAGES = 200

# A post the AppView has not indexed yet is asked about again after this long.
NOT_INDEXED_RETRY = timedelta(minutes=2)

Key = tuple[datetime, str]


def fetch_comments(conn: BlueskyConnector, ref: PublishedRef, cursor: str | None) -> Page:
    uri = str(ref.data.get("uri") or ref.external_id)
    own = conn.credentials()["did"]
    try:
        out = conn.xrpc(
            "app.bsky.feed.getPostThread",
            params={"uri": uri, "depth": str(THREAD_DEPTH), "parentHeight": "0"},
        )
    except PermanentError as exc:
        if exc.status == 400 and "not found" in exc.network_message.lower():
            _raise_if_not_indexed_yet(conn, uri, own, exc)
        raise
    after = _parse_cursor(cursor)
    found: list[tuple[Key, Incoming]] = []
    for post in _replies(out.get("thread")):
        # Our own replies (the next parts of a thread, answers sent from Hubbub) are not
        # comments to read.
        if _author_did(post) == own:
            continue
        key = _key(post)
        if after is None or key > after:
            found.append((key, _incoming(post)))
    return _page(found, cursor, after, newest_only=after is None)


def _raise_if_not_indexed_yet(
    conn: BlueskyConnector, uri: str, own: str, error: PermanentError
) -> None:
    """The AppView answers NotFound both for a deleted post and for one it has not indexed
    yet (seconds after publishing, longer when it lags). Our own repository tells them
    apart: a post still there is worth asking about again shortly."""
    repo, _collection, rkey = split_uri(uri)
    if repo != own or get_post(conn, repo, rkey) is None:
        return
    raise TransientError(
        _("Bluesky has not shown this post to readers yet; Hubbub will read its replies later."),
        network_message=error.network_message,
        status=error.status,
        retry_at=timezone.now() + NOT_INDEXED_RETRY,
    )


def _replies(node: Any) -> Iterator[dict[str, Any]]:
    """Every reply under a thread view, at every depth. A reply that was deleted
    (#notFoundPost) or whose author blocks us or is blocked (#blockedPost) carries no post
    and no replies the AppView would show: it is skipped."""
    if not isinstance(node, dict):
        return
    for reply in node.get("replies") or ():
        if not isinstance(reply, dict) or not isinstance(reply.get("post"), dict):
            continue
        yield reply["post"]
        yield from _replies(reply)


def fetch_mentions(conn: BlueskyConnector, cursor: str | None) -> Page:
    after = _parse_cursor(cursor)
    found: list[tuple[Key, Incoming]] = []
    page_cursor: str | None = None
    for _page_number in range(MAX_NOTIFICATION_PAGES):
        params: dict[str, Any] = {
            "limit": str(NOTIFICATIONS_LIMIT),
            "reasons": list(MENTION_REASONS),
        }
        if page_cursor:
            params["cursor"] = page_cursor
        out = conn.xrpc("app.bsky.notification.listNotifications", params=params)
        notifications = [n for n in out.get("notifications") or () if isinstance(n, dict)]
        reached = False
        for notification in notifications:  # newest first
            key = _key(notification)
            if after is not None and key <= after:
                # Already read. The rest of this page is still looked at: the AppView sorts
                # by its own sort time, which may differ from indexedAt by a little.
                reached = True
                continue
            # `reasons` is recent in the lexicon: an AppView that ignores it sends them all.
            if notification.get("reason") in MENTION_REASONS:
                found.append((key, _incoming(notification)))
        page_cursor = out.get("cursor")
        if reached or not notifications or not page_cursor:
            break
        if after is None and len(found) >= MAX_ITEMS_PER_FETCH:
            break  # a first read takes the latest ones only
    return _page(found, cursor, after, newest_only=after is None)


def _page(
    found: list[tuple[Key, Incoming]], cursor: str | None, after: Key | None, *, newest_only: bool
) -> Page:
    """Oldest first, at most MAX_ITEMS_PER_FETCH. A first read keeps the newest of them (what
    came before Hubbub is history); a later one keeps the oldest and says there is more."""
    found.sort(key=lambda pair: pair[0])
    more = False
    if len(found) > MAX_ITEMS_PER_FETCH:
        if newest_only:
            found = found[-MAX_ITEMS_PER_FETCH:]
        else:
            found = found[:MAX_ITEMS_PER_FETCH]
            more = True
    if not found:
        return Page(items=[], cursor=cursor)
    items = [item for _key, item in found]
    return Page(items=items, cursor=_format_cursor(found[-1][0]), more=more)


def fetch_metrics(conn: BlueskyConnector, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
    by_uri = {str(ref.data.get("uri") or ref.external_id): ref.external_id for ref in refs}
    uris = list(by_uri)
    metrics: dict[str, PostMetrics] = {}
    for start in range(0, len(uris), POSTS_PER_CALL):
        out = conn.xrpc(
            "app.bsky.feed.getPosts", params={"uris": uris[start : start + POSTS_PER_CALL]}
        )
        # A deleted post (or one the AppView no longer serves) is simply absent.
        for post in out.get("posts") or ():
            if isinstance(post, dict) and post.get("uri") in by_uri:
                metrics[by_uri[post["uri"]]] = PostMetrics(
                    likes=_count(post, "likeCount"),
                    shares=_count(post, "repostCount") + _count(post, "quoteCount"),
                    comments=_count(post, "replyCount"),
                )
    return metrics


def fetch_account_metrics(conn: BlueskyConnector) -> AccountMetrics:
    """app.bsky.actor.getProfile on the account's own DID: followersCount, followsCount and
    postsCount (the AppView's counts; Bluesky reports no profile views)."""
    did = str(conn.credentials()["did"])
    profile = conn.xrpc("app.bsky.actor.getProfile", params={"actor": did})
    return AccountMetrics(
        followers=_optional(profile, "followersCount"),
        following=_optional(profile, "followsCount"),
        posts=_optional(profile, "postsCount"),
    )


def _optional(found: dict[str, Any], name: str) -> int | None:
    value = found.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _count(post: dict[str, Any], name: str) -> int:
    value = post.get(name)
    return value if isinstance(value, int) else 0


def _incoming(view: dict[str, Any]) -> Incoming:
    """An Incoming from a post view (getPostThread) or a notification (listNotifications):
    both carry uri, cid, author, record and indexedAt."""
    uri = str(view.get("uri") or "")
    record = _object(view.get("record"))
    author = _object(view.get("author"))
    handle = str(author.get("handle") or author.get("did") or "")
    reply = _object(record.get("reply"))
    parent = _object(reply.get("parent"))
    root = _object(reply.get("root"))
    avatar = str(author.get("avatar") or "")
    data: dict[str, Any] = {"uri": uri, "cid": str(view.get("cid") or "")}
    if root.get("uri") and root.get("cid"):
        # A reply to this one must name its thread's root too (app.bsky.feed.post#replyRef).
        data["root"] = {"uri": str(root["uri"]), "cid": str(root["cid"])}
    if view.get("reason"):
        data["reason"] = str(view["reason"])
    return Incoming(
        external_id=uri,
        text=str(record.get("text") or ""),
        author=Author(
            external_id=str(author.get("did") or ""),
            handle=f"@{handle}" if handle else "",
            name=str(author.get("displayName") or "").strip() or handle,
            avatar_url=avatar if avatar.startswith(("https://", "http://")) else "",
            profile_url=f"https://bsky.app/profile/{handle}" if handle else "",
        ),
        created_at=_when(record.get("createdAt")) or _when(view.get("indexedAt")) or timezone.now(),
        url=_web_url(uri, handle),
        in_reply_to=str(parent.get("uri") or ""),
        data=data,
    )


def _web_url(uri: str, handle: str) -> str:
    try:
        repo, _collection, rkey = split_uri(uri)
    except PermanentError:
        return ""
    return f"https://bsky.app/profile/{handle or repo}/post/{rkey}"


def _author_did(view: dict[str, Any]) -> str:
    author = view.get("author")
    return str(author.get("did") or "") if isinstance(author, dict) else ""


def _key(view: dict[str, Any]) -> Key:
    when = _when(view.get("indexedAt")) or _when(_object(view.get("record")).get("createdAt"))
    return (when or datetime.min.replace(tzinfo=UTC), str(view.get("uri") or ""))


def _object(value: Any) -> dict[str, Any]:
    """A JSON object of the answer, or an empty one where the AppView sent something else."""
    return value if isinstance(value, dict) else {}


def _when(value: Any) -> datetime | None:
    """An AT Protocol datetime (RFC 3339; some clients omit the zone: UTC then)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _format_cursor(key: Key) -> str:
    return f"{key[0].isoformat()} {key[1]}"


def _parse_cursor(cursor: str | None) -> Key | None:
    """A cursor we wrote; anything else reads as no cursor (everything the network shows)."""
    if not cursor:
        return None
    when, _sep, uri = cursor.partition(" ")
    parsed = _when(when)
    return (parsed, uri) if parsed is not None else None
