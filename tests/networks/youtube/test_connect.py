"""Connecting a YouTube channel through the shared OAuth 2 pages: Google's sign-in with
offline access, forced consent and a PKCE challenge; the code exchanged with the verifier;
channels.list mine=true names the channel, which becomes the channel; a Google account
without a channel connects nothing."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import respx
from django.conf import settings
from django.test import Client, override_settings

from hubbub.networks.actions import expiry_warning
from hubbub.networks.models import Channel
from tests.networks.oauth_flow import assert_unknown_state_refused, start_sign_in
from tests.networks.youtube.conftest import (
    ACCESS_TOKEN,
    API,
    CHANNEL_ID,
    NOW,
    REFRESH_TOKEN,
    TOKEN_URL,
    channel_resource,
    channels,
    token_answer,
)

CONNECT = "/w/acme/channels/youtube/connect/"
CALLBACK = "/oauth/youtube/callback/"
AUTHORIZE = "https://accounts.google.com/o/oauth2/v2/auth"
CLIENT_ID = "1234567890-abc123def456.apps.googleusercontent.com"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def configured() -> Iterator[None]:
    with override_settings(
        HUBBUB_GOOGLE_CLIENT_ID=CLIENT_ID, HUBBUB_GOOGLE_CLIENT_SECRET="GOCSPX-secret"
    ):
        yield


def _start(client: Client) -> dict[str, str]:
    return start_sign_in(client, "youtube", AUTHORIZE)


def test_the_sign_in_asks_for_offline_access_with_pkce(alice_client: Client) -> None:
    query = _start(alice_client)

    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"{settings.BASE_URL}{CALLBACK}"
    assert query["scope"].split() == [
        "https://www.googleapis.com/auth/youtube.upload",
        "https://www.googleapis.com/auth/youtube.force-ssl",
        "https://www.googleapis.com/auth/youtube.readonly",
    ]
    assert query["access_type"] == "offline"
    assert query["prompt"] == "consent"
    assert query["include_granted_scopes"] == "true"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43


def test_the_channel_is_connected_with_a_refresh_token(
    alice_client: Client, router: respx.MockRouter
) -> None:
    token = router.post(TOKEN_URL).respond(200, json=token_answer())
    mine = router.get(f"{API}/channels", params={"part": "snippet", "mine": "true"}).respond(
        200, json=channels(channel_resource())
    )
    query = _start(alice_client)

    response = alice_client.get(CALLBACK, {"code": "4/0AeanS0a", "state": query["state"]})

    assert response.status_code == 302 and response["Location"] == "/w/acme/channels/"
    sent = parse_qs(token.calls.last.request.content.decode())
    verifier = sent["code_verifier"][0]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == query["code_challenge"]
    assert sent["client_secret"] == ["GOCSPX-secret"] and sent["code"] == ["4/0AeanS0a"]
    assert mine.calls.last.request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    channel = Channel.objects.get(network="youtube")
    assert (channel.external_id, channel.handle, channel.name) == (
        CHANNEL_ID,
        "@googledevelopers",
        "Google for Developers",
    )
    assert channel.profile_url == "https://www.youtube.com/@googledevelopers"
    assert channel.avatar_url.startswith("https://yt3.ggpht.com/")
    assert channel.config == {
        "channel_id": CHANNEL_ID,
        "privacy_status": "public",
        "made_for_kids": False,
        "category_id": "22",
    }
    assert channel.credentials["refresh_token"] == REFRESH_TOKEN
    assert channel.token_expires_at == NOW + timedelta(seconds=3599)


def test_an_account_without_a_channel_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    router.post(TOKEN_URL).respond(200, json=token_answer())
    router.get(f"{API}/channels").respond(200, json=channels())
    query = _start(alice_client)

    response = alice_client.get(CALLBACK, {"code": "c", "state": query["state"]})

    assert response.status_code == 400
    assert "nothing Hubbub can post to" in response.content.decode()
    assert not Channel.objects.exists()


def test_a_cancelled_consent_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    query = _start(alice_client)

    response = alice_client.get(CALLBACK, {"error": "access_denied", "state": query["state"]})

    assert response.status_code == 400
    assert "was cancelled" in response.content.decode()
    assert not router.calls and not Channel.objects.exists()


def test_an_unknown_state_is_refused(alice_client: Client, router: respx.MockRouter) -> None:
    assert_unknown_state_refused(alice_client, "youtube", AUTHORIZE, router)


def test_a_refreshable_channel_is_not_warned_about_its_hour_long_token(
    alice_client: Client, router: respx.MockRouter
) -> None:
    router.post(TOKEN_URL).respond(200, json=token_answer())
    router.get(f"{API}/channels").respond(200, json=channels(channel_resource()))
    alice_client.get(CALLBACK, {"code": "c", "state": _start(alice_client)["state"]})

    channel = Channel.objects.get(network="youtube")

    assert expiry_warning(channel) is None
