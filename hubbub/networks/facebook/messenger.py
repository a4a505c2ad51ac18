"""A Page's Messenger conversations, for the inbox (Messenger Platform: Conversations API and
Send API).

Reading: GET /{page-id}/conversations?platform=messenger with each conversation's latest
messages (fields messages.limit(25){id,message,created_time,from,to}), the conversations
most recently updated first. The walk stops at the first conversation not updated since the
cursor ("<created_time ISO>|<message id>" of the newest message read, as comments' cursors:
reading.select keeps what is strictly newer, oldest first). A conversation that received
more than 25 messages between two reads (the inbox reads every minute) loses the oldest of
them. The Page's own messages come back too (author: the Page), as the contract asks. Each
message's data names the person's page-scoped id (PSID), which an answer is addressed to
and which is also its conversation_id (as webhooks name the sender), and the Graph
conversation (thread_id).

Answering: POST /{page-id}/messages with recipient {"id": PSID}, messaging_type RESPONSE and
message {"text"} (Send API), answered {"recipient_id", "message_id"}. Messenger's "standard
messaging window": a Page may answer within 24 hours of the person's last message; later,
Meta refuses with error 10, subcode 2018278, which Hubbub reports as such (a permanent
refusal: sending the same again cannot help; the person must write first). Error 551 means
the person cannot be reached (they blocked the Page or turned its messages off). After a
time-out, the answer is looked for among the conversation's latest messages from the Page.

Permissions: pages_messaging (read and send), with pages_manage_metadata and
pages_read_engagement (facebook/oauth.py). Messenger needs Meta's App Review for people
outside the app's roles.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import ConnectorError, PermanentError
from hubbub.networks.facebook import graph
from hubbub.networks.facebook.reading import Key, parse_cursor, parse_time, select
from hubbub.networks.incoming import Author, Incoming, Page
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.facebook.connector import FacebookConnector

MESSAGES_PER_CONVERSATION = 25
_MESSAGE = "id,message,created_time,from,to"
CLOCK_SKEW = timedelta(minutes=1)
WINDOW_SUBCODE = 2018278  # "This message is sent outside of allowed window."
UNAVAILABLE_CODE = 551  # "This person isn't available right now."


def is_message(ref: PublishedRef) -> bool:
    return ref.data.get("kind") == "message"


def fetch_messages(conn: FacebookConnector, cursor: str | None) -> Page:
    after = parse_cursor(cursor)
    page_id = conn.page_id()
    fields = f"id,updated_time,messages.limit({MESSAGES_PER_CONVERSATION}){{{_MESSAGE}}}"
    found: list[tuple[Key, Incoming]] = []
    for conversations in graph.paged(
        f"{page_id}/conversations",
        token=conn.token(),
        network=conn.label,
        params={"platform": "messenger", "fields": fields, "limit": "25"},
    ):
        for conversation in conversations:
            updated = parse_time(conversation.get("updated_time"))
            if after is not None and updated is not None and updated < after[0]:
                return select(found, cursor)  # most recently updated first: the rest is old
            messages = graph.obj(conversation.get("messages")).get("data")
            for message in messages if isinstance(messages, list) else ():
                made = _incoming(message, str(conversation.get("id") or ""), page_id)
                if made is not None:
                    found.append(made)
    return select(found, cursor)


def _incoming(message: Any, conversation: str, page_id: str) -> tuple[Key, Incoming] | None:
    if not isinstance(message, dict) or not message.get("id"):
        return None
    created = parse_time(message.get("created_time"))
    if created is None:
        return None
    sender = graph.obj(message.get("from"))
    sender_id = str(sender.get("id") or "")
    # The person's PSID: the sender, or for the Page's own messages their recipient.
    psid = sender_id
    if sender_id == page_id:
        recipients = graph.obj(message.get("to")).get("data")
        first = recipients[0] if isinstance(recipients, list) and recipients else {}
        psid = str(graph.obj(first).get("id") or "")
    name = str(sender.get("name") or "")
    return (
        (created, str(message["id"])),
        Incoming(
            external_id=str(message["id"]),
            text=str(message.get("message") or ""),
            author=Author(external_id=sender_id, handle=name or sender_id, name=name),
            created_at=created,
            # conversation_id is the person's PSID, as Meta's webhooks name the sender, so
            # that polled and pushed messages of one person are one inbox conversation; the
            # Graph conversation ("t_...") is thread_id, for the look-up after a time-out.
            data={
                "id": str(message["id"]),
                "kind": "message",
                "conversation_id": psid,
                "psid": psid,
                "thread_id": conversation,
            },
        ),
    )


def reply(conn: FacebookConnector, part: OutgoingPart, parent: PublishedRef) -> PublishedRef:
    if part.media:
        raise PermanentError(_("Hubbub sends text only in Messenger: remove the media."))
    psid = _psid(parent)
    if not psid:
        raise PermanentError(_("This Messenger message does not say who to answer."))
    response = graph.call_response(
        "POST",
        f"{conn.page_id()}/messages",
        token=conn.token(),
        network=conn.label,
        data={
            "recipient": json.dumps({"id": psid}),
            "messaging_type": "RESPONSE",
            "message": json.dumps({"text": part.text}),
        },
    )
    body = http.json_object(response)
    if not response.is_success or "error" in body:
        raise _send_error(response, body)
    message_id = str(body.get("message_id") or "")
    if not message_id:
        raise PermanentError(_("Messenger answered without the message it sent."))
    return _ref(message_id, parent)


def _psid(parent: PublishedRef) -> str:
    return str(parent.data.get("psid") or parent.data.get("conversation_id") or "")


def _ref(message_id: str, parent: PublishedRef, thread: str = "") -> PublishedRef:
    psid = _psid(parent)
    return PublishedRef(
        external_id=message_id,
        data={
            "id": message_id,
            "kind": "message",
            "conversation_id": psid,
            "psid": psid,
            "thread_id": thread or str(parent.data.get("thread_id") or ""),
        },
    )


def _send_error(response: Any, body: dict[str, Any]) -> ConnectorError:
    error = graph.obj(body.get("error"))
    found = graph.error_for(response, body, "Facebook")
    if error.get("code") == 10 and error.get("error_subcode") == WINDOW_SUBCODE:
        return PermanentError(
            _(
                "Messenger lets a Page answer only within 24 hours of the person's last "
                "message: this one is older. The person must write again first."
            ),
            network_message=found.network_message,
            status=found.status,
        )
    if error.get("code") == UNAVAILABLE_CODE:
        return PermanentError(
            _(
                "This person cannot be reached on Messenger (they may have blocked the Page "
                "or turned off its messages)."
            ),
            network_message=found.network_message,
            status=found.status,
        )
    return found


def find_reply(
    conn: FacebookConnector, part: OutgoingPart, parent: PublishedRef
) -> PublishedRef | None:
    fields = f"messages.limit({MESSAGES_PER_CONVERSATION}){{{_MESSAGE}}}"
    thread = str(parent.data.get("thread_id") or "")
    if thread:
        found = conn.call("GET", thread, params={"fields": fields})
    else:
        # A message pushed by a webhook knows only the person: their conversation with the
        # Page is asked for by user_id.
        listed = conn.call(
            "GET",
            f"{conn.page_id()}/conversations",
            params={"platform": "messenger", "user_id": _psid(parent), "fields": fields},
        )
        data = listed.get("data")
        found = graph.obj(data[0]) if isinstance(data, list) and data else {}
    wanted = " ".join(part.text.split())
    since = part.not_before - CLOCK_SKEW if part.not_before else None
    messages = graph.obj(found.get("messages")).get("data")
    for message in messages if isinstance(messages, list) else ():
        if not isinstance(message, dict) or not message.get("id"):
            continue
        created = parse_time(message.get("created_time"))
        if (
            str(graph.obj(message.get("from")).get("id")) == conn.page_id()
            and " ".join(str(message.get("message") or "").split()) == wanted
            and (since is None or created is None or created >= since)
        ):
            return _ref(str(message["id"]), parent, str(found.get("id") or thread))
    return None
