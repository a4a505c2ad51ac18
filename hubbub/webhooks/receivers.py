"""Publishing's signals turned into webhook messages.

A receiver never raises: publishing sends these after its change is committed, and a broken
webhook (or a bug here) must not look like a failed publication. Problems are logged instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from hubbub.publishing import signals
from hubbub.publishing.models import Delivery, Post, PostKind
from hubbub.webhooks import payloads, sending, tasks
from hubbub.webhooks.models import WebhookEndpoint

log = logging.getLogger(__name__)


def _fresh_delivery(delivery: Delivery) -> Delivery:
    # The sender's object may predate its last save; the message must say what is stored.
    return Delivery.objects.select_related(
        "workspace", "channel", "post__workspace", "post__campaign"
    ).get(pk=delivery.pk)


# Which events each workspace's active endpoints listen for, per process, for a second.
# Publishing sends three signals per delivery and most workspaces have no endpoint: without
# this, building payloads cost the worker 3.5 ms of CPU per delivery, and even one query per
# signal a tenth of its throughput (both measured with bench/). An endpoint saved or deleted in
# this process clears its workspace's entry at once; one changed in another process (the web
# server) is seen by the workers within LISTENERS_TTL.
_listening: dict[int, tuple[float, frozenset[str]]] = {}
_listening_lock = threading.Lock()


def _events_listened(workspace_id: int) -> frozenset[str]:
    ttl = float(getattr(settings, "HUBBUB_WEBHOOK_LISTENERS_TTL", 1.0))
    now = time.monotonic()
    hit = _listening.get(workspace_id)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    events = frozenset(
        event
        for listened in WebhookEndpoint.objects.filter(
            workspace_id=workspace_id, is_active=True
        ).values_list("events", flat=True)
        for event in listened
    )
    with _listening_lock:
        _listening[workspace_id] = (now, events)
    return events


def _anyone_listens(workspace_id: int, event: str) -> bool:
    return event in _events_listened(workspace_id)


def forget_listeners(sender: Any, instance: WebhookEndpoint, **kwargs: Any) -> None:
    with _listening_lock:
        _listening.pop(instance.workspace_id, None)


def _on_delivery(event: str) -> Callable[..., None]:
    def receive(sender: Any, delivery: Delivery, **kwargs: Any) -> None:
        try:
            # An inbox reply is a conversation's message, not a post: its own events say so.
            if delivery.post.kind == PostKind.REPLY:
                return
            if not _anyone_listens(delivery.workspace_id, event):
                return
            fresh = _fresh_delivery(delivery)
            messages = sending.queue_event(fresh.workspace, event, payloads.delivery_data(fresh))
            tasks.enqueue(m.pk for m in messages)
        except Exception:
            log.exception("webhooks: could not queue %s for delivery %s", event, delivery.pk)

    return receive


def on_post_status_changed(
    sender: Any, post: Post, before: str = "", after: str = "", **kwargs: Any
) -> None:
    try:
        if post.kind == PostKind.REPLY:
            return
        if not _anyone_listens(post.workspace_id, "post.status_changed"):
            return
        fresh = Post.objects.select_related("workspace", "campaign").get(pk=post.pk)
        data = payloads.status_change_data(fresh, str(before), str(after or fresh.status))
        messages = sending.queue_event(fresh.workspace, "post.status_changed", data)
        tasks.enqueue(m.pk for m in messages)
    except Exception:
        log.exception("webhooks: could not queue post.status_changed for post %s", post.pk)


on_published = _on_delivery("delivery.published")
on_failed = _on_delivery("delivery.failed")
on_needs_attention = _on_delivery("delivery.needs_attention")


def connect() -> None:
    post_save.connect(forget_listeners, sender=WebhookEndpoint, dispatch_uid="webhooks.forget")
    post_delete.connect(forget_listeners, sender=WebhookEndpoint, dispatch_uid="webhooks.forget_d")
    signals.delivery_published.connect(on_published, dispatch_uid="webhooks.published")
    signals.delivery_failed.connect(on_failed, dispatch_uid="webhooks.failed")
    signals.delivery_needs_attention.connect(
        on_needs_attention, dispatch_uid="webhooks.needs_attention"
    )
    signals.post_status_changed.connect(on_post_status_changed, dispatch_uid="webhooks.status")
