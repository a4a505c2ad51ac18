"""/api/workspaces/{slug}/channels/mastodon/authorize and /token."""

from __future__ import annotations

import httpx
import respx
from django.test import Client

from hubbub.accounts.models import User
from hubbub.core.models import ApiToken, Workspace
from hubbub.networks.mastodon import oauth
from hubbub.networks.models import Channel
from tests.api.conftest import Api, session_api, token_api
from tests.networks.mastodon import bodies
from tests.networks.mastodon.conftest import form, query

BASE = "/workspaces/acme/channels/mastodon"
CALLBACK = "/channels/mastodon/callback/"


def test_authorize_returns_the_address_to_open(
    alice: User, acme: Workspace, server: respx.MockRouter
) -> None:
    response = token_api(alice, acme).post(f"{BASE}/authorize", {"instance_url": "social.example"})

    assert response.status_code == 200, response.content
    body = response.json()
    url = httpx.URL(body["authorize_url"])
    assert (url.host, url.path) == ("social.example", "/oauth/authorize")
    params = query(url)
    assert params["state"] == body["state"]
    assert params["client_id"] == bodies.CLIENT_ID
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert "verifier" not in body["state"]  # sealed: the verifier never travels in clear
    assert not Channel.objects.exists()


def test_an_api_started_connect_finishes_in_any_browser(
    alice: User, acme: Workspace, server: respx.MockRouter
) -> None:
    started = token_api(alice, acme).post(f"{BASE}/authorize", {"instance_url": "social.example"})
    state = started.json()["state"]
    challenge = query(started.json()["authorize_url"])["code_challenge"]

    # The account's owner opens the link; their browser has no Hubbub session.
    response = Client().get(CALLBACK, {"code": "the-code", "state": state})

    assert response.status_code == 200
    assert "@brand@social.example is connected to Hubbub" in response.content.decode()
    sent = form(server["token"].calls.last.request)
    assert oauth.challenge(sent["code_verifier"]) == challenge
    channel = Channel.objects.get()
    assert channel.workspace == acme
    assert channel.connected_by == alice
    assert channel.credentials["access_token"] == bodies.ACCESS_TOKEN


def test_a_revoked_api_token_ends_its_pending_connect(
    alice: User, acme: Workspace, server: respx.MockRouter
) -> None:
    api = token_api(alice, acme)
    state = api.post(f"{BASE}/authorize", {"instance_url": "social.example"}).json()["state"]
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")

    response = Client().get(CALLBACK, {"code": "the-code", "state": state})

    assert response.status_code == 400
    assert "no longer valid" in response.content.decode()
    assert not server["token"].called
    assert not Channel.objects.exists()


def test_a_tampered_state_is_refused(
    alice: User, acme: Workspace, server: respx.MockRouter
) -> None:
    state = (
        token_api(alice, acme)
        .post(f"{BASE}/authorize", {"instance_url": "social.example"})
        .json()["state"]
    )

    response = Client().get(CALLBACK, {"code": "the-code", "state": state[:-4] + "AAAA"})

    assert response.status_code == 400
    assert not server["token"].called


def test_authorize_explains_a_server_that_is_not_mastodon(
    alice: User, acme: Workspace, server: respx.MockRouter
) -> None:
    server["instance"].respond(404, html="Not Found")
    server["instance_v1"].respond(404, html="Not Found")

    response = token_api(alice, acme).post(f"{BASE}/authorize", {"instance_url": "social.example"})

    assert response.status_code == 400
    assert response.json()["field"] == "instance_url"
    assert response.json()["detail"].startswith(
        "social.example does not look like a Mastodon server (HTTP 404"
    )


def test_authorize_says_when_trying_later_can_help(
    alice: User, acme: Workspace, server: respx.MockRouter
) -> None:
    server["instance"].respond(503)

    response = token_api(alice, acme).post(f"{BASE}/authorize", {"instance_url": "social.example"})

    assert response.status_code == 502
    assert "try again in a few minutes" in response.json()["detail"]


def test_authorize_refuses_a_private_address(alice: User, acme: Workspace, fake_dns) -> None:
    fake_dns["intranet.example"] = ["127.0.0.1"]
    with respx.mock(assert_all_called=False) as mock:
        response = token_api(alice, acme).post(
            f"{BASE}/authorize", {"instance_url": "intranet.example"}
        )

    assert response.status_code == 400
    assert "private or local address (127.0.0.1)" in response.json()["detail"]
    assert not mock.calls


def test_authorize_needs_the_connect_permission(bob: User, acme: Workspace) -> None:
    response = token_api(bob, acme).post(f"{BASE}/authorize", {"instance_url": "social.example"})

    assert response.status_code == 403
    assert "channels.connect" in response.json()["detail"]


def test_authorize_works_with_the_browser_session(
    alice: User, acme: Workspace, server: respx.MockRouter
) -> None:
    api = session_api(alice)
    response = api.post(f"{BASE}/authorize", {"instance_url": "social.example"})
    state = response.json()["state"]

    done = api.client.get(CALLBACK, {"code": "the-code", "state": state})

    assert done.status_code == 200
    assert Channel.objects.filter(workspace=acme).count() == 1


def test_token_connects_the_account(alice: User, acme: Workspace, server: respx.MockRouter) -> None:
    response = token_api(alice, acme).post(
        f"{BASE}/token",
        {"instance_url": "@brand@social.example", "access_token": "pasted-token"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    channel = Channel.objects.get()
    assert body["id"] == channel.pk
    assert body["network"] == "mastodon"
    assert body["handle"] == "@brand@social.example"
    assert body["name"] == "Brand Official"
    assert body["avatar_url"] == bodies.ACCOUNT["avatar"]
    assert body["health"] == "ok"
    assert body["health_message"] == ""
    assert body["token_expires_at"] is None
    assert "pasted-token" not in response.content.decode()
    request = server["verify"].calls.last.request
    assert str(request.url) == "https://social.example/api/v1/accounts/verify_credentials"
    assert request.headers["authorization"] == "Bearer pasted-token"
    assert channel.credentials["access_token"] == "pasted-token"
    assert "pasted-token" not in channel.credentials_encrypted


def test_token_reports_a_refused_token(
    alice: User, acme: Workspace, server: respx.MockRouter
) -> None:
    server["verify"].respond(401, json=bodies.INVALID_TOKEN)

    response = token_api(alice, acme).post(
        f"{BASE}/token", {"instance_url": "social.example", "access_token": "wrong"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "social.example does not accept this access token (The access token is "
        "invalid): copy it again from Preferences → Development → your application.",
        "field": "access_token",
    }
    assert not Channel.objects.exists()


def test_token_reports_a_rate_limit_as_retryable(
    alice: User, acme: Workspace, server: respx.MockRouter
) -> None:
    server["verify"].respond(429, headers={"X-RateLimit-Reset": "2026-10-14T19:05:00Z"})

    response = token_api(alice, acme).post(
        f"{BASE}/token", {"instance_url": "social.example", "access_token": "ok"}
    )

    assert response.status_code == 502
    assert "rate limit" in response.json()["detail"]
    assert not Channel.objects.exists()


def test_token_reports_an_unreachable_server(
    alice: User, acme: Workspace, server: respx.MockRouter
) -> None:
    server["instance"].side_effect = httpx.ConnectError("Connection refused")

    response = token_api(alice, acme).post(
        f"{BASE}/token", {"instance_url": "social.example", "access_token": "ok"}
    )

    assert response.status_code == 400
    assert "social.example does not look like a Mastodon server" in response.json()["detail"]
    assert not server["verify"].called


def test_token_refuses_an_empty_token(alice: User, acme: Workspace) -> None:
    response = token_api(alice, acme).post(
        f"{BASE}/token", {"instance_url": "social.example", "access_token": "  "}
    )

    assert response.status_code == 400
    assert response.json()["field"] == "access_token"


def test_token_needs_the_connect_permission(bob: User, acme: Workspace) -> None:
    response = token_api(bob, acme).post(
        f"{BASE}/token", {"instance_url": "social.example", "access_token": "x"}
    )
    assert response.status_code == 403


def test_a_token_for_another_workspace_gets_a_404(
    alice: User, acme: Workspace, globex: Workspace, charlie: User
) -> None:
    api = token_api(charlie, globex)
    response = api.post(f"{BASE}/token", {"instance_url": "social.example", "access_token": "x"})
    assert response.status_code == 404


def test_it_needs_authentication(acme: Workspace) -> None:
    response = Api(Client()).post(
        f"{BASE}/token", {"instance_url": "social.example", "access_token": "x"}
    )
    assert response.status_code == 401
