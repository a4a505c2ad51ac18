"""Connecting Facebook Pages through the shared OAuth 2 pages (hubbub.networks.oauth2_views):
the sign-in sends the browser to Facebook's dialog with a state (no PKCE: a confidential
client); the callback's code is exchanged, the user token made long-lived, and /me/accounts
lists the Pages; those where the person can create content are offered on the selection
page, each connected with its own Page token, which never expires."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx
from django.conf import settings
from django.test import Client, override_settings

from hubbub.networks.facebook.graph import appsecret_proof
from hubbub.networks.models import Channel
from tests.networks.facebook.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    GRAPH,
    LONG_TOKEN,
    USER_TOKEN,
    error,
    form,
    listing,
    page,
    query,
)
from tests.networks.oauth_flow import assert_unknown_state_refused, start_sign_in

CONNECT = "/w/acme/channels/facebook/connect/"
CHOOSE = "/w/acme/channels/facebook/choose/"
CALLBACK = "/oauth/facebook/callback/"
AUTHORIZE = "https://www.facebook.com/v23.0/dialog/oauth"
TOKEN_URL = f"{GRAPH}/oauth/access_token"
ACCOUNTS = f"{GRAPH}/me/accounts"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def meta_app() -> Iterator[None]:
    with override_settings(
        HUBBUB_META_CLIENT_ID=CLIENT_ID, HUBBUB_META_CLIENT_SECRET=CLIENT_SECRET
    ):
        yield


def _start(client: Client) -> dict[str, str]:
    return start_sign_in(client, "facebook", AUTHORIZE)


def _sign_in(router: respx.MockRouter, accounts: list[httpx.Response]) -> dict[str, respx.Route]:
    """Facebook's answers: the code exchange (POST), the long-lived exchange (GET), then
    the pages of /me/accounts."""
    code = router.post(TOKEN_URL).respond(
        200, json={"access_token": USER_TOKEN, "token_type": "bearer", "expires_in": 5183}
    )
    long = router.get(TOKEN_URL).respond(
        200, json={"access_token": LONG_TOKEN, "token_type": "bearer", "expires_in": 5183944}
    )
    listed = router.get(ACCOUNTS).mock(side_effect=accounts)
    return {"code": code, "long": long, "accounts": listed}


def test_the_connect_page_offers_the_sign_in(alice_client: Client) -> None:
    response = alice_client.get(CONNECT)

    assert response.status_code == 200
    assert "Pages" in response.content.decode()


def test_unconfigured_the_page_names_the_settings_and_the_redirect_uri(
    alice_client: Client,
) -> None:
    with override_settings(HUBBUB_META_CLIENT_ID="", HUBBUB_META_CLIENT_SECRET=""):
        response = alice_client.get(CONNECT)

    assert response.status_code == 503
    text = response.content.decode()
    assert "HUBBUB_META_CLIENT_ID" in text and "HUBBUB_META_CLIENT_SECRET" in text
    assert f"{settings.BASE_URL}/oauth/facebook/callback/" in text


def test_the_sign_in_asks_for_the_page_permissions_without_pkce(alice_client: Client) -> None:
    sent = _start(alice_client)

    assert sent["client_id"] == CLIENT_ID
    assert sent["response_type"] == "code"
    assert sent["redirect_uri"] == f"{settings.BASE_URL}/oauth/facebook/callback/"
    assert sent["scope"].split(",") == [
        "pages_show_list",
        "pages_manage_posts",
        "pages_read_engagement",
        "pages_read_user_content",
        "pages_manage_engagement",
        "pages_messaging",
        "pages_manage_metadata",
        "read_insights",
        "business_management",
        "ads_read",
    ]
    assert len(sent["state"]) >= 32
    assert "code_challenge" not in sent


def test_pages_where_one_can_post_are_offered_then_connected(
    alice_client: Client, router: respx.MockRouter
) -> None:
    state = _start(alice_client)["state"]
    moderator_only = page("333", "Acme Fans", tasks=("ANALYZE", "MODERATE"))
    routes = _sign_in(
        router,
        [
            httpx.Response(200, json=listing([page("111", "Acme Coffee")], after="QVFIUpage2")),
            httpx.Response(200, json=listing([page("222", "Acme Tea"), moderator_only])),
        ],
    )

    response = alice_client.get(CALLBACK, {"code": "AQDcode", "state": state})

    assert response.status_code == 302 and response["Location"] == CHOOSE
    exchange = form(routes["code"].calls.last.request)
    assert exchange["code"] == ["AQDcode"] and exchange["client_secret"] == [CLIENT_SECRET]
    assert exchange["redirect_uri"] == [f"{settings.BASE_URL}/oauth/facebook/callback/"]
    assert "code_verifier" not in exchange
    assert query(routes["long"].calls.last.request) == {
        "grant_type": ["fb_exchange_token"],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
        "fb_exchange_token": [USER_TOKEN],
    }
    first, second = (query(call.request) for call in routes["accounts"].calls)
    # The Pages are read with the long-lived token, which makes their tokens permanent.
    assert first["access_token"] == [LONG_TOKEN]
    assert first["appsecret_proof"] == [appsecret_proof(LONG_TOKEN)]
    assert "tasks" in first["fields"][0] and "after" not in first
    assert second["after"] == ["QVFIUpage2"]

    offered = alice_client.get(CHOOSE).content.decode()
    assert "Acme Coffee" in offered and "Acme Tea" in offered
    assert "Acme Fans" not in offered  # no posting rights there

    done = alice_client.post(CHOOSE, {"account": ["111", "222"]})

    assert done.status_code == 302
    channels = {c.external_id: c for c in Channel.objects.filter(network="facebook")}
    assert set(channels) == {"111", "222"}
    coffee = channels["111"]
    assert coffee.name == "Acme Coffee" and coffee.config == {"page_id": "111"}
    assert coffee.credentials["access_token"] == "EAAGpage-token-111"
    # The long-lived user token, which reads ad accounts (ads.py), is kept beside it.
    assert coffee.credentials["ads_access_token"] == LONG_TOKEN
    assert coffee.token_expires_at is None  # a Page token from a long-lived token
    assert "EAAGpage-token-111" not in str(Channel.objects.values_list("credentials_encrypted"))


def test_a_single_page_is_connected_at_once(alice_client: Client, router: respx.MockRouter) -> None:
    state = _start(alice_client)["state"]
    _sign_in(router, [httpx.Response(200, json=listing([page()]))])

    response = alice_client.get(CALLBACK, {"code": "AQDcode", "state": state})

    assert response.status_code == 302 and response["Location"] == "/w/acme/channels/"
    assert Channel.objects.get(network="facebook").handle == "Acme Coffee"


def test_no_page_to_post_to_says_so(alice_client: Client, router: respx.MockRouter) -> None:
    state = _start(alice_client)["state"]
    analyst = page("444", "Acme Stats", tasks=("ANALYZE",))
    _sign_in(router, [httpx.Response(200, json=listing([analyst]))])

    response = alice_client.get(CALLBACK, {"code": "AQDcode", "state": state})

    assert response.status_code == 400
    assert "You manage no Facebook Page where you can create content" in response.content.decode()
    assert not Channel.objects.exists()


def test_a_refused_code_connects_nothing(alice_client: Client, router: respx.MockRouter) -> None:
    state = _start(alice_client)["state"]
    router.post(TOKEN_URL).respond(
        400, json=error("This authorization code has been used.", 100, 36009, kind="OAuthException")
    )

    response = alice_client.get(CALLBACK, {"code": "AQDused", "state": state})

    assert response.status_code == 400
    assert "This authorization code has been used." in response.content.decode()
    assert not Channel.objects.exists()


def test_a_cancelled_sign_in_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    state = _start(alice_client)["state"]

    response = alice_client.get(
        CALLBACK,
        {
            "error": "access_denied",
            "error_reason": "user_denied",
            "error_description": "Permissions error",
            "state": state,
        },
    )

    assert response.status_code == 400
    assert "cancelled" in response.content.decode()
    assert not router.calls and not Channel.objects.exists()


def test_an_unknown_state_is_refused(alice_client: Client, router: respx.MockRouter) -> None:
    assert_unknown_state_refused(alice_client, "facebook", AUTHORIZE, router)
