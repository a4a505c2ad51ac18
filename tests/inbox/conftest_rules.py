"""Fixtures for the rules' tests (import them explicitly: `from tests.inbox.conftest_rules
import *`): messages arriving in Acme's inbox, moderators, and rules saved in order."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox.models import (
    Conversation,
    Customer,
    Direction,
    Identity,
    Kind,
    Message,
    Rule,
)
from hubbub.networks.models import Channel

__all__ = ["channel", "moderators", "receive", "rule"]

# A Tuesday morning in Paris: business hours under the default policy (Mon-Fri 9-17).
TUESDAY_10 = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    found = Channel(
        workspace=acme, network="bluesky", external_id="did:plc:acme", handle="acme.bsky.social"
    )
    found.credentials = {"handle": "acme.bsky.social", "app_password": "x"}
    found.save()
    return found


@pytest.fixture
def moderators(acme: Workspace, make_user: Callable[..., User]) -> list[User]:
    """Three moderators of Acme, by id order: dave, erin, fred."""
    people = []
    for name in ("dave", "erin", "fred"):
        user = make_user(f"{name}@example.com", full_name=name.title())
        Membership.objects.create(workspace=acme, user=user, role=Role.MODERATOR)
        people.append(user)
    return people


@pytest.fixture
def receive(acme: Workspace, channel: Channel) -> Callable[..., Message]:
    """receive("text", author="carol", ...) → an inbound message as ingestion stores it
    (language and sentiment as given; the conversation is the author's, per kind)."""

    def make(
        text: str,
        *,
        author: str = "carol",
        kind: str = Kind.COMMENT,
        at: datetime = TUESDAY_10,
        language: str = "",
        sentiment: str = "",
        followers: int | None = None,
        on: Channel | None = None,
        **conversation_fields: Any,
    ) -> Message:
        where = on or channel
        identity = Identity.objects.filter(workspace=acme, external_id=f"did:plc:{author}").first()
        if identity is None:
            identity = Identity.objects.create(
                workspace=acme,
                customer=Customer.objects.create(workspace=acme, name=author.title()),
                network=where.network,
                external_id=f"did:plc:{author}",
                handle=f"{author}.bsky.social",
                name=author.title(),
                followers_count=followers,
            )
        elif followers is not None:
            identity.followers_count = followers
            identity.save()
        conversation, _created = Conversation.objects.get_or_create(
            channel=where,
            kind=kind,
            thread_key=f"{kind}:{author}",
            defaults={
                "workspace": acme,
                "identity": identity,
                "customer": identity.customer,
                "opened_at": at,
                "last_message_at": at,
                **conversation_fields,
            },
        )
        number = next(_ids)
        return Message.objects.create(
            workspace=acme,
            conversation=conversation,
            channel=where,
            direction=Direction.INBOUND,
            kind=kind,
            external_id=f"at://did:plc:{author}/app.bsky.feed.post/{number}",
            identity=identity,
            text=text,
            created_at=at,
            received_at=at,
            language=language,
            sentiment=sentiment,
        )

    return make


@pytest.fixture
def rule(acme: Workspace, alice: User) -> Callable[..., Rule]:
    """rule(conditions, actions, name=..., stop=..., match_all=...) → a saved rule, last."""

    def make(
        conditions: list[dict[str, Any]], actions: list[dict[str, Any]], **fields: Any
    ) -> Rule:
        position = Rule.objects.filter(workspace=acme).count()
        fields.setdefault("name", f"rule {position + 1}")
        return Rule.objects.create(
            workspace=acme,
            position=position,
            conditions=conditions,
            actions=actions,
            created_by=alice,
            **fields,
        )

    return make
