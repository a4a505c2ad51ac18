"""Direct messages on X, for the inbox (X API v2 > Direct Messages).

Reading: GET /2/dm_events (Direct Messages lookup), every MessageCreate event of the
account's conversations, sent and received, newest first, up to 100 a page
(`pagination_token` from meta.next_token), for the last 30 days. The endpoint takes no
since_id: each call walks the pages down to the newest event it read last time (the cursor,
an event id: Snowflake ids grow with time, compared as integers). Senders come in the same
answer (expansions=sender_id). The account's own messages come back too, as the contract
asks (the inbox records them as outbound); data["conversation_id"] is the conversation.

Answering: POST /2/dm_conversations/:dm_conversation_id/messages with {"text"}, answered
{"data": {"dm_conversation_id", "dm_event_id"}}. There is no idempotency key: after a
time-out, find_reply reads the conversation (GET /2/dm_conversations/:id/dm_events) for a
message from the account with the same text since the answer was due.

Scopes dm.read and dm.write (with tweet.read and users.read). X may refuse a message to an
account that does not accept messages from the sender (403, X's words shown).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.incoming import MAX_ITEMS_PER_FETCH, Author, Incoming, Page
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.x.client import call
from hubbub.networks.x.reading import page_of

if TYPE_CHECKING:
    from hubbub.networks.x.connector import XConnector

log = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_PAGES = 20
LOOKUP_MARGIN = timedelta(minutes=1)
FIELDS = {
    "event_types": "MessageCreate",
    "dm_event.fields": "id,text,event_type,created_at,sender_id,dm_conversation_id",
    "expansions": "sender_id",
    "user.fields": "username,name,profile_image_url",
}


def is_message(ref: PublishedRef) -> bool:
    return ref.data.get("kind") == "dm"


def conversation_url(conversation_id: str) -> str:
    return f"https://x.com/messages/{conversation_id}"


def fetch_messages(conn: XConnector, cursor: str | None) -> Page:
    after = int(cursor) if cursor and cursor.isdigit() else None
    params = {"max_results": str(PAGE_SIZE), **FIELDS}
    found: list[tuple[dict[str, Any], dict[str, dict[str, Any]]]] = []
    for _page in range(MAX_PAGES):
        body = call(conn, "GET", "/2/dm_events", params=params)
        users = {
            str(u["id"]): u
            for u in (body.get("includes") or {}).get("users") or ()
            if isinstance(u, dict) and u.get("id")
        }
        events = [e for e in body.get("data") or () if isinstance(e, dict) and e.get("id")]
        newer = [e for e in events if after is None or int(e["id"]) > after]
        found += [(e, users) for e in newer]
        token = (body.get("meta") or {}).get("next_token")
        reached = len(newer) < len(events)  # the page holds what was read last time
        if reached or not token or (after is None and len(found) >= MAX_ITEMS_PER_FETCH):
            break
        params = {**params, "pagination_token": str(token)}
    else:
        log.warning("X: more than %s new direct messages; the oldest are skipped", len(found))
    return page_of(found, cursor, first_read=after is None, make=incoming)


def incoming(event: dict[str, Any], users: dict[str, dict[str, Any]]) -> Incoming:
    sender = str(event.get("sender_id") or "")
    user = users.get(sender, {})
    username = str(user.get("username") or "")
    conversation = str(event.get("dm_conversation_id") or "")
    event_id = str(event["id"])
    return Incoming(
        external_id=event_id,
        text=str(event.get("text") or ""),
        author=Author(
            external_id=sender,
            handle=f"@{username}" if username else sender,
            name=str(user.get("name") or username),
            avatar_url=str(user.get("profile_image_url") or ""),
            profile_url=f"https://x.com/{username}" if username else "",
        ),
        created_at=_when(event.get("created_at")) or timezone.now(),
        url=conversation_url(conversation) if conversation else "",
        data={"id": event_id, "kind": "dm", "conversation_id": conversation},
    )


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _conversation(parent: PublishedRef) -> str:
    conversation = str(parent.data.get("conversation_id") or "")
    if not conversation:
        raise PermanentError(_("This X message does not say which conversation it is in."))
    return conversation


def reply(conn: XConnector, part: OutgoingPart, parent: PublishedRef) -> PublishedRef:
    if part.media:
        raise PermanentError(_("Hubbub sends text only in X direct messages: remove the media."))
    conversation = _conversation(parent)
    answer = call(
        conn, "POST", f"/2/dm_conversations/{conversation}/messages", json={"text": part.text}
    )
    data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
    event_id = str((data or {}).get("dm_event_id") or "")
    if not event_id:
        raise PermanentError(_("X answered without the message it sent."))
    return _ref(event_id, conversation)


def _ref(event_id: str, conversation: str) -> PublishedRef:
    return PublishedRef(
        external_id=event_id,
        url=conversation_url(conversation),
        data={"id": event_id, "kind": "dm", "conversation_id": conversation},
    )


def find_reply(conn: XConnector, part: OutgoingPart, parent: PublishedRef) -> PublishedRef | None:
    conversation = _conversation(parent)
    since = (part.not_before or timezone.now() - timedelta(hours=1)) - LOOKUP_MARGIN
    body = call(
        conn,
        "GET",
        f"/2/dm_conversations/{conversation}/dm_events",
        params={
            "max_results": str(PAGE_SIZE),
            "event_types": "MessageCreate",
            "dm_event.fields": "id,text,created_at,sender_id",
        },
    )
    wanted = " ".join(part.text.split())
    for event in body.get("data") or ():
        if not isinstance(event, dict) or not event.get("id"):
            continue
        when = _when(event.get("created_at"))
        if (
            str(event.get("sender_id")) == conn.user_id()
            and " ".join(str(event.get("text") or "").split()) == wanted
            and (when is None or when >= since)
        ):
            return _ref(str(event["id"]), conversation)
    return None
