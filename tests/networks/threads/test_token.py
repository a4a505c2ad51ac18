"""Keeping a Threads channel's long-lived token alive ("Long-Lived Tokens"): refreshed once
30 days or fewer are left and it is at least a day old; never an expired one (Threads
cannot refresh it: the channel needs a reconnect)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.actions import check_channel, expiry_warning
from hubbub.networks.base import AuthError
from hubbub.networks.models import Health
from hubbub.networks.threads.connector import ThreadsConnector
from tests.networks.threads.conftest import (
    API,
    FRESH_TOKEN,
    ME,
    NOW,
    REFRESH_URL,
    REVOKED,
    TOKEN,
    error,
    make_channel,
    query,
)

pytestmark = pytest.mark.django_db


def fresh(router: respx.MockRouter) -> respx.Route:
    return router.get(REFRESH_URL).respond(
        200, json={"access_token": FRESH_TOKEN, "token_type": "bearer", "expires_in": 5184000}
    )


def test_a_token_with_fifty_days_left_is_left_alone(
    channel: object, router: respx.MockRouter
) -> None:
    refresh = fresh(router)

    assert ThreadsConnector(channel).refresh_if_due() is False  # type: ignore[arg-type]
    assert not refresh.called


def test_a_token_with_twenty_days_left_is_refreshed_and_saved(
    acme: Workspace, router: respx.MockRouter
) -> None:
    channel = make_channel(acme, expires_at=NOW + timedelta(days=20))
    refresh = fresh(router)

    assert ThreadsConnector(channel).refresh_if_due() is True

    assert query(refresh.calls.last.request) == {
        "grant_type": ["th_refresh_token"],
        "access_token": [TOKEN],
    }
    channel.refresh_from_db()
    assert channel.credentials["access_token"] == FRESH_TOKEN
    assert channel.credentials["issued_at"] == NOW.isoformat()
    assert channel.token_expires_at == NOW + timedelta(days=60)
    assert expiry_warning(channel) is None


def test_a_token_younger_than_a_day_is_not_refreshed(
    acme: Workspace, router: respx.MockRouter
) -> None:
    # Threads refuses to refresh a token less than 24 hours old.
    channel = make_channel(
        acme, expires_at=NOW + timedelta(days=20), issued_at=NOW - timedelta(hours=3)
    )
    refresh = fresh(router)

    assert ThreadsConnector(channel).refresh_if_due() is False
    assert not refresh.called


def test_an_expired_token_is_not_refreshed_and_the_channel_asks_for_a_reconnect(
    acme: Workspace, router: respx.MockRouter
) -> None:
    channel = make_channel(acme, expires_at=NOW - timedelta(hours=1))
    refresh = fresh(router)
    router.get(f"{API}/me").respond(400, json=REVOKED)

    check_channel(channel)

    assert not refresh.called
    assert channel.health == Health.NEEDS_RECONNECT
    assert "connect the profile again" in channel.health_message
    assert expiry_warning(channel) == "The authorization has expired: reconnect this channel."


def test_the_channel_check_refreshes_when_due_then_asks_with_the_new_token(
    acme: Workspace, router: respx.MockRouter
) -> None:
    channel = make_channel(acme, expires_at=NOW + timedelta(days=3))
    fresh(router)
    me = router.get(f"{API}/me").respond(200, json=ME)

    check_channel(channel)

    assert query(me.calls.last.request)["access_token"] == [FRESH_TOKEN]
    assert channel.health == Health.OK


def test_a_refused_refresh_needs_a_reconnect(acme: Workspace, router: respx.MockRouter) -> None:
    channel = make_channel(acme, expires_at=NOW + timedelta(days=3))
    router.get(REFRESH_URL).respond(400, json=REVOKED)

    with pytest.raises(AuthError):
        ThreadsConnector(channel).refresh_if_due()


def test_a_refresh_that_fails_for_a_moment_keeps_the_working_token(
    acme: Workspace, router: respx.MockRouter
) -> None:
    channel = make_channel(acme, expires_at=NOW + timedelta(days=20))
    router.get(REFRESH_URL).respond(500, json=error("An unexpected error has occurred.", 2))
    me = router.get(f"{API}/me").respond(200, json=ME)

    check_channel(channel)

    assert query(me.calls.last.request)["access_token"] == [TOKEN]
    assert channel.health == Health.OK
