from __future__ import annotations

from datetime import UTC, datetime

import pytest
import respx
import time_machine

from hubbub.core.models import Workspace
from hubbub.networks.actions import check_channel
from hubbub.networks.base import (
    AuthError,
    Capability,
    Counting,
    PermanentError,
    RateLimited,
    TransientError,
)
from hubbub.networks.mastodon.connector import MastodonConfig, MastodonConnector
from hubbub.networks.models import Channel, Health
from hubbub.networks.registry import connector_for
from tests.networks.mastodon import bodies

NOW = datetime(2026, 10, 14, 19, 4, 20, tzinfo=UTC)


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    config = MastodonConfig(
        server=bodies.SERVER,
        domain=bodies.HOST,
        max_characters=1000,
        characters_reserved_per_url=23,
        account_id=bodies.ACCOUNT["id"],
    )
    c = Channel(
        workspace=acme,
        network="mastodon",
        external_id=f"{bodies.ACCOUNT['id']}@social.example",
        handle="@brand@social.example",
        name="Brand",
        config=config.model_dump(),
    )
    c.credentials = {"access_token": bodies.ACCESS_TOKEN, "scope": bodies.TOKEN["scope"]}
    c.save()
    return c


def test_it_declares_what_mastodon_can_do() -> None:
    caps = MastodonConnector.capabilities
    assert Capability.PUBLISH_THREAD in caps
    assert Capability.REPLY in caps and Capability.METRICS in caps
    # Not before they are implemented: declared capabilities must be true.
    assert Capability.DIRECT_MESSAGES in caps and Capability.LIKE in caps
    assert Capability.SEARCH in caps  # tag timelines and /api/v2/search: searching.py
    assert Capability.HIDE not in caps
    assert Capability.FIRST_COMMENT not in caps


def test_its_default_limits_are_mastodons_documented_ones() -> None:
    limits = MastodonConnector.default_limits()
    assert limits.text.max_length == 500
    assert limits.text.counting == Counting.MASTODON
    assert limits.text.url_length == 23
    assert limits.media.max_images == 4
    assert limits.media.max_image_bytes == 16 * 1024 * 1024
    assert limits.media.max_videos == 1
    assert limits.media.max_video_bytes == 99 * 1024 * 1024
    assert limits.media.images_and_video_together is False
    assert "image/png" in limits.media.image_formats
    assert "video/mp4" in limits.media.video_formats


def test_its_limits_come_from_the_channels_server(channel: Channel) -> None:
    limits = connector_for(channel).limits()
    assert limits.text.max_length == 1000
    assert limits.text.url_length == 23


def test_a_long_url_counts_as_23_characters(channel: Channel) -> None:
    text = connector_for(channel).limits().text
    url = "https://www.example.com/a/rather/long/pa"
    assert len(url) == 40
    assert text.count(url) == 23
    assert text.count(f"Read {url} now") == len("Read ") + 23 + len(" now")


def test_a_remote_mention_counts_as_its_username_only(channel: Channel) -> None:
    text = connector_for(channel).limits().text
    assert text.count("@user@remote.example") == len("@user")
    assert text.count("hi @user@remote.example!") == len("hi @user!")


def test_check_asks_verify_credentials(channel: Channel, server: respx.MockRouter) -> None:
    account = connector_for(channel).check()

    request = server["verify"].calls.last.request
    assert request.method == "GET"
    assert str(request.url) == "https://social.example/api/v1/accounts/verify_credentials"
    assert request.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
    assert account.external_id == "117440810532227399@social.example"
    assert account.handle == "@brand@social.example"
    assert account.name == "Brand Official"
    assert account.avatar_url == bodies.ACCOUNT["avatar"]
    assert account.profile_url == "https://social.example/@brand"


def test_it_handles_401(channel: Channel, server: respx.MockRouter) -> None:
    server["verify"].respond(401, json=bodies.INVALID_TOKEN)

    with pytest.raises(AuthError) as caught:
        connector_for(channel).check()

    assert caught.value.needs_reconnect
    assert caught.value.permanent
    assert caught.value.network_message == "The access token is invalid"
    assert "The access token is invalid" in str(caught.value)
    assert "reconnect" in str(caught.value)


def test_it_handles_403_on_verify_credentials(channel: Channel, server: respx.MockRouter) -> None:
    server["verify"].respond(403, json={"error": "This action is outside the authorized scopes"})

    with pytest.raises(AuthError) as caught:
        connector_for(channel).check()

    assert caught.value.needs_reconnect
    assert "read:accounts" in str(caught.value)
    assert "outside the authorized scopes" in str(caught.value)


@time_machine.travel(NOW, tick=False)
def test_it_handles_429_with_its_reset_time(channel: Channel, server: respx.MockRouter) -> None:
    server["verify"].respond(
        429,
        json={"error": "Too many requests"},
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2026-10-14T19:05:00.020581Z",
        },
    )

    with pytest.raises(RateLimited) as caught:
        connector_for(channel).check()

    assert caught.value.retry_at == datetime(2026, 10, 14, 19, 5, 0, 20581, tzinfo=UTC)
    assert not caught.value.permanent


def test_it_handles_503(channel: Channel, server: respx.MockRouter) -> None:
    server["verify"].respond(503, html="<h1>Service Unavailable</h1>")

    with pytest.raises(TransientError) as caught:
        connector_for(channel).check()

    assert caught.value.status == 503
    assert not caught.value.permanent


def test_it_handles_422_as_permanent_with_mastodons_words(
    channel: Channel, server: respx.MockRouter
) -> None:
    server["verify"].respond(422, json={"error": "Validation failed: Text can't be blank"})

    with pytest.raises(PermanentError) as caught:
        connector_for(channel).check()

    assert not caught.value.needs_reconnect
    assert "Validation failed: Text can't be blank" in str(caught.value)


def test_it_handles_404(channel: Channel, server: respx.MockRouter) -> None:
    server["verify"].respond(404, json={"error": "Record not found"})

    with pytest.raises(PermanentError) as caught:
        connector_for(channel).check()

    assert caught.value.status == 404
    assert "Record not found" in str(caught.value)


@time_machine.travel(NOW, tick=False)
def test_a_revoked_token_marks_the_channel_for_reconnecting(
    channel: Channel, server: respx.MockRouter
) -> None:
    server["verify"].respond(401, json=bodies.INVALID_TOKEN)

    check_channel(channel)

    channel.refresh_from_db()
    assert channel.health == Health.NEEDS_RECONNECT
    assert "The access token is invalid" in channel.health_message


@time_machine.travel(NOW, tick=False)
def test_a_rate_limited_check_records_until_when(
    channel: Channel, server: respx.MockRouter
) -> None:
    server["verify"].respond(429, headers={"X-RateLimit-Reset": "2026-10-14T19:05:00Z"})

    check_channel(channel)

    channel.refresh_from_db()
    assert channel.health == Health.RATE_LIMITED
    assert channel.rate_limited_until == datetime(2026, 10, 14, 19, 5, tzinfo=UTC)


def test_a_healthy_check_updates_the_profile(channel: Channel, server: respx.MockRouter) -> None:
    check_channel(channel)

    channel.refresh_from_db()
    assert channel.health == Health.OK
    assert channel.name == "Brand Official"
