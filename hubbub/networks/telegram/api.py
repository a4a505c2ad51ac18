"""POST /api/workspaces/{slug}/channels/telegram: connect a Telegram channel."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import ERRORS, ChannelOut, ErrorOut, channel_out
from hubbub.networks.telegram.connect import ConnectFailed, connect_telegram

# The workspace slug is in the prefix this router is mounted under (hubbub.api.main), which
# ninja does not read for path parameters: `Path` tells it where slug comes from.
router = Router()


class ConnectIn(Schema):
    bot_token: str = Field(
        max_length=120, description="The bot's token from @BotFather, e.g. 123456789:AAE..."
    )
    channel: str = Field(
        max_length=200,
        description="The channel's @username, t.me link, or numeric id (-100...). The bot "
        'must be an administrator of it with the "Post messages" right.',
    )


# 502: Telegram was unreachable, rate limited or failing: trying later can help.
ANSWERS: dict[int, Any] = {201: ChannelOut, **ERRORS, 502: ErrorOut}


@router.post(
    "",
    response=ANSWERS,
    summary="Connect a Telegram channel",
    description=(
        "Checks the bot token (getMe), the channel (getChat) and that the bot may post there "
        "(getChatMember), then saves the channel with the token encrypted; connecting the "
        "same channel again updates it. Nothing is saved when a check fails: the 400 answer "
        "says why, with the field at fault. Requires the channels.connect permission."
    ),
)
def connect(request: HttpRequest, slug: Path[str], payload: ConnectIn) -> Any:
    access = api_access(request, slug)
    try:
        channel = connect_telegram(access, payload.bot_token, payload.channel)
    except ConnectFailed as exc:
        if exc.error.permanent:
            raise
        return Status(502, {"detail": exc.message, "field": exc.field})
    return Status(201, channel_out(channel, access.workspace.tz))
