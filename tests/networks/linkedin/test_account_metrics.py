"""The page's own counts: GET /rest/networkSizes/{organization urn}?edgeType=
COMPANY_FOLLOWED_BY_MEMBER (Organization Lookup API, "Retrieve Organization Follower
Count"), whose firstDegreeSize is the page's followers. A channel is always a page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.base import AuthError, RateLimited
from hubbub.networks.incoming import AccountMetrics
from hubbub.networks.linkedin.connector import LinkedInConnector
from tests.networks.linkedin.conftest import (
    ACCESS_TOKEN,
    API,
    HEADERS,
    ORG_ID,
    error,
    make_channel,
)

pytestmark = pytest.mark.django_db
NETWORK_SIZES = f"{API}/networkSizes/urn%3Ali%3Aorganization%3A{ORG_ID}"


def test_the_pages_followers_are_its_first_degree_network_size(
    router: respx.MockRouter, acme: Workspace
) -> None:
    route = router.get(url__startswith=NETWORK_SIZES).respond(200, json={"firstDegreeSize": 2863})

    got = LinkedInConnector(make_channel(acme)).fetch_account_metrics()

    assert got == AccountMetrics(followers=2863, following=None, posts=None)
    request = route.calls.last.request
    assert request.method == "GET"
    assert (
        request.url.raw_path
        == (
            f"/rest/networkSizes/urn%3Ali%3Aorganization%3A{ORG_ID}"
            "?edgeType=COMPANY_FOLLOWED_BY_MEMBER"
        ).encode()
    )
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert {name: request.headers[name] for name in HEADERS} == HEADERS


def test_an_answer_without_the_size_has_no_followers(
    router: respx.MockRouter, acme: Workspace
) -> None:
    router.get(url__startswith=NETWORK_SIZES).respond(200, json={})

    assert LinkedInConnector(make_channel(acme)).fetch_account_metrics() == AccountMetrics()


def test_an_expired_token_asks_for_a_reconnect(router: respx.MockRouter, acme: Workspace) -> None:
    router.get(url__startswith=NETWORK_SIZES).respond(
        401, json=error(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired")
    )

    with pytest.raises(AuthError) as caught:
        LinkedInConnector(make_channel(acme)).fetch_account_metrics()

    assert caught.value.needs_reconnect is True
    assert "has expired" in caught.value.network_message


def test_the_daily_limit_waits_for_midnight_utc(router: respx.MockRouter, acme: Workspace) -> None:
    router.get(url__startswith=NETWORK_SIZES).respond(
        429, json=error(429, "TOO_MANY_REQUESTS", "Resource level throttle")
    )

    with pytest.raises(RateLimited) as caught:
        LinkedInConnector(make_channel(acme)).fetch_account_metrics()

    assert caught.value.retry_at == datetime(2026, 5, 13, 0, 0, tzinfo=UTC)
