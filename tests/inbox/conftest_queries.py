"""Inbox rows built directly (not through ingestion), for the list, search and API tests.

Import it explicitly (`from tests.inbox.conftest_queries import Inbox`) and make the
fixture in the test module: `inbox = Inbox(acme)`.
"""

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

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class Inbox:
    """Makes conversations of one workspace, each with its messages."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.channel = Channel.objects.create(
            workspace=workspace,
            network="bluesky",
            external_id=f"did:plc:{workspace.slug}",
            handle=f"{workspace.slug}.bsky.social",
        )
        self.count = 0

    def person(self, handle: str, name: str = "") -> Identity:
        customer, _ = Customer.objects.get_or_create(workspace=self.workspace, name=name or handle)
        identity, _ = Identity.objects.get_or_create(
            workspace=self.workspace,
            network="bluesky",
            external_id=f"did:plc:{handle}",
            defaults={"customer": customer, "handle": f"{handle}.bsky.social", "name": name},
        )
        return identity

    def conversation(
        self,
        *texts: str,
        who: str = "carol",
        at: datetime | None = None,
        channel: Channel | None = None,
        kind: str = Kind.COMMENT,
        **fields: Any,
    ) -> Conversation:
        """A conversation whose inbound messages are `texts`, one minute apart."""
        self.count += 1
        at = at or T0 + timedelta(minutes=10 * self.count)
        identity = self.person(who, who.title())
        channel = channel or self.channel
        last = at + timedelta(minutes=len(texts) - 1) if texts else at
        values: dict[str, Any] = {
            "status": Status.OPEN,
            "opened_at": at,
            "last_message_at": last,
            "last_inbound_at": last,
            "waiting_since": at,
            "message_count": len(texts),
            "subject": texts[0][:200] if texts else "",
        }
        values.update(fields)
        conversation = Conversation.objects.create(
            workspace=self.workspace,
            channel=channel,
            kind=kind,
            thread_key=f"thread-{self.count}",
            identity=identity,
            customer=identity.customer,
            **values,
        )
        for index, text in enumerate(texts):
            self.message(conversation, text, at=at + timedelta(minutes=index))
        return conversation

    def message(
        self,
        conversation: Conversation,
        text: str,
        *,
        at: datetime | None = None,
        direction: str = Direction.INBOUND,
        external_id: str | None = None,
    ) -> Message:
        self.count += 1
        return Message.objects.create(
            workspace=self.workspace,
            conversation=conversation,
            channel=conversation.channel,
            direction=direction,
            kind=conversation.kind,
            external_id=external_id if external_id is not None else f"m-{self.count}",
            identity=conversation.identity if direction == Direction.INBOUND else None,
            text=text,
            created_at=at or conversation.last_message_at,
        )
