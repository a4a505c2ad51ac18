"""Connect a Telegram channel to a workspace: the one action the page and the API call.

The person created a bot with @BotFather and made it an administrator of the channel. We
ask Telegram who the bot is (getMe), which chat the channel is (getChat), and whether the
bot may post there (getChatMember): only then is the channel saved, its token encrypted.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.networks.actions import save_connection
from hubbub.networks.base import Connection, ConnectorError, RateLimited, TransientError
from hubbub.networks.models import Channel
from hubbub.networks.telegram.client import call
from hubbub.networks.telegram.connector import (
    TelegramConfig,
    TelegramConnector,
    account_from_chat,
    may_post,
)

# BotFather's tokens: the bot's numeric id, a colon, then 35 characters of [A-Za-z0-9_-].
_TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,64}$")
# Public usernames: 5-32 characters, letters, digits and underscores (Telegram's rules).
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_LINK = re.compile(r"^(?:https?://)?(?:t\.me|telegram\.me)/(?P<name>[^/?#]+)/?$", re.IGNORECASE)


class ConnectFailed(ActionError):
    """Telegram refused or could not be reached; `error` keeps its details (retry_at...)."""

    def __init__(self, message: str, field: str | None, error: ConnectorError) -> None:
        super().__init__(message, field)
        self.error = error


def normalise_chat(value: str) -> str | int:
    """`@name`, `name`, `https://t.me/name`, or a numeric id (-100...) → what getChat takes."""
    text = value.strip()
    link = _LINK.match(text)
    if link:
        text = link.group("name")
        if text.startswith("+") or text == "joinchat":
            raise ActionError(
                _(
                    "An invitation link does not name the channel: enter its @username or, "
                    "for a private channel, its numeric id (it starts with -100)."
                ),
                field="channel",
            )
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    name = text.removeprefix("@")
    if not _USERNAME.match(name):
        raise ActionError(
            _(
                "Enter the channel's @username (as in t.me/username) or, for a private "
                "channel, its numeric id (it starts with -100)."
            ),
            field="channel",
        )
    return f"@{name}"


def connect_telegram(access: Access, bot_token: str, channel: str) -> Channel:
    """Check the token, the channel and the bot's rights, then save the channel; nothing is
    saved on failure. Raises ActionError with the form field at fault."""
    access.require("channels.connect")
    token = bot_token.strip()
    if not _TOKEN.match(token):
        raise ActionError(
            _(
                "This does not look like a bot token: @BotFather gives one like "
                "123456789:AAE... Copy it again from @BotFather."
            ),
            field="bot_token",
        )
    chat_ref = normalise_chat(channel)
    try:
        bot = call(token, "getMe")
    except ConnectorError as exc:
        raise _failed(exc, "bot_token") from exc
    try:
        chat = call(token, "getChat", json={"chat_id": chat_ref})
    except ConnectorError as exc:
        if _retryable(exc):
            raise _failed(exc, "channel") from exc
        raise ConnectFailed(
            _(
                "Telegram cannot find the channel %(channel)s for this bot: check the name, "
                "and add the bot to the channel as an administrator."
            )
            % {"channel": chat_ref},
            "channel",
            exc,
        ) from exc
    if not isinstance(chat, dict) or chat.get("type") != "channel":
        raise ActionError(
            _(
                "%(channel)s is not a channel (Telegram says it is a %(type)s): Hubbub posts to "
                "channels only."
            )
            % {"channel": chat_ref, "type": chat.get("type") if isinstance(chat, dict) else "?"},
            field="channel",
        )
    bot_name = f"@{bot.get('username', '')}"
    try:
        member = call(token, "getChatMember", json={"chat_id": chat["id"], "user_id": bot["id"]})
    except ConnectorError as exc:
        if _retryable(exc):
            raise _failed(exc, "channel") from exc
        member = None
    if not may_post(member):
        raise ActionError(
            _(
                "The bot %(bot)s is not an administrator of %(channel)s allowed to post: in "
                "the channel, open Administrators → Add Admin, choose the bot, and allow "
                '"Post messages". Then try again.'
            )
            % {"bot": bot_name, "channel": chat.get("title") or chat_ref},
            field="channel",
        )
    assert isinstance(member, dict)
    connection = Connection(
        account=account_from_chat(chat),
        credentials={"bot_token": token},
        config=TelegramConfig(
            chat_id=chat["id"],
            username=str(chat.get("username") or ""),
            bot_id=int(bot["id"]),
            bot_username=str(bot.get("username") or ""),
            can_delete=member.get("can_delete_messages") is True,
        ).model_dump(),
        token_expires_at=None,  # bot tokens do not expire; @BotFather can revoke them
    )
    return save_connection(access, TelegramConnector.name, connection)


def _retryable(exc: ConnectorError) -> bool:
    return isinstance(exc, RateLimited | TransientError) or not exc.permanent


def _failed(exc: ConnectorError, field: str) -> ConnectFailed:
    if _retryable(exc):
        return ConnectFailed(
            _("Telegram could not be reached or is busy: try again in a minute (%(error)s).")
            % {"error": exc},
            None,
            exc,
        )
    return ConnectFailed(str(exc), field, exc)
