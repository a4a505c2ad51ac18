"""Searching Mastodon for listening: a hashtag's timeline, or the server's full-text search.

Terms that are one hashtag (`#hubbub`) read GET /api/v1/timelines/tag/:hashtag: the public
statuses with that tag that this server knows of (its own accounts' and those federated to
it), newest first, 40 a page at most (`limit`), with max_id / since_id / min_id and a Link
header naming the next (max_id) and previous (min_id) pages. Every Mastodon server has it.
As for mentions (reading.py), a later read walks forward from the cursor with `min_id`
(the page just above it, then the page above that, each answered newest first), so that a
backlog larger than MAX_ITEMS_PER_FETCH is read oldest first over several calls; a first
read walks back from the newest with `max_id`.

Other terms go to GET /api/v2/search?q=…&type=statuses&resolve=false&limit=40 (needs
read:search). Full-text search of statuses only works on servers whose admin set up
Elasticsearch or OpenSearch; elsewhere the answer is simply empty. Even there it finds only
what the server indexed and lets this account see: since Mastodon 4.2, public statuses of
accounts that opted in to search ("indexable"), plus statuses the account wrote, favourited,
bookmarked or was mentioned in. Results come newest first (by id); `min_id` keeps those
newer than our cursor and `max_id` pages back (the search answer has no Link header), until
a page brings nothing new. The search operators the server knows (`from:`, `has:`,
`before:`, quotes) can be written in the terms.

The cursor is the newest status id read. Mastodon ids are Snowflake ids that grow with time,
compared as integers ("99" < "100"); ids that are not numbers (Pleroma and Akkoma's Flake
ids, all of one length) are compared as text, shorter first. A first read (no cursor) goes
back to `since`, judged by created_at. A status from another server can reach this one long
after it was written, with an id below the cursor: it is then not read.

Only public and unlisted statuses are returned (search may also find followers-only
statuses the account can see: they are not public posts); the cursor moves past the others.
Each status gives its text (HTML made plain, as for mentions), its `language` (ISO 639-1;
Mastodon also allows some three-letter codes, which are left out), reblogs_count plus
quotes_count (Mastodon 4.5) as shares, and the author's followers_count as reach.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from hubbub.networks.incoming import MAX_ITEMS_PER_FETCH, Incoming, Page
from hubbub.networks.mastodon.client import call_response, json_of
from hubbub.networks.mastodon.reading import _link_id, _when, incoming

if TYPE_CHECKING:
    from hubbub.networks.mastodon.connector import MastodonConnector

# GET /api/v1/timelines/tag/:hashtag and GET /api/v2/search: `limit` at most 40.
PAGE_SIZE = 40
# Pages read in one call at most (2,000 statuses): a walk never goes on without end.
MAX_PAGES = 50
# One hashtag and nothing else: what Mastodon accepts as a tag name (letters, digits, _, ·).
HASHTAG = re.compile(r"#([\w·]+)")
PUBLIC = ("public", "unlisted")
_ISO_639_1 = re.compile(r"[a-z]{2}")

Read = list[tuple[str, Incoming | None]]  # each status read: its id, and the item (or None)


def search(
    conn: MastodonConnector, terms: str, cursor: str | None, since: datetime | None = None
) -> Page:
    tag = hashtag(terms)
    if tag is not None:
        path = f"/api/v1/timelines/tag/{quote(tag, safe='')}"
        if cursor:
            return _tag_forward(conn, path, cursor)
        return _backward(conn, path, {}, cursor=None, since=since, links=True)
    params = {"q": terms, "type": "statuses", "resolve": "false"}
    return _backward(conn, "/api/v2/search", params, cursor=cursor, since=since, links=False)


def hashtag(terms: str) -> str | None:
    """The tag's name when the terms are one hashtag, else None."""
    found = HASHTAG.fullmatch(terms.strip())
    return found.group(1) if found else None


def _tag_forward(conn: MastodonConnector, path: str, cursor: str) -> Page:
    """Later reads of a tag: min_id from the cursor, page after page upwards."""
    read: Read = []
    seen: set[str] = set()
    more = False
    min_id = cursor
    for _page_number in range(MAX_PAGES):
        response = _get(conn, path, {"min_id": min_id})
        page = _statuses(json_of(response))
        fresh = [s for s in reversed(page) if _newer(str(s["id"]), cursor)]
        fresh = [s for s in fresh if str(s["id"]) not in seen]
        if not fresh:
            break
        seen.update(str(s["id"]) for s in fresh)
        read += [(str(s["id"]), _item(conn, s)) for s in fresh]
        if len(read) >= MAX_ITEMS_PER_FETCH:
            read, more = read[:MAX_ITEMS_PER_FETCH], True
            break
        newest = max((str(s["id"]) for s in fresh), key=_order)
        min_id = _link_id(response, "prev", "min_id") or newest
    return _page(read, cursor, more)


def _backward(
    conn: MastodonConnector,
    path: str,
    params: dict[str, str],
    *,
    cursor: str | None,
    since: datetime | None,
    links: bool,
) -> Page:
    """A first read of a tag, and every read of a search: newest first, back with max_id
    down to the cursor (search: min_id=cursor too) or to `since`."""
    newest_first: Read = []
    seen: set[str] = set()
    max_id: str | None = None
    for _page_number in range(MAX_PAGES):
        paging = dict(params)
        if cursor:
            paging["min_id"] = cursor
        if max_id:
            paging["max_id"] = max_id
        response = _get(conn, path, paging)
        body = json_of(response)
        page = _statuses(body.get("statuses") if isinstance(body, dict) else body)
        reached = False
        fresh = 0
        for status in page:  # newest first
            status_id = str(status["id"])
            if status_id in seen:
                continue
            seen.add(status_id)
            fresh += 1
            if cursor and not _newer(status_id, cursor):
                reached = True  # a server that ignores min_id: the rest is already read
                continue
            if since is not None and cursor is None and _older(status, since):
                reached = True
                continue
            newest_first.append((status_id, _item(conn, status)))
        if reached or not fresh:
            break
        if cursor is None and len(newest_first) >= MAX_ITEMS_PER_FETCH:
            break  # a first read takes the latest ones only
        oldest = min((str(s["id"]) for s in page), key=_order)
        max_id = (_link_id(response, "next", "max_id") if links else None) or oldest
    read = sorted(newest_first, key=lambda pair: _order(pair[0]))
    more = False
    if len(read) > MAX_ITEMS_PER_FETCH:
        if cursor is None:  # a first read keeps the newest: what came before is history
            read = read[-MAX_ITEMS_PER_FETCH:]
        else:
            read, more = read[:MAX_ITEMS_PER_FETCH], True
    return _page(read, cursor, more)


def _page(read: Read, cursor: str | None, more: bool) -> Page:
    if not read:
        return Page(items=[], cursor=cursor)
    items = [item for _id, item in read if item is not None]
    return Page(items=items, cursor=read[-1][0], more=more)


def _get(conn: MastodonConnector, path: str, params: dict[str, str]) -> httpx.Response:
    return call_response(
        "GET",
        conn.config.server,
        path,
        token=conn.token(),
        params={**params, "limit": str(PAGE_SIZE)},
    )


def _statuses(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, list):
        return []
    return [s for s in body if isinstance(s, dict) and s.get("id")]


def _item(conn: MastodonConnector, status: dict[str, Any]) -> Incoming | None:
    """A public status as a listening item; None for what is not public (the cursor still
    moves past it) and for a boost (its original is a status of its own)."""
    if status.get("visibility") not in PUBLIC or isinstance(status.get("reblog"), dict):
        return None
    item = incoming(conn, status)
    account = status.get("account")
    followers = account.get("followers_count") if isinstance(account, dict) else None
    if isinstance(followers, int) and not isinstance(followers, bool):
        item = dataclasses.replace(
            item, author=dataclasses.replace(item.author, followers_count=followers)
        )
    reblogs, quotes = status.get("reblogs_count"), status.get("quotes_count")
    shares = (reblogs if isinstance(reblogs, int) else 0) + (
        quotes if isinstance(quotes, int) else 0
    )
    return dataclasses.replace(item, language=language_of(status), shares=shares)


def language_of(status: dict[str, Any]) -> str:
    code = str(status.get("language") or "").strip().lower().split("-")[0]
    return code if _ISO_639_1.fullmatch(code) else ""


def _order(status_id: str) -> tuple[int, int, str]:
    """Snowflake ids as integers; other ids (Flake ids) as text, shorter first."""
    if status_id.isdigit():
        return (0, int(status_id), "")
    return (1, len(status_id), status_id)


def _newer(status_id: str, cursor: str) -> bool:
    return _order(status_id) > _order(cursor)


def _older(status: dict[str, Any], since: datetime) -> bool:
    created = _when(status.get("created_at"))
    return created is not None and created < since
