"""Direct messages to the channel's bot, read with getUpdates (Bot API "Getting updates").

People write to the bot in a private chat (after pressing Start); each message is an update.
The cursor is the next update_id to ask for: passing it as `offset` confirms every earlier
update, which Telegram then forgets. The cursor is stored only after the items are saved
(hubbub.inbox.polling), so a crash in between reads the same updates again, and the inbox
drops the duplicates by message id. Telegram keeps unconfirmed updates for 24 hours.

Only private chats are read: the channel's own posts (channel_post) and groups the bot sits
in are not conversations with a customer. An edited message comes back as edited_message
with the same message_id and is reported with edited_at. getUpdates and a webhook exclude
each other: the bot must be Hubbub's alone (docs/networks/telegram.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hubbub.networks.incoming import MAX_ITEMS_PER_FETCH, Author, Incoming, Page

if TYPE_CHECKING:
    from hubbub.networks.telegram.connector import TelegramConnector

# getUpdates answers at most 100 updates a call (Bot API "getUpdates": limit 1-100).
UPDATES_LIMIT = 100
ALLOWED_UPDATES = ["message", "edited_message"]


def fetch_messages(conn: TelegramConnector, cursor: str | None) -> Page:
    offset = int(cursor) if cursor and cursor.lstrip("-").isdigit() else None
    items: list[Incoming] = []
    more = False
    while True:
        body: dict[str, Any] = {"limit": UPDATES_LIMIT, "timeout": 0}
        body["allowed_updates"] = ALLOWED_UPDATES
        if offset is not None:
            body["offset"] = offset
        updates = conn.call("getUpdates", json=body)
        if not isinstance(updates, list) or not updates:
            break
        for update in updates:
            if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
                continue
            offset = update["update_id"] + 1
            item = incoming(conn, update)
            if item is not None:
                items.append(item)
        if len(updates) < UPDATES_LIMIT:
            break
        if len(items) >= MAX_ITEMS_PER_FETCH:
            more = True
            break
    return Page(items=items, cursor=str(offset) if offset is not None else cursor, more=more)


def incoming(conn: TelegramConnector, update: dict[str, Any]) -> Incoming | None:
    """A private message (or its edit) to the bot as an Incoming; None for anything else."""
    edited = "edited_message" in update
    message = update.get("edited_message") if edited else update.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("message_id"), int):
        return None
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("type") != "private":
        return None
    found = message.get("from")
    sender: dict[str, Any] = found if isinstance(found, dict) else {}
    text = str(message.get("text") or message.get("caption") or "")
    if not text:
        text = _describe(message)
    username = str(sender.get("username") or "")
    name = " ".join(str(sender.get(k) or "") for k in ("first_name", "last_name") if sender.get(k))
    chat_id = chat.get("id")
    return Incoming(
        # Message ids count per chat: the chat makes them unique for the channel.
        external_id=f"{chat_id}:{message['message_id']}",
        text=text,
        author=Author(
            external_id=str(sender.get("id") or chat_id),
            handle=f"@{username}" if username else name or str(chat_id),
            name=name,
            profile_url=f"https://t.me/{username}" if username else "",
        ),
        created_at=_when(message.get("date")),
        url="",  # a private chat has no public link
        in_reply_to=(
            f"{chat_id}:{message['reply_to_message']['message_id']}"
            if isinstance(message.get("reply_to_message"), dict)
            else ""
        ),
        data={
            "chat_id": chat_id,
            "message_id": message["message_id"],
            "conversation_id": str(chat_id),
        },
        edited_at=_when(message.get("edit_date")) if edited else None,
    )


def _describe(message: dict[str, Any]) -> str:
    # A photo, sticker or voice note without text: say what arrived rather than show nothing.
    for key in ("photo", "sticker", "voice", "video", "document", "location", "contact"):
        if message.get(key):
            return f"[{key}]"
    return "[message]"


def _when(value: Any) -> datetime:
    if isinstance(value, int):
        return datetime.fromtimestamp(value, tz=UTC)
    return datetime.now(UTC)
