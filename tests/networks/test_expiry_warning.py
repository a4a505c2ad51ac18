"""The channels page warns a week before an authorization ends: the access token's expiry
when nothing renews it, the refresh token's when Hubbub refreshes access tokens itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hubbub.core.models import Workspace
from hubbub.networks.actions import expiry_warning
from hubbub.networks.models import Channel

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def channel(acme: Workspace, expires_in: timedelta, **credentials: str) -> Channel:
    made = Channel(
        workspace=acme,
        network="linkedin",
        external_id=str(Channel.objects.count() + 1),
        handle="Acme",
    )
    made.credentials = {"access_token": "at", **credentials}
    made.token_expires_at = NOW + expires_in
    made.save()
    return made


@time_machine.travel(NOW, tick=False)
def test_a_token_nothing_renews_is_warned_about_a_week_ahead(acme: Workspace) -> None:
    assert expiry_warning(channel(acme, timedelta(days=8))) is None
    soon = channel(acme, timedelta(days=3))
    assert expiry_warning(soon) == "The authorization expires in 3 days: reconnect before then."
    soon.token_expires_at = NOW - timedelta(minutes=1)
    assert expiry_warning(soon) == "The authorization has expired: reconnect this channel."


@time_machine.travel(NOW, tick=False)
def test_a_refreshed_access_token_is_not_warned_about(acme: Workspace) -> None:
    hourly = channel(acme, timedelta(minutes=40), refresh_token="rt")
    assert expiry_warning(hourly) is None


@time_machine.travel(NOW, tick=False)
def test_the_refresh_tokens_own_end_is_warned_about(acme: Workspace) -> None:
    ending = (NOW + timedelta(days=2, hours=1)).isoformat()
    hourly = channel(acme, timedelta(minutes=40), refresh_token="rt", refresh_expires_at=ending)
    assert expiry_warning(hourly) == "The authorization expires in 2 days: reconnect before then."
