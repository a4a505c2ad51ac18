"""What a webhook says: the JSON body for each event (documented in docs/webhooks.md).

Times are ISO 8601 in UTC: a receiving system has no notion of the workspace's time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from hubbub.core.models import Workspace
from hubbub.inbox.models import Breach, Conversation, Priority
from hubbub.publishing.models import Delivery, Post


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def post_page_url(workspace: Workspace, post_id: int) -> str:
    try:
        path = reverse("publishing:post", args=[workspace.slug, post_id])
    except NoReverseMatch:  # the post page is named by the publishing app; same address
        path = f"/w/{workspace.slug}/posts/{post_id}/"
    return settings.BASE_URL + path


def post_data(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "purpose": post.purpose,
        "status": post.status,
        "scheduled_at": iso(post.scheduled_at),
        "campaign": post.campaign.name if post.campaign_id and post.campaign else None,
        "url": post_page_url(post.workspace, post.pk),
    }


def delivery_data(delivery: Delivery) -> dict[str, Any]:
    channel = delivery.channel
    return {
        "post": post_data(delivery.post),
        "delivery": {
            "id": delivery.pk,
            "status": delivery.status,
            "due_at": iso(delivery.due_at),
            "published_at": iso(delivery.published_at),
            "published_url": delivery.published_url or None,
            "attempts": delivery.attempt_count,
            "error": delivery.last_error or None,
            "network_message": delivery.network_message or None,
        },
        "channel": {"id": channel.pk, "network": channel.network, "handle": channel.handle},
    }


def status_change_data(post: Post, before: str, after: str) -> dict[str, Any]:
    return {"post": post_data(post), "before": before, "after": after}


def conversation_page_url(workspace: Workspace, conversation_id: int) -> str:
    try:
        path = reverse("inbox:conversation", args=[workspace.slug, conversation_id])
    except NoReverseMatch:  # the conversation page is named by the inbox app; same address
        path = f"/w/{workspace.slug}/inbox/{conversation_id}/"
    return settings.BASE_URL + path


SUBJECT_EXCERPT = 140  # characters of the conversation's subject a webhook carries


def conversation_data(conversation: Conversation) -> dict[str, Any]:
    channel = conversation.channel
    identity = conversation.identity
    subject = " ".join(conversation.subject.split())
    if len(subject) > SUBJECT_EXCERPT:
        subject = subject[: SUBJECT_EXCERPT - 1] + "…"
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "status": conversation.status,
        "priority": Priority(conversation.priority).name.lower(),
        "subject": subject,
        "opened_at": iso(conversation.opened_at),
        "first_response_due_at": iso(conversation.first_response_due_at),
        "resolution_due_at": iso(conversation.resolution_due_at),
        "customer": {
            "handle": identity.handle,
            "name": identity.name or None,
        }
        if identity is not None
        else None,
        "channel": {"id": channel.pk, "network": channel.network, "handle": channel.handle},
        "url": conversation_page_url(conversation.workspace, conversation.pk),
    }


def breach_data(conversation: Conversation, breach: Breach) -> dict[str, Any]:
    return {
        "conversation": conversation_data(conversation),
        "breach": {
            "id": breach.pk,
            "target": breach.kind,
            "due_at": iso(breach.due_at),
            "breached_at": iso(breach.breached_at),
        },
    }


def test_data(workspace: Workspace) -> dict[str, Any]:
    return {"message": "This is a test event from Hubbub.", "workspace": workspace.name}


def envelope(
    webhook_id: str, event: str, created_at: datetime, workspace: Workspace, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": webhook_id,
        "event": event,
        "created_at": iso(created_at),
        "workspace": workspace.slug,
        "data": data,
    }
