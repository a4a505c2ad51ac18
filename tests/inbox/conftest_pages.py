"""Fixtures for the inbox's pages (tests/web/test_inbox_*.py, tests/e2e/test_inbox_*.py):
conversations as ingestion leaves them, on the fake network of conftest_actions (which can
reply, like, hide and delete). Import the fixtures explicitly where used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hubbub.core.models import Workspace
from hubbub.inbox.models import (
    Conversation,
    Customer,
    Direction,
    Identity,
    Kind,
    Message,
    Status,
)
from hubbub.networks.models import Channel
from tests.inbox.conftest_actions import FakeInboxConnector, chan, inbox_network

__all__ = ["FakeInboxConnector", "chan", "conversation", "identity", "inbox_network", "message"]

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def identity(workspace: Workspace, network: str, handle: str, name: str = "") -> Identity:
    """An author (with a customer of their own, as ingestion creates them)."""
    customer = Customer.objects.create(workspace=workspace, name=name)
    return Identity.objects.create(
        workspace=workspace,
        customer=customer,
        network=network,
        external_id=f"id-{handle}",
        handle=handle,
        name=name,
        profile_url=f"https://fake.example/{handle.lstrip('@')}",
    )


def message(
    conversation: Conversation,
    text: str,
    *,
    at: datetime,
    direction: str = Direction.INBOUND,
    external_id: str = "",
    **extra: Any,
) -> Message:
    """Add a message to a conversation, keeping its counters as ingestion does."""
    inbound = direction == Direction.INBOUND
    result = Message.objects.create(
        workspace=conversation.workspace,
        conversation=conversation,
        channel=conversation.channel,
        direction=direction,
        kind=conversation.kind,
        external_id=external_id,
        identity=conversation.identity if inbound else None,
        text=text,
        url=f"https://fake.example/m/{external_id}" if external_id else "",
        data={"uri": f"at://{external_id}", "cid": "c1"},
        created_at=at,
        **extra,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        message_count=conversation.messages.count(),
        last_message_at=max(at, conversation.last_message_at),
        **({"last_inbound_at": at} if inbound else {}),
    )
    conversation.refresh_from_db()
    return result


def conversation(
    channel: Channel,
    text: str = "Where is my order?",
    *,
    handle: str = "@carol",
    name: str = "Carol Jones",
    at: datetime = T0,
    kind: str = Kind.MENTION,
    status: str = Status.OPEN,
    key: str = "",
    **fields: Any,
) -> Conversation:
    """A conversation with one inbound message from `handle`, `at`."""
    author = Identity.objects.filter(
        workspace=channel.workspace, handle=handle
    ).first() or identity(channel.workspace, channel.network, handle, name)
    key = key or f"{handle}:{at.isoformat()}:{text[:20]}"
    result = Conversation.objects.create(
        workspace=channel.workspace,
        channel=channel,
        kind=kind,
        thread_key=key,
        identity=author,
        customer=author.customer,
        subject=text[:200],
        status=status,
        opened_at=at,
        last_message_at=at,
        last_inbound_at=at,
        waiting_since=at if status == Status.OPEN else None,
        language="en",
        **fields,
    )
    message(result, text, at=at, external_id=f"ext-{key}")
    return result


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
