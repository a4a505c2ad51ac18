"""Fixtures for the response-time target tests (imported explicitly by test_sla*.py): a
conversation opened at a given moment, and the workspace's response policy."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from hubbub.core.models import Workspace
from hubbub.inbox import sla
from hubbub.inbox.models import Conversation, Customer, Identity, Message, ResponsePolicy
from hubbub.networks.models import Channel

_threads = itertools.count(1)


@pytest.fixture
def policy(acme: Workspace) -> ResponsePolicy:
    """Acme's policy with the defaults: Monday-Friday 09:00-17:00 Paris time, first response
    within an hour, resolution within eight, warnings 15 minutes before."""
    return sla.policy_for(acme)


@pytest.fixture
def carol(acme: Workspace) -> Identity:
    customer = Customer.objects.create(workspace=acme, name="Carol Blanc")
    return Identity.objects.create(
        workspace=acme,
        customer=customer,
        network="bluesky",
        external_id="did:plc:carol",
        handle="carol.bsky.social",
        name="Carol Blanc",
    )


@pytest.fixture
def open_conversation(
    acme: Workspace, bluesky_channel: Channel, carol: Identity
) -> Callable[..., Conversation]:
    """open_conversation(at) → a conversation whose first message arrived at `at`, with its
    due times set as ingestion sets them (sla.on_inbound)."""

    def make(at: datetime, **fields: Any) -> Conversation:
        values: dict[str, Any] = {
            "workspace": acme,
            "channel": bluesky_channel,
            "kind": "comment",
            "thread_key": f"thread-{next(_threads)}",
            "identity": carol,
            "customer": carol.customer,
            "subject": "Where is my order? <script>alert(1)</script> <!channel>",
            "opened_at": at,
            "last_message_at": at,
            "last_inbound_at": at,
            "waiting_since": at,
            "message_count": 1,
        }
        values.update(fields)
        tags = values.pop("tags", [])
        conversation = Conversation.objects.create(**values)
        conversation.tags.set(tags)
        message = inbound(conversation, at)
        sla.on_inbound(conversation, message, reopened=False)
        return conversation

    return make


def inbound(conversation: Conversation, at: datetime, text: str = "Hello?") -> Message:
    return Message.objects.create(
        workspace=conversation.workspace,
        conversation=conversation,
        channel=conversation.channel,
        direction="in",
        kind=conversation.kind,
        external_id=f"m-{conversation.pk}-{at.timestamp()}",
        identity=conversation.identity,
        text=text,
        created_at=at,
    )
