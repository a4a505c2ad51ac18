"""Publishing on X: POST /2/tweets, DELETE /2/tweets/:id, and finding a post again.

A part is `{"text"}`, with `"reply": {"in_reply_to_tweet_id"}` when it continues a thread or
is the first comment (both are replies to the previous part), and `"media": {"media_ids"}`
for its files (media.py). X has no idempotency key: when an attempt's outcome is unknown
(a time-out after sending), find_published reads the account's posts since the part was due
(GET /2/users/:id/tweets with start_time) and looks for the same text. X stores a post's
text with every link rewritten to a t.co address, a link to the media appended, and &, <, >
escaped as HTML entities, so texts are compared with links replaced by a placeholder and
entities decoded.

An answer to a direct message (its parent's data["kind"] is "dm") is a message in that
conversation instead: messages.py.
"""

from __future__ import annotations

import html
import unicodedata
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

import regex
from django.utils import timezone

from hubbub.networks.base import PermanentError
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.x import media, messages
from hubbub.networks.x.client import call, data_of
from hubbub.networks.x.counting import find_urls

if TYPE_CHECKING:
    from hubbub.networks.x.connector import XConnector

TWEETS = "/2/tweets"
# Reconciliation reads posts from a minute before the part was due (clocks differ a little),
# 100 a page (the most GET /2/users/:id/tweets gives), a few pages at most.
LOOKUP_MARGIN = timedelta(minutes=1)
LOOKUP_PAGE = 100
LOOKUP_PAGES = 3
_LINK = "\x00"
_SPACES = regex.compile(r"\s+")
_LEADING_MENTIONS = regex.compile(r"^(?:@\w+\s+)+")


def publish(conn: XConnector, part: OutgoingPart) -> PublishedRef:
    if part.reply_to is not None and messages.is_message(part.reply_to.parent):
        return messages.reply(conn, part, part.reply_to.parent)  # a direct message's answer
    media_ids = media.upload_all(conn, part) if part.media else []
    body: dict[str, Any] = {"text": part.text}
    if part.reply_to is not None:
        body["reply"] = {"in_reply_to_tweet_id": _tweet_id(part.reply_to.parent)}
    if media_ids:
        body["media"] = {"media_ids": media_ids}
    created = data_of(call(conn, "POST", TWEETS, json=body), "the new post")
    media.forget(conn, part)
    return ref(conn, str(created["id"]))


def ref(conn: XConnector, tweet_id: str) -> PublishedRef:
    return PublishedRef(external_id=tweet_id, url=conn.post_url(tweet_id), data={"id": tweet_id})


def _tweet_id(published: PublishedRef) -> str:
    return str(published.data.get("id") or published.external_id)


def delete(conn: XConnector, published: PublishedRef) -> None:
    try:
        call(conn, "DELETE", f"{TWEETS}/{_tweet_id(published)}")
    except PermanentError as exc:
        if exc.status != 404:  # already gone: what deleting wanted
            raise


def find_published(conn: XConnector, part: OutgoingPart) -> PublishedRef | None:
    if part.reply_to is not None and messages.is_message(part.reply_to.parent):
        return messages.find_reply(conn, part, part.reply_to.parent)
    since = (part.not_before or timezone.now() - timedelta(hours=1)) - LOOKUP_MARGIN
    params: dict[str, str] = {
        "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "max_results": str(LOOKUP_PAGE),
        "tweet.fields": "created_at,referenced_tweets,attachments",
    }
    wanted = normalise(part.text, reply=part.reply_to is not None)
    parent = _tweet_id(part.reply_to.parent) if part.reply_to is not None else None
    for _page in range(LOOKUP_PAGES):
        body = call(conn, "GET", f"/2/users/{conn.user_id()}/tweets", params=params)
        for tweet in body.get("data") or ():
            if not isinstance(tweet, dict) or not tweet.get("id"):
                continue
            has_media = bool((tweet.get("attachments") or {}).get("media_keys"))
            text = normalise(str(tweet.get("text") or ""), reply=parent is not None)
            expected = wanted
            if has_media:  # the media's own t.co link, at the end, is not in the part's text
                text, expected = text.rstrip(_LINK + " "), wanted.rstrip(_LINK + " ")
            if text == expected and (parent is None or _replies_to(tweet) == parent):
                return ref(conn, str(tweet["id"]))
        token = (body.get("meta") or {}).get("next_token")
        if not token:
            break
        params["pagination_token"] = str(token)
    return None


def _replies_to(tweet: dict[str, Any]) -> str | None:
    for referenced in tweet.get("referenced_tweets") or ():
        if isinstance(referenced, dict) and referenced.get("type") == "replied_to":
            return str(referenced.get("id"))
    return None


def normalise(text: str, *, reply: bool = False) -> str:
    """A text as comparable with what X stores: NFC, entities decoded, each link one
    placeholder (X rewrites them to t.co), spaces collapsed; for a reply, the @mentions X
    may put in front left out."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    pieces, position = [], 0
    for start, end in find_urls(text):
        pieces += [text[position:start], _LINK]
        position = end
    pieces.append(text[position:])
    text = _SPACES.sub(" ", "".join(pieces)).strip()
    if reply:
        text = _LEADING_MENTIONS.sub("", text)
    return text
