"""Keeping a Bluesky session alive: refresh before expiry, log in again with the app password
when the refresh token is gone, and the health check."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
import time_machine

from hubbub.networks.actions import check_channel
from hubbub.networks.base import AuthError
from hubbub.networks.bluesky.connector import BlueskyConnector
from hubbub.networks.models import Channel, Health
from tests.networks.bluesky.conftest import (
    APP_PASSWORD,
    DID,
    EXPIRES,
    HANDLE,
    ISSUED,
    PDS,
    access_jwt,
    profile_output,
    refresh_jwt,
    session_output,
    xrpc_error,
)

REFRESH = f"{PDS}/xrpc/com.atproto.server.refreshSession"
CREATE_SESSION = f"{PDS}/xrpc/com.atproto.server.createSession"
GET_SESSION = f"{PDS}/xrpc/com.atproto.server.getSession"
GET_PROFILE = f"{PDS}/xrpc/app.bsky.actor.getProfile"

NEW_ACCESS = access_jwt(issued=EXPIRES, expires=EXPIRES + timedelta(hours=2))
NEW_REFRESH = refresh_jwt("2")


def test_it_keeps_a_token_with_time_left(xrpc, channel):
    route = xrpc.route()

    with time_machine.travel(EXPIRES - timedelta(minutes=11), tick=False):
        assert BlueskyConnector(channel).refresh_if_due() is False

    assert not route.called


def test_it_refreshes_ten_minutes_before_expiry(xrpc, channel):
    refresh = xrpc.post(REFRESH).respond(
        200, json=session_output(access=NEW_ACCESS, refresh=NEW_REFRESH)
    )

    with time_machine.travel(EXPIRES - timedelta(minutes=9), tick=False):
        assert BlueskyConnector(channel).refresh_if_due() is True

    sent = refresh.calls.last.request
    assert sent.method == "POST"
    assert sent.headers["authorization"] == f"Bearer {refresh_jwt()}"  # the refresh token
    assert sent.content == b""  # refreshSession takes no input
    channel.refresh_from_db()
    assert channel.credentials == {
        "accessJwt": NEW_ACCESS,
        "refreshJwt": NEW_REFRESH,
        "did": DID,
        "pds_url": PDS,
        "app_password": APP_PASSWORD,
    }
    assert channel.token_expires_at is None


def test_it_logs_in_again_when_the_refresh_token_expired(xrpc, channel):
    xrpc.post(REFRESH).respond(400, json=xrpc_error("ExpiredToken", "Token has expired"))
    login = xrpc.post(CREATE_SESSION).respond(
        200, json=session_output(access=NEW_ACCESS, refresh=NEW_REFRESH)
    )

    with time_machine.travel(EXPIRES + timedelta(days=100), tick=False):
        assert BlueskyConnector(channel).refresh_if_due() is True

    # The DID, not the handle: it survives a change of handle.
    assert json.loads(login.calls.last.request.content) == {
        "identifier": DID,
        "password": APP_PASSWORD,
    }
    channel.refresh_from_db()
    assert channel.credentials["accessJwt"] == NEW_ACCESS
    assert channel.credentials["refreshJwt"] == NEW_REFRESH


def test_it_logs_in_again_when_the_refresh_token_was_revoked(xrpc, channel):
    xrpc.post(REFRESH).respond(400, json=xrpc_error("InvalidToken", "Token has been revoked"))
    login = xrpc.post(CREATE_SESSION).respond(200, json=session_output(access=NEW_ACCESS))

    with time_machine.travel(EXPIRES, tick=False):
        BlueskyConnector(channel).refresh_if_due()

    assert login.called


def test_it_needs_a_reconnect_when_the_app_password_was_revoked(xrpc, channel):
    xrpc.post(REFRESH).respond(400, json=xrpc_error("ExpiredToken", "Token has expired"))
    xrpc.post(CREATE_SESSION).respond(
        401, json=xrpc_error("AuthenticationRequired", "Invalid identifier or password")
    )

    with time_machine.travel(EXPIRES + timedelta(days=100), tick=False):
        check_channel(channel)

    channel.refresh_from_db()
    assert channel.health == Health.NEEDS_RECONNECT
    assert "create an app password" in channel.health_message
    assert "Invalid identifier or password" in channel.health_message


def test_the_check_reads_the_account(xrpc, channel):
    who = xrpc.get(GET_SESSION).respond(200, json={"did": DID, "handle": HANDLE, "active": True})
    xrpc.get(GET_PROFILE).respond(200, json=profile_output(displayName="Alice Martin"))

    with time_machine.travel(ISSUED + timedelta(minutes=5), tick=False):
        check_channel(channel)

    assert who.calls.last.request.headers["authorization"] == f"Bearer {access_jwt()}"
    channel.refresh_from_db()
    assert channel.health == Health.OK
    assert channel.name == "Alice Martin"  # the profile changed on Bluesky
    assert channel.last_checked_at == ISSUED + timedelta(minutes=5)


def test_the_check_recovers_from_an_access_token_revoked_early(xrpc, channel):
    xrpc.get(GET_SESSION).mock(
        side_effect=[
            httpx.Response(400, json=xrpc_error("ExpiredToken", "Token has been revoked")),
            httpx.Response(200, json={"did": DID, "handle": HANDLE}),
        ]
    )
    refresh = xrpc.post(REFRESH).respond(
        200, json=session_output(access=NEW_ACCESS, refresh=NEW_REFRESH)
    )
    profile = xrpc.get(GET_PROFILE).respond(200, json=profile_output())

    with time_machine.travel(ISSUED + timedelta(minutes=5), tick=False):
        account = BlueskyConnector(channel).check()

    assert refresh.call_count == 1
    assert profile.calls.last.request.headers["authorization"] == f"Bearer {NEW_ACCESS}"
    assert account.external_id == DID


def test_the_check_records_a_rate_limit(xrpc, channel):
    reset = ISSUED + timedelta(minutes=20)
    xrpc.get(GET_SESSION).respond(
        429,
        json=xrpc_error("RateLimitExceeded", "Rate Limit Exceeded"),
        headers={"ratelimit-reset": str(int(reset.timestamp()))},
    )

    with time_machine.travel(ISSUED + timedelta(minutes=5), tick=False):
        check_channel(channel)

    channel.refresh_from_db()
    assert channel.health == Health.RATE_LIMITED
    assert channel.rate_limited_until == reset


def test_the_check_marks_a_deactivated_account(xrpc, channel):
    xrpc.get(GET_SESSION).respond(
        400, json=xrpc_error("AccountDeactivated", "Account is deactivated")
    )

    with time_machine.travel(ISSUED + timedelta(minutes=5), tick=False):
        check_channel(channel)

    channel.refresh_from_db()
    assert channel.health == Health.NEEDS_RECONNECT
    assert "reactivate" in channel.health_message


def test_unreadable_credentials_ask_for_a_reconnect(channel):
    Channel.objects.filter(pk=channel.pk).update(credentials_encrypted="not-a-fernet-token")
    channel.refresh_from_db()

    with pytest.raises(AuthError) as caught:
        BlueskyConnector(channel).refresh_if_due()

    assert "reconnect" in caught.value.message
