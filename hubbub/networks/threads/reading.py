"""Reading from Threads: replies to the profile's posts, posts that mention it, and counts.

Replies: GET /{threads-media-id}/conversation ("Retrieve Media Replies and Conversations"):
every reply at any depth, flattened; reverse=true (the default) lists the newest first, so
the walk stops at the first page with nothing newer than the cursor. The edge takes no
`since`. The profile's own replies (the parts of its thread, its first comment) are not
replies to read. `replied_to` names the post or reply each one answers.

Mentions: GET /{threads-user-id}/mentions ("Mentions"): public posts that tag the profile,
with `since` (Unix seconds, not before 1688540400) narrowing to what is new; without
advanced access to threads_manage_mentions, only mentions by the app's testers are listed.

Cursors are "<timestamp ISO>|<id>" of the newest item read, as Facebook's and Instagram's
(hubbub.networks.facebook.reading.select keeps what is strictly newer, oldest first).

Metrics: GET /{threads-media-id}/insights?metric=views,likes,replies,reposts,quotes,shares
("Insights", Media Insights): lifetime counts; a post deleted since is left out.

Account metrics: GET /{threads-user-id}/threads_insights?metric=followers_count ("Insights",
User Insights): the followers now, in total_value.value. Threads gives no count of the
profiles it follows or of its posts there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from hubbub.networks.facebook.reading import Key, insight_values, parse_cursor, parse_time, select
from hubbub.networks.incoming import AccountMetrics, Author, Incoming, Page, PostMetrics
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.threads import client

if TYPE_CHECKING:
    from hubbub.networks.threads.connector import ThreadsConnector

PAGE_LIMIT = "50"
_FIELDS = "id,text,username,timestamp,permalink"
METRICS = "views,likes,replies,reposts,quotes,shares"
# "Mentions", Limitations: `since` must not be earlier than this (5 July 2023).
EARLIEST_SINCE = 1688540400


def fetch_comments(conn: ThreadsConnector, ref: PublishedRef, cursor: str | None) -> Page:
    params = {"fields": f"{_FIELDS},replied_to", "reverse": "true", "limit": PAGE_LIMIT}
    own = conn.config.username
    found = _walk(conn, f"{ref.external_id}/conversation", params, cursor, ref.external_id)
    return select(((k, i) for k, i in found if not own or i.author.handle != f"@{own}"), cursor)


def fetch_mentions(conn: ThreadsConnector, cursor: str | None) -> Page:
    params = {"fields": _FIELDS, "limit": PAGE_LIMIT}
    after = parse_cursor(cursor)
    if after is not None:
        params["since"] = str(max(EARLIEST_SINCE, int(after[0].timestamp())))
    return select(_walk(conn, f"{conn.user_id()}/mentions", params, cursor, ""), cursor)


def _walk(
    conn: ThreadsConnector, path: str, params: dict[str, str], cursor: str | None, parent: str
) -> list[tuple[Key, Incoming]]:
    after = parse_cursor(cursor)
    found: list[tuple[Key, Incoming]] = []
    for page in conn.paged(path, params=params):
        made = [m for m in (_incoming(item, parent) for item in page) if m is not None]
        found += made
        if after is not None and made and all(key <= after for key, _item in made):
            break  # newest first: everything further is older still
    return found


def _incoming(item: dict[str, Any], parent: str) -> tuple[Key, Incoming] | None:
    created = parse_time(item.get("timestamp"))
    if created is None or not item.get("id"):
        return None
    username = str(item.get("username") or "")
    answered = client.obj(item.get("replied_to")).get("id")
    return (
        (created, str(item["id"])),
        Incoming(
            external_id=str(item["id"]),
            text=str(item.get("text") or ""),
            author=Author(
                # Threads names the author only by username (public profiles and our own).
                external_id=username,
                handle=f"@{username}" if username else "",
                name=username,
                profile_url=f"https://www.threads.com/@{username}" if username else "",
            ),
            created_at=created,
            url=str(item.get("permalink") or ""),
            in_reply_to=str(answered or parent),
            # Threads hides only replies made to the post itself (engage.py): say which.
            data={
                "id": str(item["id"]),
                "top_level": bool(parent) and str(answered or parent) == parent,
            },
        ),
    )


def fetch_metrics(conn: ThreadsConnector, refs: Iterable[PublishedRef]) -> dict[str, PostMetrics]:
    found: dict[str, PostMetrics] = {}
    for ref in refs:
        try:
            answer = conn.call("GET", f"{ref.external_id}/insights", params={"metric": METRICS})
        except client.ObjectMissing:
            continue  # deleted on Threads: left out, the others still count
        values = insight_values(answer)
        shared = [values[n] for n in ("reposts", "quotes", "shares") if n in values]
        found[ref.external_id] = PostMetrics(
            views=values.get("views"),
            likes=values.get("likes"),
            comments=values.get("replies"),
            shares=sum(shared) if shared else None,
        )
    return found


def fetch_account_metrics(conn: ThreadsConnector) -> AccountMetrics:
    """The profile's followers (user insights, followers_count: a total_value, not a series)."""
    answer = conn.call(
        "GET", f"{conn.user_id()}/threads_insights", params={"metric": "followers_count"}
    )
    return AccountMetrics(followers=insight_values(answer).get("followers_count"))
