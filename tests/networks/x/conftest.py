"""X API v2 fixtures: answers shaped like the examples of docs.x.com (the token answer of
"OAuth 2.0 Authorization Code Flow with PKCE", User and Post objects of the data dictionary,
POST /2/tweets, the media upload answers, problem+json errors), with our test account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import respx
import time_machine
from django.core.cache import cache
from django.test import override_settings

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from tests.conftest import PUBLIC_TEST_ADDRESS

API = "https://api.x.com"
TOKEN_URL = f"{API}/2/oauth2/token"
TWEETS = f"{API}/2/tweets"
UPLOAD = f"{API}/2/media/upload"
METADATA = f"{API}/2/media/metadata"
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
ISSUED = NOW - timedelta(minutes=30)  # the access token (2 hours) has 90 minutes left

CLIENT_ID = "rG9n6402A3dbUJKzXTNX4oWHJ"  # the docs' example client id
CLIENT_SECRET = "x-client-s3cret"
ACCESS = "bWRWa3gzdnk3WHRGU1o0bmRRcTJ5VUxWX1lZTDdJSUtmaWcxbTVxdEFXcW5tOjE2MjIxNDc3NDM5MTQ6MTox"
REFRESH = (
    "bWRWa3gzdnk3WHRGU1o0bmRRcTJ5VUxWX1lZTDdJSUtmaWcxbTVxdEFXcW5tOjE2MjIxNDc3NDM5MTQ6MToxOnJ0OjE"
)
SCOPE = "tweet.read tweet.write users.read offline.access media.write"

USER_ID = "2244994945"
USERNAME = "TwitterDev"
ME = {
    "data": {
        "id": USER_ID,
        "name": "Developers",
        "username": USERNAME,
        "profile_image_url": "https://pbs.twimg.com/profile_images/1445764922474827784/W2zEPN7U_normal.jpg",
    }
}
TWEET_ID = "1445880548472328192"
MEDIA_ID = "1880028106020515840"


def token_answer(access: str = ACCESS, refresh: str = REFRESH) -> dict[str, Any]:
    """The token endpoint's answer, as the docs show it: two hours, with a refresh token."""
    return {
        "token_type": "bearer",
        "expires_in": 7200,
        "access_token": access,
        "scope": SCOPE,
        "refresh_token": refresh,
    }


def created(tweet_id: str = TWEET_ID, text: str = "Hello from Hubbub") -> dict[str, Any]:
    return {"data": {"id": tweet_id, "text": text}}


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> dict[str, Any]:
    return {"title": title, "detail": detail, "type": kind, "status": status}


def uploaded(media_id: str = MEDIA_ID, **extra: Any) -> dict[str, Any]:
    return {
        "data": {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": 11065,
            "expires_after_secs": 86400,
            **extra,
        }
    }


def processing(state: str, check_after: int = 5, percent: int = 8) -> dict[str, Any]:
    info: dict[str, Any] = {"state": state, "progress_percent": percent}
    if state in ("pending", "in_progress"):
        info["check_after_secs"] = check_after
    return {"processing_info": info}


def sent_json(request: Any) -> Any:
    return json.loads(request.content)


def make_channel(workspace: Workspace, **credentials: Any) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="x",
        external_id=USER_ID,
        handle=f"@{USERNAME}",
        name="Developers",
        config={"username": USERNAME},
        token_expires_at=ISSUED + timedelta(hours=2),
    )
    channel.credentials = {
        "access_token": ACCESS,
        "refresh_token": REFRESH,
        "scope": SCOPE,
        **credentials,
    }
    channel.save()
    return channel


@pytest.fixture(autouse=True)
def x_app(fake_dns: dict[str, list[str]]) -> Iterator[None]:
    """The operator's X app is configured; the clock is frozen; no kept media ids leak."""
    fake_dns["api.x.com"] = [PUBLIC_TEST_ADDRESS]
    cache.clear()
    with (
        override_settings(HUBBUB_X_CLIENT_ID=CLIENT_ID, HUBBUB_X_CLIENT_SECRET=CLIENT_SECRET),
        time_machine.travel(NOW, tick=False),
    ):
        yield
    cache.clear()


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return make_channel(acme)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock
