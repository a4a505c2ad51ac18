"""What a webhook says: the JSON body for each event (documented in docs/webhooks.md).

Times are ISO 8601 in UTC: a receiving system has no notion of the workspace's time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from hubbub.core.models import Workspace
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
