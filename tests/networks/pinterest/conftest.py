"""Pinterest API v5 fixtures: answers shaped like the examples of the v5 reference (the
token answer of "Generate OAuth access token", User account, List boards, Create Pin, List
Pins on board, Get Pin analytics, the Error object), with our test account and boards."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import time_machine
from django.test import override_settings
from PIL import Image

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.networks.pinterest import oauth
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.recorded import form as form
from tests.networks.recorded import query as query

API = oauth.API
NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
CLIENT_ID = "1484362"
CLIENT_SECRET = "pinterest-app-secret"
TOKEN_URL = f"{API}/oauth/token"
PINS = f"{API}/pins"
ACCESS = "pina_AMAWRSIWAAAAAAAAAAAAAAAAAAAAAAAAA"
REFRESH = "pinr_AQBABCDEFAAAAAAAAAAAAAAAAAAAAAAAA"
FRESH_ACCESS = "pina_AMAWRSIWBBBBBBBBBBBBBBBBBBBBBBBBB"
FRESH_REFRESH = "pinr_AQBABCDEFBBBBBBBBBBBBBBBBBBBBBBBB"
SCOPE = "boards:read,pins:read,pins:write,user_accounts:read"
USERNAME = "acmecoffee"
BOARD_ID = "549755885175"
BOARD_NAME = "Latte art"
PIN_ID = "813744226420795884"
USER = {
    "account_type": "BUSINESS",
    "id": "549755885175",
    "profile_image": "https://i.pinimg.com/280x280_RS/acme.jpg",
    "website_url": "https://acme.example",
    "username": USERNAME,
    "business_name": "Acme Coffee",
    "board_count": 2,
    "pin_count": 120,
}


def token_answer(
    access: str = ACCESS, refresh: str = REFRESH, expires_in: int = 2592000
) -> dict[str, Any]:
    """POST /v5/oauth/token: 30 days, and a refresh token for a year."""
    return {
        "access_token": access,
        "refresh_token": refresh,
        "response_type": "authorization_code",
        "token_type": "bearer",
        "expires_in": expires_in,
        "refresh_token_expires_in": 31536000,
        "scope": SCOPE,
    }


def board(board_id: str = BOARD_ID, name: str = BOARD_NAME) -> dict[str, Any]:
    return {
        "id": board_id,
        "name": name,
        "description": "Our best pours",
        "owner": {"username": USERNAME},
        "privacy": "PUBLIC",
        "pin_count": 12,
    }


def pin(pin_id: str = PIN_ID, description: str = "", **extra: Any) -> dict[str, Any]:
    """A Pin as Create Pin and List Pins answer it."""
    return {
        "id": pin_id,
        "created_at": "2026-05-04T09:59:00",
        "link": None,
        "title": description.splitlines()[0] if description else "",
        "description": description,
        "alt_text": None,
        "board_id": BOARD_ID,
        "board_section_id": None,
        "board_owner": {"username": USERNAME},
        "media": {"media_type": "image"},
        **extra,
    }


def error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


def sent_json(request: httpx.Request) -> Any:
    import json

    return json.loads(request.content)


def basic() -> str:
    return "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()


def make_channel(
    workspace: Workspace,
    *,
    board_id: str = BOARD_ID,
    name: str = BOARD_NAME,
    expires_at: datetime | None = None,
) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="pinterest",
        external_id=f"{USERNAME}/{board_id}",
        handle=f"@{USERNAME}",
        name=name,
        config={"board_id": board_id, "board_name": name, "username": USERNAME},
        token_expires_at=expires_at or NOW + timedelta(days=20),
    )
    channel.credentials = {
        "access_token": ACCESS,
        "refresh_token": REFRESH,
        "scope": SCOPE,
        "refresh_expires_at": (NOW + timedelta(days=300)).isoformat(),
    }
    channel.save()
    return channel


def picture(folder: Path, name: str = "latte.png", **kw: Any) -> MediaFile:
    path = folder / name
    Image.new("RGB", (1000, 1500), (180, 120, 60)).save(path, "PNG")
    return MediaFile(path, "image/png", path.stat().st_size, width=1000, height=1500, **kw)


@pytest.fixture(autouse=True)
def pinterest_app() -> Iterator[None]:
    """The operator's Pinterest app, and the clock of the recorded answers."""
    with (
        override_settings(
            HUBBUB_PINTEREST_CLIENT_ID=CLIENT_ID, HUBBUB_PINTEREST_CLIENT_SECRET=CLIENT_SECRET
        ),
        time_machine.travel(NOW, tick=False),
    ):
        yield


@pytest.fixture
def router(fake_dns: dict[str, list[str]]) -> Iterator[respx.MockRouter]:
    fake_dns["api.pinterest.com"] = [PUBLIC_TEST_ADDRESS]
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return make_channel(acme)
