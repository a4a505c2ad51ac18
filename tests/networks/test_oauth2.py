"""The shared OAuth 2 protocol (hubbub.networks.oauth2): the authorize URL with PKCE, the
code exchange and refresh as RFC 6749 and RFC 7636 describe them, and what the token
endpoint's errors mean. The web flow (start, callback, choose) is tested through each
network that uses it (tests/networks/x, facebook, linkedin...)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import respx
import time_machine
from django.test import override_settings

from hubbub.core.models import Workspace
from hubbub.networks import oauth2
from hubbub.networks.base import AuthError, PermanentError, RateLimited
from tests.conftest import PUBLIC_TEST_ADDRESS

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
TOKEN_URL = "https://api.example-network.com/oauth2/token"


@dataclass(frozen=True)
class FixedRedirect(oauth2.Provider):
    def redirect_uri(self) -> str:
        return "https://hubbub.example.com/oauth/example/callback/"


def provider(**overrides: object) -> oauth2.Provider:
    fields: dict[str, object] = {
        "network": "example",
        "label": "Example",
        "app": "X",
        "authorize_url": "https://example-network.com/i/oauth2/authorize",
        "token_url": TOKEN_URL,
        "scopes": ("posts.write", "users.read", "offline.access"),
    }
    fields.update(overrides)
    return FixedRedirect(**fields)  # type: ignore[arg-type]


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("configured"),
]


@pytest.fixture
def configured(fake_dns: dict[str, list[str]]):
    fake_dns["api.example-network.com"] = [PUBLIC_TEST_ADDRESS]
    with (
        override_settings(HUBBUB_X_CLIENT_ID="client-123", HUBBUB_X_CLIENT_SECRET="s3cret"),
        time_machine.travel(NOW, tick=False),
    ):
        yield


def test_the_authorize_url_carries_state_scopes_and_a_pkce_challenge() -> None:
    verifier = oauth2.new_verifier()
    url = oauth2.authorize_url(provider(), "state-1", verifier)

    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://example-network.com/i/oauth2/authorize"
    )
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert query == {
        "response_type": "code",
        "client_id": "client-123",
        "redirect_uri": "https://hubbub.example.com/oauth/example/callback/",
        "scope": "posts.write users.read offline.access",
        "state": "state-1",
        "code_challenge": expected.decode(),
        "code_challenge_method": "S256",
    }
    assert 43 <= len(verifier) <= 128


def test_network_variants_of_the_authorize_url() -> None:
    variant = provider(
        pkce=False,
        client_id_param="client_key",
        scope_separator=",",
        extra_authorize=(("access_type", "offline"),),
    )
    query = parse_qs(urlsplit(oauth2.authorize_url(variant, "s", "v")).query)
    assert query["client_key"] == ["client-123"] and "client_id" not in query
    assert query["scope"] == ["posts.write,users.read,offline.access"]
    assert query["access_type"] == ["offline"]
    assert "code_challenge" not in query


@respx.mock(assert_all_mocked=True)
def test_the_code_is_exchanged_with_the_verifier(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.post(TOKEN_URL).respond(
        200,
        json={
            "token_type": "bearer",
            "access_token": "at-1",
            "refresh_token": "rt-1",
            "expires_in": 7200,
            "refresh_token_expires_in": 86400 * 180,
            "scope": "posts.write users.read offline.access",
            "open_id": "u-9",
        },
    )

    token = oauth2.exchange_code(provider(), "code-1", "verifier-1")

    sent = route.calls.last.request
    assert sent.method == "POST"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.content.decode()) == {
        "grant_type": ["authorization_code"],
        "code": ["code-1"],
        "redirect_uri": ["https://hubbub.example.com/oauth/example/callback/"],
        "code_verifier": ["verifier-1"],
        "client_id": ["client-123"],
        "client_secret": ["s3cret"],
    }
    assert token.access_token == "at-1" and token.refresh_token == "rt-1"
    assert token.expires_at == NOW + timedelta(hours=2)
    assert token.refresh_expires_at == NOW + timedelta(days=180)
    assert token.extra == {"open_id": "u-9"}
    assert token.credentials()["refresh_token"] == "rt-1"


@respx.mock(assert_all_mocked=True)
def test_basic_client_authentication_keeps_the_secret_out_of_the_body(
    respx_mock: respx.MockRouter,
) -> None:
    route = respx_mock.post(TOKEN_URL).respond(200, json={"access_token": "at-2"})

    token = oauth2.refresh(provider(basic_auth=True), "rt-1")

    sent = route.calls.last.request
    assert (
        sent.headers["authorization"] == "Basic " + base64.b64encode(b"client-123:s3cret").decode()
    )
    assert parse_qs(sent.content.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["rt-1"],
    }
    assert token.expires_at is None and token.refresh_token == ""


@respx.mock(assert_all_mocked=True)
def test_a_revoked_grant_means_connecting_again(respx_mock: respx.MockRouter) -> None:
    respx_mock.post(TOKEN_URL).respond(
        400, json={"error": "invalid_grant", "error_description": "Value passed was invalid."}
    )

    with pytest.raises(AuthError) as caught:
        oauth2.refresh(provider(), "rt-old")

    assert caught.value.needs_reconnect and caught.value.permanent
    assert caught.value.network_message == "Value passed was invalid."


@respx.mock(assert_all_mocked=True)
def test_wrong_app_credentials_name_the_settings_to_check(respx_mock: respx.MockRouter) -> None:
    respx_mock.post(TOKEN_URL).respond(401, json={"error": "invalid_client"})

    with pytest.raises(PermanentError) as caught:
        oauth2.exchange_code(provider(), "code", "v")

    assert "HUBBUB_X_CLIENT_ID" in caught.value.message
    assert "HUBBUB_X_CLIENT_SECRET" in caught.value.message
    assert not caught.value.needs_reconnect


@respx.mock(assert_all_mocked=True)
def test_a_rate_limited_token_endpoint_says_when(respx_mock: respx.MockRouter) -> None:
    respx_mock.post(TOKEN_URL).respond(429, headers={"retry-after": "60"}, json={})

    with pytest.raises(RateLimited) as caught:
        oauth2.refresh(provider(), "rt")

    assert caught.value.retry_at == NOW + timedelta(seconds=60)


@respx.mock(assert_all_mocked=True)
def test_an_answer_without_a_token_is_refused(respx_mock: respx.MockRouter) -> None:
    respx_mock.post(TOKEN_URL).respond(200, json={"token_type": "bearer"})

    with pytest.raises(PermanentError):
        oauth2.exchange_code(provider(), "code", "v")


def test_refresh_is_due_five_minutes_before_expiry() -> None:
    assert oauth2.refresh_due(NOW + timedelta(minutes=4))
    assert not oauth2.refresh_due(NOW + timedelta(minutes=6))
    assert not oauth2.refresh_due(None)


@respx.mock(assert_all_mocked=True)
def test_metas_error_object_is_read_for_its_words(respx_mock: respx.MockRouter) -> None:
    respx_mock.post(TOKEN_URL).respond(
        400,
        json={
            "error": {
                "message": "This authorization code has been used.",
                "type": "OAuthException",
                "code": 100,
                "fbtrace_id": "AbCd",
            }
        },
    )

    with pytest.raises(PermanentError) as caught:
        oauth2.exchange_code(provider(), "code", "v")

    assert caught.value.network_message == "This authorization code has been used."
    assert "{" not in str(caught.value)


@respx.mock(assert_all_mocked=True)
def test_xs_invalid_request_on_refresh_also_means_reconnect(respx_mock: respx.MockRouter) -> None:
    respx_mock.post(TOKEN_URL).respond(
        400,
        json={
            "error": "invalid_request",
            "error_description": "Value passed for the token was invalid.",
        },
    )

    with pytest.raises(AuthError) as caught:
        oauth2.refresh(provider(), "rt-used")

    assert caught.value.needs_reconnect
    # The same answer to a code exchange is a bad request, not a lost authorization.
    with pytest.raises(PermanentError) as exchange:
        oauth2.exchange_code(provider(), "code", "v")
    assert not exchange.value.needs_reconnect


@respx.mock(assert_all_mocked=True)
def test_a_worker_that_waited_uses_the_tokens_another_just_refreshed(
    respx_mock: respx.MockRouter, acme: Workspace, fake_dns: dict[str, list[str]]
) -> None:
    """Rotating refresh tokens are accepted once: the second of two workers holding the same
    stale credentials must not refresh again (X would refuse it and the channel would look
    revoked); it finds the new tokens saved and uses them."""
    from hubbub.networks.models import Channel
    from hubbub.networks.registry import connector_class
    from hubbub.networks.x.oauth import PROVIDER

    host = urlsplit(PROVIDER.token_url).hostname
    assert host
    fake_dns[host] = [PUBLIC_TEST_ADDRESS]
    channel = Channel(workspace=acme, network="x", external_id="42", handle="@acme")
    channel.credentials = {"access_token": "old", "refresh_token": "rt-1"}
    channel.token_expires_at = NOW - timedelta(minutes=1)
    channel.save()
    first = connector_class("x")(Channel.objects.get(pk=channel.pk))
    second = connector_class("x")(Channel.objects.get(pk=channel.pk))
    route = respx_mock.post(PROVIDER.token_url).respond(
        200, json={"access_token": "new", "refresh_token": "rt-2", "expires_in": 7200}
    )

    assert oauth2.refresh_channel(first, PROVIDER) is True
    assert oauth2.refresh_channel(second, PROVIDER) is True

    assert route.call_count == 1
    assert second.channel.credentials["access_token"] == "new"
    assert second.channel.credentials["refresh_token"] == "rt-2"
    assert second.channel.token_expires_at == NOW + timedelta(hours=2)


def test_every_oauth_network_turns_a_token_into_accounts() -> None:
    """The shared callback calls accounts_from_token on any network with a Provider; the
    base class's version only raises NotImplementedError, so each must have its own."""
    import inspect

    from hubbub.networks.base import Connector
    from hubbub.networks.registry import NETWORKS, connector_class

    oauth = [connector_class(n) for n in NETWORKS if connector_class(n).oauth is not None]
    assert {cls.name for cls in oauth} == {
        "x",
        "facebook",
        "instagram",
        "threads",
        "linkedin",
        "youtube",
        "tiktok",
        "pinterest",
    }
    for cls in oauth:
        assert cls.oauth is not None and cls.oauth.network == cls.name
        own = inspect.getattr_static(cls, "accounts_from_token")
        assert own is not inspect.getattr_static(Connector, "accounts_from_token"), cls.name
