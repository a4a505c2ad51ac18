"""Publishing in a Matrix room: each part is one m.room.message event (two with an image).

publish: PUT /rooms/{roomId}/send/m.room.message/{txnId} with an m.text event whose `body`
is the text as written (plain text: no formatted_body, so nothing a person wrote is read as
HTML). A part with an image first uploads it (POST /_matrix/media/v3/upload), then sends the
text, then an m.image event with the upload's mxc:// URI, its `info` (mimetype, size, w, h)
and, as `body`, the alt text (the file name when there is none): the spec's "textual
representation of the image… the alt text". No `filename` key is sent, so clients do not
show the alt text as a caption (v1.10 "Media captions"). The text comes first so that the
post's identity, its thread and its replies hang on the text event. A thread's later parts
are m.thread relations to the first part's event, with m.in_reply_to the previous part as
the fallback for clients without threads ("Threading"). An answer from the inbox is a reply
(m.in_reply_to) to the message answered, inside the thread it is in, if any, and names its
author in m.mentions.

Idempotency, exactly once: each event's txnId is derived from the part's idempotency_key
(one for the text, one for the image). The spec makes a PUT with the same txnId and the same
access token return the first event instead of sending a new one ("Transaction
identifiers"); Synapse remembers transaction ids for 24 hours per device. That covers a
retry *by the same device soon after*, but not one after a reconnect (a new device) or after
the server forgot. So find_published does not rely on it: after a time-out it reads the
room's latest messages sent by our account (GET /rooms/{roomId}/messages, dir=b, filtered on
the sender) and looks for the txnId in `unsigned.transaction_id`, which the server shows to
the device that sent the event; an m.text with exactly the part's text, sent by us since
the part was due, also counts (the same account on another device). Found: the dispatcher
does not send again. Not found: it sends again with the same txnIds, so if the event had
reached the server after all and the lookup missed it, the server still answers with it
rather than posting twice.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError, read_media
from hubbub.networks.matrix.client import as_dict, errcode, matrix_to, q, server_of
from hubbub.networks.matrix.limits import MAX_BODY_BYTES, body_bytes
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.matrix.connector import MatrixConnector

MEDIA_UPLOAD = "/_matrix/media/v3/upload"
# How many of our own latest messages find_published reads: the dispatcher asks within
# minutes of the attempt, and a room where Hubbub sent more than this since is unlikely.
LOOKUP_LIMIT = 100
# A text sent on another device counts only if it is at most this older than the part's due
# time (clocks differ; the dispatcher may send slightly early).
LOOKUP_SLACK = timedelta(minutes=5)


def txn_id(idempotency_key: str, what: str) -> str:
    """A transaction id for one event of a part: stable across retries, opaque (the
    dispatcher's key is not shown to the room), and the same length whatever the key."""
    digest = hashlib.sha256(f"{idempotency_key}\x00{what}".encode()).hexdigest()[:32]
    return f"hubbub-{what}-{digest}"


def publish(conn: MatrixConnector, part: OutgoingPart) -> PublishedRef:
    size = body_bytes(part.text)
    if size > MAX_BODY_BYTES:
        raise PermanentError(
            _(
                "A Matrix message may take %(max)s bytes of text; this one takes %(length)s "
                "(letters with accents take two, emoji four): shorten it by %(over)s bytes."
            )
            % {"max": MAX_BODY_BYTES, "length": size, "over": size - MAX_BODY_BYTES}
        )
    if len(part.media) > 1:
        raise PermanentError(
            _("Matrix takes one image a post from Hubbub: keep one and remove the others.")
        )
    image = _upload(conn, part.media[0]) if part.media else None
    thread = _thread_relation(part)
    event_ids: list[str] = []
    if part.text or image is None:
        content: dict[str, Any] = {"msgtype": "m.text", "body": part.text}
        if thread:
            content["m.relates_to"] = thread
        sender = _answered_sender(part)
        if sender:
            # "User and room mentions": a reply names the author of what it answers, so
            # their client notifies them.
            content["m.mentions"] = {"user_ids": [sender]}
        event_ids.append(_send(conn, content, txn_id(part.idempotency_key, "text")))
    if image is not None:
        if thread:
            # Within a thread, the image answers the text just sent (or the previous part).
            parent = event_ids[0] if event_ids else thread["m.in_reply_to"]["event_id"]
            image["m.relates_to"] = {**thread, "m.in_reply_to": {"event_id": parent}}
        event_ids.append(_send(conn, image, txn_id(part.idempotency_key, "image")))
    return published_ref(conn, event_ids)


def published_ref(conn: MatrixConnector, event_ids: list[str]) -> PublishedRef:
    room_id = conn.config.room_id
    return PublishedRef(
        external_id=event_ids[0],
        url=matrix_to(room_id, event_ids[0], via=server_of(conn.config.user_id)),
        data={"room_id": room_id, "event_ids": event_ids},
    )


def _send(conn: MatrixConnector, content: dict[str, Any], txn: str) -> str:
    answer = conn.call("PUT", conn.room_path(f"/send/m.room.message/{q(txn)}"), json=content)
    event_id = answer.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        raise PermanentError(_("The Matrix homeserver answered without the event it sent."))
    return event_id


def _answered_sender(part: OutgoingPart) -> str:
    """The author of the message answered from the inbox (reading.py keeps it), else ""."""
    if part.reply_to is None or not answers_incoming(part.reply_to.parent):
        return ""
    sender = str(part.reply_to.parent.data.get("sender") or "")
    return sender if sender.startswith("@") else ""


def answers_incoming(parent: PublishedRef) -> bool:
    """A message from someone else, read by reading.py (its data has event_id and
    thread_root), rather than one of our own parts (event_ids)."""
    return "event_id" in parent.data and "event_ids" not in parent.data


def _thread_relation(part: OutgoingPart) -> dict[str, Any] | None:
    if part.reply_to is None:
        return None
    parent = part.reply_to.parent
    if answers_incoming(parent):
        # An answer from the inbox ("Rich replies", "Threading"): a reply to the message;
        # in the thread the message is in, if any (a comment under our post is), with
        # is_falling_back false since the reply is a real one, not a thread's fallback.
        reply = {"m.in_reply_to": {"event_id": parent.external_id}}
        root = str(parent.data.get("thread_root") or "")
        if not root:
            return reply
        return {"rel_type": "m.thread", "event_id": root, "is_falling_back": False, **reply}
    # "Threading": rel_type m.thread on the thread's root; is_falling_back with
    # m.in_reply_to the latest event, for clients that show replies but not threads.
    return {
        "rel_type": "m.thread",
        "event_id": part.reply_to.root.external_id,
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": part.reply_to.parent.external_id},
    }


def _upload(conn: MatrixConnector, media: MediaFile) -> dict[str, Any]:
    """Upload the image and return the m.image content that shows it."""
    limits = conn.limits().media
    if media.mime_type not in limits.image_formats:
        raise PermanentError(
            _("Matrix clients show JPEG, PNG, GIF and WebP images; this file is %(type)s.")
            % {"type": media.mime_type}
        )
    if media.size > limits.max_image_bytes:
        raise PermanentError(
            _(
                "This homeserver takes files up to %(max)s MB; the image has %(size)s MB: "
                "make it smaller."
            )
            % {
                "max": f"{limits.max_image_bytes / 1_000_000:.1f}",
                "size": f"{media.size / 1_000_000:.1f}",
            }
        )
    data = read_media(media)
    answer = conn.call(
        "POST",
        MEDIA_UPLOAD,
        params={"filename": media.path.name},
        content=data,
        content_type=media.mime_type,
    )
    uri = answer.get("content_uri")
    if not isinstance(uri, str) or not uri.startswith("mxc://"):
        raise PermanentError(_("The Matrix homeserver answered the upload without its mxc:// URI."))
    info: dict[str, Any] = {"mimetype": media.mime_type, "size": len(data)}
    if media.width and media.height:
        info["w"], info["h"] = media.width, media.height
    else:
        info.update(_dimensions(media))
    return {
        "msgtype": "m.image",
        "body": media.alt_text or media.path.name,
        "url": uri,
        "info": info,
    }


def _dimensions(media: MediaFile) -> dict[str, int]:
    """w and h read from the file when the MediaFile does not say them (clients reserve the
    space before the image loads)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(media.path) as image:
            return {"w": image.width, "h": image.height}
    except (OSError, UnidentifiedImageError):
        return {}


def find_published(conn: MatrixConnector, part: OutgoingPart) -> PublishedRef | None:
    wanted: dict[str, str | None] = {}  # txnId -> the event id found
    if part.text or not part.media:
        wanted[txn_id(part.idempotency_key, "text")] = None
    if part.media:
        wanted[txn_id(part.idempotency_key, "image")] = None
    text_txn = txn_id(part.idempotency_key, "text")
    since = int((part.not_before - LOOKUP_SLACK).timestamp() * 1000) if part.not_before else None
    answer = conn.call(
        "GET",
        conn.room_path("/messages"),
        params={
            "dir": "b",
            "limit": str(LOOKUP_LIMIT),
            "filter": json.dumps(
                {"types": ["m.room.message"], "senders": [conn.config.user_id]},
                separators=(",", ":"),
            ),
        },
    )
    for event in answer.get("chunk") or []:
        if not isinstance(event, dict) or event.get("sender") != conn.config.user_id:
            continue
        unsigned = as_dict(event.get("unsigned"))
        txn = unsigned.get("transaction_id")
        content = as_dict(event.get("content"))
        if txn in wanted:
            wanted[str(txn)] = str(event.get("event_id") or "") or None
        elif (
            text_txn in wanted
            and wanted[text_txn] is None
            and content.get("msgtype") == "m.text"
            and content.get("body") == part.text
            and (since is None or int(event.get("origin_server_ts") or 0) >= since)
        ):
            wanted[text_txn] = str(event.get("event_id") or "") or None
    found = [event_id for event_id in wanted.values() if event_id]
    if len(found) < len(wanted):
        # Nothing, or the text without its image: sending again with the same txnIds
        # completes the part (the server answers a known txnId with its event).
        return None
    return published_ref(conn, found)


def delete(conn: MatrixConnector, ref: PublishedRef) -> None:
    """Redact the part's events (PUT /rooms/{roomId}/redact/{eventId}/{txnId}): their
    content is removed for everyone, a "message deleted" placeholder stays."""
    event_ids = ref.data.get("event_ids") or [ref.external_id]
    for event_id in event_ids:
        txn = txn_id(str(event_id), "redact")
        try:
            conn.call("PUT", conn.room_path(f"/redact/{q(str(event_id))}/{q(txn)}"), json={})
        except PermanentError as exc:
            if errcode(exc) == "M_NOT_FOUND":
                continue  # already gone: what a delete wants
            raise
