"""The Page's own counts: GET /{page-id}?fields=followers_count,fan_count (Graph API, Page
reference). followers_count is the Page's followers; fan_count (its likes) stands in when
Facebook leaves followers_count out. A Page follows no one; no count of posts is given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import respx
import time_machine

from hubbub.networks.base import AuthError, RateLimited
from hubbub.networks.facebook.connector import FacebookConnector
from hubbub.networks.incoming import AccountMetrics
from hubbub.networks.models import Channel
from tests.networks.facebook.conftest import (
    GRAPH,
    PAGE_ID,
    PAGE_TOKEN,
    REVOKED,
    buc_usage,
    error,
    query,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
PAGE = f"{GRAPH}/{PAGE_ID}"


def test_the_pages_followers_are_read_with_the_page_token(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.get(PAGE).respond(
        200, json={"followers_count": 1520, "fan_count": 1490, "id": PAGE_ID}
    )

    got = FacebookConnector(channel).fetch_account_metrics()

    assert got == AccountMetrics(followers=1520, following=None, posts=None)
    request = route.calls.last.request
    assert request.method == "GET" and request.url.path == f"/v23.0/{PAGE_ID}"
    assert query(request) == {
        "fields": ["followers_count,fan_count"],
        "access_token": [PAGE_TOKEN],
    }


def test_without_followers_count_the_pages_likes_stand_in(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.get(PAGE).respond(200, json={"fan_count": 1490, "id": PAGE_ID})

    assert FacebookConnector(channel).fetch_account_metrics() == AccountMetrics(followers=1490)


def test_a_page_without_either_count_has_none_not_zero(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.get(PAGE).respond(200, json={"followers_count": "1520", "id": PAGE_ID})

    assert FacebookConnector(channel).fetch_account_metrics() == AccountMetrics()


def test_a_revoked_page_token_asks_for_a_reconnect(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.get(PAGE).respond(400, json=REVOKED)

    with pytest.raises(AuthError) as caught:
        FacebookConnector(channel).fetch_account_metrics()

    assert caught.value.needs_reconnect is True
    assert "changed their Facebook password" in str(caught.value)


def test_a_page_rate_limit_waits_for_metas_estimate(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.get(PAGE).respond(
        400,
        headers=buc_usage(PAGE_ID, 20),
        json=error("(#80001) There have been too many calls to this Page account.", 80001),
    )

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        FacebookConnector(channel).fetch_account_metrics()

    assert caught.value.retry_at == NOW + timedelta(minutes=20)
