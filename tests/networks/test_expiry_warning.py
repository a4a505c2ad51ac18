"""The channels page warns a week before an authorization ends: the access token's expiry
when nothing renews it, the refresh token's when Hubbub refreshes access tokens itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

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


@time_machine.travel(NOW, tick=False)
def test_managers_are_told_once_per_expiry(acme: Workspace, mailoutbox: list[Any]) -> None:
    from hubbub.core.models import Notification
    from hubbub.networks.actions import warn_expiring

    far = channel(acme, timedelta(days=30))
    soon = channel(acme, timedelta(days=6, hours=2))
    renewed = channel(acme, timedelta(minutes=30), refresh_token="rt")

    assert warn_expiring() == [soon]
    notices = Notification.objects.filter(kind="channel.expiring")
    # alice owns acme; bob is an editor (tests/conftest.py), who cannot reconnect channels.
    assert [n.user.email for n in notices] == ["alice@example.com"]
    assert notices[0].text == (
        "The LinkedIn channel Acme stops working in 6 days unless someone reconnects it."
    )
    assert notices[0].url == "/w/acme/channels/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.com"]

    assert warn_expiring() == []  # once per expiry
    soon.token_expires_at = NOW + timedelta(days=5)  # reconnected: a new expiry, a new notice
    soon.save()
    assert warn_expiring() == [soon]
    # Three weeks later the 30-day token is due; the refreshed one never is.
    assert warn_expiring(NOW + timedelta(days=24)) == [far]
    assert renewed.pk not in [c.pk for c in warn_expiring(NOW + timedelta(days=40))]
