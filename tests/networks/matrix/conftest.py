"""Matrix Client-Server API fixtures: answers shaped like the examples of the specification
(https://spec.matrix.org/v1.16/client-server-api/: whoami, login, directory, joined_rooms,
m.room.power_levels, send, upload, media config, and the standard error object with the
error codes it lists), with our test homeserver, account and room."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.recorded import sent_json as sent_json

SERVER_NAME = "example.com"
HOMESERVER = "https://matrix.example.com"
CLIENT = f"{HOMESERVER}/_matrix/client"
TOKEN = "syt_aHViYnVi_RmRdHbOsTqzLWQCPnDzz_1ZVdVr"
USER_ID = "@hubbub:example.com"
DEVICE_ID = "GHTYAJCE"
ROOM_ID = "!abnjk1jdasj98:example.com"
ALIAS = "#announcements:example.com"
EVENT_ID = "$YUwRidLecu:example.com"
IMAGE_EVENT_ID = "$uPKovNVxHCY:example.com"
CONTENT_URI = "mxc://example.com/AQwafuaFswefuhsfAFAgsw"


def room_url(rest: str, version: str = "v3") -> str:
    return f"{CLIENT}/{version}/rooms/{quote(ROOM_ID, safe='')}{rest}"


def error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"errcode": code, "error": message, **extra}


POWER_LEVELS: dict[str, Any] = {
    "ban": 50,
    "events": {"m.room.name": 100, "m.room.power_levels": 100},
    "events_default": 0,
    "invite": 50,
    "kick": 50,
    "redact": 50,
    "state_default": 50,
    "users": {"@admin:example.com": 100},
    "users_default": 0,
}


@pytest.fixture(autouse=True)
def matrix_dns(fake_dns: dict[str, list[str]]) -> dict[str, list[str]]:
    fake_dns["matrix.example.com"] = [PUBLIC_TEST_ADDRESS]
    fake_dns["example.com"] = [PUBLIC_TEST_ADDRESS]
    return fake_dns


@pytest.fixture
def homeserver() -> Iterator[respx.MockRouter]:
    """Every outbound call must match a route; nothing reaches a network."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


def make_channel(workspace: Workspace, **config: Any) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="matrix",
        external_id=ROOM_ID,
        handle=ALIAS,
        name="Announcements",
        profile_url="https://matrix.to/#/%23announcements%3Aexample.com",
        config={
            "homeserver": HOMESERVER,
            "room_id": ROOM_ID,
            "room_alias": ALIAS,
            "user_id": USER_ID,
            "display_name": "Hubbub Bot",
            "max_upload_bytes": 50 * 1024 * 1024,
            **config,
        },
    )
    channel.credentials = {"access_token": TOKEN, "user_id": USER_ID, "device_id": DEVICE_ID}
    channel.save()
    return channel


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return make_channel(acme)
