"""The inbox's API operations for tests/test_tenancy.py: the permission each one needs, the
body fields that get a refused role past validation, and one of each object in Acme."""

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
    ResponsePolicy,
    Rule,
    SavedReply,
    Tag,
)
from hubbub.networks.models import Channel

W = "api/workspaces/{slug}"
C = f"{W}/conversations/{{conversation_id}}"
M = f"{W}/messages/{{message_id}}"

WEB: dict[str, dict[str, str]] = {}

API: dict[tuple[str, str], str] = {
    ("GET", f"{W}/conversations"): "inbox.view",
    ("GET", f"{W}/conversations.csv"): "inbox.view",
    ("GET", C): "inbox.view",
    ("GET", f"{C}/messages"): "inbox.view",
    ("POST", f"{C}/replies"): "inbox.reply",
    ("POST", f"{C}/notes"): "inbox.reply",
    ("POST", f"{C}/assign"): "inbox.reply",
    ("POST", f"{C}/status"): "inbox.reply",
    ("POST", f"{C}/tags"): "inbox.reply",
    ("POST", f"{C}/priority"): "inbox.reply",
    ("POST", f"{W}/conversations/bulk"): "inbox.reply",
    ("POST", f"{M}/like"): "inbox.reply",
    ("POST", f"{M}/hide"): "inbox.moderate",
    ("POST", f"{M}/unhide"): "inbox.moderate",
    ("POST", f"{M}/delete"): "inbox.moderate",
    ("GET", f"{W}/customers/{{customer_id}}"): "inbox.view",
    ("GET", f"{W}/saved-replies"): "inbox.view",
    ("POST", f"{W}/saved-replies"): "inbox.configure",
    ("PUT", f"{W}/saved-replies/{{reply_id}}"): "inbox.configure",
    ("DELETE", f"{W}/saved-replies/{{reply_id}}"): "inbox.configure",
    ("GET", f"{W}/response-policy"): "inbox.view",
    ("PUT", f"{W}/response-policy"): "inbox.configure",
    ("GET", f"{W}/inbox/reports"): "inbox.reports",
    ("GET", f"{W}/inbox/reports.csv"): "inbox.reports",
    ("GET", f"{W}/rules"): "inbox.view",
    ("POST", f"{W}/rules"): "inbox.configure",
    ("POST", f"{W}/rules/preview"): "inbox.configure",
    ("GET", f"{W}/rules/{{rule_id}}"): "inbox.view",
    ("PUT", f"{W}/rules/{{rule_id}}"): "inbox.configure",
    ("DELETE", f"{W}/rules/{{rule_id}}"): "inbox.configure",
    ("POST", f"{W}/rules/{{rule_id}}/preview"): "inbox.configure",
}

# The shared BODY already has name, language, email...; these make the inbox's bodies valid.
BODY: dict[str, Any] = {
    "text": "Thanks for writing",
    "status": "closed",
    "priority": 2,
    "title": "Thanks",
    "ids": [],
    "op": "close",
    "add": ["tenancy"],
    "first_response_minutes": 30,
}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    """One conversation (with a message), customer and saved reply in Acme."""
    channel = Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:tenancy", handle="t.bsky.social"
    )
    customer = Customer.objects.create(workspace=acme, name="Carol")
    identity = Identity.objects.create(
        workspace=acme,
        customer=customer,
        network="bluesky",
        external_id="did:plc:carol",
        handle="carol.bsky.social",
    )
    at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    conversation = Conversation.objects.create(
        workspace=acme,
        channel=channel,
        kind=Kind.MENTION,
        thread_key="tenancy",
        identity=identity,
        customer=customer,
        opened_at=at,
        last_message_at=at,
        message_count=1,
    )
    message = Message.objects.create(
        workspace=acme,
        conversation=conversation,
        channel=channel,
        direction=Direction.INBOUND,
        kind=Kind.MENTION,
        external_id="at://tenancy/1",
        identity=identity,
        text="Hello",
        created_at=at,
    )
    reply = SavedReply.objects.create(workspace=acme, title="Hi", language="en", text="Hi!")
    rule = Rule.objects.create(
        workspace=acme, name="Refunds", actions=[{"type": "tag", "value": "billing"}]
    )
    return {
        "conversation_id": conversation.pk,
        "message_id": message.pk,
        "customer_id": customer.pk,
        "reply_id": reply.pk,
        "rule_id": rule.pk,
    }


def snapshot() -> dict[str, Any]:
    """What a refused request must leave as it was."""
    return {
        "conversations": sorted(
            Conversation.objects.values_list("pk", "status", "priority", "assignee_id", "team_id")
        ),
        "conversation_tags": sorted(
            Conversation.tags.through.objects.values_list("conversation_id", "tag_id")
        ),
        "tags": sorted(Tag.objects.values_list("pk", "name")),
        "messages": sorted(
            Message.objects.values_list("pk", "text", "liked_at", "hidden_at", "deleted_at")
        ),
        "notes": Note.objects.count(),
        "saved_replies": sorted(SavedReply.objects.values_list("pk", "title", "text")),
        "rules": sorted(Rule.objects.values_list("pk", "name", "position", "enabled")),
        "policies": sorted(
            ResponsePolicy.objects.values_list("workspace_id", "first_response_minutes")
        ),
    }
