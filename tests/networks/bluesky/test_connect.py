"""connect_bluesky against the XRPC contract: the requests we send, field by field, and what
each documented refusal turns into. Nothing may be saved when any step fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError, access_workspace
from hubbub.core.models import AuditEntry
from hubbub.networks.base import AuthError, PermanentError, RateLimited, TransientError
from hubbub.networks.bluesky.connect import ConnectFailed, connect_bluesky
from hubbub.networks.models import Channel, Health
from tests.networks.bluesky.conftest import (
    APP_PASSWORD,
    AVATAR,
    DID,
    HANDLE,
    PDS,
    access_jwt,
    profile_output,
    session_output,
    xrpc_error,
)

CREATE_SESSION = f"{PDS}/xrpc/com.atproto.server.createSession"
GET_PROFILE = f"{PDS}/xrpc/app.bsky.actor.getProfile"


@pytest.fixture
def alice_access(alice, acme):
    return access_workspace(alice, "acme")


def test_it_connects_the_account(xrpc, alice_access):
    login = xrpc.post(CREATE_SESSION).respond(200, json=session_output())
    profile = xrpc.get(GET_PROFILE).respond(200, json=profile_output())

    channel = connect_bluesky(alice_access, "@Alice.Bsky.Social ", f" {APP_PASSWORD} ", "")

    sent = login.calls.last.request
    assert sent.method == "POST"
    assert sent.url == CREATE_SESSION
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["accept"] == "application/json"
    assert "authorization" not in sent.headers
    assert json.loads(sent.content) == {"identifier": HANDLE, "password": APP_PASSWORD}
    read = profile.calls.last.request
    assert read.method == "GET"
    assert read.url.params["actor"] == DID
    assert read.headers["authorization"] == f"Bearer {access_jwt()}"

    channel.refresh_from_db()
    assert (channel.network, channel.external_id, channel.handle) == ("bluesky", DID, HANDLE)
    assert channel.name == "Alice Martin"
    assert channel.avatar_url == AVATAR
    assert channel.profile_url == f"https://bsky.app/profile/{HANDLE}"
    assert channel.health == Health.OK
    assert channel.token_expires_at is None  # app passwords do not expire
    assert channel.config == {"pds_url": PDS, "app_password_login": True}
    assert channel.credentials == {
        "accessJwt": session_output()["accessJwt"],
        "refreshJwt": session_output()["refreshJwt"],
        "did": DID,
        "pds_url": PDS,
        "app_password": APP_PASSWORD,
    }
    assert AuditEntry.objects.filter(action="channel.connect", object_id=str(channel.pk)).exists()


def test_it_stores_the_credentials_encrypted(xrpc, alice_access):
    xrpc.post(CREATE_SESSION).respond(200, json=session_output())
    xrpc.get(GET_PROFILE).respond(200, json=profile_output())

    channel = connect_bluesky(alice_access, HANDLE, APP_PASSWORD, PDS)

    raw = Channel.objects.filter(pk=channel.pk).values_list("credentials_encrypted", flat=True)[0]
    assert raw
    assert APP_PASSWORD not in raw
    assert session_output()["refreshJwt"] not in raw
    assert DID not in raw


def test_it_logs_in_with_a_did(xrpc, alice_access):
    login = xrpc.post(CREATE_SESSION).respond(200, json=session_output())
    xrpc.get(GET_PROFILE).respond(200, json=profile_output())

    connect_bluesky(alice_access, DID, APP_PASSWORD, PDS)

    assert json.loads(login.calls.last.request.content)["identifier"] == DID


def test_it_names_the_channel_after_the_handle_without_a_display_name(xrpc, alice_access):
    xrpc.post(CREATE_SESSION).respond(200, json=session_output())
    xrpc.get(GET_PROFILE).respond(200, json=profile_output(displayName="", avatar=None))

    channel = connect_bluesky(alice_access, HANDLE, APP_PASSWORD, PDS)

    assert (channel.name, channel.avatar_url) == (HANDLE, "")


def test_it_flags_a_main_password(xrpc, alice_access):
    main = access_jwt(scope="com.atproto.access")
    xrpc.post(CREATE_SESSION).respond(200, json=session_output(access=main))
    xrpc.get(GET_PROFILE).respond(200, json=profile_output())

    channel = connect_bluesky(alice_access, HANDLE, "the-main-password", PDS)

    assert channel.config["app_password_login"] is False


def test_it_updates_a_reconnected_account(xrpc, alice_access):
    xrpc.post(CREATE_SESSION).respond(200, json=session_output())
    xrpc.get(GET_PROFILE).mock(
        side_effect=[
            httpx.Response(200, json=profile_output()),
            httpx.Response(200, json=profile_output(displayName="Alice M.")),
        ]
    )
    first = connect_bluesky(alice_access, HANDLE, APP_PASSWORD, PDS)

    second = connect_bluesky(alice_access, HANDLE, "qrst-uvwx-yzab-cdef", PDS)

    assert second.pk == first.pk
    assert second.name == "Alice M."
    assert second.credentials["app_password"] == "qrst-uvwx-yzab-cdef"
    assert AuditEntry.objects.filter(action="channel.reconnect").count() == 1


def test_it_refuses_a_wrong_password_and_saves_nothing(xrpc, alice_access):
    xrpc.post(CREATE_SESSION).respond(
        401, json=xrpc_error("AuthenticationRequired", "Invalid identifier or password")
    )
    profile = xrpc.get(GET_PROFILE)

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, "wrong-pass-word-here", PDS)

    assert caught.value.field == "app_password"
    assert isinstance(caught.value.error, AuthError)
    message = caught.value.message
    assert "Bluesky refused the handle or app password" in message
    assert "Settings → Privacy and security → App passwords" in message
    assert "Invalid identifier or password" in message  # the network's own words
    assert "another server than bsky.social" in message
    assert not profile.called
    assert not Channel.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="channel.").exists()


def test_it_explains_two_factor_sign_in(xrpc, alice_access):
    xrpc.post(CREATE_SESSION).respond(
        401,
        json=xrpc_error(
            "AuthFactorTokenRequired", "A sign in code has been sent to your email address"
        ),
    )

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, "main password", PDS)

    assert caught.value.field == "app_password"
    assert "two-factor" in caught.value.message
    assert "app password" in caught.value.message
    assert "sign in code" in caught.value.message
    assert not Channel.objects.exists()


def test_it_refuses_a_taken_down_account_for_good(xrpc, alice_access):
    xrpc.post(CREATE_SESSION).respond(
        401, json=xrpc_error("AccountTakedown", "Account has been taken down")
    )

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, APP_PASSWORD, PDS)

    error = caught.value.error
    assert isinstance(error, PermanentError)
    assert not error.needs_reconnect
    assert "taken down" in caught.value.message
    assert not Channel.objects.exists()


def test_it_says_when_the_address_is_not_a_pds(xrpc, alice_access):
    url = "https://www.brand.example/xrpc/com.atproto.server.createSession"
    xrpc.post(url).respond(404, html="<html><body>Not found</body></html>")

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, APP_PASSWORD, "www.brand.example/")

    assert caught.value.field == "pds_url"
    assert "https://www.brand.example does not look like a Bluesky PDS" in caught.value.message
    assert "HTTP 404 with text/html" in caught.value.message
    assert not Channel.objects.exists()


def test_it_says_when_a_website_answers_200(xrpc, alice_access):
    url = "https://www.brand.example/xrpc/com.atproto.server.createSession"
    xrpc.post(url).respond(200, html="<html>Welcome</html>")

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, APP_PASSWORD, "https://www.brand.example")

    assert "does not look like a Bluesky PDS" in caught.value.message


def test_it_refuses_a_pds_on_a_private_address(xrpc, alice_access):
    route = xrpc.route()

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, APP_PASSWORD, "https://pds.corp.example")

    assert caught.value.field == "pds_url"
    assert "private or local address (10.0.0.5)" in caught.value.message
    assert caught.value.error.permanent
    assert not route.called  # refused before anything was sent
    assert not Channel.objects.exists()


def test_it_refuses_a_loopback_pds(xrpc, alice_access):
    route = xrpc.route()

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, APP_PASSWORD, "https://127.0.0.1:2583")

    assert "private or local address" in caught.value.message
    assert not route.called


@pytest.mark.usefixtures("private_networks_allowed")
def test_it_reaches_a_private_pds_when_the_operator_allows_it(xrpc, alice_access):
    login = xrpc.post("http://10.0.0.5:2583/xrpc/com.atproto.server.createSession").respond(
        200, json=session_output()
    )
    xrpc.get("http://10.0.0.5:2583/xrpc/app.bsky.actor.getProfile").respond(
        200, json=profile_output()
    )

    channel = connect_bluesky(alice_access, HANDLE, APP_PASSWORD, "http://10.0.0.5:2583")

    assert login.called
    assert channel.credentials["pds_url"] == "http://10.0.0.5:2583"


def test_it_refuses_plain_http_on_the_internet(xrpc, alice_access):
    route = xrpc.route()

    with pytest.raises(ActionError) as caught:
        connect_bluesky(alice_access, HANDLE, APP_PASSWORD, "http://pds.brand.example")

    assert caught.value.field == "pds_url"
    assert "https://" in caught.value.message
    assert not route.called


def test_it_reports_the_rate_limit_with_its_reset_time(xrpc, alice_access):
    reset = datetime(2026, 3, 2, 9, 35, tzinfo=UTC)
    xrpc.post(CREATE_SESSION).respond(
        429,
        json=xrpc_error("RateLimitExceeded", "Rate Limit Exceeded"),
        headers={
            "ratelimit-limit": "30",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(int(reset.timestamp())),
            "ratelimit-policy": "30;w=300",
        },
    )

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, APP_PASSWORD, PDS)

    error = caught.value.error
    assert isinstance(error, RateLimited)
    assert error.retry_at == reset
    assert "2026-03-02 09:35 UTC" in caught.value.message
    assert "Rate Limit Exceeded" in caught.value.message
    assert caught.value.field is None
    assert not Channel.objects.exists()


def test_it_treats_a_5xx_as_transient(xrpc, alice_access):
    xrpc.post(CREATE_SESSION).respond(
        502, json=xrpc_error("UpstreamFailure", "failed to resolve the AppView")
    )

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, APP_PASSWORD, PDS)

    assert isinstance(caught.value.error, TransientError)
    assert "HTTP 502" in caught.value.message
    assert "failed to resolve the AppView" in caught.value.message


def test_it_saves_nothing_when_the_profile_cannot_be_read(xrpc, alice_access):
    xrpc.post(CREATE_SESSION).respond(200, json=session_output())
    xrpc.get(GET_PROFILE).respond(400, json=xrpc_error("InvalidRequest", "Profile not found"))

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, APP_PASSWORD, PDS)

    assert "Profile not found" in caught.value.message
    assert not Channel.objects.exists()


@pytest.mark.parametrize(
    ("handle", "field", "words"),
    [
        ("", "handle", "Enter the account's handle"),
        ("alice", "handle", "did you mean alice.bsky.social"),
        ("alice..bsky.social", "handle", "not a valid handle"),
    ],
)
def test_it_refuses_bad_handles_before_calling(xrpc, alice_access, handle, field, words):
    route = xrpc.route()

    with pytest.raises(ActionError) as caught:
        connect_bluesky(alice_access, handle, APP_PASSWORD, PDS)

    assert caught.value.field == field
    assert words in caught.value.message
    assert not route.called


def test_it_asks_for_an_app_password(xrpc, alice_access):
    route = xrpc.route()

    with pytest.raises(ActionError) as caught:
        connect_bluesky(alice_access, HANDLE, "   ", PDS)

    assert caught.value.field == "app_password"
    assert not route.called


def test_an_editor_cannot_connect(xrpc, bob, acme):
    route = xrpc.route()

    with pytest.raises(PermissionDenied):
        connect_bluesky(access_workspace(bob, "acme"), HANDLE, APP_PASSWORD, PDS)

    assert not route.called


def test_it_says_when_the_pds_cannot_be_found(xrpc, alice_access):
    route = xrpc.route()

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(alice_access, HANDLE, APP_PASSWORD, "https://pds.nowhere.invalid")

    assert caught.value.field == "pds_url"
    assert "pds.nowhere.invalid cannot be found" in caught.value.message
    assert not route.called
    assert not Channel.objects.exists()
