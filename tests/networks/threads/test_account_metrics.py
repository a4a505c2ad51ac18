"""The profile's own counts: GET /{threads-user-id}/threads_insights?metric=followers_count
("Insights", User Insights), whose answer is a total_value, not a series of days. Threads
gives no count of the profiles it follows nor of its posts."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from hubbub.networks.base import AuthError, RateLimited
from hubbub.networks.incoming import AccountMetrics
from hubbub.networks.models import Channel
from hubbub.networks.threads.connector import ThreadsConnector
from tests.networks.threads.conftest import API, NOW, REVOKED, TOKEN, USER_ID, error, query

pytestmark = pytest.mark.django_db
INSIGHTS = f"{API}/{USER_ID}/threads_insights"


def followers(value: Any) -> dict[str, Any]:
    """The User Insights answer for followers_count, as the "Insights" reference shows it."""
    return {
        "data": [
            {
                "name": "followers_count",
                "period": "day",
                "title": "followers_count",
                "description": "This is the number of followers on your profile.",
                "total_value": {"value": value},
                "id": f"{USER_ID}/insights/followers_count/day",
            }
        ]
    }


def test_the_followers_come_from_the_user_insights_total_value(
    channel: Channel, router: respx.MockRouter
) -> None:
    route = router.get(INSIGHTS).respond(200, json=followers(4021))

    got = ThreadsConnector(channel).fetch_account_metrics()

    assert got == AccountMetrics(followers=4021, following=None, posts=None)
    request = route.calls.last.request
    assert request.method == "GET"
    assert request.url.path == f"/v1.0/{USER_ID}/threads_insights"
    assert query(request) == {"metric": ["followers_count"], "access_token": [TOKEN]}


@pytest.mark.parametrize("answer", [{"data": []}, followers(None), followers(True)])
def test_followers_threads_does_not_give_are_none_not_zero(
    channel: Channel, router: respx.MockRouter, answer: dict[str, Any]
) -> None:
    router.get(INSIGHTS).respond(200, json=answer)

    assert ThreadsConnector(channel).fetch_account_metrics() == AccountMetrics()


def test_an_expired_token_asks_for_a_reconnect(channel: Channel, router: respx.MockRouter) -> None:
    router.get(INSIGHTS).respond(400, json=REVOKED)

    with pytest.raises(AuthError) as caught:
        ThreadsConnector(channel).fetch_account_metrics()

    assert caught.value.needs_reconnect is True
    assert "connect the profile again" in str(caught.value)


def test_a_rate_limit_waits_a_rolling_hour(channel: Channel, router: respx.MockRouter) -> None:
    router.get(INSIGHTS).respond(403, json=error("(#4) Application request limit reached", 4))

    with pytest.raises(RateLimited) as caught:
        ThreadsConnector(channel).fetch_account_metrics()

    assert caught.value.retry_at is not None
    assert caught.value.retry_at.timestamp() == NOW.timestamp() + 3600
    assert caught.value.status == 403
