"""Webhook endpoints (where to send) and messages (one event for one endpoint, with its retries).

A message is written when the event happens and sent by a worker; its `webhook_id` stays the
same across retries so the receiver can drop duplicates (Standard Webhooks' `webhook-id`).

Message status:

    pending ──2xx──▶ sent
    pending ──5xx / 408 / 429 / timeout──▶ pending (next_attempt_at later, backoff)
    pending ──other 4xx, refused address, attempts exhausted, endpoint disabled──▶ failed
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core import crypto
from hubbub.core.models import Workspace

# Events an endpoint can subscribe to. New events are added here (and in docs/webhooks.md).
EVENTS: dict[str, object] = {
    "delivery.published": _("A post went out on a channel"),
    "delivery.failed": _("Publishing on a channel failed and will be retried"),
    "delivery.needs_attention": _("Publishing on a channel stopped and needs a person"),
    "post.status_changed": _("A post's status changed"),
    "conversation.created": _("A new conversation arrived in the inbox"),
    "conversation.breached": _("A conversation missed its response target"),
    "listening.alert": _("Mentions of a listening query spiked or show a possible crisis"),
}
# Sent by "Send test event" whatever the endpoint subscribes to.
TEST_EVENT = "webhook.test"


class WebhookEndpoint(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # "whsec_<base64>", encrypted with the deployment key: a database dump does not let
    # anyone forge our signatures.
    secret_encrypted = models.TextField()
    events = models.JSONField(default=list)  # keys of EVENTS
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Messages in a row that finally failed; the endpoint is switched off at DISABLE_AFTER.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)  # set when Hubbub switched it off

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt(value)

    def wants(self, event: str) -> bool:
        return self.is_active and event in self.events


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


def new_webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookMessage(models.Model):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="messages")
    webhook_id = models.CharField(max_length=64, unique=True, default=new_webhook_id)
    event = models.CharField(max_length=64)
    payload = models.JSONField()  # the body, exactly as sent (serialised compactly)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.webhook_id}"
