"""The channel's own counts: channels.list?part=statistics&id=<channel id> (YouTube Data API,
the channel resource's statistics). subscriberCount and videoCount come as strings; a
channel that hides its subscriber count (hiddenSubscriberCount) has none to record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.base import AuthError, RateLimited
from hubbub.networks.incoming import AccountMetrics
from hubbub.networks.youtube.connector import YouTubeConnector
from tests.networks.youtube.conftest import (
    ACCESS_TOKEN,
    API,
    CHANNEL_ID,
    NOW,
    TOKEN_URL,
    channels,
    error,
    make_channel,
)

pytestmark = pytest.mark.django_db
CHANNELS = f"{API}/channels"


def with_statistics(**statistics: Any) -> dict[str, Any]:
    return channels(
        {
            "kind": "youtube#channel",
            "etag": "Dk0DaHdwQZPYmFEHnkLwL1uyHTs",
            "id": CHANNEL_ID,
            "statistics": statistics,
        }
    )


def test_subscribers_and_videos_are_read_for_the_connected_channel(
    router: respx.MockRouter, acme: Workspace
) -> None:
    route = router.get(CHANNELS).respond(
        200,
        json=with_statistics(
            viewCount="244730931",
            subscriberCount="2510000",
            hiddenSubscriberCount=False,
            videoCount="6123",
        ),
    )

    got = YouTubeConnector(make_channel(acme)).fetch_account_metrics()

    assert got == AccountMetrics(followers=2510000, following=None, posts=6123)
    request = route.calls.last.request
    assert request.method == "GET" and request.url.path == "/youtube/v3/channels"
    assert dict(request.url.params) == {"part": "statistics", "id": CHANNEL_ID}
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_a_hidden_subscriber_count_is_none_not_zero(
    router: respx.MockRouter, acme: Workspace
) -> None:
    router.get(CHANNELS).respond(
        200,
        json=with_statistics(
            viewCount="10", subscriberCount="0", hiddenSubscriberCount=True, videoCount="3"
        ),
    )

    got = YouTubeConnector(make_channel(acme)).fetch_account_metrics()

    assert got == AccountMetrics(followers=None, posts=3)


def test_a_count_youtube_leaves_out_is_none(router: respx.MockRouter, acme: Workspace) -> None:
    router.get(CHANNELS).respond(
        200, json=with_statistics(subscriberCount="12", hiddenSubscriberCount=False)
    )

    got = YouTubeConnector(make_channel(acme)).fetch_account_metrics()

    assert got == AccountMetrics(followers=12, posts=None)


def test_a_channel_youtube_no_longer_lists_has_no_counts(
    router: respx.MockRouter, acme: Workspace
) -> None:
    router.get(CHANNELS).respond(200, json=channels())

    assert YouTubeConnector(make_channel(acme)).fetch_account_metrics() == AccountMetrics()


def test_a_revoked_authorization_needs_a_reconnect(
    router: respx.MockRouter, acme: Workspace
) -> None:
    router.get(CHANNELS).respond(401, json=error(401, "authError", "Invalid Credentials"))
    router.post(TOKEN_URL).respond(
        400,
        json={"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
    )

    with pytest.raises(AuthError) as caught:
        YouTubeConnector(make_channel(acme)).fetch_account_metrics()

    assert caught.value.needs_reconnect is True


def test_a_rate_limit_waits_as_google_asks(router: respx.MockRouter, acme: Workspace) -> None:
    router.get(CHANNELS).respond(
        429,
        headers={"Retry-After": "30"},
        json=error(429, "rateLimitExceeded", "Too many requests", domain="usageLimits"),
    )

    with pytest.raises(RateLimited) as caught:
        YouTubeConnector(make_channel(acme)).fetch_account_metrics()

    assert caught.value.retry_at == NOW + timedelta(seconds=30)
