"""Connected channels: their health, a check on demand, and disconnecting.

Connecting is network-specific: each network package mounts its own router under
/workspaces/{slug}/channels/<network>/ (hubbub.api.main). The channel id here is an int,
so those routes never clash with these.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import ChannelOut, answers, channel_out
from hubbub.core.access import Access
from hubbub.networks.actions import check_channel, disconnect
from hubbub.networks.models import Channel

router = Router(tags=["channels"])


def _channel(access: Access, channel_id: int) -> Channel:
    return get_object_or_404(Channel.objects.connected(), pk=channel_id, workspace=access.workspace)


@router.get(
    "/workspaces/{slug}/channels",
    response=answers(200, list[ChannelOut]),
    summary="Connected channels",
)
def list_channels(request: HttpRequest, slug: str) -> list[ChannelOut]:
    access = api_access(request, slug)
    access.require("channels.view")
    tz = access.workspace.tz
    return [
        channel_out(c, tz) for c in Channel.objects.connected().filter(workspace=access.workspace)
    ]


@router.get(
    "/workspaces/{slug}/channels/{int:channel_id}",
    response=answers(200, ChannelOut),
    summary="One channel",
)
def get_channel(request: HttpRequest, slug: str, channel_id: int) -> ChannelOut:
    access = api_access(request, slug)
    access.require("channels.view")
    return channel_out(_channel(access, channel_id), access.workspace.tz)


@router.post(
    "/workspaces/{slug}/channels/{int:channel_id}/check",
    response=answers(200, ChannelOut),
    summary="Ask the network whether the channel still works",
)
def check_channel_now(request: HttpRequest, slug: str, channel_id: int) -> ChannelOut:
    access = api_access(request, slug)
    access.require("channels.view")  # as on the channels page: anyone who sees it may check it
    channel = check_channel(_channel(access, channel_id))
    return channel_out(channel, access.workspace.tz)


@router.delete(
    "/workspaces/{slug}/channels/{int:channel_id}",
    response=answers(204, None),
    summary="Disconnect a channel (its credentials are forgotten, its history kept)",
)
def disconnect_channel(request: HttpRequest, slug: str, channel_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("channels.disconnect")
    disconnect(access, _channel(access, channel_id))
    return Status(204, None)
