"""What the inbox reads from each channel, and where it stopped (hubbub.inbox.polling)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel


class SourceKind(models.TextChoices):
    COMMENTS = "comments", _("Comments on a post")
    MENTIONS = "mentions", _("Mentions")
    MESSAGES = "messages", _("Direct messages")


class InboxSource(models.Model):
    """One stream read by polling: the mentions or messages of a channel, or the comments on
    one of its published posts. `cursor` is the connector's opaque cursor (incoming.py)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="inbox_sources")
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    ref_external_id = models.CharField(max_length=1000, blank=True)  # the post, for comments
    ref_data = models.JSONField(default=dict, blank=True)  # the post's PublishedRef as JSON
    cursor = models.TextField(null=True, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    error_count = models.PositiveIntegerField(default=0)
    # Comments of a post are read until this time (posts older than the backfill stop).
    active_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "ref_external_id"], name="one_source_per_stream"
            )
        ]
        indexes = [models.Index(fields=["next_poll_at"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.channel}"
