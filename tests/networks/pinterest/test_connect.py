"""Connecting Pinterest boards through the shared OAuth 2 pages: the sign-in goes to
pinterest.com/oauth/ with comma-separated scopes and a state; the code is exchanged with
the app's Basic auth; the account's boards (paged with a bookmark) are offered on the
selection page, and each ticked board becomes a channel."""

from __future__ import annotations

from datetime import timedelta

import pytest
import respx
from django.conf import settings
from django.test import Client

from hubbub.networks.models import Channel
from hubbub.networks.pinterest.oauth import API
from tests.networks.oauth_flow import assert_unknown_state_refused, start_sign_in
from tests.networks.pinterest.conftest import (
    ACCESS,
    BOARD_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    NOW,
    REFRESH,
    SCOPE,
    TOKEN_URL,
    USER,
    USERNAME,
    basic,
    board,
    error,
    form,
    query,
    token_answer,
)

CONNECT = "/w/acme/channels/pinterest/connect/"
CHOOSE = "/w/acme/channels/pinterest/choose/"
CALLBACK = "/oauth/pinterest/callback/"
AUTHORIZE = "https://www.pinterest.com/oauth/"
pytestmark = pytest.mark.django_db


def _start(client: Client) -> dict[str, str]:
    return start_sign_in(client, "pinterest", AUTHORIZE)


def test_the_sign_in_carries_comma_separated_scopes_and_a_state(alice_client: Client) -> None:
    sent = _start(alice_client)

    assert sent["client_id"] == CLIENT_ID
    assert sent["response_type"] == "code"
    assert sent["redirect_uri"] == f"{settings.BASE_URL}/oauth/pinterest/callback/"
    assert sent["scope"] == "boards:read,pins:read,pins:write,user_accounts:read"
    assert len(sent["state"]) >= 32 and "code_challenge" not in sent


def test_each_board_is_offered_and_the_ticked_ones_connected(
    alice_client: Client, router: respx.MockRouter
) -> None:
    state = _start(alice_client)["state"]
    token = router.post(TOKEN_URL).respond(200, json=token_answer())
    router.get(f"{API}/user_account").respond(200, json=USER)
    boards = router.get(f"{API}/boards").mock(
        side_effect=[
            respx.MockResponse(
                200, json={"items": [board(), board("549755885176", "Beans")], "bookmark": "Yz"}
            ),
            respx.MockResponse(
                200, json={"items": [board("549755885177", "Shop")], "bookmark": None}
            ),
        ]
    )

    response = alice_client.get(CALLBACK, {"code": "c0de", "state": state})

    assert response.status_code == 302 and response["Location"] == CHOOSE
    sent = token.calls.last.request
    assert sent.headers["authorization"] == basic()  # confidential client: Basic auth
    assert form(sent) == {
        "grant_type": ["authorization_code"],
        "code": ["c0de"],
        "redirect_uri": [f"{settings.BASE_URL}/oauth/pinterest/callback/"],
    }
    assert CLIENT_SECRET not in sent.content.decode()
    assert query(boards.calls[1].request) == {"page_size": ["100"], "bookmark": ["Yz"]}
    offered = alice_client.get(CHOOSE).content.decode()
    assert "Latte art" in offered and "Beans" in offered and "Shop" in offered

    alice_client.post(CHOOSE, {"account": [f"{USERNAME}/{BOARD_ID}", f"{USERNAME}/549755885177"]})

    channels = Channel.objects.filter(network="pinterest").order_by("external_id")
    assert [(c.external_id, c.name, c.handle) for c in channels] == [
        (f"{USERNAME}/{BOARD_ID}", "Latte art", f"@{USERNAME}"),
        (f"{USERNAME}/549755885177", "Shop", f"@{USERNAME}"),
    ]
    first = channels[0]
    assert first.config == {"board_id": BOARD_ID, "board_name": "Latte art", "username": USERNAME}
    assert first.credentials == {
        "access_token": ACCESS,
        "refresh_token": REFRESH,
        "scope": SCOPE,
        "refresh_expires_at": (NOW + timedelta(days=365)).isoformat(),
    }
    assert ACCESS not in first.credentials_encrypted
    assert first.token_expires_at == NOW + timedelta(days=30)
    assert first.profile_url == f"https://www.pinterest.com/{USERNAME}/"
    assert first.avatar_url == USER["profile_image"]


def test_a_single_board_is_connected_at_once(
    alice_client: Client, router: respx.MockRouter
) -> None:
    state = _start(alice_client)["state"]
    router.post(TOKEN_URL).respond(200, json=token_answer())
    router.get(f"{API}/user_account").respond(200, json=USER)
    router.get(f"{API}/boards").respond(200, json={"items": [board()], "bookmark": None})

    response = alice_client.get(CALLBACK, {"code": "c0de", "state": state})

    assert response.status_code == 302 and response["Location"] == "/w/acme/channels/"
    assert Channel.objects.get(network="pinterest").external_id == f"{USERNAME}/{BOARD_ID}"


def test_an_account_without_boards_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    state = _start(alice_client)["state"]
    router.post(TOKEN_URL).respond(200, json=token_answer())
    router.get(f"{API}/user_account").respond(200, json=USER)
    router.get(f"{API}/boards").respond(200, json={"items": [], "bookmark": None})

    response = alice_client.get(CALLBACK, {"code": "c0de", "state": state})

    assert response.status_code == 400
    assert "nothing Hubbub can post to" in response.content.decode()
    assert not Channel.objects.exists()


def test_a_cancelled_sign_in_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    state = _start(alice_client)["state"]

    response = alice_client.get(CALLBACK, {"state": state, "error": "access_denied"})

    assert response.status_code == 400 and "cancelled" in response.content.decode()
    assert not router.calls and not Channel.objects.exists()


def test_an_unknown_state_is_refused_without_calling_pinterest(
    alice_client: Client, router: respx.MockRouter
) -> None:
    assert_unknown_state_refused(alice_client, "pinterest", AUTHORIZE, router)


def test_a_refused_code_is_reported(alice_client: Client, router: respx.MockRouter) -> None:
    state = _start(alice_client)["state"]
    router.post(TOKEN_URL).respond(400, json=error(1, "Invalid authorization code."))

    response = alice_client.get(CALLBACK, {"code": "stale", "state": state})

    assert response.status_code == 400
    assert "Invalid authorization code." in response.content.decode()
    assert not Channel.objects.exists()
