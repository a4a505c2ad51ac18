"""The inbox pages' routes for tests/test_tenancy.py: which permission guards each, one of
each object they reach (in Acme), and what a refused request must leave unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.inbox.models import (
    Conversation,
    Customer,
    Direction,
    Identity,
    Kind,
    Message,
    Note,
    SavedView,
)
from hubbub.networks.models import Channel

VIEW = {"GET": "inbox.view"}
ANSWER = {"POST": "inbox.reply"}

WEB: dict[str, dict[str, str]] = {
    "inbox:list": VIEW,
    "inbox:new_rows": VIEW,
    "inbox:bulk": ANSWER,
    "inbox:export": VIEW,
    # Personal views are anyone's who reads the inbox; shared ones need inbox.configure
    # (checked by the action).
    "inbox:saved_view_save": {"POST": "inbox.view"},
    "inbox:saved_view_delete": {"POST": "inbox.view"},
    "inbox:conversation": VIEW,
    "inbox:reply": ANSWER,
    "inbox:note": ANSWER,
    "inbox:assign": ANSWER,
    "inbox:status": ANSWER,
    "inbox:tags": ANSWER,
    "inbox:priority": ANSWER,
    "inbox:replying": ANSWER,
    # like needs inbox.reply; hide and delete also inbox.moderate (checked by the actions).
    "inbox:message_action": ANSWER,
    "inbox:customer": {"GET": "inbox.view", "POST": "inbox.reply"},
    "inbox:customer_link": ANSWER,
}
API: dict[tuple[str, str], str] = {}
BODY: dict[str, str] = {}

AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def objects(acme: Workspace, alice: User) -> dict[str, int | str]:
    channel = Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:acme-inbox", handle="acme.test"
    )
    customer = Customer.objects.create(workspace=acme, name="Carol")
    identity = Identity.objects.create(
        workspace=acme, customer=customer, network="bluesky", external_id="c", handle="@carol"
    )
    conversation = Conversation.objects.create(
        workspace=acme,
        channel=channel,
        kind=Kind.MENTION,
        thread_key="tenancy",
        identity=identity,
        customer=customer,
        subject="Hello",
        opened_at=AT,
        last_message_at=AT,
        waiting_since=AT,
    )
    message = Message.objects.create(
        workspace=acme,
        conversation=conversation,
        channel=channel,
        direction=Direction.INBOUND,
        kind=Kind.MENTION,
        external_id="at://tenancy",
        identity=identity,
        text="Hello",
        created_at=AT,
    )
    view = SavedView.objects.create(workspace=acme, owner=alice, name="Mine", query="assignee=me")
    return {
        "conversation_id": conversation.pk,
        "message_id": message.pk,
        "customer_id": customer.pk,
        "view_id": view.pk,
        "op": "like",
    }


def snapshot() -> dict[str, Any]:
    return {
        "inbox_conversations": sorted(
            Conversation.objects.values_list(
                "pk",
                "status",
                "priority",
                "assignee_id",
                "team_id",
                "customer_id",
                "replying_user_id",
            )
        ),
        "inbox_conversation_tags": sorted(
            Conversation.tags.through.objects.values_list("conversation_id", "tag_id")
        ),
        "inbox_messages": sorted(
            Message.objects.values_list("pk", "text", "liked_at", "hidden_at", "deleted_at")
        ),
        "inbox_notes": Note.objects.count(),
        "inbox_views": sorted(SavedView.objects.values_list("pk", "name", "query", "owner_id")),
        "inbox_customers": sorted(Customer.objects.values_list("pk", "name", "email", "notes")),
        "inbox_identities": sorted(Identity.objects.values_list("pk", "customer_id")),
    }
