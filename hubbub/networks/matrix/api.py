"""POST /api/workspaces/{slug}/channels/matrix: connect a Matrix room."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import ERRORS, ChannelOut, ErrorOut, channel_out
from hubbub.networks.matrix.connect import ConnectFailed, connect_matrix

# The workspace slug is in the prefix this router is mounted under (hubbub.api.main), which
# ninja does not read for path parameters: `Path` tells it where slug comes from.
router = Router()


class ConnectIn(Schema):
    homeserver: str = Field(
        max_length=300,
        description="The server name (example.org, looked up with /.well-known/matrix/client) "
        "or the homeserver's URL (https://matrix.example.org).",
    )
    room: str = Field(
        max_length=300,
        description="The room's alias (#announcements:example.org) or id (!AbCdEf:example.org).",
    )
    access_token: str = Field(
        "", max_length=500, description="The account's access token; or username and password."
    )
    username: str = Field("", max_length=255, description="With password, instead of a token.")
    password: str = Field(
        "",
        max_length=500,
        description='Used once to log in as a new device "Hubbub"; never stored.',
    )


# 502: the homeserver was unreachable, rate limited or failing: trying later can help.
ANSWERS: dict[int, Any] = {201: ChannelOut, **ERRORS, 502: ErrorOut}


@router.post(
    "",
    response=ANSWERS,
    summary="Connect a Matrix room",
    description=(
        "Finds the homeserver, checks the access token (or logs in with the username and "
        "password, keeping only the token), resolves the room, joins it if the account is "
        "invited but not in it yet, and checks that the account's power level lets it send "
        "messages; then saves the channel with the token encrypted. Connecting the same room "
        "again updates it. Nothing is saved when a check fails: the 400 answer says why, with "
        "the field at fault. Requires the channels.connect permission."
    ),
)
def connect(request: HttpRequest, slug: Path[str], payload: ConnectIn) -> Any:
    access = api_access(request, slug)
    try:
        channel = connect_matrix(
            access,
            payload.homeserver,
            payload.room,
            access_token=payload.access_token,
            username=payload.username,
            password=payload.password,
        )
    except ConnectFailed as exc:
        if exc.error.permanent:
            raise
        return Status(502, {"detail": exc.message, "field": exc.field})
    return Status(201, channel_out(channel, access.workspace.tz))
