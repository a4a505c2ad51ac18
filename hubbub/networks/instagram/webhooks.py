"""What Meta pushes about an Instagram professional account (Graph API "Webhooks for
Instagram", object "instagram"; entry.id is the account's id, the channel's external_id),
made into the Incoming items reading.py makes, so pushed and polled copies are one message.

- field "comments": value {id, text, from {id, username}, media {id}, parent_id}: a comment
  on the account's media (a reply when parent_id is set). There is no time in it: the
  entry's time is used. Instagram sends no webhook for edits or deletions of comments.
- field "mentions": value {media_id, comment_id?}: the account was @mentioned in a comment
  (comment_id) or in a caption (media_id alone). Only ids are sent, so each mention is
  looked up with the channel's token (GET /{ig-user-id}?fields=mentioned_comment... or
  mentioned_media...) in a background job (hubbub.networks.tasks_hooks), not while Meta
  waits for the answer.
- "messaging" events (Instagram Direct) have Messenger's shape (facebook/webhooks.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from hubbub.networks.facebook import graph
from hubbub.networks.facebook.webhooks import Batch, Parsed, messaging, when
from hubbub.networks.incoming import Author, Incoming
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef

MENTIONED_COMMENT = "id,text,timestamp,media{id,permalink}"
MENTIONED_MEDIA = "id,caption,timestamp,username,permalink"


def instagram_entry(entry: dict[str, Any]) -> Parsed:
    parsed = Parsed()
    entry_time = when(entry.get("time"))
    by_media: dict[str, list[Incoming]] = {}
    changes = entry.get("changes")
    for raw in changes if isinstance(changes, list) else []:
        change = graph.obj(raw)
        value = graph.obj(change.get("value"))
        name = change.get("field")
        if name == "comments":
            found = comment(value, entry_time)
            if found is not None:
                by_media.setdefault(found[0], []).append(found[1])
                continue
        elif name == "mentions" and value.get("media_id"):
            parsed.mentions.append(
                {
                    "media_id": str(value["media_id"]),
                    "comment_id": str(value.get("comment_id") or ""),
                }
            )
            continue
        parsed.skipped += 1
    for media_id, items in by_media.items():
        parsed.batches.append(
            Batch("comments", items, PublishedRef(external_id=media_id, data={"id": media_id}))
        )
    messages = messaging(entry, _("An Instagram user"))
    if messages:
        parsed.batches.append(Batch("messages", messages))
    return parsed


def comment(value: dict[str, Any], entry_time: datetime) -> tuple[str, Incoming] | None:
    """(media id, comment) as reading.fetch_comments makes them."""
    media_id = str(graph.obj(value.get("media")).get("id") or "")
    comment_id = str(value.get("id") or "")
    if not media_id or not comment_id:
        return None
    author = graph.obj(value.get("from"))
    username = str(author.get("username") or "")
    parent = str(value.get("parent_id") or "")
    return media_id, Incoming(
        external_id=comment_id,
        text=str(value.get("text") or ""),
        author=_author(str(author.get("id") or username), username),
        created_at=entry_time,
        in_reply_to=parent or media_id,
        # What answering, hiding or deleting it needs (engage.py), as reading.py has it.
        data={
            "id": comment_id,
            "kind": "reply" if parent else "comment",
            "media_id": media_id,
            "parent_id": parent,
        },
    )


def is_own(channel: Channel, item: Incoming) -> bool:
    """The account's own comment (polling leaves those out by username, and so does this)."""
    username = str((channel.config or {}).get("username") or "")
    return bool(username) and item.author.handle == f"@{username}"


def fetch_mention(channel: Channel, media_id: str, comment_id: str) -> Incoming | None:
    """The comment or caption a "mentions" webhook points at, read with the channel's token
    ("IG User Mentioned Comment" / "Mentioned Media"). A caption mention has the id and
    data of a tagged media as reading.fetch_mentions reads it, so engage.py answers both
    the same way; a comment mention is data kind "mention_comment"."""
    from hubbub.networks.instagram.connector import InstagramConnector

    conn = InstagramConnector(channel)
    if comment_id:
        answer = conn.call(
            "GET",
            conn.ig_user_id(),
            params={"fields": f"mentioned_comment.comment_id({comment_id}){{{MENTIONED_COMMENT}}}"},
        )
        found = graph.obj(answer.get("mentioned_comment"))
        if not found.get("id"):
            return None
        media = graph.obj(found.get("media"))
        # The API does not say who wrote a comment that mentions the account.
        return Incoming(
            external_id=str(found["id"]),
            text=str(found.get("text") or ""),
            author=_author("", ""),
            created_at=when(found.get("timestamp")),
            url=str(media.get("permalink") or ""),
            in_reply_to=str(media.get("id") or media_id),
            data={
                "id": str(found["id"]),
                "kind": "mention_comment",
                "media_id": str(media.get("id") or media_id),
                "comment_id": str(found["id"]),
            },
        )
    answer = conn.call(
        "GET",
        conn.ig_user_id(),
        params={"fields": f"mentioned_media.media_id({media_id}){{{MENTIONED_MEDIA}}}"},
    )
    found = graph.obj(answer.get("mentioned_media"))
    if not found.get("id"):
        return None
    username = str(found.get("username") or "")
    return Incoming(
        external_id=str(found["id"]),
        text=str(found.get("caption") or ""),
        author=_author(username, username),
        created_at=when(found.get("timestamp")),
        url=str(found.get("permalink") or ""),
        data={"id": str(found["id"]), "kind": "tag", "media_id": str(found["id"])},
    )


def _author(external_id: str, username: str) -> Author:
    return Author(
        external_id=external_id,
        handle=f"@{username}" if username else _("An Instagram user"),
        name=username,
        profile_url=f"https://www.instagram.com/{username}/" if username else "",
    )
