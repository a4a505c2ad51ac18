"""A delivery: one post variant going to one channel, and every attempt to publish it.

Delivery status, and how it moves (see hubbub.publishing.dispatcher):

    scheduled ──due, claimed──▶ claimed ──every part out──▶ published
    claimed ──transient error / rate limit / unknown outcome──▶ retrying ──due──▶ claimed
    claimed ──too many attempts / permanent error──▶ needs_attention
    claimed ──channel needs reconnecting──▶ held ──reconnected──▶ scheduled (or needs_attention
                                                                  when later than the cutoff)
    claimed, lease expired (the worker died) ──claimed again──▶ claimed (reconciling first)
    scheduled / retrying ──resume after a crisis pause, time passed──▶ needs_attention
    needs_attention / held ──send now / reschedule──▶ scheduled
    any but claimed / published ──cancel──▶ cancelled

`in_flight_part` is the fence of exactly-once: it is written (and committed) before a part is
sent and cleared when its result is recorded, so a part whose outcome is unknown — a timeout
after the request was sent, or a worker killed mid-call — is looked up on the network before
anything is sent again.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.publishing.models.posts import Post, PostVariant


class DeliveryStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CLAIMED = "claimed", _("Publishing")
    RETRYING = "retrying", _("Retrying")
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held: channel needs reconnecting")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")
    CANCELLED = "cancelled", _("Cancelled")


WAITING = (DeliveryStatus.SCHEDULED, DeliveryStatus.RETRYING)
FINAL = (DeliveryStatus.PUBLISHED, DeliveryStatus.CANCELLED)


class Delivery(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="deliveries")
    variant = models.OneToOneField(PostVariant, on_delete=models.CASCADE, related_name="delivery")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.SCHEDULED
    )
    due_at = models.DateTimeField()  # when the person wants it out (UTC)
    next_attempt_at = models.DateTimeField()  # when a worker may next claim it
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)  # the lease
    attempt_count = models.PositiveIntegerField(default=0)  # calls to the network, all parts
    retry_count = models.PositiveIntegerField(default=0)  # failed attempts: drives the backoff
    in_flight_part = models.IntegerField(null=True, blank=True)
    published_refs = models.JSONField(default=list)  # PublishedRef data, one per part out
    published_url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    network_message = models.TextField(blank=True)  # the network's own words
    missed_reported_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # A report's posts: a workspace's published in a period (hubbub.measure.reports
            # .deliveries), counted by channel. With the channel the index alone answers;
            # without it SQLite looks every post of a year up in the table, slower than
            # reading the table through.
            models.Index(
                fields=["workspace", "status", "published_at", "channel"],
                name="delivery_published",
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of post {self.post_id} to {self.channel}"

    def refs(self) -> list[PublishedRef]:
        return [ref_from_json(item) for item in self.published_refs]


def ref_to_json(ref: PublishedRef) -> dict[str, Any]:
    return {"external_id": ref.external_id, "url": ref.url, "data": dict(ref.data)}


def ref_from_json(item: dict[str, Any]) -> PublishedRef:
    return PublishedRef(
        external_id=str(item["external_id"]),
        url=str(item.get("url", "")),
        data=item.get("data", {}),
    )


class Attempt(models.TextChoices):
    PUBLISHED = "published", _("Published")
    TRANSIENT = "transient", _("Temporary error")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    PERMANENT = "permanent", _("Rejected")
    UNKNOWN = "unknown", _("Outcome unknown")
    RECONCILED_FOUND = "reconciled_found", _("Found on the network")
    RECONCILED_ABSENT = "reconciled_absent", _("Not found on the network")


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    part_index = models.PositiveIntegerField()
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Attempt.choices)
    error = models.TextField(blank=True)
    network_message = models.TextField(blank=True)
    response_id = models.CharField(max_length=500, blank=True)  # the network's id for the part

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} part {self.part_index}: {self.outcome}"
