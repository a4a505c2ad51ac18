"""Reading from a Facebook Page: comments on its posts, posts that tag it, and post counts.

Cursors are "<created_time ISO>|<id>" of the newest item read: the Graph API's own paging
cursors are only valid for a while, but a time is always understood. A call sends `since`
(Unix seconds, "Time-based Pagination") so Facebook answers only what is new, follows
paging.cursors.after to the end, and keeps what is strictly newer than the cursor (`since`
is inclusive, and several comments can share a second).

Comments: GET /{post-id}/comments?filter=stream&order=chronological (every comment,
replies included, oldest first). Mentions: GET /{page-id}/tagged, the posts that tag the
Page. Metrics: GET /{post-id}?fields=reactions.summary(total_count),... and
GET /{post-id}/insights (impressions, reach, clicks; needs read_insights). Account
metrics: GET /{page-id}?fields=followers_count,fan_count (the Page's followers; fan_count,
its likes, where Facebook leaves followers_count out).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.networks.base import ConnectorError, PermanentError
from hubbub.networks.facebook import graph
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
    from hubbub.networks.facebook.connector import FacebookConnector

Key = tuple[datetime, str]
PAGE_LIMIT = "100"
INSIGHTS = "post_impressions,post_impressions_unique,post_clicks"


def fetch_comments(conn: FacebookConnector, ref: PublishedRef, cursor: str | None) -> Page:
    fields = "id,message,created_time,from{id,name},parent{id},permalink_url"
    params = {"filter": "stream", "order": "chronological", "fields": fields}
    items = _read(conn, f"{ref.external_id}/comments", params, cursor)
    own = conn.page_id()
    return select(
        (
            (k, item)
            for k, item in _incoming(items, ref.external_id)
            if item.author.external_id != own
        ),
        cursor,
    )


def fetch_mentions(conn: FacebookConnector, cursor: str | None) -> Page:
    params = {"fields": "id,message,created_time,from{id,name},permalink_url"}
    items = _read(conn, f"{conn.page_id()}/tagged", params, cursor)
    return select(_incoming(items, ""), cursor)


def fetch_metrics(conn: FacebookConnector, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
    found: dict[str, PostMetrics] = {}
    fields = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
    for ref in refs:
        try:
            post = conn.call("GET", ref.external_id, params={"fields": fields})
        except graph.ObjectMissing:
            continue  # deleted on Facebook: left out, the others still count
        insights = _insights(conn, ref.external_id)
        found[ref.external_id] = PostMetrics(
            likes=_summary(post.get("reactions")),
            comments=_summary(post.get("comments")),
            shares=_count(post.get("shares")),
            impressions=insights.get("post_impressions"),
            reach=insights.get("post_impressions_unique"),
            clicks=insights.get("post_clicks"),
        )
    return found


def fetch_account_metrics(conn: FacebookConnector) -> AccountMetrics:
    """GET /{page-id}?fields=followers_count,fan_count: the Page's followers (fan_count, the
    people who like it, where followers_count is absent). A Page follows no one and the API
    gives no count of its posts."""
    page = conn.call("GET", conn.page_id(), params={"fields": "followers_count,fan_count"})
    followers = _optional(page, "followers_count")
    return AccountMetrics(
        followers=followers if followers is not None else _optional(page, "fan_count")
    )


def _optional(found: dict[str, Any], name: str) -> int | None:
    value = found.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _insights(conn: FacebookConnector, post_id: str) -> dict[str, int]:
    try:
        answer = conn.call("GET", f"{post_id}/insights", params={"metric": INSIGHTS})
    except PermanentError:
        # No read_insights, or a Page too small for insights: the counts above still hold.
        return {}
    return insight_values(answer)


def insight_values(answer: dict[str, Any]) -> dict[str, int]:
    """{"data": [{"name": ..., "values": [{"value": n}]}]} → {name: n} (lifetime values)."""
    values: dict[str, int] = {}
    data = answer.get("data") if isinstance(answer.get("data"), list) else []
    for metric in data or ():
        if not isinstance(metric, dict):
            continue
        points = metric.get("values") if isinstance(metric.get("values"), list) else []
        value = points[-1].get("value") if points and isinstance(points[-1], dict) else None
        if value is None:  # metrics with metric_type=total_value answer this way
            value = graph.obj(metric.get("total_value")).get("value")
        if isinstance(value, int) and not isinstance(value, bool):
            values[str(metric.get("name"))] = value
    return values


def _summary(edge: Any) -> int | None:
    summary = edge.get("summary") if isinstance(edge, dict) else None
    total = summary.get("total_count") if isinstance(summary, dict) else None
    return total if isinstance(total, int) else None


def _count(value: Any) -> int | None:
    count = value.get("count") if isinstance(value, dict) else None
    # A post never shared has no `shares` field at all.
    return count if isinstance(count, int) else (0 if value is None else None)


def _read(
    conn: FacebookConnector, path: str, params: dict[str, str], cursor: str | None
) -> list[dict[str, Any]]:
    query = {**params, "limit": PAGE_LIMIT}
    after = parse_cursor(cursor)
    if after is not None:
        query["since"] = str(int(after[0].timestamp()))
    items: list[dict[str, Any]] = []
    for page in graph.paged(path, token=conn.token(), network=conn.label, params=query):
        items += page
    return items


def _incoming(items: Iterable[dict[str, Any]], post_id: str) -> Iterable[tuple[Key, Incoming]]:
    for item in items:
        created = parse_time(item.get("created_time"))
        if created is None or not item.get("id"):
            continue
        author = graph.obj(item.get("from"))
        name = str(author.get("name") or "") if author else ""
        parent = graph.obj(item.get("parent"))
        yield (
            (created, str(item["id"])),
            Incoming(
                external_id=str(item["id"]),
                text=str(item.get("message") or ""),
                author=Author(
                    external_id=str(author.get("id") or "") if author else "",
                    # Facebook shows people by name; there is no @handle for a person.
                    handle=name or _("A Facebook user"),
                    name=name,
                ),
                created_at=created,
                url=str(item.get("permalink_url") or f"{graph.WWW_URL}/{item['id']}"),
                in_reply_to=str(parent.get("id") or post_id) if parent else post_id,
                # What answering, hiding or deleting it needs (engage.py): a comment on our
                # post (post_id set; parent_id the comment it answers, if any), or a post
                # of someone else's that tags the Page (kind "post").
                data={
                    "id": str(item["id"]),
                    "kind": "comment" if post_id else "post",
                    "post_id": post_id,
                    "parent_id": str(parent.get("id") or "") if parent else "",
                },
            ),
        )


def select(found: Iterable[tuple[Key, Incoming]], cursor: str | None) -> Page:
    """What is newer than the cursor, oldest first, at most MAX_ITEMS_PER_FETCH: a first
    read keeps the newest (what came before is history), a later one the oldest and says
    `more`, so the next call continues from there."""
    after = parse_cursor(cursor)
    seen: dict[str, tuple[Key, Incoming]] = {}
    for key, item in found:
        if after is None or key > after:
            seen[item.external_id] = (key, item)
    ordered = sorted(seen.values(), key=lambda pair: pair[0])
    more = False
    if len(ordered) > MAX_ITEMS_PER_FETCH:
        if after is None:
            ordered = ordered[-MAX_ITEMS_PER_FETCH:]
        else:
            ordered, more = ordered[:MAX_ITEMS_PER_FETCH], True
    if not ordered:
        return Page(items=[], cursor=cursor)
    return Page(items=[i for _k, i in ordered], cursor=format_cursor(ordered[-1][0]), more=more)


def parse_time(value: Any) -> datetime | None:
    """Graph API times: "2026-01-01T08:01:00+0000" (ISO 8601 with a numeric offset)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            return None


def format_cursor(key: Key) -> str:
    return f"{key[0].isoformat()}|{key[1]}"


def parse_cursor(cursor: str | None) -> Key | None:
    if not cursor or "|" not in cursor:
        return None
    when, _sep, ident = cursor.partition("|")
    try:
        return (datetime.fromisoformat(when).astimezone(UTC), ident)
    except ValueError:
        raise ConnectorError(
            _("The saved reading position is not one Hubbub wrote: reading starts again."),
            permanent=True,
        ) from None
