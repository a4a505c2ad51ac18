from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import respx
import time_machine

from hubbub.networks.base import ConnectorError, PermanentError
from hubbub.networks.mastodon import oauth
from hubbub.networks.models import OAuthApp
from tests.networks.mastodon import bodies
from tests.networks.mastodon.conftest import form, query

CALLBACK = "http://127.0.0.1:8000/channels/mastodon/callback/"
SCOPES = "read:accounts read:statuses read:notifications read:search write:statuses write:media"


def test_the_redirect_uri_is_the_base_url_plus_the_fixed_callback(settings) -> None:
    settings.BASE_URL = "https://hubbub.example.com"
    assert oauth.redirect_uri() == "https://hubbub.example.com/channels/mastodon/callback/"


def test_it_registers_hubbub_on_a_server(db: None, server: respx.MockRouter) -> None:
    app = oauth.registered_app(bodies.SERVER)

    request = server["apps"].calls.last.request
    assert request.method == "POST"
    assert str(request.url) == "https://social.example/api/v1/apps"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in request.headers
    assert form(request) == {
        "client_name": "Hubbub",
        "redirect_uris": CALLBACK,
        "scopes": SCOPES,
        "website": "https://github.com/hubbub-social/hubbub",
    }
    assert app.client_id == bodies.CLIENT_ID
    assert app.client_secret == bodies.CLIENT_SECRET
    saved = OAuthApp.objects.get()
    assert (saved.network, saved.server, saved.redirect_uri) == (
        "mastodon",
        "https://social.example",
        CALLBACK,
    )
    assert bodies.CLIENT_SECRET not in saved.client_secret_encrypted  # encrypted at rest


def test_it_reuses_the_registration(db: None, server: respx.MockRouter) -> None:
    first = oauth.registered_app(bodies.SERVER)
    second = oauth.registered_app(bodies.SERVER)

    assert server["apps"].call_count == 1
    assert first.pk == second.pk


def test_it_registers_again_when_the_base_url_changes(
    db: None, server: respx.MockRouter, settings
) -> None:
    oauth.registered_app(bodies.SERVER)
    settings.BASE_URL = "https://hubbub.example.com"
    oauth.registered_app(bodies.SERVER)

    assert server["apps"].call_count == 2
    assert OAuthApp.objects.count() == 2


def test_it_registers_again_when_the_scopes_changed(db: None, server: respx.MockRouter) -> None:
    old = OAuthApp(
        network="mastodon",
        server=bodies.SERVER,
        redirect_uri=CALLBACK,
        client_id="old",
        scopes="read write",
    )
    old.client_secret = "old-secret"
    old.save()

    app = oauth.registered_app(bodies.SERVER)

    assert server["apps"].call_count == 1
    assert app.pk == old.pk
    assert (app.client_id, app.scopes) == (bodies.CLIENT_ID, SCOPES)


def test_it_refuses_a_registration_without_client_id(db: None, server: respx.MockRouter) -> None:
    server["apps"].respond(200, json={"id": "2", "name": "Hubbub"})

    with pytest.raises(PermanentError, match="did not return a client id"):
        oauth.registered_app(bodies.SERVER)
    assert not OAuthApp.objects.exists()


def test_it_reports_a_refused_registration(db: None, server: respx.MockRouter) -> None:
    server["apps"].respond(
        422, json={"error": "Validation failed: Redirect URI must be an absolute URI."}
    )

    with pytest.raises(ConnectorError, match="Redirect URI must be an absolute URI"):
        oauth.registered_app(bodies.SERVER)
    assert not OAuthApp.objects.exists()


def test_the_pkce_challenge_is_base64url_of_sha256() -> None:
    verifier = oauth.new_verifier()
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert oauth.challenge(verifier) == expected.rstrip(b"=").decode()
    assert 43 <= len(verifier) <= 128
    # RFC 7636, appendix B
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert oauth.challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_authorize_url_carries_every_parameter(db: None, server: respx.MockRouter) -> None:
    app = oauth.registered_app(bodies.SERVER)

    url = oauth.authorize_url(bodies.SERVER, app, "the-state", "the-verifier-" + "x" * 40)

    assert url.startswith("https://social.example/oauth/authorize?")
    assert query(url) == {
        "response_type": "code",
        "client_id": bodies.CLIENT_ID,
        "redirect_uri": CALLBACK,
        "scope": SCOPES,
        "state": "the-state",
        "code_challenge": oauth.challenge("the-verifier-" + "x" * 40),
        "code_challenge_method": "S256",
    }


def test_it_exchanges_the_code(db: None, server: respx.MockRouter) -> None:
    app = oauth.registered_app(bodies.SERVER)

    token = oauth.exchange_code(bodies.SERVER, app, "the-code", "the-verifier")

    request = server["token"].calls.last.request
    assert request.method == "POST"
    assert str(request.url) == "https://social.example/oauth/token"
    assert form(request) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "client_id": bodies.CLIENT_ID,
        "client_secret": bodies.CLIENT_SECRET,
        "redirect_uri": CALLBACK,
        "code_verifier": "the-verifier",
    }
    assert token.access_token == bodies.ACCESS_TOKEN
    assert token.scope == bodies.TOKEN["scope"]
    assert token.expires_at is None  # Mastodon's tokens do not expire


@time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False)
def test_it_honours_an_expiry_if_a_server_sends_one(db: None, server: respx.MockRouter) -> None:
    server["token"].respond(200, json={**bodies.TOKEN, "expires_in": 3600})
    app = oauth.registered_app(bodies.SERVER)

    token = oauth.exchange_code(bodies.SERVER, app, "the-code", "the-verifier")

    assert token.expires_at == datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=1)


def test_it_reports_a_refused_code(db: None, server: respx.MockRouter) -> None:
    server["token"].respond(400, json=bodies.INVALID_GRANT)
    app = oauth.registered_app(bodies.SERVER)

    with pytest.raises(ConnectorError) as caught:
        oauth.exchange_code(bodies.SERVER, app, "old-code", "the-verifier")

    assert caught.value.permanent
    assert "invalid_grant: The provided authorization grant is invalid" in str(caught.value)


def test_it_refuses_an_answer_without_a_token(db: None, server: respx.MockRouter) -> None:
    server["token"].respond(200, json={"token_type": "Bearer"})
    app = oauth.registered_app(bodies.SERVER)

    with pytest.raises(PermanentError, match="without an access token"):
        oauth.exchange_code(bodies.SERVER, app, "the-code", "the-verifier")
