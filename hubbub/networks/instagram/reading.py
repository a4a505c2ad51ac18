"""Reading from Instagram: comments on the account's posts, media it is tagged in, counts.

Comments: GET /{ig-media-id}/comments with their first replies (`replies` field). The edge
takes no `since`, so every page is read (paging.cursors.after) and what is newer than the
cursor kept; the cursor is "<timestamp>|<id>" of the newest comment read (as Facebook's,
hubbub.networks.facebook.reading.select). The account's own comments (a first comment,
answers sent from Hubbub) are not comments to read.

Mentions: GET /{ig-user-id}/tags, the media where the account is tagged, newest first: the
walk stops at the first page that holds nothing newer than the cursor. (Captions that
@mention the account are only delivered by webhooks, not listed: not read here.)

Metrics: GET /{ig-media-id}/insights?metric=reach,likes,comments,shares,saved,views; a
media the account can no longer see (deleted) is left out.

Account metrics: GET /{ig-user-id}?fields=followers_count,follows_count,media_count (IG
User reference), with instagram_basic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from hubbub.networks.base import PermanentError
from hubbub.networks.facebook import graph
from hubbub.networks.facebook.reading import Key, insight_values, parse_cursor, parse_time, select
from hubbub.networks.incoming import AccountMetrics, Author, Incoming, Page, PostMetrics
from hubbub.networks.outgoing import PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.instagram.connector import InstagramConnector

PAGE_LIMIT = "50"
_COMMENT = "id,text,timestamp,username,from{id,username}"
METRICS = "reach,likes,comments,shares,saved,views"


def fetch_comments(conn: InstagramConnector, ref: PublishedRef, cursor: str | None) -> Page:
    fields = f"{_COMMENT},replies{{{_COMMENT}}}"
    found: list[tuple[Key, Incoming]] = []
    own = conn.config.username
    for page in graph.paged(
        f"{ref.external_id}/comments",
        token=conn.token(),
        network=conn.label,
        params={"fields": fields, "limit": PAGE_LIMIT},
    ):
        for comment in page:
            replies = graph.obj(comment.get("replies")).get("data")
            for item, parent in [(comment, ref.external_id)] + [
                (reply, str(comment.get("id")))
                for reply in replies or ()
                if isinstance(reply, dict)
            ]:
                top = parent == ref.external_id
                made = _incoming(
                    item,
                    item.get("text"),
                    parent,
                    # What answering, hiding or deleting it needs (engage.py).
                    {
                        "kind": "comment" if top else "reply",
                        "media_id": ref.external_id,
                        "parent_id": "" if top else parent,
                    },
                )
                if made is not None and (not own or made[1].author.handle != f"@{own}"):
                    found.append(made)
    return select(found, cursor)


def fetch_mentions(conn: InstagramConnector, cursor: str | None) -> Page:
    after = parse_cursor(cursor)
    found: list[tuple[Key, Incoming]] = []
    for page in graph.paged(
        f"{conn.ig_user_id()}/tags",
        token=conn.token(),
        network=conn.label,
        params={"fields": "id,caption,timestamp,username,permalink", "limit": PAGE_LIMIT},
    ):
        made = [
            m
            for m in (
                _incoming(
                    item, item.get("caption"), "", {"kind": "tag", "media_id": item.get("id")}
                )
                for item in page
            )
            if m
        ]
        found += made
        if after is not None and made and all(key <= after for key, _item in made):
            break  # newest first: everything further is older still
    return select(found, cursor)


def _incoming(
    item: dict[str, Any], text: Any, parent: str, data: dict[str, Any]
) -> tuple[Key, Incoming] | None:
    created = parse_time(item.get("timestamp"))
    if created is None or not item.get("id"):
        return None
    author = graph.obj(item.get("from"))
    username = str(author.get("username") or item.get("username") or "")
    return (
        (created, str(item["id"])),
        Incoming(
            external_id=str(item["id"]),
            text=str(text or ""),
            author=Author(
                external_id=str(author.get("id") or username),
                handle=f"@{username}" if username else "",
                name=username,
                profile_url=f"https://www.instagram.com/{username}/" if username else "",
            ),
            created_at=created,
            url=str(item.get("permalink") or ""),
            in_reply_to=parent,
            data={"id": str(item["id"]), **data},
        ),
    )


def fetch_metrics(conn: InstagramConnector, refs: Iterable[PublishedRef]) -> dict[str, PostMetrics]:
    found: dict[str, PostMetrics] = {}
    for ref in refs:
        try:
            values = insight_values(
                conn.call("GET", f"{ref.external_id}/insights", params={"metric": METRICS})
            )
        except graph.ObjectMissing:
            continue
        except PermanentError:
            # Insights refused (a post from before the account became professional, or
            # without instagram_manage_insights): the public counts still say something.
            counts = conn.call(
                "GET", ref.external_id, params={"fields": "like_count,comments_count"}
            )
            values = {
                name: value
                for name, value in (
                    ("likes", counts.get("like_count")),
                    ("comments", counts.get("comments_count")),
                )
                if isinstance(value, int)
            }
        found[ref.external_id] = PostMetrics(
            likes=_int(values.get("likes")),
            comments=_int(values.get("comments")),
            shares=_int(values.get("shares")),
            saves=_int(values.get("saved")),
            reach=_int(values.get("reach")),
            views=_int(values.get("views")),
        )
    return found


def fetch_account_metrics(conn: InstagramConnector) -> AccountMetrics:
    """GET /{ig-user-id}?fields=followers_count,follows_count,media_count: the account's
    followers, the accounts it follows and its posts."""
    user = conn.call(
        "GET",
        conn.ig_user_id(),
        params={"fields": "followers_count,follows_count,media_count"},
    )
    return AccountMetrics(
        followers=_int(user.get("followers_count")),
        following=_int(user.get("follows_count")),
        posts=_int(user.get("media_count")),
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
