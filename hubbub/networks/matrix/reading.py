"""Reading a Matrix room back: replies to our posts, mentions of our account, reactions.

Comments are the replies in the thread our post starts: GET
/_matrix/client/v1/rooms/{roomId}/relations/{eventId}/m.thread ("Relationships"), newest
first (dir=b), following next_batch until the event the cursor names. The cursor is
"<origin_server_ts>:<event_id>" of the newest thread event seen: the id stops the walk
exactly; when that event was since redacted (a redaction strips its relation, so it leaves
the list), its time does, with an allowance for servers' clocks. Our own thread parts are read
past but not returned. Replies outside the thread (a plain m.in_reply_to quoting our post)
are not relations and are not read; Element and other clients reply in threads by default.

Mentions are the room's messages that name the account: GET /rooms/{roomId}/messages with
dir=f from the `end` token of the last call (the cursor), until the server gives no `end`.
A message with `m.mentions` mentions us when its user_ids lists our user id ("User and room
mentions", v1.7); an older one without it when its body contains our user id or display
name. The first call reads the room's history from its start as far as the account may
see it.

Metrics: reactions (m.annotation relations, m.reaction events) count as likes, the thread's
replies from others as comments. Matrix has no share or view counts.

Encrypted rooms are not supported: their messages are m.room.encrypted events which Hubbub
cannot decrypt (it has no end-to-end keys). The connect page says so.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hubbub.networks.base import PermanentError
from hubbub.networks.incoming import MAX_ITEMS_PER_FETCH, Author, Incoming, Page, PostMetrics
from hubbub.networks.matrix.client import as_dict, errcode, matrix_to, q, server_of
from hubbub.networks.outgoing import PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.matrix.connector import MatrixConnector

PAGE = 50  # events asked for per request (servers may answer fewer)
MAX_PAGES = 40  # one call reads at most this many pages; Page.more says to go on
# How far apart homeservers' clocks may be (origin_server_ts is the sending server's).
CLOCK_SKEW_MS = 60 * 60 * 1000
MESSAGES_ONLY = json.dumps({"types": ["m.room.message"]}, separators=(",", ":"))


# --- comments -----------------------------------------------------------------------------


def _parse_cursor(cursor: str | None) -> tuple[int, str]:
    if not cursor:
        return -1, ""
    ts, _sep, event_id = cursor.partition(":")
    try:
        return int(ts), event_id
    except ValueError:
        return -1, cursor  # not ours: treat it as an event id


def _cursor_of(event: dict[str, Any]) -> str:
    return f"{_ts(event)}:{event.get('event_id', '')}"


def _ts(event: dict[str, Any]) -> int:
    value = event.get("origin_server_ts")
    return int(value) if isinstance(value, int | float) else 0


def _relations(
    conn: MatrixConnector, event_id: str, rel_type: str, stop: tuple[int, str] | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """Relations of `rel_type` to event_id, newest first, down to (excluding) the `stop`
    event; and whether that event was met. Without it (redacted), the walk ends once the
    events are older than its time by more than CLOCK_SKEW."""
    stop_ts, stop_id = stop or (-1, "")
    path = conn.room_path(f"/relations/{q(event_id)}/{q(rel_type)}", version="v1")
    events: list[dict[str, Any]] = []
    token: str | None = None
    for _page in range(MAX_PAGES):
        params = {"dir": "b", "limit": str(PAGE)}
        if token:
            params["from"] = token
        answer = conn.call("GET", path, params=params)
        for event in answer.get("chunk") or []:
            if not isinstance(event, dict):
                continue
            if stop_id and event.get("event_id") == stop_id:
                return events, True
            if stop_ts >= 0 and _ts(event) < stop_ts - CLOCK_SKEW_MS:
                return events, False
            events.append(event)
        token = answer.get("next_batch")
        if not token:
            break
    # Past MAX_PAGES pages (2,000 events) the oldest are not read: the relations API pages
    # backwards only, so a walk cannot resume from its far end. No thread is that busy
    # between two reads in Hubbub's use.
    return events, False


def fetch_comments(conn: MatrixConnector, ref: PublishedRef, cursor: str | None) -> Page:
    root = ref.external_id
    stop = _parse_cursor(cursor)
    newest_first, met = _relations(conn, root, "m.thread", stop)
    if cursor and not met:
        # The cursor's event is gone (a redaction strips its relation): what is newer than
        # its time is new. (When it is met, everything above it is new whatever the times
        # say: servers' clocks differ across federation.)
        newest_first = [e for e in newest_first if _ts(e) > stop[0]]
    events = list(reversed(newest_first))  # oldest first
    items: list[Incoming] = []
    next_cursor = cursor
    for event in events:
        if len(items) == MAX_ITEMS_PER_FETCH:
            return Page(items=items, cursor=next_cursor, more=True)
        next_cursor = _cursor_of(event)
        item = _incoming(conn, event, default_parent=root)
        if item is not None:
            items.append(item)
    return Page(items=items, cursor=next_cursor)


# --- mentions -----------------------------------------------------------------------------


def fetch_mentions(conn: MatrixConnector, cursor: str | None) -> Page:
    """The cursor is the `end` token to continue from, followed (after a space) by the last
    event read from it when the server gave no `end` after it (see below)."""
    token, _sep, seen = (cursor or "").partition(" ")
    items: list[Incoming] = []
    path = conn.room_path("/messages")
    for _page in range(MAX_PAGES):
        room = MAX_ITEMS_PER_FETCH - len(items)
        if room <= 0:
            return Page(items=items, cursor=_mention_cursor(token, seen), more=True)
        params = {"dir": "f", "limit": str(min(PAGE, room)), "filter": MESSAGES_ONLY}
        if token:
            params["from"] = token
        answer = conn.call("GET", path, params=params)
        chunk = [e for e in answer.get("chunk") or [] if isinstance(e, dict)]
        ids = [str(e.get("event_id") or "") for e in chunk]
        if seen and seen in ids:
            chunk = chunk[ids.index(seen) + 1 :]  # read last time from this same token
        for event in chunk:
            seen = str(event.get("event_id") or "") or seen
            if _mentions_us(conn, event):
                item = _incoming(conn, event)
                if item is not None:
                    items.append(item)
        end = answer.get("end")
        if not isinstance(end, str) or not end or end == token:
            # No `end`: nothing further for now ("If no further events are available…
            # this property is omitted"). The next call asks from the same token and skips
            # what this one read from it. (An empty chunk *with* an end is no sign of the
            # end, the spec says: the loop goes on.)
            if not token and isinstance(answer.get("start"), str):
                token = answer["start"]
            return Page(items=items, cursor=_mention_cursor(token, seen))
        token, seen = end, ""
    return Page(items=items, cursor=_mention_cursor(token, seen), more=True)


def _mention_cursor(token: str, seen: str) -> str | None:
    if not token:
        return None
    return f"{token} {seen}" if seen else token


def _mentions_us(conn: MatrixConnector, event: dict[str, Any]) -> bool:
    me = conn.config.user_id
    if event.get("type") != "m.room.message" or event.get("sender") == me:
        return False
    content = event.get("content")
    if not isinstance(content, dict):
        return False
    mentions = content.get("m.mentions")
    if isinstance(mentions, dict):
        # Intentional mentions: when present, they alone decide ("User and room mentions").
        ids = mentions.get("user_ids")
        return isinstance(ids, list) and me in ids
    body = str(content.get("body") or "")
    if me and me in body:
        return True
    names = [conn.config.display_name] if conn.config.display_name else []
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", body, re.IGNORECASE) for name in names)


# --- metrics ------------------------------------------------------------------------------


def fetch_metrics(conn: MatrixConnector, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
    counts: dict[str, PostMetrics] = {}
    me = conn.config.user_id
    for ref in refs:
        try:
            reactions, _cut = _relations(conn, ref.external_id, "m.annotation")
            thread, _cut = _relations(conn, ref.external_id, "m.thread")
        except PermanentError as exc:
            if errcode(exc) == "M_NOT_FOUND":
                continue  # redacted or gone: left out, the others still count
            raise
        counts[ref.external_id] = PostMetrics(
            likes=sum(1 for e in reactions if e.get("type") == "m.reaction"),
            comments=sum(
                1 for e in thread if e.get("type") == "m.room.message" and e.get("sender") != me
            ),
        )
    return counts


# --- events as Incoming -------------------------------------------------------------------

_FALLBACK = re.compile(r"\A(?:>[^\n]*\n)+\n?")


def _text(content: dict[str, Any]) -> str:
    body = str(content.get("body") or "")
    relates = content.get("m.relates_to")
    if isinstance(relates, dict) and "m.in_reply_to" in relates and body.startswith("> <"):
        # The quoted reply fallback of older clients ("Fallbacks for rich replies"): the
        # quoted lines are the message answered, not what this person wrote.
        body = _FALLBACK.sub("", body, count=1)
    return body


def _incoming(
    conn: MatrixConnector, event: dict[str, Any], default_parent: str = ""
) -> Incoming | None:
    """A message from someone else, or None (our own, a redacted one, an encrypted one)."""
    sender = str(event.get("sender") or "")
    content = event.get("content")
    event_id = str(event.get("event_id") or "")
    if (
        event.get("type") != "m.room.message"
        or sender == conn.config.user_id
        or not isinstance(content, dict)
        or "body" not in content
        or not event_id
    ):
        return None
    relates = as_dict(content.get("m.relates_to"))
    parent = default_parent
    reply = relates.get("m.in_reply_to") if relates else None
    if isinstance(reply, dict) and not relates.get("is_falling_back") and reply.get("event_id"):
        parent = str(reply["event_id"])
    elif relates.get("rel_type") == "m.thread" and relates.get("event_id"):
        parent = str(relates["event_id"])
    # The thread the event is in (our post's, for a comment; another's, for a mention made
    # inside a thread): an answer stays in it (posting.py).
    thread_root = default_parent
    if relates.get("rel_type") == "m.thread" and relates.get("event_id"):
        thread_root = str(relates["event_id"])
    room_id = conn.config.room_id
    return Incoming(
        external_id=event_id,
        text=_text(content),
        author=Author(external_id=sender, handle=sender, profile_url=matrix_to(sender)),
        created_at=datetime.fromtimestamp(_ts(event) / 1000, UTC),
        url=matrix_to(room_id, event_id, via=server_of(conn.config.user_id)),
        in_reply_to=parent,
        data={
            "room_id": room_id,
            "event_id": event_id,
            "thread_root": thread_root,
            "sender": sender,
        },
    )
