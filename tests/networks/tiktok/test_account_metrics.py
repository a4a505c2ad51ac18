"""The account's own counts: GET /v2/user/info/?fields=follower_count,following_count,
video_count (Get User Info). Those three fields need the user.info.stats scope; an
authorization without it reads nothing rather than asking TikTok for what it refuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import respx
import time_machine
from django.test import override_settings

from hubbub.core.models import Workspace
from hubbub.networks.base import AuthError, RateLimited
from hubbub.networks.incoming import AccountMetrics
from hubbub.networks.models import Channel
from hubbub.networks.tiktok.connector import TikTokConnector
from tests.networks.tiktok.conftest import (
    ACCESS_TOKEN,
    CLIENT_KEY,
    NOW,
    OPEN_ID,
    SCOPE,
    TOKEN_URL,
    USER_INFO,
    error,
    make_channel,
    ok,
)

pytestmark = pytest.mark.django_db
STATS_SCOPE = f"{SCOPE},user.info.stats"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with (
        time_machine.travel(NOW, tick=False),
        override_settings(HUBBUB_TIKTOK_CLIENT_ID=CLIENT_KEY, HUBBUB_TIKTOK_CLIENT_SECRET="s"),
    ):
        yield


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    """An account that allowed user.info.stats."""
    channel = make_channel(acme)
    channel.credentials = {**channel.credentials, "scope": STATS_SCOPE}
    channel.save()
    return channel


def stats(**user: Any) -> dict[str, Any]:
    return ok({"user": {"open_id": OPEN_ID, **user}})


def test_followers_following_and_videos_are_read_from_user_info(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.get(USER_INFO).respond(
        200, json=stats(follower_count=1200, following_count=38, video_count=64)
    )

    got = TikTokConnector(channel).fetch_account_metrics()

    assert got == AccountMetrics(followers=1200, following=38, posts=64)
    request = route.calls.last.request
    assert request.method == "GET" and request.url.path == "/v2/user/info/"
    assert dict(request.url.params) == {"fields": "follower_count,following_count,video_count"}
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_a_count_tiktok_leaves_out_is_none_not_zero(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.get(USER_INFO).respond(200, json=stats(follower_count=1200, video_count="64"))

    got = TikTokConnector(channel).fetch_account_metrics()

    assert got == AccountMetrics(followers=1200, following=None, posts=None)


def test_an_authorization_without_user_info_stats_asks_nothing(
    router: respx.MockRouter, acme: Workspace
) -> None:
    route = router.get(USER_INFO).respond(200, json=stats(follower_count=1200))

    got = TikTokConnector(make_channel(acme)).fetch_account_metrics()  # SCOPE lacks it

    assert got == AccountMetrics()
    assert not route.called


def test_a_revoked_authorization_needs_a_reconnect(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.get(USER_INFO).respond(
        401, json=error("access_token_invalid", "The access token is invalid.")
    )
    router.post(TOKEN_URL).respond(
        200,
        json={
            "error": "invalid_grant",
            "error_description": "Refresh token is invalid or expired.",
            "log_id": "20230101",
        },
    )

    with pytest.raises(AuthError) as caught:
        TikTokConnector(channel).fetch_account_metrics()

    assert caught.value.needs_reconnect is True


def test_a_rate_limit_waits_a_minute_window(router: respx.MockRouter, channel: Channel) -> None:
    router.get(USER_INFO).respond(429, json=error("rate_limit_exceeded", "API rate limit exceeded"))

    with pytest.raises(RateLimited) as caught:
        TikTokConnector(channel).fetch_account_metrics()

    assert caught.value.retry_at == NOW + timedelta(minutes=1)
    assert caught.value.status == 429
