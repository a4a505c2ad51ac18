"""Connecting to a real Bluesky network (Bluesky's reference PDS and AppView on loopback):
the connect flow, the health check and the session refresh, as a person would use them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hubbub.core.access import access_workspace
from hubbub.networks.actions import check_channel
from hubbub.networks.bluesky.connect import ConnectFailed, connect_bluesky
from hubbub.networks.bluesky.connector import BlueskyConnector
from hubbub.networks.bluesky.session import jwt_expiry
from hubbub.networks.bluesky.xrpc import BadLogin
from hubbub.networks.models import Channel, Health
from tests.peers.bluesky_net import BlueskyNet

pytestmark = [pytest.mark.peers, pytest.mark.usefixtures("private_networks_allowed")]


@pytest.fixture
def owner(alice, acme):
    return access_workspace(alice, "acme")


def test_it_connects_with_an_app_password_made_on_the_pds(bluesky_net: BlueskyNet, owner):
    handle, password, did = bluesky_net.create_account("hubbub")
    bluesky_net.set_display_name(handle, password, "Hubbub Peer 🌍")
    app_password = bluesky_net.create_app_password(handle, password)

    channel = connect_bluesky(owner, f"@{handle.upper()}", app_password, bluesky_net.pds_url)

    channel.refresh_from_db()
    assert (channel.network, channel.external_id, channel.handle) == ("bluesky", did, handle)
    assert channel.name == "Hubbub Peer 🌍"
    assert channel.health == Health.OK
    assert channel.config == {"pds_url": bluesky_net.pds_url, "app_password_login": True}
    stored = channel.credentials
    assert stored["did"] == did
    assert stored["app_password"] == app_password
    expires = jwt_expiry(stored["accessJwt"])
    assert expires is not None and expires > timezone.now()
    assert app_password not in Channel.objects.values_list("credentials_encrypted", flat=True)[0]


def test_the_health_check_and_a_forced_refresh_work(bluesky_net: BlueskyNet, owner):
    handle, password, did = bluesky_net.create_account("health")
    channel = connect_bluesky(
        owner, handle, bluesky_net.create_app_password(handle, password), bluesky_net.pds_url
    )
    before = channel.credentials

    assert check_channel(channel).health == Health.OK
    assert BlueskyConnector(channel).refresh_if_due(force=True) is True

    channel.refresh_from_db()
    after = channel.credentials
    assert after["refreshJwt"] != before["refreshJwt"]  # the PDS rotated the refresh token
    assert after["did"] == did
    assert check_channel(channel).health == Health.OK  # the new tokens work
    assert channel.health_message == ""


def test_a_revoked_refresh_token_is_replaced_with_the_app_password(bluesky_net, owner):
    handle, password, _did = bluesky_net.create_account("relogin")
    channel = connect_bluesky(
        owner, handle, bluesky_net.create_app_password(handle, password), bluesky_net.pds_url
    )
    # Sign the session out on the PDS: its refresh token stops working for good.
    revoked = bluesky_net.post(
        "com.atproto.server.deleteSession", None, token=channel.credentials["refreshJwt"]
    )
    assert revoked.status_code == 200, revoked.text
    old = channel.credentials["refreshJwt"]

    assert BlueskyConnector(channel).refresh_if_due(force=True) is True

    channel.refresh_from_db()
    assert channel.credentials["refreshJwt"] != old
    assert check_channel(channel).health == Health.OK


def test_a_revoked_app_password_asks_for_a_reconnect(bluesky_net: BlueskyNet, owner):
    handle, password, _did = bluesky_net.create_account("revoked")
    app_password = bluesky_net.create_app_password(handle, password, name="Hubbub")
    channel = connect_bluesky(owner, handle, app_password, bluesky_net.pds_url)
    bluesky_net.revoke_app_password(handle, password, name="Hubbub")

    with pytest.raises(BadLogin):
        BlueskyConnector(channel).refresh_if_due(force=True)


def test_a_wrong_app_password_is_refused_and_nothing_saved(bluesky_net: BlueskyNet, owner):
    handle, _password, _did = bluesky_net.create_account("wrong")

    with pytest.raises(ConnectFailed) as caught:
        connect_bluesky(owner, handle, "aaaa-bbbb-cccc-dddd", bluesky_net.pds_url)

    assert isinstance(caught.value.error, BadLogin)
    assert caught.value.field == "app_password"
    assert "Invalid identifier or password" in caught.value.message  # the PDS's own words
    assert not Channel.objects.exists()


def test_the_main_password_works_but_is_flagged(bluesky_net: BlueskyNet, owner):
    handle, password, _did = bluesky_net.create_account("mainpw")

    channel = connect_bluesky(owner, handle, password, bluesky_net.pds_url)

    assert channel.config["app_password_login"] is False
    assert check_channel(channel).health == Health.OK
