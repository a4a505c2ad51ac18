"""A newsletter channel on Acme mailing through an in-process SMTP server on loopback
(allowed by HUBBUB_ALLOW_PRIVATE_NETWORKS, as a local relay would be), with subscribers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.newsletter.connector import NewsletterConfig
from hubbub.networks.newsletter.models import Subscriber
from tests.networks.newsletter.smtp_server import PASSWORD, USERNAME, Running, smtp_server

PEOPLE = [("ann@example.com", "Ann"), ("ben@example.org", "Ben"), ("cat@example.net", "")]


@pytest.fixture
def smtp(private_networks_allowed: None) -> Iterator[Running]:
    with smtp_server() as running:
        yield running


def make_newsletter(
    workspace: Workspace,
    port: int,
    host: str = "127.0.0.1",
    *,
    password: str = PASSWORD,
    **config: Any,
) -> Channel:
    """A newsletter channel sending through host:port; `config` changes the settings."""
    settings = NewsletterConfig(
        **{
            "host": host,
            "port": port,
            "security": "none",
            "username": USERNAME,
            "from_name": "Acme",
            "from_address": "news@acme.example",
            "reply_to": "hello@acme.example",
            "list_name": "Acme News",
            "list_id": "acme-news.acme.example",
            "postal_address": "1 Rue de la Paix\n75002 Paris, France",
            **config,
        }
    )
    channel = Channel(
        workspace=workspace,
        network="newsletter",
        external_id=settings.list_id,
        handle=settings.from_address,
        name=settings.list_name,
        config=settings.model_dump(),
    )
    channel.credentials = {"password": password}
    channel.save()
    return channel


@pytest.fixture
def newsletter(acme: Workspace, smtp: Running) -> Channel:
    channel = make_newsletter(acme, smtp.port)
    for email, name in PEOPLE:
        Subscriber.objects.create(channel=channel, email=email, name=name)
    return channel
