"""Engaging with messages in the room, from the inbox (Client-Server API).

- like: an m.reaction event annotating the message with 👍 ("Event annotations and
  reactions"): PUT /rooms/{roomId}/send/m.reaction/{txnId} with m.relates_to {rel_type
  m.annotation, event_id, key}. The txnId derives from the event liked, so a retry is the
  same transaction; a second like of the same message is refused by servers that enforce
  one annotation per key and sender (M_DUPLICATE_ANNOTATION), which is what liking wanted;
- delete: a redaction (PUT /rooms/{roomId}/redact/{eventId}/{txnId}), which removes the
  message's content for everyone. Redacting someone else's message needs the power level
  named `redact` in m.room.power_levels (50, a moderator, by default): without it the
  homeserver answers 403 M_FORBIDDEN, reported as such.

Matrix has no hiding of a message: HIDE is not declared. Answers go through publish().
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.matrix.client import errcode, q
from hubbub.networks.matrix.posting import txn_id
from hubbub.networks.outgoing import PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.matrix.connector import MatrixConnector

LIKE_KEY = "👍"


def _event_id(ref: PublishedRef) -> str:
    return str(ref.data.get("event_id") or ref.external_id)


def like(conn: MatrixConnector, ref: PublishedRef) -> None:
    event_id = _event_id(ref)
    content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": LIKE_KEY}}
    txn = txn_id(event_id, "like")
    try:
        conn.call("PUT", conn.room_path(f"/send/m.reaction/{q(txn)}"), json=content)
    except PermanentError as exc:
        if errcode(exc) != "M_DUPLICATE_ANNOTATION":
            raise


def delete_comment(conn: MatrixConnector, ref: PublishedRef) -> None:
    event_id = _event_id(ref)
    txn = txn_id(event_id, "redact")
    try:
        conn.call("PUT", conn.room_path(f"/redact/{q(event_id)}/{q(txn)}"), json={})
    except PermanentError as exc:
        code = errcode(exc)
        if code == "M_NOT_FOUND":
            return  # already gone: what deleting wanted
        if code == "M_FORBIDDEN":
            raise PermanentError(
                _(
                    "The Matrix account %(user)s may not remove other people's messages in "
                    "this room: a room admin must raise its power level to the room's "
                    '"redact" level (50, moderator, by default).'
                )
                % {"user": conn.config.user_id},
                network_message=exc.network_message,
                status=exc.status,
            ) from None
        raise
