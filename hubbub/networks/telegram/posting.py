"""Publishing on a Telegram channel: one part is one message.

publish: sendMessage for text, sendPhoto (multipart upload, the text as caption) for a part
with a photo; a thread's next part replies to the previous message (`reply_parameters`).
The text goes out as plain text (no parse_mode): what the person wrote is what is shown.

Idempotency: the Bot API has no idempotency key, and a bot cannot read a channel's history
(there is no method to list or search messages; a bot only receives updates while it
polls). So when an attempt's outcome is unknown (a time-out after the request was sent),
Hubbub cannot find out whether the message exists. find_published says so with a permanent
error instead of answering "not found": the dispatcher then puts the delivery in "needs
attention" with the part still marked in flight, and a person checks the channel. Answering
None would make the dispatcher send the part again and risk a duplicate.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError, upload_file
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.telegram.limits import MAX_CAPTION, MAX_TEXT, utf16_length

if TYPE_CHECKING:
    from hubbub.networks.telegram.connector import TelegramConnector


def publish(conn: TelegramConnector, part: OutgoingPart) -> PublishedRef:
    # An answer to a direct message goes to that person's chat with the bot, not the channel.
    answered = part.reply_to.parent.data.get("chat_id") if part.reply_to else None
    chat_id = answered if isinstance(answered, int) else conn.config.chat_id
    reply = _reply_parameters(part)
    length = utf16_length(part.text)
    if part.media:
        if len(part.media) > 1:
            raise PermanentError(
                _("Telegram takes one photo a post from Hubbub: keep one and remove the others.")
            )
        if length > MAX_CAPTION:
            raise PermanentError(
                _(
                    "With a photo, Telegram allows %(max)s characters of text; this one has "
                    "%(length)s: shorten it by %(over)s, or move the text to a next part."
                )
                % {"max": MAX_CAPTION, "length": length, "over": length - MAX_CAPTION}
            )
        media = part.media[0]
        form: dict[str, Any] = {"chat_id": str(chat_id)}
        if part.text:
            form["caption"] = part.text
        if reply:
            form["reply_parameters"] = json.dumps(reply)  # multipart: JSON-serialized fields
        message = conn.call("sendPhoto", data=form, files={"photo": upload_file(media)})
    else:
        if length > MAX_TEXT:
            raise PermanentError(
                _(
                    "Telegram allows %(max)s characters in a message; this one has "
                    "%(length)s: shorten it by %(over)s."
                )
                % {"max": MAX_TEXT, "length": length, "over": length - MAX_TEXT}
            )
        body: dict[str, Any] = {"chat_id": chat_id, "text": part.text}
        if reply:
            body["reply_parameters"] = reply
        if part.link:
            # The preview shows this link rather than the first URL in the text.
            body["link_preview_options"] = {"url": part.link}
        message = conn.call("sendMessage", json=body)
    return published_ref(conn, message)


def find_published(conn: TelegramConnector, part: OutgoingPart) -> PublishedRef | None:
    raise PermanentError(
        _(
            "Hubbub does not know whether Telegram received this message (the connection "
            "broke after it was sent), and a bot cannot read a channel's messages to check. "
            "Look in the channel: if the message is missing, send it again."
        )
    )


def delete(conn: TelegramConnector, ref: PublishedRef) -> None:
    chat_id = ref.data.get("chat_id") or conn.config.chat_id
    try:
        conn.call("deleteMessage", json={"chat_id": chat_id, "message_id": int(ref.external_id)})
    except PermanentError as exc:
        if "message to delete not found" in exc.network_message.lower():
            return  # already gone: what a delete wants
        if "can't be deleted" in exc.network_message.lower():
            raise PermanentError(
                _(
                    "Telegram refuses to delete this message: a bot can only delete messages "
                    'younger than 48 hours, and needs the "Delete messages" right in the '
                    "channel."
                ),
                network_message=exc.network_message,
                status=exc.status,
            ) from None
        raise


def published_ref(conn: TelegramConnector, message: Any) -> PublishedRef:
    if not isinstance(message, dict) or not isinstance(message.get("message_id"), int):
        raise PermanentError(_("Telegram answered without the message it published."))
    message_id = message["message_id"]
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    chat_id = chat.get("id", conn.config.chat_id) if chat else conn.config.chat_id
    username = (chat.get("username") if chat else None) or conn.config.username
    return PublishedRef(
        external_id=str(message_id),
        url=message_url(chat_id, username, message_id),
        data={"chat_id": chat_id, "message_id": message_id},
    )


def message_url(chat_id: int, username: str, message_id: int) -> str:
    """The public link to a message: t.me/<username>/<id>, or for a private channel
    t.me/c/<id without -100>/<id>, which opens for the channel's members only."""
    if username:
        return f"https://t.me/{username}/{message_id}"
    text = str(chat_id)
    if text.startswith("-100"):
        return f"https://t.me/c/{text[4:]}/{message_id}"
    return ""


def _reply_parameters(part: OutgoingPart) -> dict[str, Any] | None:
    if part.reply_to is None:
        return None
    # Bot API 7.0 "ReplyParameters"; replaces the older reply_to_message_id. A direct
    # message's id is "<chat>:<message>" (reading.py): its data holds the bare message id.
    parent = part.reply_to.parent
    message_id = parent.data.get("message_id")
    return {"message_id": int(message_id if message_id is not None else parent.external_id)}
