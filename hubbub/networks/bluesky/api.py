"""POST /api/workspaces/{slug}/channels/bluesky: connect a Bluesky account."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import ChannelOut, answers, channel_out
from hubbub.networks.bluesky.connect import connect_bluesky
from hubbub.networks.bluesky.session import DEFAULT_PDS

# The workspace slug is in the prefix this router is mounted under (hubbub.api.main), which
# ninja does not read for path parameters: `Path` tells it where slug comes from.
router = Router()


class ConnectIn(Schema):
    handle: str = Field(description="e.g. alice.bsky.social (a leading @ is fine), or a DID.")
    app_password: str = Field(
        description="An app password (Bluesky: Settings → Privacy and security → App passwords)."
    )
    pds_url: str = Field(
        DEFAULT_PDS, description="The server hosting the account; bsky.social unless self-hosted."
    )


@router.post(
    "",
    response=answers(201, ChannelOut),
    summary="Connect a Bluesky account",
    description=(
        "Logs in to the account's PDS with an app password, reads its profile and saves the "
        "channel; connecting the same account again updates it. Nothing is saved when the "
        "login fails: the 400 answer says why, with the field at fault. Requires the "
        "channels.connect permission."
    ),
)
def connect(request: HttpRequest, slug: Path[str], payload: ConnectIn) -> Status[ChannelOut]:
    access = api_access(request, slug)
    channel = connect_bluesky(access, payload.handle, payload.app_password, payload.pds_url)
    return Status(201, channel_out(channel, access.workspace.tz))
