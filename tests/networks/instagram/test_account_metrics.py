"""The account's own counts: GET /{ig-user-id}?fields=followers_count,follows_count,
media_count (IG User reference), with the linked Page's token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import respx
import time_machine

from hubbub.networks.base import AuthError, RateLimited
from hubbub.networks.incoming import AccountMetrics
from hubbub.networks.instagram.connector import InstagramConnector
from hubbub.networks.models import Channel
from tests.networks.facebook.conftest import GRAPH, REVOKED, error, query
from tests.networks.instagram.conftest import IG_ID, TOKEN

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
USER = f"{GRAPH}/{IG_ID}"


def test_followers_follows_and_media_are_read_for_the_ig_user(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.get(USER).respond(
        200,
        json={"followers_count": 5120, "follows_count": 310, "media_count": 87, "id": IG_ID},
    )

    got = InstagramConnector(channel).fetch_account_metrics()

    assert got == AccountMetrics(followers=5120, following=310, posts=87)
    request = route.calls.last.request
    assert request.method == "GET" and request.url.path == f"/v23.0/{IG_ID}"
    assert query(request) == {
        "fields": ["followers_count,follows_count,media_count"],
        "access_token": [TOKEN],
    }


def test_a_count_instagram_leaves_out_is_none_not_zero(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.get(USER).respond(200, json={"followers_count": 5120, "media_count": None, "id": IG_ID})

    got = InstagramConnector(channel).fetch_account_metrics()

    assert got == AccountMetrics(followers=5120, following=None, posts=None)


def test_a_revoked_token_asks_for_a_reconnect(router: respx.MockRouter, channel: Channel) -> None:
    router.get(USER).respond(400, json=REVOKED)

    with pytest.raises(AuthError) as caught:
        InstagramConnector(channel).fetch_account_metrics()

    assert caught.value.needs_reconnect is True


def test_a_rate_limit_waits_before_asking_again(router: respx.MockRouter, channel: Channel) -> None:
    router.get(USER).respond(
        400, json=error("(#80002) There have been too many calls to this Instagram account.", 80002)
    )

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        InstagramConnector(channel).fetch_account_metrics()

    assert caught.value.retry_at == NOW + timedelta(hours=1)
