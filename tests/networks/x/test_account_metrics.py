"""The account's own counts: GET /2/users/me?user.fields=public_metrics (X API > Users >
User lookup), followers_count, following_count and tweet_count of the signed-in account."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from hubbub.networks.base import AuthError, RateLimited
from hubbub.networks.incoming import AccountMetrics
from hubbub.networks.models import Channel
from hubbub.networks.x.connector import XConnector
from tests.networks.x.conftest import ACCESS, API, ME, NOW, TOKEN_URL, problem, token_answer

pytestmark = pytest.mark.django_db
USERS_ME = f"{API}/2/users/me"


def me_with(public_metrics: dict[str, Any]) -> dict[str, Any]:
    return {"data": {**ME["data"], "public_metrics": public_metrics}}


def test_the_counts_come_from_the_signed_in_accounts_public_metrics(
    channel: Channel, router: respx.MockRouter
) -> None:
    route = router.get(USERS_ME).respond(
        200,
        json=me_with(
            {
                "followers_count": 583423,
                "following_count": 2048,
                "tweet_count": 14052,
                "listed_count": 1672,
                "like_count": 33,
            }
        ),
    )

    got = XConnector(channel).fetch_account_metrics()

    assert got == AccountMetrics(followers=583423, following=2048, posts=14052)
    request = route.calls.last.request
    assert request.method == "GET"
    assert request.url.path == "/2/users/me"
    assert dict(request.url.params) == {"user.fields": "public_metrics"}
    assert request.headers["authorization"] == f"Bearer {ACCESS}"


def test_a_count_x_leaves_out_is_none_not_zero(channel: Channel, router: respx.MockRouter) -> None:
    router.get(USERS_ME).respond(
        200, json=me_with({"followers_count": 12, "following_count": True})
    )

    got = XConnector(channel).fetch_account_metrics()

    assert got == AccountMetrics(followers=12, following=None, posts=None)


def test_an_answer_without_public_metrics_has_no_counts(
    channel: Channel, router: respx.MockRouter
) -> None:
    router.get(USERS_ME).respond(200, json=ME)

    assert XConnector(channel).fetch_account_metrics() == AccountMetrics()


def test_a_revoked_authorization_means_reconnecting(
    channel: Channel, router: respx.MockRouter
) -> None:
    router.get(USERS_ME).respond(401, json=problem(401, "Unauthorized", "Unauthorized"))
    router.post(TOKEN_URL).respond(200, json=token_answer("new-access", "new-refresh"))

    with pytest.raises(AuthError) as caught:
        XConnector(channel).fetch_account_metrics()

    assert caught.value.needs_reconnect and caught.value.status == 401


def test_a_rate_limit_waits_for_the_window_reset(
    channel: Channel, router: respx.MockRouter
) -> None:
    reset = NOW.timestamp() + 600
    router.get(USERS_ME).respond(
        429,
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(reset))},
        json=problem(429, "Too Many Requests", "Too Many Requests"),
    )

    with pytest.raises(RateLimited) as caught:
        XConnector(channel).fetch_account_metrics()

    assert caught.value.retry_at is not None
    assert caught.value.retry_at.timestamp() == reset
