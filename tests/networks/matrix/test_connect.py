"""Connecting a Matrix room: the action, the page and the API endpoint all find the
homeserver, check the credentials, resolve and join the room and check the power level
before saving."""

from __future__ import annotations

import json

import pytest
import respx
from django.test import Client

from hubbub.core.access import ActionError, access_workspace
from hubbub.networks.matrix.connect import connect_matrix, normalise_room
from hubbub.networks.matrix.connector import MatrixConnector
from hubbub.networks.models import Channel, Health
from tests.api.conftest import token_api
from tests.networks.matrix.conftest import (
    ALIAS,
    CLIENT,
    DEVICE_ID,
    HOMESERVER,
    POWER_LEVELS,
    ROOM_ID,
    TOKEN,
    USER_ID,
    error,
    room_url,
    sent_json,
)

URL = "/w/acme/channels/matrix/connect/"
API = "/workspaces/acme/channels/matrix"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def owner(acme, alice):
    return access_workspace(alice, acme.slug)


@pytest.fixture
def server(homeserver: respx.MockRouter) -> respx.MockRouter:
    """A homeserver on which @hubbub is invited to #announcements but not joined yet."""
    homeserver.get(f"{CLIENT}/versions", name="versions").respond(
        200, json={"versions": ["v1.11", "v1.12"]}
    )
    homeserver.get(f"{CLIENT}/v3/account/whoami", name="whoami").respond(
        200, json={"user_id": USER_ID, "device_id": DEVICE_ID, "is_guest": False}
    )
    homeserver.post(f"{CLIENT}/v3/login", name="login").respond(
        200,
        json={
            "access_token": TOKEN,
            "device_id": DEVICE_ID,
            "user_id": USER_ID,
            "home_server": "example.com",
        },
    )
    homeserver.post(f"{CLIENT}/v3/logout", name="logout").respond(200, json={})
    homeserver.get(
        f"{CLIENT}/v3/directory/room/%23announcements%3Aexample.com", name="alias"
    ).respond(200, json={"room_id": ROOM_ID, "servers": ["example.com"]})
    homeserver.get(f"{CLIENT}/v3/joined_rooms", name="joined").respond(
        200, json={"joined_rooms": ["!other:example.com"]}
    )
    homeserver.post(f"{CLIENT}/v3/join/%23announcements%3Aexample.com", name="join").respond(
        200, json={"room_id": ROOM_ID}
    )
    homeserver.get(room_url("/state/m.room.encryption"), name="encryption").respond(
        404, json=error("M_NOT_FOUND", "Event not found.")
    )
    homeserver.get(room_url("/state/m.room.power_levels"), name="levels").respond(
        200, json=POWER_LEVELS
    )
    homeserver.get(room_url("/state/m.room.name")).respond(200, json={"name": "Announcements"})
    homeserver.get(room_url("/state/m.room.canonical_alias")).respond(200, json={"alias": ALIAS})
    homeserver.get(f"{CLIENT}/v1/media/config", name="media").respond(
        200, json={"m.upload.size": 100 * 1024 * 1024}
    )
    homeserver.get(f"{CLIENT}/v3/profile/%40hubbub%3Aexample.com/displayname").respond(
        200, json={"displayname": "Hubbub Bot"}
    )
    return homeserver


def test_a_password_logs_in_once_joins_the_room_and_is_not_kept(server, owner):
    channel = connect_matrix(owner, HOMESERVER, ALIAS, username="hubbub", password=PASSWORD)

    assert sent_json(server["login"].calls.last.request) == {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": "hubbub"},
        "password": PASSWORD,
        "initial_device_display_name": "Hubbub",
    }
    assert server["join"].call_count == 1
    assert not server["logout"].called
    channel.refresh_from_db()
    assert (channel.network, channel.external_id) == ("matrix", ROOM_ID)
    assert (channel.handle, channel.name) == (ALIAS, "Announcements")
    assert channel.profile_url == "https://matrix.to/#/%23announcements%3Aexample.com"
    assert channel.credentials == {
        "access_token": TOKEN,
        "user_id": USER_ID,
        "device_id": DEVICE_ID,
    }
    assert PASSWORD not in json.dumps(channel.config) and TOKEN not in channel.credentials_encrypted
    assert channel.config == {
        "homeserver": HOMESERVER,
        "room_id": ROOM_ID,
        "room_alias": ALIAS,
        "user_id": USER_ID,
        "display_name": "Hubbub Bot",
        "max_upload_bytes": 100 * 1024 * 1024,
    }
    assert channel.token_expires_at is None and channel.health == Health.OK
    # The same checks serve the health check.
    server.get(f"{CLIENT}/v3/joined_rooms").respond(200, json={"joined_rooms": [ROOM_ID]})
    assert MatrixConnector(channel).check().external_id == ROOM_ID


def test_an_access_token_and_a_room_id_skip_login_and_join(server, owner):
    server.get(f"{CLIENT}/v3/joined_rooms").respond(200, json={"joined_rooms": [ROOM_ID]})

    channel = connect_matrix(owner, HOMESERVER, ROOM_ID, access_token=f" {TOKEN} ")

    assert server["whoami"].calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"
    assert not server["login"].called and not server["join"].called and not server["alias"].called
    assert channel.external_id == ROOM_ID and channel.handle == ALIAS


def test_a_room_the_account_may_not_join_says_to_invite_it(server, owner):
    server.post(f"{CLIENT}/v3/join/%23announcements%3Aexample.com").respond(
        403, json=error("M_FORBIDDEN", "You are not invited to this room.")
    )

    with pytest.raises(ActionError) as caught:
        connect_matrix(owner, HOMESERVER, ALIAS, username="hubbub", password=PASSWORD)

    assert caught.value.field == "room"
    assert "/invite @hubbub:example.com" in caught.value.message
    assert "You are not invited to this room." in caught.value.message
    assert server["logout"].call_count == 1  # the device logged in for nothing is removed
    assert not Channel.objects.exists()


def test_a_power_level_too_low_is_explained(server, owner):
    server.get(room_url("/state/m.room.power_levels")).respond(
        200, json={**POWER_LEVELS, "events_default": 50}
    )

    with pytest.raises(ActionError) as caught:
        connect_matrix(owner, HOMESERVER, ALIAS, access_token=TOKEN)

    assert caught.value.field == "room"
    assert "power level does not allow sending messages" in caught.value.message
    assert not Channel.objects.exists()


def test_an_encrypted_room_is_refused(server, owner):
    server.get(room_url("/state/m.room.encryption")).respond(
        200, json={"algorithm": "m.megolm.v1.aes-sha2"}
    )

    with pytest.raises(ActionError) as caught:
        connect_matrix(owner, HOMESERVER, ALIAS, access_token=TOKEN)

    assert "end-to-end encrypted" in caught.value.message
    assert not Channel.objects.exists()


def test_a_wrong_password_points_at_the_password(server, owner):
    server.post(f"{CLIENT}/v3/login").respond(403, json=error("M_FORBIDDEN", "Invalid password"))

    with pytest.raises(ActionError) as caught:
        connect_matrix(owner, HOMESERVER, ALIAS, username="hubbub", password="nope")

    assert caught.value.field == "password"
    assert "refused this username and password" in caught.value.message


def test_an_unknown_alias_is_named(server, owner):
    server.get(f"{CLIENT}/v3/directory/room/%23announcements%3Aexample.com").respond(
        404, json=error("M_NOT_FOUND", "Room alias #announcements:example.com not found.")
    )

    with pytest.raises(ActionError) as caught:
        connect_matrix(owner, HOMESERVER, ALIAS, access_token=TOKEN)

    assert caught.value.field == "room" and ALIAS in caught.value.message


def test_credentials_are_required_before_any_request(homeserver, owner):
    with pytest.raises(ActionError) as caught:
        connect_matrix(owner, HOMESERVER, ALIAS, username="hubbub")

    assert caught.value.field == "access_token"
    assert not homeserver.calls


@pytest.mark.parametrize(
    ("typed", "room"),
    [
        ("#announcements:example.com", "#announcements:example.com"),
        ("  !abnjk1jdasj98:example.com ", "!abnjk1jdasj98:example.com"),
        ("!Rv12RoomIdWithoutServer", "!Rv12RoomIdWithoutServer"),  # room version 12
        ("https://matrix.to/#/%23announcements%3Aexample.com", "#announcements:example.com"),
        (
            "https://matrix.to/#/#announcements:example.com?via=example.com",
            "#announcements:example.com",
        ),
    ],
)
def test_rooms_are_read_as_people_paste_them(typed, room):
    assert normalise_room(typed) == room


@pytest.mark.parametrize("typed", ["announcements", "#announcements", "@hubbub:example.com"])
def test_what_is_not_a_room_is_refused(typed):
    with pytest.raises(ActionError) as caught:
        normalise_room(typed)
    assert caught.value.field == "room"


def test_the_page_connects_and_returns_to_the_channels(server, alice_client: Client):
    page = alice_client.get(URL)
    assert page.status_code == 200 and b'data-testid="matrix-connect"' in page.content

    answer = alice_client.post(
        URL,
        {"homeserver": HOMESERVER, "room": ALIAS, "username": "hubbub", "password": PASSWORD},
    )

    assert answer.status_code == 302 and answer["Location"] == "/w/acme/channels/"
    assert Channel.objects.get().external_id == ROOM_ID


def test_the_page_shows_the_error_at_its_field(server, alice_client: Client):
    server.post(f"{CLIENT}/v3/login").respond(403, json=error("M_FORBIDDEN", "Invalid password"))

    answer = alice_client.post(
        URL, {"homeserver": HOMESERVER, "room": ALIAS, "username": "hubbub", "password": "x"}
    )

    assert answer.status_code == 200
    assert "refused this username and password" in answer.context["form"].errors["password"][0]


def test_the_api_connects_and_answers_the_channel(server, alice, acme):
    api = token_api(alice, acme)

    answer = api.post(API, {"homeserver": HOMESERVER, "room": ALIAS, "access_token": TOKEN})

    assert answer.status_code == 201, answer.content
    assert answer.json()["network"] == "matrix" and answer.json()["handle"] == ALIAS


def test_the_api_answers_502_when_the_homeserver_is_down(homeserver, alice, acme):
    homeserver.get(f"{CLIENT}/versions").respond(502)
    api = token_api(alice, acme)

    answer = api.post(API, {"homeserver": HOMESERVER, "room": ALIAS, "access_token": TOKEN})

    assert answer.status_code == 502
    assert "try again in a minute" in answer.json()["detail"]


def test_a_signed_out_token_is_refused_in_the_homeservers_words(server, owner):
    server.get(f"{CLIENT}/v3/account/whoami").respond(
        401, json=error("M_UNKNOWN_TOKEN", "Invalid access token passed.", soft_logout=False)
    )

    with pytest.raises(ActionError) as caught:
        connect_matrix(owner, HOMESERVER, ALIAS, access_token=TOKEN)

    assert caught.value.field == "access_token"
    assert caught.value.message == (
        "The homeserver does not accept this access token. "
        "(M_UNKNOWN_TOKEN: Invalid access token passed.)"
    )


def test_the_channels_page_offers_matrix(alice_client: Client):
    page = alice_client.get("/w/acme/channels/")

    assert page.status_code == 200
    assert URL.encode() in page.content
