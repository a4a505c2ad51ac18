"""Threads API fixtures: answers shaped like the examples of Meta's Threads documentation
("Get Access Tokens", "Long-Lived Tokens", "Posts", "Troubleshooting", "Reply Management",
"Mentions", "Insights", the publishing reference), with our test profile."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import respx
import time_machine
from django.test import override_settings
from PIL import Image

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.networks.threads import client
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.containers_fixtures import fresh_cache as fresh_cache
from tests.networks.containers_fixtures import media_root as media_root
from tests.networks.containers_fixtures import no_sleep as no_sleep
from tests.networks.recorded import form as form
from tests.networks.recorded import query as query

API = client.API
HOST = client.HOST
NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
CLIENT_ID = "990602627938098"  # the docs' example Threads app id
CLIENT_SECRET = "a1b2C3D4"  # the docs' example app secret
USER_ID = "25025320"
USERNAME = "acmecoffee"
SHORT_TOKEN = "THQVJshort-lived-token"
TOKEN = "THQVJlong-lived-token"
FRESH_TOKEN = "THQVJrefreshed-token"
SCOPE = "threads_basic,threads_content_publish,threads_manage_replies"
CONTAINER = "17889615691921648"  # "Troubleshooting" example
MEDIA_ID = "18050206876707110"
PERMALINK = "https://www.threads.com/@acmecoffee/post/DCr3dQ7oBhZ"
THREADS = f"{API}/{USER_ID}/threads"
PUBLISH = f"{API}/{USER_ID}/threads_publish"
LIMIT = f"{API}/{USER_ID}/threads_publishing_limit"
STATUS = f"{API}/{CONTAINER}"
TOKEN_URL = f"{HOST}/oauth/access_token"
EXCHANGE_URL = f"{HOST}/access_token"
REFRESH_URL = f"{HOST}/refresh_access_token"
SIXTY_DAYS = 5183944  # "Long-Lived Tokens" example expires_in
ME = {
    "id": USER_ID,
    "username": USERNAME,
    "name": "Acme Coffee",
    "threads_profile_picture_url": "https://scontent.cdninstagram.com/acme.jpg",
}


def error(message: str, code: int, subcode: int | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        body["error_subcode"] = subcode
    body["fbtrace_id"] = "A7x2PeqgNWuZDtbhs5UQaDm"
    body.update(extra)
    return {"error": body}


REVOKED = error("Error validating access token: Session has expired.", 190, 463)


def status(code: str, message: str = "") -> dict[str, Any]:
    """GET /{container-id}?fields=status,error_message ("Troubleshooting")."""
    body = {"status": code, "id": CONTAINER}
    if message:
        body["error_message"] = message
    return body


def quota(used: int, total: int = 250) -> dict[str, Any]:
    """GET /{threads-user-id}/threads_publishing_limit?fields=quota_usage,config ("Overview")."""
    return {
        "data": [{"quota_usage": used, "config": {"quota_total": total, "quota_duration": 86400}}]
    }


def make_channel(
    workspace: Workspace,
    *,
    expires_at: datetime | None = None,
    issued_at: datetime | None = None,
    token: str = TOKEN,
) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="threads",
        external_id=USER_ID,
        handle=f"@{USERNAME}",
        name="Acme Coffee",
        config={"user_id": USER_ID, "username": USERNAME},
        # Refreshed ten days ago: fifty days left, nothing to refresh.
        token_expires_at=expires_at or NOW + timedelta(days=50),
    )
    channel.credentials = {
        "access_token": token,
        "scope": SCOPE,
        "issued_at": (issued_at or NOW - timedelta(days=10)).isoformat(),
    }
    channel.save()
    return channel


def photo(folder: Path, name: str = "latte.jpg", **kw: Any) -> MediaFile:
    path = folder / name
    Image.new("RGB", (1080, 1080), (180, 120, 60)).save(path, "JPEG")
    return MediaFile(path, "image/jpeg", path.stat().st_size, width=1080, height=1080, **kw)


def clip(folder: Path, name: str = "pour.mp4") -> MediaFile:
    path = folder / name
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    return MediaFile(path, "video/mp4", path.stat().st_size, duration_seconds=12)


@pytest.fixture(autouse=True)
def threads_app() -> Iterator[None]:
    """The operator's Threads app, and the clock of the recorded answers."""
    with (
        override_settings(
            HUBBUB_THREADS_CLIENT_ID=CLIENT_ID, HUBBUB_THREADS_CLIENT_SECRET=CLIENT_SECRET
        ),
        time_machine.travel(NOW, tick=False),
    ):
        yield


@pytest.fixture
def router(fake_dns: dict[str, list[str]]) -> Iterator[respx.MockRouter]:
    fake_dns["graph.threads.net"] = [PUBLIC_TEST_ADDRESS]
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return make_channel(acme)
