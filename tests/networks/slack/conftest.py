"""Slack incoming webhook fixtures, shaped like Slack's "Sending messages using incoming
webhooks": the URL form of its example, `200 ok` as plain text on success, and plain-text
error codes ("Handling errors") with their HTTP statuses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from tests.conftest import PUBLIC_TEST_ADDRESS

TEAM_ID = "T00000000"
HOOK_ID = "B00000000"
SECRET = "XXXXXXXXXXXXXXXXXXXXXXXX"  # the documentation's placeholder, 24 characters
WEBHOOK_URL = f"https://hooks.slack.com/services/{TEAM_ID}/{HOOK_ID}/{SECRET}"


@pytest.fixture(autouse=True)
def slack_dns(fake_dns: dict[str, list[str]]) -> dict[str, list[str]]:
    fake_dns["hooks.slack.com"] = [PUBLIC_TEST_ADDRESS]
    return fake_dns


@pytest.fixture
def slack_api() -> Iterator[respx.MockRouter]:
    """Every outbound call must match a route; nothing reaches a network."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    channel = Channel(
        workspace=acme,
        network="slack",
        external_id=f"{TEAM_ID}/{HOOK_ID}",
        handle="#announcements",
        name="#announcements",
        config={"team_id": TEAM_ID, "hook_id": HOOK_ID, "label": "#announcements"},
    )
    channel.credentials = {"webhook_url": WEBHOOK_URL}
    channel.save()
    return channel
