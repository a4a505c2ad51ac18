"""Searching Bluesky for listening: app.bsky.feed.searchPosts, newest first (sort=latest).

Like mentions (reading.py), the call goes to the account's PDS, which proxies app.bsky.* to
the AppView, and our cursor is "<indexedAt> <uri>" of the newest post returned: each read
pages back through the results until it reaches what the cursor covers. A first read (no
cursor) starts at `since` (the source's backfill), which searchPosts takes as a parameter.

Reach: search results carry the author's basic profile without a follower count, so the
authors of what is returned are looked up with app.bsky.actor.getProfiles, 25 at a time.
A failed lookup leaves reach unknown rather than failing the read.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hubbub.networks.base import ConnectorError
from hubbub.networks.bluesky.reading import Key, _count, _incoming, _key, _page, _parse_cursor
from hubbub.networks.incoming import MAX_ITEMS_PER_FETCH, Incoming, Page

if TYPE_CHECKING:
    from hubbub.networks.bluesky.connector import BlueskyConnector

log = logging.getLogger(__name__)

# app.bsky.feed.searchPosts: `limit` from 1 to 100 (lexicon).
SEARCH_LIMIT = 100
# Pages read back in one call before stopping (Page.more then says to go on): 5,000 posts.
MAX_SEARCH_PAGES = 50
# app.bsky.actor.getProfiles: `actors` takes at most 25 (lexicon).
PROFILES_PER_CALL = 25


def search(
    conn: BlueskyConnector, terms: str, cursor: str | None, since: datetime | None = None
) -> Page:
    after = _parse_cursor(cursor)
    found: list[tuple[Key, Incoming]] = []
    page_cursor: str | None = None
    for _page_number in range(MAX_SEARCH_PAGES):
        params: dict[str, Any] = {"q": terms, "sort": "latest", "limit": str(SEARCH_LIMIT)}
        if after is None and since is not None:
            params["since"] = since.isoformat().replace("+00:00", "Z")
        if page_cursor:
            params["cursor"] = page_cursor
        out = conn.xrpc("app.bsky.feed.searchPosts", params=params)
        posts = [p for p in out.get("posts") or () if isinstance(p, dict)]
        reached = False
        for post in posts:  # newest first
            key = _key(post)
            if after is not None and key <= after:
                reached = True  # the rest of the page is still looked at (sort times differ)
                continue
            found.append((key, _with_counts(post)))
        page_cursor = out.get("cursor")
        if reached or not posts or not page_cursor:
            break
        if len(found) >= MAX_ITEMS_PER_FETCH:
            break
    page = _page(found, cursor, after, newest_only=after is None)
    return dataclasses.replace(page, items=_with_reach(conn, page.items))


def _with_counts(post: dict[str, Any]) -> Incoming:
    item = _incoming(post)
    record = post.get("record") if isinstance(post.get("record"), dict) else {}
    langs = record.get("langs") if isinstance(record, dict) else None
    language = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else ""
    shares = _count(post, "repostCount") + _count(post, "quoteCount")
    return dataclasses.replace(item, language=language.split("-")[0].lower(), shares=shares)


def _with_reach(conn: BlueskyConnector, items: list[Incoming]) -> list[Incoming]:
    dids = sorted({i.author.external_id for i in items if i.author.external_id})
    followers: dict[str, int] = {}
    for start in range(0, len(dids), PROFILES_PER_CALL):
        chunk = dids[start : start + PROFILES_PER_CALL]
        try:
            out = conn.xrpc("app.bsky.actor.getProfiles", params={"actors": chunk})
        except ConnectorError as exc:
            log.info("bluesky: author profiles not read (%s); reach left unknown", exc)
            break
        for profile in out.get("profiles") or ():
            if isinstance(profile, dict) and isinstance(profile.get("followersCount"), int):
                followers[str(profile.get("did"))] = profile["followersCount"]
    return [
        dataclasses.replace(
            i, author=dataclasses.replace(i.author, followers_count=followers[i.author.external_id])
        )
        if i.author.external_id in followers
        else i
        for i in items
    ]
