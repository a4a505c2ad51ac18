"""POST /api/workspaces/{slug}/channels/slack: connect a Slack channel's incoming webhook."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import ERRORS, ChannelOut, ErrorOut, channel_out
from hubbub.networks.slack.connect import ConnectFailed, connect_slack

# The workspace slug is in the prefix this router is mounted under (hubbub.api.main), which
# ninja does not read for path parameters: `Path` tells it where slug comes from.
router = Router()


class ConnectIn(Schema):
    webhook_url: str = Field(
        max_length=300,
        description="The incoming webhook's URL, https://hooks.slack.com/services/T…/B…/…. "
        "A secret: it is stored encrypted and never returned.",
    )
    label: str = Field(
        "",
        max_length=80,
        description="How Hubbub shows the channel, e.g. #announcements (the URL does not "
        "say which channel it posts to).",
    )
    send_test_message: bool = Field(
        False,
        description='Post "Hubbub is connected." through the webhook before saving, to '
        "prove it works. Slack has no other way to check a webhook.",
    )


# 502: Slack was unreachable, rate limited or failing: trying later can help.
ANSWERS: dict[int, Any] = {201: ChannelOut, **ERRORS, 502: ErrorOut}


@router.post(
    "",
    response=ANSWERS,
    summary="Connect a Slack channel",
    description=(
        "Checks the webhook URL's form (and, with send_test_message, posts a test message "
        "through it), then saves the channel with the URL encrypted; connecting the same "
        "webhook again updates it. Nothing is saved when a check fails: the 400 answer says "
        "why. Requires the channels.connect permission."
    ),
)
def connect(request: HttpRequest, slug: Path[str], payload: ConnectIn) -> Any:
    access = api_access(request, slug)
    try:
        channel = connect_slack(
            access, payload.webhook_url, payload.label, payload.send_test_message
        )
    except ConnectFailed as exc:
        if exc.error.permanent:
            raise
        return Status(502, {"detail": exc.message, "field": exc.field})
    return Status(201, channel_out(channel, access.workspace.tz))
