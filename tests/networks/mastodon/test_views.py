"""The connect page and the callback, end to end through the Django test client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
import time_machine
from django.db import connection
from django.test import Client

from hubbub.accounts.models import User
from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.networks.mastodon import oauth
from hubbub.networks.mastodon.connect import SESSION_KEY
from hubbub.networks.models import Channel
from tests.conftest import signed_in
from tests.networks.mastodon import bodies
from tests.networks.mastodon.conftest import form, query

CONNECT = "/w/acme/channels/mastodon/connect/"
CALLBACK = "/channels/mastodon/callback/"
CHANNELS = "/w/acme/channels/"
NOW = datetime(2026, 10, 14, 19, 0, tzinfo=UTC)


def start(client: Client, typed: str = "@brand@social.example") -> httpx.URL:
    response = client.post(CONNECT, {"method": "oauth", "oauth-instance_url": typed})
    assert response.status_code == 302, response.content.decode()[:2000]
    return httpx.URL(response["Location"])


def come_back(client: Client, **params: str):
    return client.get(CALLBACK, params)


def test_the_page_offers_both_ways(alice_client: Client) -> None:
    response = alice_client.get(CONNECT)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="mastodon-oauth"' in page
    assert 'data-testid="mastodon-token"' in page
    assert "Preferences → Development" in page
    assert 'name="token-access_token"' in page
    assert 'type="password"' in page


def test_an_editor_cannot_connect(acme: Workspace, bob: User) -> None:
    assert signed_in(bob).get(CONNECT).status_code == 403


def test_a_stranger_gets_a_404(acme: Workspace, globex: Workspace, charlie: User) -> None:
    assert signed_in(charlie).get(CONNECT).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_it_sends_the_person_to_their_server(
    alice_client: Client, server: respx.MockRouter
) -> None:
    url = start(alice_client)

    assert (url.scheme, url.host, url.path) == ("https", "social.example", "/oauth/authorize")
    params = query(url)
    pending = alice_client.session[SESSION_KEY][params["state"]]
    assert params["client_id"] == bodies.CLIENT_ID
    assert params["redirect_uri"] == "http://127.0.0.1:8000/channels/mastodon/callback/"
    assert params["response_type"] == "code"
    assert params["code_challenge"] == oauth.challenge(pending["verifier"])
    assert params["code_challenge_method"] == "S256"
    assert pending["slug"] == "acme"
    assert pending["server"] == "https://social.example"
    assert pending["expires"] == (NOW + timedelta(minutes=30)).timestamp()
    assert server["instance"].called  # it checked this is Mastodon before registering
    assert not Channel.objects.exists()


def test_the_whole_flow_connects_the_account(
    alice_client: Client, alice: User, server: respx.MockRouter
) -> None:
    state = query(start(alice_client))["state"]
    verifier = alice_client.session[SESSION_KEY][state]["verifier"]

    response = come_back(alice_client, code="the-code", state=state)

    assert response.status_code == 302
    assert response["Location"] == CHANNELS
    assert form(server["token"].calls.last.request)["code"] == "the-code"
    assert form(server["token"].calls.last.request)["code_verifier"] == verifier
    verify = server["verify"].calls.last.request
    assert verify.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
    channel = Channel.objects.get()
    assert channel.network == "mastodon"
    assert channel.external_id == "117440810532227399@social.example"
    assert channel.handle == "@brand@social.example"
    assert channel.name == "Brand Official"
    assert channel.avatar_url == bodies.ACCOUNT["avatar"]
    assert channel.profile_url == "https://social.example/@brand"
    assert channel.connected_by == alice
    assert channel.credentials == {
        "access_token": bodies.ACCESS_TOKEN,
        "scope": bodies.TOKEN["scope"],
    }
    assert bodies.ACCESS_TOKEN not in channel.credentials_encrypted
    assert channel.config["server"] == "https://social.example"
    assert channel.config["max_characters"] == 500
    assert channel.config["account_id"] == "117440810532227399"
    assert channel.token_expires_at is None
    assert AuditEntry.objects.filter(action="channel.connect").count() == 1
    page = alice_client.get(CHANNELS).content.decode()
    assert "@brand@social.example is connected." in page
    assert state not in alice_client.session[SESSION_KEY]  # a state works once


def test_the_token_is_not_in_the_database_in_clear(
    alice_client: Client, server: respx.MockRouter
) -> None:
    state = query(start(alice_client))["state"]
    come_back(alice_client, code="the-code", state=state)

    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_encrypted FROM networks_channel")
        (stored,) = cursor.fetchone()
    assert stored
    assert bodies.ACCESS_TOKEN not in stored


def test_a_state_is_used_once(alice_client: Client, server: respx.MockRouter) -> None:
    state = query(start(alice_client))["state"]
    come_back(alice_client, code="the-code", state=state)

    response = come_back(alice_client, code="the-code", state=state)

    assert response.status_code == 400
    assert "unknown" in response.content.decode()
    assert server["token"].call_count == 1


def test_an_unknown_state_is_refused(alice_client: Client, server: respx.MockRouter) -> None:
    start(alice_client)

    response = come_back(alice_client, code="the-code", state="forged")

    assert response.status_code == 400
    assert "This sign-in attempt is unknown" in response.content.decode()
    assert not server["token"].called
    assert not Channel.objects.exists()


def test_a_state_from_another_browser_is_refused(
    alice: User, alice_client: Client, server: respx.MockRouter
) -> None:
    state = query(start(alice_client))["state"]

    response = come_back(signed_in(alice), code="the-code", state=state)

    assert response.status_code == 400
    assert not Channel.objects.exists()


def test_an_expired_state_is_refused(alice_client: Client, server: respx.MockRouter) -> None:
    with time_machine.travel(NOW, tick=False):
        state = query(start(alice_client))["state"]
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        response = come_back(alice_client, code="the-code", state=state)

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not server["token"].called
    assert not Channel.objects.exists()


def test_it_handles_access_denied(alice_client: Client, server: respx.MockRouter) -> None:
    state = query(start(alice_client))["state"]

    response = come_back(
        alice_client,
        state=state,
        error="access_denied",
        error_description="The resource owner or authorization server denied the request.",
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "You cancelled on social.example: nothing was connected." in page
    assert 'href="/w/acme/channels/mastodon/connect/"' in page  # try again
    assert not server["token"].called
    assert not Channel.objects.exists()


def test_it_reports_another_refusal(alice_client: Client, server: respx.MockRouter) -> None:
    state = query(start(alice_client))["state"]

    response = come_back(
        alice_client,
        state=state,
        error="invalid_scope",
        error_description="The requested scope is invalid.",
    )

    assert "social.example refused the sign-in (The requested scope is invalid.)" in (
        response.content.decode()
    )


def test_nothing_is_saved_when_the_code_is_refused(
    alice_client: Client, server: respx.MockRouter
) -> None:
    server["token"].respond(400, json=bodies.INVALID_GRANT)
    state = query(start(alice_client))["state"]

    response = come_back(alice_client, code="old-code", state=state)

    assert response.status_code == 400
    assert "invalid_grant" in response.content.decode()
    assert not server["verify"].called
    assert not Channel.objects.exists()


def test_a_forgotten_registration_is_made_again_next_time(
    alice_client: Client, server: respx.MockRouter
) -> None:
    server["token"].respond(401, json=bodies.INVALID_CLIENT)
    state = query(start(alice_client))["state"]

    come_back(alice_client, code="the-code", state=state)
    start(alice_client)

    assert server["apps"].call_count == 2
    assert not Channel.objects.exists()


def test_nothing_is_saved_when_verify_credentials_fails(
    alice_client: Client, server: respx.MockRouter
) -> None:
    server["verify"].respond(401, json=bodies.INVALID_TOKEN)
    state = query(start(alice_client))["state"]

    response = come_back(alice_client, code="the-code", state=state)

    assert response.status_code == 400
    assert "The access token is invalid" in response.content.decode()
    assert not Channel.objects.exists()


def test_nothing_is_saved_when_the_server_goes_down(
    alice_client: Client, server: respx.MockRouter
) -> None:
    state = query(start(alice_client))["state"]
    server["verify"].side_effect = httpx.ReadTimeout("timed out")

    response = come_back(alice_client, code="the-code", state=state)

    assert response.status_code == 400
    assert "did not answer" in response.content.decode()
    assert not Channel.objects.exists()


def test_the_role_is_checked_again_in_the_callback(
    acme: Workspace, alice: User, alice_client: Client, server: respx.MockRouter
) -> None:
    state = query(start(alice_client))["state"]
    Membership.objects.filter(workspace=acme, user=alice).update(role=Role.EDITOR)

    response = come_back(alice_client, code="the-code", state=state)

    assert response.status_code == 400
    assert "does not allow channels.connect" in response.content.decode()
    assert not server["token"].called
    assert not Channel.objects.exists()


def test_a_non_mastodon_server_is_refused_on_the_page(
    alice_client: Client, server: respx.MockRouter
) -> None:
    server["instance"].respond(200, html=bodies.HTML_PAGE)
    server["instance_v1"].respond(200, html=bodies.HTML_PAGE)

    response = alice_client.post(
        CONNECT, {"method": "oauth", "oauth-instance_url": "social.example"}
    )

    assert response.status_code == 200
    assert "social.example does not look like a Mastodon server" in response.content.decode()
    assert not server["apps"].called


def test_a_private_address_is_refused_on_the_page(alice_client: Client, fake_dns) -> None:
    fake_dns["intranet.example"] = ["192.168.1.20"]
    with respx.mock(assert_all_called=False) as mock:
        response = alice_client.post(
            CONNECT, {"method": "oauth", "oauth-instance_url": "intranet.example"}
        )

    assert not mock.calls
    assert "private or local address (192.168.1.20)" in response.content.decode()


def test_a_bad_address_is_shown_next_to_its_field(alice_client: Client) -> None:
    response = alice_client.post(CONNECT, {"method": "oauth", "oauth-instance_url": "not a host"})

    assert response.status_code == 200
    assert response.context["sign_in"].errors["instance_url"]


def test_pasting_a_token_connects_the_account(
    alice_client: Client, server: respx.MockRouter
) -> None:
    response = alice_client.post(
        CONNECT,
        {
            "method": "token",
            "token-instance_url": "https://social.example/",
            "token-access_token": " pasted-token ",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == CHANNELS
    verify = server["verify"].calls.last.request
    assert verify.headers["authorization"] == "Bearer pasted-token"
    assert server["instance"].calls.last.request.headers["authorization"] == "Bearer pasted-token"
    assert not server["apps"].called
    channel = Channel.objects.get()
    assert channel.credentials == {"access_token": "pasted-token", "scope": ""}
    assert channel.handle == "@brand@social.example"


def test_a_refused_token_is_shown_next_to_its_field(
    alice_client: Client, server: respx.MockRouter
) -> None:
    server["verify"].respond(401, json=bodies.INVALID_TOKEN)

    response = alice_client.post(
        CONNECT,
        {
            "method": "token",
            "token-instance_url": "social.example",
            "token-access_token": "wrong",
        },
    )

    assert response.status_code == 200
    errors = response.context["token"].errors["access_token"]
    assert (
        "social.example does not accept this access token (The access token is invalid)"
        in (errors[0])
    )
    assert 'value="wrong"' not in response.content.decode()  # never echoed back
    assert not Channel.objects.exists()


def test_reconnecting_updates_the_same_channel(
    alice_client: Client, server: respx.MockRouter
) -> None:
    for token in ("first", "second"):
        alice_client.post(
            CONNECT,
            {
                "method": "token",
                "token-instance_url": "social.example",
                "token-access_token": token,
            },
        )

    channel = Channel.objects.get()
    assert channel.credentials["access_token"] == "second"
    assert AuditEntry.objects.filter(action="channel.reconnect").count() == 1


@pytest.mark.parametrize("method", ["oauth", "token"])
def test_an_editor_cannot_post_either(acme: Workspace, bob: User, method: str) -> None:
    response = signed_in(bob).post(CONNECT, {"method": method})
    assert response.status_code == 403
