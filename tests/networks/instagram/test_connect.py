"""Connecting Instagram professional accounts through the shared OAuth 2 pages: the same
Facebook dialog with the Instagram permissions; each Page with a linked Instagram account
(and content rights) becomes a choice, connected with that Page's token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx
from django.test import Client, override_settings

from hubbub.networks.models import Channel
from tests.networks.facebook.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    GRAPH,
    LONG_TOKEN,
    USER_TOKEN,
    listing,
    page,
    query,
)
from tests.networks.oauth_flow import start_sign_in

CONNECT = "/w/acme/channels/instagram/connect/"
CHOOSE = "/w/acme/channels/instagram/choose/"
CALLBACK = "/oauth/instagram/callback/"
TOKEN_URL = f"{GRAPH}/oauth/access_token"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def meta_app() -> Iterator[None]:
    with override_settings(
        HUBBUB_META_CLIENT_ID=CLIENT_ID, HUBBUB_META_CLIENT_SECRET=CLIENT_SECRET
    ):
        yield


def linked(ig_id: str, username: str) -> dict[str, str]:
    return {
        "id": ig_id,
        "username": username,
        "name": username.title(),
        "profile_picture_url": f"https://scontent.cdninstagram.com/{username}.jpg",
    }


def _start(client: Client) -> str:
    sent = start_sign_in(client, "instagram", "https://www.facebook.com/v23.0/dialog/oauth")
    assert sent["scope"].split(",") == [
        "instagram_basic",
        "instagram_content_publish",
        "instagram_manage_comments",
        "instagram_manage_insights",
        "pages_show_list",
        "pages_read_engagement",
        "business_management",
        "pages_manage_metadata",
    ]
    return sent["state"]


def test_each_linked_account_is_offered_and_connected_with_its_pages_token(
    alice_client: Client, router: respx.MockRouter
) -> None:
    state = _start(alice_client)
    router.post(TOKEN_URL).respond(200, json={"access_token": USER_TOKEN, "expires_in": 5183})
    router.get(TOKEN_URL).respond(200, json={"access_token": LONG_TOKEN, "expires_in": 5183944})
    accounts = router.get(f"{GRAPH}/me/accounts").respond(
        200,
        json=listing(
            [
                page(
                    "111", "Acme Coffee", instagram_business_account=linked("1784111", "acmecoffee")
                ),
                page("222", "Acme Tea", instagram_business_account=linked("1784222", "acmetea")),
                page("333", "Acme Blog"),  # no Instagram account linked
                page(
                    "444",
                    "Acme Stats",
                    tasks=("ANALYZE",),
                    instagram_business_account=linked("1784444", "acmestats"),
                ),
            ]
        ),
    )

    response = alice_client.get(CALLBACK, {"code": "AQDcode", "state": state})

    assert response.status_code == 302 and response["Location"] == CHOOSE
    sent = query(accounts.calls.last.request)
    assert sent["access_token"] == [LONG_TOKEN]
    assert "instagram_business_account{id,username,name,profile_picture_url}" in sent["fields"][0]
    offered = alice_client.get(CHOOSE).content.decode()
    assert "@acmecoffee" in offered and "@acmetea" in offered
    assert "acmestats" not in offered and "Acme Blog" not in offered

    alice_client.post(CHOOSE, {"account": ["1784111"]})

    channel = Channel.objects.get(network="instagram")
    assert (channel.external_id, channel.handle) == ("1784111", "@acmecoffee")
    assert channel.config == {"ig_user_id": "1784111", "page_id": "111", "username": "acmecoffee"}
    assert channel.credentials["access_token"] == "EAAGpage-token-111"
    assert channel.token_expires_at is None


def test_no_linked_account_connects_nothing(alice_client: Client, router: respx.MockRouter) -> None:
    state = _start(alice_client)
    router.post(TOKEN_URL).respond(200, json={"access_token": USER_TOKEN, "expires_in": 5183})
    router.get(TOKEN_URL).respond(200, json={"access_token": LONG_TOKEN, "expires_in": 5183944})
    router.get(f"{GRAPH}/me/accounts").mock(
        return_value=httpx.Response(200, json=listing([page("333", "Acme Blog")]))
    )

    response = alice_client.get(CALLBACK, {"code": "AQDcode", "state": state})

    assert response.status_code == 400
    assert "has an Instagram professional account linked to it" in response.content.decode()
    assert not Channel.objects.exists()
