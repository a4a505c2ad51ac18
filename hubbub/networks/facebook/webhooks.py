"""What Meta pushes about a Facebook Page (Graph API "Webhooks for Pages", object "page"),
made into the same Incoming items the polling readers make (reading.py), so that a comment
pushed here and read again by polling is one message: same external_id, same data.

- field "feed", item "comment": verb "add" (new), "edited"/"edit" (Meta spells it both ways)
  and "remove" (deleted). value: comment_id ("<post>_<comment>", as GET /{post}/comments
  answers), post_id ("<page>_<post>"), parent_id (the post for a top-level comment, else the
  comment answered), message, created_time (Unix seconds), from {id, name} (older payloads:
  sender_id, sender_name). The Page's own comments are left out, as polling leaves them out
  (an answer sent from Hubbub is matched when its delivery is published).
- "messaging" (Messenger Platform webhooks, field "messages"): each event has sender.id (the
  person's Page-scoped id), recipient.id (the Page), timestamp (milliseconds) and message
  {mid, text, attachments, is_echo, reply_to {mid}}; an edit comes as message_edit {mid,
  text}. An echo (is_echo) is the Page's own answer written in Meta's inbox: outbound.

Pages send nothing until the app is installed on them: subscribe_page does that
(POST /{page-id}/subscribed_apps) with the Page token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.networks.base import ConnectorError
from hubbub.networks.facebook import graph
from hubbub.networks.facebook.reading import parse_time
from hubbub.networks.incoming import Author, Incoming
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef

log = logging.getLogger(__name__)

NETWORK = "Facebook"
# The Page fields Hubbub listens to: comments (feed) and Messenger conversations (messages).
PAGE_FIELDS = ("feed", "messages")
COMMENT_VERBS = {"add": "add", "edited": "edited", "edit": "edited", "remove": "remove"}
# Attachment types Messenger names ("Webhook Events: messages", attachments[].type).
ATTACHMENTS = ("image", "video", "audio", "file", "location", "fallback", "sticker")


@dataclass(frozen=True)
class Batch:
    """Items of one kind for ingest(); comments carry the post they are under."""

    kind: str  # a SourceKind value
    items: list[Incoming]
    post_ref: PublishedRef | None = None


@dataclass
class Parsed:
    """What one webhook entry holds, before the channels it is for are known."""

    batches: list[Batch] = field(default_factory=list)
    # Instagram @mentions name only ids: each is looked up with the channel's token, later.
    mentions: list[dict[str, str]] = field(default_factory=list)
    skipped: int = 0  # changes Hubbub does not use (reactions, posts, read receipts, ...)


def when(value: Any, fallback: datetime | None = None) -> datetime:
    """A webhook time: Unix seconds, Unix milliseconds (Messenger) or an ISO string."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        seconds = value / 1000 if value > 100_000_000_000 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    parsed = parse_time(value) if isinstance(value, str) else None
    return parsed or fallback or timezone.now()


def page_entry(entry: dict[str, Any]) -> Parsed:
    """The comments and Messenger messages of one object "page" entry."""
    parsed = Parsed()
    page_id = str(entry.get("id") or "")
    entry_time = when(entry.get("time"))
    by_post: dict[str, list[Incoming]] = {}
    for change in _list(entry.get("changes")):
        if change.get("field") != "feed":
            parsed.skipped += 1
            continue
        found = feed_comment(graph.obj(change.get("value")), page_id, entry_time)
        if found is None:
            parsed.skipped += 1
            continue
        post_id, item = found
        by_post.setdefault(post_id, []).append(item)
    for post_id, items in by_post.items():
        parsed.batches.append(
            Batch("comments", items, PublishedRef(external_id=post_id, data={"id": post_id}))
        )
    messages = messaging(entry, _("A Facebook user"))
    if messages:
        parsed.batches.append(Batch("messages", messages))
    return parsed


def feed_comment(
    value: dict[str, Any], page_id: str, entry_time: datetime
) -> tuple[str, Incoming] | None:
    """(post id, comment) of a feed change about a comment; None for anything else."""
    verb = COMMENT_VERBS.get(str(value.get("verb") or ""))
    comment_id = str(value.get("comment_id") or "")
    post_id = str(value.get("post_id") or "")
    if value.get("item") != "comment" or verb is None or not comment_id or not post_id:
        return None
    sender = graph.obj(value.get("from")) or {
        "id": value.get("sender_id"),
        "name": value.get("sender_name"),
    }
    author_id = str(sender.get("id") or "")
    if verb != "remove" and page_id and author_id == page_id:
        return None  # the Page's own comment: polling leaves it out too
    name = str(sender.get("name") or "")
    parent = str(value.get("parent_id") or "")
    # Polling reads `parent` only for a reply to a comment: a top-level comment has none.
    parent_id = parent if parent and parent != post_id else ""
    return post_id, Incoming(
        external_id=comment_id,
        text="" if verb == "remove" else str(value.get("message") or ""),
        author=Author(
            external_id=author_id,
            # Facebook shows people by name; there is no @handle for a person.
            handle=name or _("A Facebook user"),
            name=name,
        ),
        created_at=when(value.get("created_time"), entry_time),
        url=f"{graph.WWW_URL}/{comment_id}",
        in_reply_to=parent_id or post_id,
        data={"id": comment_id, "kind": "comment", "post_id": post_id, "parent_id": parent_id},
        # When it changed: ingest takes it as the edit or deletion time.
        edited_at=entry_time if verb in ("edited", "remove") else None,
        deleted=verb == "remove",
    )


def messaging(entry: dict[str, Any], nobody: str) -> list[Incoming]:
    """The messages and edits of an entry's `messaging` events (Messenger, or Instagram
    Direct, which has the same shape); `nobody` is the handle of a person known by id only."""
    items: list[Incoming] = []
    for event in _list(entry.get("messaging")):
        item = messaging_event(event, nobody)
        if item is not None:
            items.append(item)
    return items


def messaging_event(event: dict[str, Any], nobody: str) -> Incoming | None:
    sender = str(graph.obj(event.get("sender")).get("id") or "")
    recipient = str(graph.obj(event.get("recipient")).get("id") or "")
    at = when(event.get("timestamp"))
    message = graph.obj(event.get("message"))
    edit = graph.obj(event.get("message_edit"))
    if message.get("mid"):
        echo = message.get("is_echo") is True
        person = recipient if echo else sender
        reply_to = str(graph.obj(message.get("reply_to")).get("mid") or "")
        text = str(message.get("text") or "") or _describe(message)
        edited_at = None
        mid = str(message["mid"])
    elif edit.get("mid"):
        person, text, edited_at, reply_to = sender, str(edit.get("text") or ""), at, ""
        mid = str(edit["mid"])
    else:
        return None  # deliveries, reads, reactions, postbacks: not messages
    if not person:
        return None
    return Incoming(
        external_id=mid,
        text=text,
        # An echo is written by the Page (or account): the inbox sees it as its own.
        author=Author(external_id=sender, handle=nobody),
        created_at=at,
        in_reply_to=reply_to,
        # As messenger.py reads it: the person's PSID is the conversation and who an answer
        # goes to (the Graph thread id is not in a webhook; an answer looks it up by PSID).
        data={"id": mid, "kind": "message", "conversation_id": person, "psid": person},
        edited_at=edited_at,
    )


def _describe(message: dict[str, Any]) -> str:
    # A photo or sticker without text: say what arrived rather than show nothing.
    for attachment in _list(message.get("attachments")):
        kind = str(attachment.get("type") or "")
        if kind in ATTACHMENTS:
            return f"[{kind}]"
    return "[message]"


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# --- installing the app on a Page -------------------------------------------------------------


def page_of(channel: Channel) -> str:
    """The Facebook Page a Facebook or Instagram channel is reached through."""
    config = channel.config or {}
    return str(
        config.get("page_id") or (channel.external_id if channel.network == "facebook" else "")
    )


def subscribe_page(channel: Channel) -> list[str]:
    """Install Hubbub's app on the channel's Page so that Meta sends its webhooks ("Webhooks
    for Pages": POST /{page-id}/subscribed_apps with the Page token; needs
    pages_manage_metadata). Messenger's `messages` also needs pages_messaging: without it,
    the Page is subscribed to `feed` alone. Returns the fields subscribed; raises
    ConnectorError when even `feed` is refused."""
    page_id = page_of(channel)
    token = str(channel.credentials.get("access_token") or "")
    fields = list(PAGE_FIELDS)
    try:
        _subscribe(page_id, token, fields)
    except ConnectorError as exc:
        if exc.needs_reconnect or not exc.permanent:
            raise
        log.info("page %s: subscribing to %s refused, trying feed alone", page_id, fields)
        fields = ["feed"]
        _subscribe(page_id, token, fields)
    return fields


def _subscribe(page_id: str, token: str, fields: list[str]) -> None:
    graph.call(
        "POST",
        f"{page_id}/subscribed_apps",
        token=token,
        network=NETWORK,
        data={"subscribed_fields": ",".join(fields)},
    )
