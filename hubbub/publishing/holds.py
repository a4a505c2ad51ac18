"""Releasing deliveries held while their channel needed reconnecting."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.audit import record
from hubbub.networks.models import Channel
from hubbub.publishing import signals, tasks
from hubbub.publishing.models import Delivery, DeliveryStatus, WorkspacePublishing
from hubbub.publishing.notify import notify_needs_attention
from hubbub.publishing.status import announce, refresh_post_status

D = DeliveryStatus


def release_held(
    channel: Channel, now: datetime | None = None
) -> tuple[list[Delivery], list[Delivery]]:
    """Called once the channel is reconnected. Held deliveries still within the workspace's
    late cutoff go out now; later ones wait for a person. Returns (released, waiting)."""
    now = now or timezone.now()
    cutoff = WorkspacePublishing.of(channel.workspace).late_cutoff
    released: list[Delivery] = []
    waiting: list[Delivery] = []
    held = Delivery.objects.filter(channel=channel, status=D.HELD).select_related(
        "workspace", "post", "post__author", "channel"
    )
    for delivery in held:
        if now > delivery.due_at + cutoff:
            message = _(
                "The channel was reconnected %(late)s after the post was due, later than the "
                "workspace's cutoff: waiting for a person to send it now, reschedule or cancel it."
            ) % {"late": _duration(now - delivery.due_at)}
            values = {"status": D.NEEDS_ATTENTION, "last_error": message, "updated_at": now}
            target, bucket = D.NEEDS_ATTENTION, waiting
        else:
            values = {
                "status": D.SCHEDULED,
                "next_attempt_at": now,
                "last_error": "",
                "updated_at": now,
            }
            target, bucket = D.SCHEDULED, released
        if not Delivery.objects.filter(pk=delivery.pk, status=D.HELD).update(**values):
            continue
        record(
            "delivery.release",
            workspace=delivery.workspace,
            actor=None,
            via="system",
            obj=delivery,
            before={"status": D.HELD},
            after={"status": target},
        )
        delivery.refresh_from_db()
        bucket.append(delivery)
        if target == D.SCHEDULED:
            tasks.enqueue(delivery.pk)
        else:
            notify_needs_attention(delivery)
            announce(signals.delivery_needs_attention, delivery=delivery)
        refresh_post_status(delivery.post_id)
    return released, waiting


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    return _("%(h)sh%(m)02d") % {"h": minutes // 60, "m": minutes % 60}
