"""The connect page and the connect endpoint call the same action; both show its errors."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from hubbub.networks.models import Channel
from tests.api.conftest import token_api
from tests.conftest import signed_in
from tests.networks.bluesky.conftest import (
    APP_PASSWORD,
    DID,
    HANDLE,
    PDS,
    profile_output,
    session_output,
    xrpc_error,
)

# The route the brief fixes; the channels page links here for connect and reconnect.
URL = "/w/acme/channels/bluesky/connect/"
API = "/workspaces/acme/channels/bluesky"
CREATE_SESSION = f"{PDS}/xrpc/com.atproto.server.createSession"
GET_PROFILE = f"{PDS}/xrpc/app.bsky.actor.getProfile"


def test_the_channels_page_links_here(alice_client: Client):
    assert reverse("bluesky:connect", args=["acme"]) == URL

    page = alice_client.get("/w/acme/channels/").content.decode()

    assert f'href="{URL}" data-testid="connect-bluesky"' in page


def test_the_page_shows_the_form(alice_client: Client):
    response = alice_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="handle"' in page
    assert 'type="password" name="app_password"' in page
    assert 'value="https://bsky.social"' in page
    assert "App passwords" in page


def test_the_page_connects_and_goes_to_the_channels(xrpc, alice_client: Client):
    xrpc.post(CREATE_SESSION).respond(200, json=session_output())
    xrpc.get(GET_PROFILE).respond(200, json=profile_output())

    response = alice_client.post(
        URL,
        {"handle": "@alice.bsky.social", "app_password": APP_PASSWORD, "pds_url": PDS},
        follow=True,
    )

    assert response.redirect_chain == [("/w/acme/channels/", 302)]
    assert "Bluesky account Alice Martin (@alice.bsky.social) connected." in (
        response.content.decode()
    )
    assert Channel.objects.get().external_id == DID


def test_the_page_shows_a_refusal_next_to_the_field(xrpc, alice_client: Client):
    xrpc.post(CREATE_SESSION).respond(
        401, json=xrpc_error("AuthenticationRequired", "Invalid identifier or password")
    )

    response = alice_client.post(
        URL, {"handle": HANDLE, "app_password": "nope-nope-nope-nope", "pds_url": PDS}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Bluesky refused the handle or app password" in errors["app_password"][0]
    assert "Bluesky refused the handle or app password" in response.content.decode()
    assert "nope-nope-nope-nope" not in response.content.decode()  # never echoed back
    assert not Channel.objects.exists()


def test_the_page_warns_about_a_main_password(xrpc, alice_client: Client):
    from tests.networks.bluesky.conftest import access_jwt

    main = access_jwt(scope="com.atproto.access")
    xrpc.post(CREATE_SESSION).respond(200, json=session_output(access=main))
    xrpc.get(GET_PROFILE).respond(200, json=profile_output())

    response = alice_client.post(
        URL, {"handle": HANDLE, "app_password": "main password", "pds_url": PDS}, follow=True
    )

    assert "an app password is safer" in response.content.decode()


def test_an_editor_cannot_open_the_page(bob, acme):
    assert signed_in(bob).get(URL).status_code == 403


def test_a_stranger_does_not_see_the_workspace(charlie, acme):
    assert signed_in(charlie).get(URL).status_code == 404


@pytest.mark.django_db
def test_the_api_connects(xrpc, alice, acme):
    xrpc.post(CREATE_SESSION).respond(200, json=session_output())
    xrpc.get(GET_PROFILE).respond(200, json=profile_output())

    response = token_api(alice, acme).post(API, {"handle": HANDLE, "app_password": APP_PASSWORD})

    assert response.status_code == 201, response.content
    body = response.json()
    channel = Channel.objects.get()
    assert body["id"] == channel.pk
    assert (body["network"], body["handle"], body["name"]) == ("bluesky", HANDLE, "Alice Martin")
    assert body["health"] == "ok"
    assert body["token_expires_at"] is None
    assert body["avatar_url"] == channel.avatar_url
    assert "credentials" not in json.dumps(body) and APP_PASSWORD not in json.dumps(body)


@pytest.mark.django_db
def test_the_api_answers_400_with_the_reason(xrpc, alice, acme):
    xrpc.post(CREATE_SESSION).respond(
        401, json=xrpc_error("AuthFactorTokenRequired", "A sign in code has been sent")
    )

    response = token_api(alice, acme).post(
        API, {"handle": HANDLE, "app_password": "main password", "pds_url": PDS}
    )

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "app_password"
    assert "two-factor" in body["detail"]
    assert not Channel.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_an_editor(xrpc, bob, acme):
    route = xrpc.route()

    response = token_api(bob, acme).post(API, {"handle": HANDLE, "app_password": APP_PASSWORD})

    assert response.status_code == 403
    assert not route.called
