"""Connecting a Threads profile through the shared OAuth 2 pages: the sign-in goes to the
Threads Authorization Window with a state (no PKCE), the code is exchanged with the app id
and secret in the body, the one-hour token at once for a 60-day one, and /me names the
profile, which becomes the channel with its token's expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import respx
from django.conf import settings
from django.test import Client

from hubbub.networks.models import Channel, Health
from tests.networks.oauth_flow import assert_unknown_state_refused, start_sign_in
from tests.networks.threads.conftest import API as THREADS_API
from tests.networks.threads.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    EXCHANGE_URL,
    ME,
    NOW,
    SHORT_TOKEN,
    SIXTY_DAYS,
    TOKEN,
    TOKEN_URL,
    USER_ID,
    USERNAME,
    error,
    form,
    query,
)

CONNECT = "/w/acme/channels/threads/connect/"
CALLBACK = "/oauth/threads/callback/"
AUTHORIZE = "https://threads.com/oauth/authorize"
pytestmark = pytest.mark.django_db


def _start(client: Client) -> dict[str, str]:
    return start_sign_in(client, "threads", AUTHORIZE)


def test_the_sign_in_carries_the_app_state_and_scopes_without_pkce(alice_client: Client) -> None:
    sent = _start(alice_client)

    assert sent["client_id"] == CLIENT_ID
    assert sent["response_type"] == "code"
    assert sent["redirect_uri"] == f"{settings.BASE_URL}/oauth/threads/callback/"
    assert sent["scope"].split(",") == [
        "threads_basic",
        "threads_content_publish",
        "threads_manage_replies",
        "threads_read_replies",
        "threads_manage_insights",
        "threads_manage_mentions",
        "threads_delete",
    ]
    assert len(sent["state"]) >= 32
    assert "code_challenge" not in sent


def test_the_callback_connects_the_profile_with_a_long_lived_token(
    alice_client: Client, router: respx.MockRouter
) -> None:
    state = _start(alice_client)["state"]
    code = router.post(TOKEN_URL).respond(
        200, json={"access_token": SHORT_TOKEN, "user_id": USER_ID}
    )
    exchange = router.get(EXCHANGE_URL).respond(
        200, json={"access_token": TOKEN, "token_type": "bearer", "expires_in": SIXTY_DAYS}
    )
    me = router.get(f"{THREADS_API}/me").respond(200, json=ME)

    response = alice_client.get(CALLBACK, {"code": "AQBx-code#_", "state": state})

    assert response.status_code == 302 and response["Location"] == "/w/acme/channels/"
    assert form(code.calls.last.request) == {
        "grant_type": ["authorization_code"],
        "code": ["AQBx-code#_"],
        "redirect_uri": [f"{settings.BASE_URL}/oauth/threads/callback/"],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
    }
    assert query(exchange.calls.last.request) == {
        "grant_type": ["th_exchange_token"],
        "client_secret": [CLIENT_SECRET],
        "access_token": [SHORT_TOKEN],
    }
    assert query(me.calls.last.request) == {
        "fields": ["id,username,name,threads_profile_picture_url"],
        "access_token": [TOKEN],  # the long-lived one
    }
    channel = Channel.objects.get(network="threads")
    assert (channel.external_id, channel.handle, channel.name) == (
        USER_ID,
        f"@{USERNAME}",
        "Acme Coffee",
    )
    assert channel.profile_url == f"https://www.threads.com/@{USERNAME}"
    assert channel.avatar_url == ME["threads_profile_picture_url"]
    assert channel.config == {"user_id": USER_ID, "username": USERNAME}
    assert channel.credentials == {
        "access_token": TOKEN,
        "scope": "",
        "issued_at": NOW.isoformat(),
    }
    assert TOKEN not in channel.credentials_encrypted
    assert channel.token_expires_at == NOW + timedelta(seconds=SIXTY_DAYS)
    assert channel.health == Health.OK


def test_a_cancelled_sign_in_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    state = _start(alice_client)["state"]

    response = alice_client.get(
        CALLBACK,
        {
            "state": state,
            "error": "access_denied",
            "error_reason": "user_denied",
            "error_description": "Permissions error",
        },
    )

    assert response.status_code == 400
    assert "cancelled" in response.content.decode()
    assert not router.calls and not Channel.objects.exists()


def test_an_unknown_state_is_refused_without_calling_threads(
    alice_client: Client, router: respx.MockRouter
) -> None:
    assert_unknown_state_refused(alice_client, "threads", AUTHORIZE, router)


def test_a_refused_exchange_says_so_and_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    state = _start(alice_client)["state"]
    router.post(TOKEN_URL).respond(200, json={"access_token": SHORT_TOKEN, "user_id": USER_ID})
    router.get(EXCHANGE_URL).respond(
        400, json=error("Error validating client secret.", 190, 0, type="OAuthException")
    )

    response = alice_client.get(CALLBACK, {"code": "AQBx", "state": state})

    assert response.status_code == 400
    assert "connect the profile again" in response.content.decode()
    assert not Channel.objects.exists()


def test_an_invalid_code_is_reported(alice_client: Client, router: respx.MockRouter) -> None:
    state = _start(alice_client)["state"]
    router.post(TOKEN_URL).respond(
        400,
        json=error("Invalid verification code format.", 100, 0, type="OAuthException"),
    )

    response = alice_client.get(CALLBACK, {"code": "stale", "state": state})

    assert response.status_code == 400
    assert "Invalid verification code format." in response.content.decode()
    assert not Channel.objects.exists()
