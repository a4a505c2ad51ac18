"""Connecting an X account through the shared OAuth 2 pages (hubbub.networks.oauth2_views):
the sign-in button sends the browser to X with a state and a PKCE challenge; X's callback is
exchanged for tokens (confidential client: Basic auth) and GET /2/users/me names the
account, which becomes the channel; a cancelled sign-in or an unknown state connects
nothing."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from django.conf import settings
from django.test import Client, override_settings

from hubbub.networks.models import Channel, Health
from hubbub.networks.x.connector import XConnector
from tests.networks.oauth_flow import assert_unknown_state_refused, start_sign_in
from tests.networks.x.conftest import (
    ACCESS,
    API,
    CLIENT_ID,
    CLIENT_SECRET,
    ME,
    NOW,
    REFRESH,
    SCOPE,
    TOKEN_URL,
    USER_ID,
    USERNAME,
    problem,
    token_answer,
)

CONNECT = "/w/acme/channels/x/connect/"
CALLBACK = "/oauth/x/callback/"
AUTHORIZE = "https://x.com/i/oauth2/authorize"
pytestmark = pytest.mark.django_db


def _form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def _start(client: Client) -> dict[str, str]:
    return start_sign_in(client, "x", AUTHORIZE)


def test_the_connect_page_offers_the_sign_in(alice_client: Client) -> None:
    response = alice_client.get(CONNECT)

    assert response.status_code == 200
    assert b"Continue to X" in response.content


def test_unconfigured_the_page_names_the_settings_and_the_redirect_uri(
    alice_client: Client,
) -> None:
    with override_settings(HUBBUB_X_CLIENT_ID="", HUBBUB_X_CLIENT_SECRET=""):
        response = alice_client.get(CONNECT)
        started = alice_client.post(CONNECT)

    assert response.status_code == 503
    page = response.content.decode()
    assert "HUBBUB_X_CLIENT_ID" in page and "HUBBUB_X_CLIENT_SECRET" in page
    assert f"{settings.BASE_URL}/oauth/x/callback/" in page
    assert started.status_code == 503  # no redirect to X without an app


def test_the_sign_in_carries_state_scopes_and_a_pkce_challenge(alice_client: Client) -> None:
    query = _start(alice_client)

    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"{settings.BASE_URL}/oauth/x/callback/"
    assert query["scope"] == (
        "tweet.read tweet.write users.read offline.access media.write like.write "
        "tweet.moderate.write dm.read dm.write"
    )
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32
    # The verifier waits in the session; its S256 challenge is what went to X.
    pending = alice_client.session["oauth2_pending"][query["state"]]
    digest = hashlib.sha256(pending["verifier"].encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_the_callback_exchanges_the_code_and_connects_the_account(
    alice_client: Client, router: respx.MockRouter
) -> None:
    query = _start(alice_client)
    verifier = alice_client.session["oauth2_pending"][query["state"]]["verifier"]
    token = router.post(TOKEN_URL).respond(200, json=token_answer())
    me = router.get(f"{API}/2/users/me").respond(200, json=ME)

    response = alice_client.get(CALLBACK, {"state": query["state"], "code": "VGNibzFWSWREZm01"})

    assert response.status_code == 302 and response["Location"] == "/w/acme/channels/"
    sent = token.calls.last.request
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert sent.headers["authorization"] == f"Basic {basic}"  # confidential client
    assert _form(sent) == {
        "grant_type": "authorization_code",
        "code": "VGNibzFWSWREZm01",
        "redirect_uri": f"{settings.BASE_URL}/oauth/x/callback/",
        "code_verifier": verifier,
    }
    assert CLIENT_SECRET not in sent.content.decode()
    assert me.calls.last.request.headers["authorization"] == f"Bearer {ACCESS}"
    channel = Channel.objects.get(network="x")
    assert (channel.external_id, channel.handle, channel.name) == (
        USER_ID,
        f"@{USERNAME}",
        "Developers",
    )
    assert channel.profile_url == f"https://x.com/{USERNAME}"
    assert channel.avatar_url.startswith("https://pbs.twimg.com/")
    assert channel.credentials == {"access_token": ACCESS, "refresh_token": REFRESH, "scope": SCOPE}
    assert ACCESS not in str(channel.credentials_encrypted)
    assert channel.token_expires_at == NOW + timedelta(hours=2)
    assert channel.config == {"username": USERNAME}
    assert channel.health == Health.OK
    # The state is used up: the same callback again connects nothing more.
    again = alice_client.get(CALLBACK, {"state": query["state"], "code": "VGNibzFWSWREZm01"})
    assert again.status_code == 400 and token.call_count == 1


def test_a_cancelled_sign_in_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    query = _start(alice_client)

    response = alice_client.get(CALLBACK, {"state": query["state"], "error": "access_denied"})

    assert response.status_code == 400
    assert "cancelled" in response.content.decode()
    assert not router.calls and not Channel.objects.exists()


def test_an_unknown_state_is_refused_without_calling_x(
    alice_client: Client, router: respx.MockRouter
) -> None:
    assert_unknown_state_refused(alice_client, "x", AUTHORIZE, router)


def test_a_refused_code_says_so_and_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    query = _start(alice_client)
    router.post(TOKEN_URL).respond(
        400,
        json={
            "error": "invalid_request",
            "error_description": "Value passed for the authorization code was invalid.",
        },
    )

    response = alice_client.get(CALLBACK, {"state": query["state"], "code": "expired"})

    assert response.status_code == 400
    assert "authorization code was invalid" in response.content.decode()
    assert not Channel.objects.exists()


def test_accounts_from_token_is_the_signed_in_account(router: respx.MockRouter) -> None:
    from hubbub.networks.oauth2 import token_from

    me = router.get(f"{API}/2/users/me").respond(200, json=ME)

    (connection,) = XConnector.accounts_from_token(token_from(token_answer()))

    assert me.calls.last.request.url.params["user.fields"] == "name,username,profile_image_url"
    assert connection.account.external_id == USER_ID
    assert connection.credentials["refresh_token"] == REFRESH


def test_a_token_x_refuses_at_once_is_reported(router: respx.MockRouter) -> None:
    from hubbub.networks.base import AuthError
    from hubbub.networks.oauth2 import token_from

    router.get(f"{API}/2/users/me").respond(401, json=problem(401, "Unauthorized", "Unauthorized"))

    with pytest.raises(AuthError) as caught:
        XConnector.accounts_from_token(token_from(token_answer()))

    assert caught.value.network_message == "Unauthorized"
