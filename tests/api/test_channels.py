"""Connected channels through the API: health, check on demand, disconnect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hubbub.core.models import AuditEntry, Membership
from hubbub.networks import actions
from hubbub.networks.base import Account, AuthError, RateLimited
from hubbub.networks.models import Channel, Health
from tests.api.conftest import session_api

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)  # 14:00 in Paris (summer time)


@pytest.fixture
def channel(acme) -> Channel:
    with time_machine.travel(NOW, tick=False):
        channel = Channel(
            workspace=acme,
            network="mastodon",
            external_id="109",
            handle="@acme@mastodon.example",
            name="Acme",
            profile_url="https://mastodon.example/@acme",
            token_expires_at=NOW + timedelta(days=3),
        )
        channel.credentials = {"access_token": "secret-token"}
        channel.save()
        return channel


class FakeConnector:
    """Stands in for the network: these tests are about the API, not about Mastodon."""

    def __init__(self, outcome: Account | Exception) -> None:
        self.outcome = outcome

    def refresh_if_due(self) -> bool:
        return False

    def check(self) -> Account:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@pytest.fixture
def network_answers(monkeypatch):
    def answer(outcome: Account | Exception) -> None:
        monkeypatch.setattr(actions, "connector_for", lambda channel: FakeConnector(outcome))

    return answer


def test_it_lists_connected_channels_with_their_health(alice_api, channel):
    Channel.objects.create(
        workspace=channel.workspace,
        network="mastodon",
        external_id="2",
        handle="@old",
        disconnected_at=NOW,
    )
    with time_machine.travel(NOW, tick=False):
        response = alice_api.get("/workspaces/acme/channels")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": channel.pk,
            "network": "mastodon",
            "network_label": "Mastodon",
            "handle": "@acme@mastodon.example",
            "name": "Acme",
            "profile_url": "https://mastodon.example/@acme",
            "avatar_url": "",
            "health": "ok",
            "health_message": "",
            "rate_limited_until": None,
            "token_expires_at": "2025-06-04T14:00:00+02:00",
            "expiry_warning": "The authorization expires in 3 days: reconnect before then.",
            "last_checked_at": None,
            "connected_at": "2025-06-01T14:00:00+02:00",
        }
    ]


def test_it_never_shows_credentials(alice_api, channel):
    assert b"secret-token" not in alice_api.get(f"/workspaces/acme/channels/{channel.pk}").content
    assert b"secret-token" not in alice_api.get("/workspaces/acme/channels").content


def test_it_shows_one_channel(bob_api, channel):
    response = bob_api.get(f"/workspaces/acme/channels/{channel.pk}")
    assert response.status_code == 200
    assert response.json()["handle"] == "@acme@mastodon.example"


def test_it_answers_404_for_a_disconnected_channel(alice_api, channel):
    Channel.objects.filter(pk=channel.pk).update(disconnected_at=NOW)
    assert alice_api.get(f"/workspaces/acme/channels/{channel.pk}").status_code == 404


def test_a_client_viewer_cannot_see_channels(make_user, acme, channel):
    viewer = make_user("viewer@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role="client_viewer")
    response = session_api(viewer).get("/workspaces/acme/channels")
    assert response.status_code == 403


def test_a_check_records_a_healthy_channel(alice_api, channel, network_answers):
    network_answers(Account(external_id="109", handle="@acme@mastodon.example", name="Acme Inc"))
    with time_machine.travel(NOW, tick=False):
        response = alice_api.post(f"/workspaces/acme/channels/{channel.pk}/check")
    assert response.status_code == 200
    body = response.json()
    assert (body["health"], body["name"], body["last_checked_at"]) == (
        "ok",
        "Acme Inc",
        "2025-06-01T14:00:00+02:00",
    )


def test_a_check_shows_when_a_rate_limit_ends(alice_api, channel, network_answers):
    network_answers(RateLimited("Too many requests.", retry_at=NOW + timedelta(minutes=5)))
    with time_machine.travel(NOW, tick=False):
        response = alice_api.post(f"/workspaces/acme/channels/{channel.pk}/check")
    body = response.json()
    assert (body["health"], body["rate_limited_until"]) == (
        "rate_limited",
        "2025-06-01T14:05:00+02:00",
    )
    assert body["health_message"].startswith("Too many requests.")


def test_a_check_shows_a_channel_that_needs_reconnecting(bob_api, channel, network_answers):
    network_answers(AuthError("The access token was revoked."))
    response = bob_api.post(f"/workspaces/acme/channels/{channel.pk}/check")
    assert response.json()["health"] == Health.NEEDS_RECONNECT
    assert AuditEntry.objects.get(action="channel.health").after["health"] == "needs_reconnect"


def test_it_disconnects_a_channel(alice_api, channel):
    response = alice_api.delete(f"/workspaces/acme/channels/{channel.pk}")
    assert response.status_code == 204
    channel.refresh_from_db()
    assert channel.disconnected_at is not None
    assert channel.credentials == {}
    assert AuditEntry.objects.get(action="channel.disconnect").via == "api"
    assert alice_api.get("/workspaces/acme/channels").json() == []


def test_an_editor_cannot_disconnect(bob_api, channel):
    response = bob_api.delete(f"/workspaces/acme/channels/{channel.pk}")
    assert response.status_code == 403
    assert "Editor" in response.json()["detail"]
    channel.refresh_from_db()
    assert channel.disconnected_at is None
