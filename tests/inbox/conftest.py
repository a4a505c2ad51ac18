"""Fixtures shared by the inbox's tests: a channel, and a message arriving on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from hubbub.core.models import Workspace
from hubbub.networks.incoming import Author, Incoming
from hubbub.networks.models import Channel


@pytest.fixture
def bluesky_channel(acme: Workspace) -> Channel:
    channel = Channel(
        workspace=acme, network="bluesky", external_id="did:plc:acme", handle="acme.bsky.social"
    )
    channel.credentials = {"handle": "acme.bsky.social", "app_password": "x"}
    channel.save()
    return channel


@pytest.fixture
def incoming() -> Callable[..., Incoming]:
    """incoming("hello", id="1", author="alice") → an Incoming as a connector returns it."""

    def make(
        text: str,
        id: str = "1",
        author: str = "carol",
        at: datetime | None = None,
        in_reply_to: str = "",
        **data: Any,
    ) -> Incoming:
        return Incoming(
            external_id=id,
            text=text,
            author=Author(
                external_id=f"did:plc:{author}", handle=f"{author}.bsky.social", name=author.title()
            ),
            created_at=at or datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
            url=f"https://bsky.app/profile/{author}.bsky.social/post/{id}",
            in_reply_to=in_reply_to,
            data=data,
        )

    return make
