"""The account's own counts: GET /v5/user_account (User account, "Get user account"):
follower_count, following_count and pin_count of the account that owns the board."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import respx

from hubbub.networks.base import AuthError, RateLimited
from hubbub.networks.incoming import AccountMetrics
from hubbub.networks.models import Channel
from hubbub.networks.pinterest.connector import PinterestConnector
from tests.networks.pinterest.conftest import (
    ACCESS,
    API,
    NOW,
    TOKEN_URL,
    USER,
    error,
)

pytestmark = pytest.mark.django_db
USER_ACCOUNT = f"{API}/user_account"


def test_followers_following_and_pins_are_the_accounts(
    channel: Channel, router: respx.MockRouter
) -> None:
    route = router.get(USER_ACCOUNT).respond(
        200,
        json={**USER, "follower_count": 3400, "following_count": 210, "monthly_views": 51000},
    )

    got = PinterestConnector(channel).fetch_account_metrics()

    assert got == AccountMetrics(followers=3400, following=210, posts=120)
    request = route.calls.last.request
    assert request.method == "GET" and request.url.path == "/v5/user_account"
    assert request.url.query == b""
    assert request.headers["authorization"] == f"Bearer {ACCESS}"


def test_a_count_pinterest_leaves_out_is_none_not_zero(
    channel: Channel, router: respx.MockRouter
) -> None:
    answer = {k: v for k, v in USER.items() if k != "pin_count"} | {"follower_count": 3400}
    router.get(USER_ACCOUNT).respond(200, json=answer)

    got = PinterestConnector(channel).fetch_account_metrics()

    assert got == AccountMetrics(followers=3400, following=None, posts=None)


def test_a_revoked_authorization_needs_a_reconnect(
    channel: Channel, router: respx.MockRouter
) -> None:
    router.get(USER_ACCOUNT).mock(
        return_value=httpx.Response(401, json=error(2, "Authentication failed."))
    )
    router.post(TOKEN_URL).respond(400, json={"error": "invalid_grant"})

    with pytest.raises(AuthError) as caught:
        PinterestConnector(channel).fetch_account_metrics()

    assert caught.value.needs_reconnect is True


def test_a_rate_limit_without_headers_waits_a_minute(
    channel: Channel, router: respx.MockRouter
) -> None:
    router.get(USER_ACCOUNT).respond(429, json=error(8, "Rate limit exceeded."))

    with pytest.raises(RateLimited) as caught:
        PinterestConnector(channel).fetch_account_metrics()

    assert caught.value.retry_at == NOW + timedelta(minutes=1)
