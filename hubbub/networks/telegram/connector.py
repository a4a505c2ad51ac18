"""The Telegram connector: one channel is one Telegram channel, posted to by the person's bot."""

from __future__ import annotations

from typing import Any, ClassVar

import pydantic
from django.utils.translation import gettext as _

from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connector,
    Counting,
    Limits,
    MediaLimits,
    PermanentError,
)
from hubbub.networks.incoming import Page
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.telegram import posting, reading
from hubbub.networks.telegram.client import call
from hubbub.networks.telegram.limits import (
    MAX_CAPTION,
    MAX_PHOTO_BYTES,
    MAX_TEXT,
    Utf16TextLimits,
)


class TelegramConfig(pydantic.BaseModel):
    chat_id: int = 0  # the channel's numeric id, e.g. -1001234567890
    username: str = ""  # the channel's public @username, without the @; empty when private
    bot_id: int = 0
    bot_username: str = ""
    can_delete: bool = False  # the bot's "Delete messages" right when connected


class TelegramConnector(Connector):
    name = "telegram"
    label = "Telegram"
    can_look_up = False  # a bot cannot read its channel's history: see posting.find_published
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_TEXT,  # sendMessage
            Capability.PUBLISH_IMAGE,  # sendPhoto, the text as its caption
            Capability.PUBLISH_THREAD,  # each part replies to the previous (reply_parameters)
            Capability.DELETE,  # deleteMessage (within 48 hours, with the "Delete" right)
            Capability.DIRECT_MESSAGES,  # private chats with the bot, from getUpdates
            Capability.REPLY,  # sendMessage to that chat with reply_parameters
        }
    )
    # Not declared: comments (a channel's discussion group is another chat the bot would
    # have to join), mentions, metrics (the Bot API gives no view counts
    # for channel posts), search (a bot cannot read a channel's history), video (not yet).
    config_model: ClassVar[type[TelegramConfig]] = TelegramConfig
    config: TelegramConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            text=Utf16TextLimits(max_length=MAX_TEXT, counting=Counting.CODE_POINTS),
            media=MediaLimits(
                # One photo a post: several would need sendMediaGroup (an album), which
                # Hubbub does not send yet.
                max_images=1,
                max_image_bytes=MAX_PHOTO_BYTES,
                image_formats=("image/jpeg", "image/png", "image/webp"),
                max_alt_text=None,  # Telegram has no alt text for photos
            ),
            max_thread_parts=None,
            caption_max_length=MAX_CAPTION,  # sendPhoto's caption
        )

    def token(self) -> str:
        return self.stored_secret("bot_token")

    def call(self, method: str, **kwargs: Any) -> Any:
        return call(self.token(), method, **kwargs)

    def check(self) -> Account:
        if not self.config.chat_id:
            raise AuthError(_("The channel does not record its Telegram chat: reconnect it."))
        token = self.token()
        bot = call(token, "getMe")
        chat = call(token, "getChat", json={"chat_id": self.config.chat_id})
        member = call(
            token, "getChatMember", json={"chat_id": self.config.chat_id, "user_id": bot["id"]}
        )
        if not may_post(member):
            raise AuthError(
                _(
                    'The bot is no longer an administrator of this channel with the "Post '
                    'messages" right: add that right back, then reconnect the channel.'
                )
            )
        return account_from_chat(chat)

    # Publishing: see posting.py.
    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)

    # Reading: see reading.py.
    def fetch_messages(self, cursor: str | None) -> Page:
        return reading.fetch_messages(self, cursor)


def may_post(member: Any) -> bool:
    """ChatMemberAdministrator with can_post_messages (Bot API "ChatMemberAdministrator")."""
    return (
        isinstance(member, dict)
        and member.get("status") == "administrator"
        and member.get("can_post_messages") is True
    )


def account_from_chat(chat: Any) -> Account:
    """An Account from getChat's ChatFullInfo."""
    if not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
        raise PermanentError(_("Telegram answered getChat without a chat."))
    username = str(chat.get("username") or "")
    title = str(chat.get("title") or username or chat["id"])
    return Account(
        external_id=str(chat["id"]),
        handle=f"@{username}" if username else title,
        name=title,
        # No avatar: a chat photo is only reachable through getFile, whose download URL
        # contains the bot token, which must never reach a browser.
        avatar_url="",
        profile_url=f"https://t.me/{username}" if username else "",
    )
