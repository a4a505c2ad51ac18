"""A newsletter channel's subscribers, and what was sent to each of them.

`Sending` is the exactly-once record: its row for (idempotency key, subscriber) is committed
*before* the e-mail leaves (status SENDING), then updated with the outcome. A retry of the
same part skips every subscriber who has a row, whatever its status, and the unique
constraint stops two workers that both took the part over from claiming the same
subscriber. A row left in SENDING (the worker died, or the server stopped answering after
the message was handed over) means "may have been delivered": it is never sent again,
because a missed newsletter is better than a duplicate one.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.networks.models import Channel


class SubscriberStatus(models.TextChoices):
    ACTIVE = "active", _("Subscribed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Bounced")


class Source(models.TextChoices):
    CSV = "csv", _("CSV import")
    API = "api", _("API")
    WEB = "web", _("Added on the web page")


class Subscriber(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="subscribers")
    email = models.EmailField(max_length=254)  # stored lowercased (normalise_email)
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=SubscriberStatus.choices, default=SubscriberStatus.ACTIVE
    )
    bounce_message = models.TextField(blank=True)  # the server's own words, e.g. "550 5.1.1 ..."
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(default=timezone.now)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "email"], name="one_subscriber_per_address")
        ]
        indexes = [models.Index(fields=["channel", "status"])]
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class SendingStatus(models.TextChoices):
    SENDING = "sending", _("Sending (outcome unknown)")
    SENT = "sent", _("Sent")
    BOUNCED = "bounced", _("Refused by the server")
    FAILED = "failed", _("Failed")


class Sending(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)  # the part's idempotency key
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="sendings")
    status = models.CharField(max_length=8, choices=SendingStatus.choices)
    message_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "subscriber"], name="one_sending_per_subscriber")
        ]
        indexes = [models.Index(fields=["channel", "key"])]

    def __str__(self) -> str:
        return f"{self.key} → {self.subscriber_id}: {self.status}"
