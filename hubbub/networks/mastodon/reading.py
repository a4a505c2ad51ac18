"""Reading from Mastodon: replies to our posts, mentions of the account, and post counts.

Comments: GET /api/v1/statuses/:id/context, whose `descendants` are the whole reply tree at
once (no paging; up to 4,096 for a signed-in viewer, without a depth limit). We keep the
replies newer than the cursor, which is the newest status id returned: ids are Snowflake
ids, which grow with time, so they are compared as integers. A server whose ids are not
numbers (Pleroma and Akkoma use Flake ids) gets a cursor of created_at and id instead.

Mentions: GET /api/v1/notifications?types[]=mention. With a cursor we walk forward with
`min_id` (the page just after it, then the page after that, each answered newest first);
the first read walks back from the newest with `max_id`. The Link header says which id
each next page starts from; the cursor is the newest notification id read.

Metrics: GET /api/v1/statuses?id[]=… (Mastodon 4.3, 20 ids a call); a server without it
answers 404, and each status is then read with GET /api/v1/statuses/:id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from django.utils import timezone

from hubbub.networks.base import PermanentError
from hubbub.networks.incoming import (
    MAX_ITEMS_PER_FETCH,
    AccountMetrics,
    Author,
    Incoming,
    Page,
    PostMetrics,
)
from hubbub.networks.mastodon.client import call, call_response, json_of
from hubbub.networks.mastodon.posting import plain_text
from hubbub.networks.outgoing import PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.mastodon.connector import MastodonConnector

# GET /api/v1/notifications: `limit` defaults to 40, at most 80 (docs, methods/notifications).
NOTIFICATIONS_LIMIT = 80
# GET /api/v1/statuses: at most 20 `id[]` (DEFAULT_STATUSES_LIMIT; more is a 422).
STATUSES_PER_CALL = 20
# Enough pages for a busy account's first read, never a walk without end.
MAX_NOTIFICATION_PAGES = 100

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Key = tuple[int, datetime, str]


def fetch_comments(conn: MastodonConnector, ref: PublishedRef, cursor: str | None) -> Page:
    status_id = str(ref.data.get("id") or ref.external_id)
    context = call(
        "GET", conn.config.server, f"/api/v1/statuses/{status_id}/context", token=conn.token()
    )
    descendants = context.get("descendants") if isinstance(context, dict) else None
    own = conn.account_id()
    after = _parse_cursor(cursor)
    found: list[tuple[Key, Incoming]] = []
    for status in descendants or ():
        if not isinstance(status, dict) or not status.get("id"):
            continue
        # Our own replies (a thread's next parts, answers sent from Hubbub) are not comments.
        account = status.get("account")
        if isinstance(account, dict) and str(account.get("id")) == own:
            continue
        key = _key(status)
        if after is None or key > after:
            found.append((key, incoming(conn, status)))
    found.sort(key=lambda pair: pair[0])
    more = False
    if len(found) > MAX_ITEMS_PER_FETCH:
        if after is None:  # a first read keeps the newest: what came before is history
            found = found[-MAX_ITEMS_PER_FETCH:]
        else:
            found, more = found[:MAX_ITEMS_PER_FETCH], True
    if not found:
        return Page(items=[], cursor=cursor)
    return Page(items=[item for _k, item in found], cursor=_format_cursor(found[-1][0]), more=more)


def fetch_mentions(conn: MastodonConnector, cursor: str | None, direct: bool = False) -> Page:
    """Mentions, or (direct=True) direct messages: on Mastodon both are notifications of type
    mention, told apart by the status's visibility. Each stream keeps its own cursor and moves
    past the other's notifications."""
    # Each notification read, oldest first: its id, and the mention (None when its status
    # is gone), so the cursor moves past a deleted one too.
    read: list[tuple[str, Incoming | None]] = []
    more = False
    if cursor:
        min_id: str | None = cursor
        for _ in range(MAX_NOTIFICATION_PAGES):
            response = _notifications(conn, {"min_id": min_id})
            page = _list(response)
            if not page:
                break
            read += [(str(n["id"]), _mention(conn, n, direct)) for n in reversed(page)]
            if len(read) >= MAX_ITEMS_PER_FETCH:
                read, more = read[:MAX_ITEMS_PER_FETCH], True
                break
            min_id = _link_id(response, "prev", "min_id") or str(page[0]["id"])
    else:
        max_id: str | None = None
        newest_first: list[tuple[str, Incoming | None]] = []
        for _ in range(MAX_NOTIFICATION_PAGES):
            response = _notifications(conn, {"max_id": max_id} if max_id else {})
            page = _list(response)
            if not page:
                break
            newest_first += [(str(n["id"]), _mention(conn, n, direct)) for n in page]
            if len(newest_first) >= MAX_ITEMS_PER_FETCH:
                break
            max_id = _link_id(response, "next", "max_id") or str(page[-1]["id"])
        read = list(reversed(newest_first[:MAX_ITEMS_PER_FETCH]))
    if not read:
        return Page(items=[], cursor=cursor)
    return Page(items=[m for _id, m in read if m is not None], cursor=read[-1][0], more=more)


def _notifications(conn: MastodonConnector, paging: dict[str, Any]) -> httpx.Response:
    params = {"types[]": ["mention"], "limit": str(NOTIFICATIONS_LIMIT), **paging}
    return call_response(
        "GET", conn.config.server, "/api/v1/notifications", token=conn.token(), params=params
    )


def _list(response: httpx.Response) -> list[dict[str, Any]]:
    body = json_of(response)
    if not isinstance(body, list):
        return []
    return [n for n in body if isinstance(n, dict) and n.get("id")]


def _link_id(response: httpx.Response, rel: str, name: str) -> str | None:
    """The id a Link header's next/prev address continues from (we call our own server's
    address again rather than follow the link)."""
    link = response.links.get(rel)
    if not link or not link.get("url"):
        return None
    value = httpx.URL(link["url"]).params.get(name)
    return str(value) if value else None


def _mention(
    conn: MastodonConnector, notification: dict[str, Any], direct: bool
) -> Incoming | None:
    status = notification.get("status")
    if notification.get("type") != "mention" or not isinstance(status, dict):
        return None
    if not status.get("id") or (status.get("visibility") == "direct") != direct:
        return None
    return incoming(conn, status)


def fetch_account_metrics(conn: MastodonConnector) -> AccountMetrics:
    """GET /api/v1/accounts/verify_credentials: followers_count, following_count and
    statuses_count (Mastodon reports no profile views)."""
    body = call(
        "GET", conn.config.server, "/api/v1/accounts/verify_credentials", token=conn.token()
    )
    found = body if isinstance(body, dict) else {}

    def count(name: str) -> int | None:
        value = found.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return AccountMetrics(
        followers=count("followers_count"),
        following=count("following_count"),
        posts=count("statuses_count"),
    )


def fetch_metrics(conn: MastodonConnector, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
    by_id = {str(ref.data.get("id") or ref.external_id): ref.external_id for ref in refs}
    ids = list(by_id)
    statuses: list[Any] = []
    batch = True
    for start in range(0, len(ids), STATUSES_PER_CALL):
        chunk = ids[start : start + STATUSES_PER_CALL]
        if batch:
            try:
                answer = call(
                    "GET",
                    conn.config.server,
                    "/api/v1/statuses",
                    token=conn.token(),
                    # Mastodon reads id[]; Pleroma and Akkoma name the same list ids[].
                    params={"id[]": chunk, "ids[]": chunk},
                )
            except PermanentError as exc:
                if exc.status not in (404, 405):
                    raise
                batch = False  # before Mastodon 4.3: one status at a time
            else:
                statuses += answer if isinstance(answer, list) else []
                continue
        statuses += [s for s in (_one_status(conn, i) for i in chunk) if s is not None]
    metrics: dict[str, PostMetrics] = {}
    for status in statuses:
        if isinstance(status, dict) and str(status.get("id")) in by_id:
            metrics[by_id[str(status["id"])]] = status_metrics(status)
    return metrics


def _one_status(conn: MastodonConnector, status_id: str) -> Any:
    try:
        return call("GET", conn.config.server, f"/api/v1/statuses/{status_id}", token=conn.token())
    except PermanentError as exc:
        if exc.status in (404, 410):  # deleted: left out of the answer
            return None
        raise


def status_metrics(status: dict[str, Any]) -> PostMetrics:
    quotes = status.get("quotes_count")  # Mastodon 4.5 quote posts count as shares
    return PostMetrics(
        likes=_count(status, "favourites_count"),
        shares=_count(status, "reblogs_count") + (quotes if isinstance(quotes, int) else 0),
        comments=_count(status, "replies_count"),
    )


def _count(status: dict[str, Any], name: str) -> int:
    value = status.get(name)
    return value if isinstance(value, int) else 0


def incoming(conn: MastodonConnector, status: dict[str, Any]) -> Incoming:
    account = _object(status.get("account"))
    acct = str(account.get("acct") or account.get("username") or "")
    if acct and "@" not in acct:  # a local account: Mastodon leaves out its own domain
        acct = f"{acct}@{conn.config.domain or conn.host}"
    text = plain_text(str(status.get("content") or ""))
    warning = str(status.get("spoiler_text") or "")
    if warning:  # the content warning, shown before the text as Mastodon does
        text = f"{warning}\n\n{text}"
    return Incoming(
        external_id=str(status["id"]),
        text=text,
        author=Author(
            # Account ids are unique on one server only, as for the channel's own id.
            external_id=f"{account.get('id')}@{conn.host}" if account.get("id") else "",
            handle=f"@{acct}" if acct else "",
            name=str(account.get("display_name") or account.get("username") or ""),
            avatar_url=_web(account.get("avatar_static") or account.get("avatar")),
            profile_url=_web(account.get("url")),
        ),
        created_at=_when(status.get("created_at")) or timezone.now(),
        url=_web(status.get("url") or status.get("uri")),
        in_reply_to=str(status.get("in_reply_to_id") or ""),
        data={
            "id": str(status["id"]),
            "acct": acct,  # a reply names them so they are told
            "visibility": str(status.get("visibility") or ""),
        },
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _web(value: Any) -> str:
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) else ""


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _key(status: dict[str, Any]) -> Key:
    status_id = str(status["id"])
    if status_id.isdigit():
        return (int(status_id), _EPOCH, "")
    return (-1, _when(status.get("created_at")) or _EPOCH, status_id)


def _format_cursor(key: Key) -> str:
    number, when, status_id = key
    return str(number) if number >= 0 else f"{when.isoformat()} {status_id}"


def _parse_cursor(cursor: str | None) -> Key | None:
    if not cursor:
        return None
    if cursor.isdigit():
        return (int(cursor), _EPOCH, "")
    when, _sep, status_id = cursor.partition(" ")
    parsed = _when(when)
    return (-1, parsed, status_id) if parsed is not None else None
