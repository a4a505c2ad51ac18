"""Connecting a TikTok account through the shared OAuth 2 pages (Login Kit for Web): the
sign-in asks for the client key and comma-separated scopes without PKCE; the code is
exchanged with client_key and client_secret in the form; the user info and the creator
info name the account, which becomes the channel; then the account holder chooses the
posting settings TikTok asks them to choose."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import respx
import time_machine
from django.conf import settings
from django.test import Client, override_settings

from hubbub.core.models import Workspace
from hubbub.networks.actions import expiry_warning
from hubbub.networks.models import Channel
from tests.networks.oauth_flow import assert_unknown_state_refused, start_sign_in
from tests.networks.tiktok.conftest import (
    ACCESS_TOKEN,
    CLIENT_KEY,
    CLIENT_SECRET,
    CREATOR_INFO,
    NOW,
    OPEN_ID,
    REFRESH_TOKEN,
    TOKEN_URL,
    USER_INFO,
    USERNAME,
    creator_info,
    error,
    make_channel,
    token_answer,
    user_info,
)

CONNECT = "/w/acme/channels/tiktok/connect/"
CALLBACK = "/oauth/tiktok/callback/"
AUTHORIZE = "https://www.tiktok.com/v2/auth/authorize/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def configured(tiktok_dns: None) -> Iterator[None]:
    with (
        override_settings(
            HUBBUB_TIKTOK_CLIENT_ID=CLIENT_KEY, HUBBUB_TIKTOK_CLIENT_SECRET=CLIENT_SECRET
        ),
        time_machine.travel(NOW, tick=False),
    ):
        yield


def _start(client: Client) -> dict[str, str]:
    return start_sign_in(client, "tiktok", AUTHORIZE)


def _answer_sign_in(router: respx.MockRouter, scope: str | None = None) -> respx.Route:
    token = router.post(TOKEN_URL).respond(
        200, json=token_answer(**({"scope": scope} if scope is not None else {}))
    )
    router.get(USER_INFO).respond(200, json=user_info())
    router.post(CREATOR_INFO).respond(200, json=creator_info())
    return token


def test_the_sign_in_asks_for_the_client_key_and_comma_separated_scopes(
    alice_client: Client,
) -> None:
    query = _start(alice_client)

    assert query["client_key"] == CLIENT_KEY and "client_id" not in query
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == f"{settings.BASE_URL}{CALLBACK}"
    assert query["scope"] == "user.info.basic,video.publish,video.list"
    assert len(query["state"]) >= 32
    # Login Kit for Web takes no PKCE (code_verifier is "for mobile and desktop app only").
    assert "code_challenge" not in query and "code_challenge_method" not in query


def test_the_account_is_connected_with_its_creator_info(
    alice_client: Client, router: respx.MockRouter
) -> None:
    token = _answer_sign_in(router)
    query = _start(alice_client)

    response = alice_client.get(CALLBACK, {"code": "CODE", "state": query["state"]})

    assert response.status_code == 302 and response["Location"] == "/w/acme/channels/"
    sent = parse_qs(token.calls.last.request.content.decode())
    assert sent == {
        "client_key": [CLIENT_KEY],
        "client_secret": [CLIENT_SECRET],
        "code": ["CODE"],
        "grant_type": ["authorization_code"],
        "redirect_uri": [f"{settings.BASE_URL}{CALLBACK}"],
    }
    info = router.routes[1].calls.last.request
    assert info.url.params["fields"] == "open_id,union_id,avatar_url,display_name"
    assert info.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    channel = Channel.objects.get(network="tiktok")
    assert (channel.external_id, channel.handle, channel.name) == (
        OPEN_ID,
        f"@{USERNAME}",
        "TikTok Official",
    )
    assert channel.profile_url == f"https://www.tiktok.com/@{USERNAME}"
    assert channel.config == {
        "open_id": OPEN_ID,
        "username": USERNAME,
        "privacy_level": "",  # nothing preselected: the account holder chooses
        "allow_comment": False,
        "allow_duet": False,
        "allow_stitch": False,
        "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
        "max_video_seconds": 300,
    }
    stored = channel.credentials
    assert stored["refresh_token"] == REFRESH_TOKEN and stored["open_id"] == OPEN_ID
    assert stored["refresh_expires_at"] == (NOW + timedelta(days=365)).isoformat()
    assert channel.token_expires_at == NOW + timedelta(hours=24)
    assert ACCESS_TOKEN not in channel.credentials_encrypted
    # The day-long access token is refreshed on its own: no warning for a year.
    assert expiry_warning(channel) is None


def test_a_sign_in_without_the_posting_permission_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    _answer_sign_in(router, scope="user.info.basic,video.list")
    query = _start(alice_client)

    response = alice_client.get(CALLBACK, {"code": "CODE", "state": query["state"]})

    assert response.status_code == 400
    assert "allow every permission" in response.content.decode()
    assert len(router.calls) == 1  # the token exchange only
    assert not Channel.objects.exists()


def test_a_refused_creator_info_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    router.post(TOKEN_URL).respond(200, json=token_answer())
    router.get(USER_INFO).respond(200, json=user_info())
    router.post(CREATOR_INFO).respond(
        401, json=error("scope_not_authorized", "The user did not authorize the scope.")
    )
    query = _start(alice_client)

    response = alice_client.get(CALLBACK, {"code": "CODE", "state": query["state"]})

    assert response.status_code == 400
    assert "video.publish" in response.content.decode()
    assert not Channel.objects.exists()


def test_a_cancelled_sign_in_connects_nothing(
    alice_client: Client, router: respx.MockRouter
) -> None:
    query = _start(alice_client)

    response = alice_client.get(
        CALLBACK,
        {"error": "access_denied", "error_description": "User cancelled", "state": query["state"]},
    )

    assert response.status_code == 400
    assert "was cancelled" in response.content.decode()
    assert not router.calls and not Channel.objects.exists()


def test_an_unknown_state_is_refused(alice_client: Client, router: respx.MockRouter) -> None:
    assert_unknown_state_refused(alice_client, "tiktok", AUTHORIZE, router)


def test_an_unconfigured_server_names_the_settings(alice_client: Client) -> None:
    with override_settings(HUBBUB_TIKTOK_CLIENT_ID="", HUBBUB_TIKTOK_CLIENT_SECRET=""):
        response = alice_client.get(CONNECT)

    assert response.status_code == 503
    body = response.content.decode()
    assert "HUBBUB_TIKTOK_CLIENT_ID" in body and f"{settings.BASE_URL}{CALLBACK}" in body


# --- the posting settings ---------------------------------------------------------------


def test_the_connect_page_lists_accounts_still_to_set_up(
    alice_client: Client, acme: Workspace
) -> None:
    channel = make_channel(acme, privacy_level="")

    body = alice_client.get(CONNECT).content.decode()

    assert f"/w/acme/channels/tiktok/{channel.pk}/settings/" in body
    assert "to choose before posting" in body


def test_the_settings_show_the_account_options_without_a_preselected_privacy(
    alice_client: Client, acme: Workspace, router: respx.MockRouter
) -> None:
    channel = make_channel(acme, privacy_level="")
    router.post(CREATOR_INFO).respond(200, json=creator_info())

    response = alice_client.get(f"/w/acme/channels/tiktok/{channel.pk}/settings/")

    assert response.status_code == 200
    form = response.context["form"]
    assert [value for value, _label in form.fields["privacy_level"].choices] == [
        "",
        "PUBLIC_TO_EVERYONE",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert form.initial["privacy_level"] == ""
    assert form.fields["allow_stitch"].disabled  # stitch_disabled: the account turned it off
    assert not form.fields["allow_comment"].disabled
    assert "TikTok Official (@tiktok)" in response.content.decode()
    assert "up to 300 seconds" in response.content.decode()


def test_saving_the_settings_needs_consent_and_keeps_what_the_account_turned_off(
    alice_client: Client, acme: Workspace, router: respx.MockRouter
) -> None:
    channel = make_channel(acme, privacy_level="")
    router.post(CREATOR_INFO).respond(200, json=creator_info(max_video_post_duration_sec=600))
    url = f"/w/acme/channels/tiktok/{channel.pk}/settings/"
    chosen = {"privacy_level": "SELF_ONLY", "allow_comment": "on", "allow_stitch": "on"}

    refused = alice_client.post(url, chosen)
    saved = alice_client.post(url, {**chosen, "consent": "on"})

    assert refused.status_code == 200 and refused.context["form"].errors["consent"]
    assert saved.status_code == 302 and saved["Location"] == CONNECT
    channel.refresh_from_db()
    assert channel.config["privacy_level"] == "SELF_ONLY"
    assert channel.config["allow_comment"] is True
    assert channel.config["allow_stitch"] is False  # stitch_disabled on the account
    assert channel.config["max_video_seconds"] == 600
    from hubbub.core.models import AuditEntry

    entry = AuditEntry.objects.get(action="channel.options")
    assert entry.before["privacy_level"] == "" and entry.after["privacy_level"] == "SELF_ONLY"
    assert entry.actor_id == channel.workspace.memberships.get(role="owner").user_id
    page = alice_client.get("/w/acme/channels/").content.decode()
    assert f'href="{url}" data-testid="channel-page"' in page


def test_a_privacy_level_the_account_does_not_offer_is_refused(
    alice_client: Client, acme: Workspace, router: respx.MockRouter
) -> None:
    channel = make_channel(acme, privacy_level="")
    router.post(CREATOR_INFO).respond(200, json=creator_info())

    response = alice_client.post(
        f"/w/acme/channels/tiktok/{channel.pk}/settings/",
        {"privacy_level": "FOLLOWER_OF_CREATOR", "consent": "on"},
    )

    assert response.status_code == 200 and response.context["form"].errors["privacy_level"]
    channel.refresh_from_db()
    assert channel.config["privacy_level"] == ""


def test_the_settings_say_why_when_tiktok_gives_no_options(
    alice_client: Client, acme: Workspace, router: respx.MockRouter
) -> None:
    channel = make_channel(acme)
    router.post(CREATOR_INFO).respond(
        400, json=error("spam_risk_user_banned_from_posting", "The user is banned from posting.")
    )

    response = alice_client.get(f"/w/acme/channels/tiktok/{channel.pk}/settings/")

    assert response.status_code == 502
    assert "does not let this account post" in response.content.decode()
