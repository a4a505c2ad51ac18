"""POST /api/workspaces/{slug}/channels/discord: connect a Discord channel's webhook."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import ERRORS, ChannelOut, ErrorOut, channel_out
from hubbub.networks.discord.connect import ConnectFailed, connect_discord

# The workspace slug is in the prefix this router is mounted under (hubbub.api.main), which
# ninja does not read for path parameters: `Path` tells it where slug comes from.
router = Router()


class ConnectIn(Schema):
    webhook_url: str = Field(
        max_length=300,
        description="The channel's webhook URL, https://discord.com/api/webhooks/{id}/{token} "
        "(Server Settings → Integrations → Webhooks → Copy Webhook URL). A secret: it is "
        "stored encrypted and never returned.",
    )


# 502: Discord was unreachable, rate limited or failing: trying later can help.
ANSWERS: dict[int, Any] = {201: ChannelOut, **ERRORS, 502: ErrorOut}


@router.post(
    "",
    response=ANSWERS,
    summary="Connect a Discord channel",
    description=(
        "Checks the webhook with Discord (Get Webhook with Token), then saves the channel "
        "it posts to with the webhook's token encrypted; connecting the same Discord channel "
        "again (with a new webhook, say) updates it. Nothing is saved when the check fails: "
        "the 400 answer says why. Requires the channels.connect permission."
    ),
)
def connect(request: HttpRequest, slug: Path[str], payload: ConnectIn) -> Any:
    access = api_access(request, slug)
    try:
        channel = connect_discord(access, payload.webhook_url)
    except ConnectFailed as exc:
        if exc.error.permanent:
            raise
        return Status(502, {"detail": exc.message, "field": exc.field})
    return Status(201, channel_out(channel, access.workspace.tz))
