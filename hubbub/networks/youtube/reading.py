"""Reading from YouTube: comments on the channel's videos, and the videos' statistics.

Comments: commentThreads.list?part=snippet,replies&videoId=...&order=time, newest first,
paged with pageToken (up to 100 threads a page). The cursor is the newest comment seen
("<publishedAt>|<id>"); paging stops at the first thread not newer than it. The replies
YouTube includes with a thread (part=replies, up to five) are read with it.

Metrics: videos.list?part=statistics&id=a,b,... (up to 50 ids a call): viewCount,
likeCount and commentCount, which YouTube sends as strings.

Account metrics: channels.list?part=statistics&id=<channel id> (1 quota unit):
subscriberCount (none when the channel hides it, hiddenSubscriberCount) and videoCount,
strings too.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from hubbub.core import http
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
    from hubbub.networks.youtube.connector import YouTubeConnector

PAGE_SIZE = 100  # commentThreads.list maxResults: 1 to 100
IDS_PER_CALL = 50  # videos.list: "up to 50 ids"
MAX_PAGES = 20

Key = tuple[datetime, str]


def fetch_comments(conn: YouTubeConnector, ref: PublishedRef, cursor: str | None) -> Page:
    video_id = str(ref.data.get("id") or ref.external_id)
    after = _parse_cursor(cursor)
    found: dict[str, tuple[Key, Incoming]] = {}
    token = ""
    for _page in range(MAX_PAGES):
        params = {
            "part": "snippet,replies",
            "videoId": video_id,
            "order": "time",
            "maxResults": str(PAGE_SIZE),
            "textFormat": "plainText",
        }
        if token:
            params["pageToken"] = token
        body = http.json_object(conn.api("GET", "/commentThreads", params=params))
        reached = False
        for thread in body.get("items") or ():
            if not isinstance(thread, dict):
                continue
            snippet = thread.get("snippet") if isinstance(thread.get("snippet"), dict) else {}
            top = _comment((snippet or {}).get("topLevelComment"), video_id, video_id)
            if top is None:
                continue
            key, item = top
            if after is not None and key <= after:
                reached = True  # newest first: everything after this was read before
                break
            found[item.external_id] = top
            replies = thread.get("replies") if isinstance(thread.get("replies"), dict) else {}
            for reply in (replies or {}).get("comments") or ():
                pair = _comment(reply, video_id, item.external_id)
                if pair is not None and (after is None or pair[0] > after):
                    found[pair[1].external_id] = pair
        token = str(body.get("nextPageToken") or "")
        if reached or not token or len(found) >= MAX_ITEMS_PER_FETCH:
            break
    ordered = sorted(found.values(), key=lambda pair: pair[0])
    # Read newest first, so what is over the limit is the oldest: a first read keeps the
    # newest; a later one has missed nothing it could still read.
    ordered = ordered[-MAX_ITEMS_PER_FETCH:]
    if not ordered:
        return Page(items=[], cursor=cursor)
    newest = ordered[-1][0]
    return Page(items=[i for _k, i in ordered], cursor=f"{newest[0].isoformat()}|{newest[1]}")


def _parse_cursor(cursor: str | None) -> Key | None:
    if not cursor:
        return None
    stamp, _sep, comment_id = cursor.partition("|")
    try:
        return (datetime.fromisoformat(stamp), comment_id)
    except ValueError:
        return None


def _comment(comment: Any, video_id: str, parent: str) -> tuple[Key, Incoming] | None:
    if not isinstance(comment, dict) or not comment.get("id"):
        return None
    snippet = comment.get("snippet") if isinstance(comment.get("snippet"), dict) else {}
    try:
        created = datetime.fromisoformat(str((snippet or {}).get("publishedAt")))
    except ValueError:
        return None
    snippet = snippet or {}
    channel = snippet.get("authorChannelId")
    author_id = str(channel.get("value") or "") if isinstance(channel, dict) else ""
    comment_id = str(comment["id"])
    item = Incoming(
        external_id=comment_id,
        text=str(snippet.get("textOriginal") or snippet.get("textDisplay") or ""),
        author=Author(
            external_id=author_id,
            handle=str(snippet.get("authorDisplayName") or author_id),
            name=str(snippet.get("authorDisplayName") or ""),
            avatar_url=str(snippet.get("authorProfileImageUrl") or ""),
            profile_url=str(snippet.get("authorChannelUrl") or ""),
        ),
        created_at=created,
        url=f"https://www.youtube.com/watch?v={video_id}&lc={comment_id}",
        in_reply_to=parent,
        # thread_id: the top-level comment, which every answer in the thread goes under.
        data={
            "id": comment_id,
            "video_id": video_id,
            "thread_id": parent if parent != video_id else comment_id,
        },
    )
    return (created, comment_id), item


def fetch_metrics(conn: YouTubeConnector, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
    by_id = {str(ref.data.get("id") or ref.external_id): ref.external_id for ref in refs}
    ids = list(by_id)
    result: dict[str, PostMetrics] = {}
    for begin in range(0, len(ids), IDS_PER_CALL):
        chunk = ids[begin : begin + IDS_PER_CALL]
        body = http.json_object(
            conn.api("GET", "/videos", params={"part": "statistics", "id": ",".join(chunk)})
        )
        for item in body.get("items") or ():
            if not isinstance(item, dict) or item.get("id") not in by_id:
                continue
            stats = item.get("statistics")
            if isinstance(stats, dict):
                result[by_id[str(item["id"])]] = _metrics(stats)
    return result


def _metrics(stats: dict[str, Any]) -> PostMetrics:
    return PostMetrics(
        views=_count(stats, "viewCount"),
        likes=_count(stats, "likeCount"),
        comments=_count(stats, "commentCount"),
    )


def fetch_account_metrics(conn: YouTubeConnector) -> AccountMetrics:
    """channels.list part=statistics for the connected channel: subscribers (None while the
    channel hides the count) and videos. A YouTube channel follows no one in this API."""
    channel_id = conn.config.channel_id or conn.channel.external_id
    body = http.json_object(
        conn.api("GET", "/channels", params={"part": "statistics", "id": channel_id})
    )
    for item in body.get("items") or ():
        if not isinstance(item, dict) or item.get("id") != channel_id:
            continue
        stats = item.get("statistics")
        if not isinstance(stats, dict):
            break
        hidden = stats.get("hiddenSubscriberCount") is True
        return AccountMetrics(
            followers=None if hidden else _count(stats, "subscriberCount"),
            posts=_count(stats, "videoCount"),
        )
    return AccountMetrics()


def _count(stats: dict[str, Any], name: str) -> int | None:
    """A count of YouTube's: a string of digits in the API (an int is taken as well)."""
    value = stats.get(name)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
