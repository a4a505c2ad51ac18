"""What a workspace listens for: boolean queries (hubbub.listening.query), in groups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace


class GroupKind(models.TextChoices):
    BRAND = "brand", _("Our brand")
    COMPETITOR = "competitor", _("Competitors")
    CAMPAIGN = "campaign", _("Campaigns")
    PRODUCT = "product", _("Products")
    OTHER = "other", _("Other")


class ToInbox(models.TextChoices):
    NEVER = "", _("No")
    NEGATIVE = "negative", _("Negative mentions")
    ALL = "all", _("Every mention")


class QueryGroup(models.Model):
    """Queries that belong together; share of voice compares the brand's with competitors'."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=GroupKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_query_group_per_name")
        ]

    def __str__(self) -> str:
        return self.name


class Query(models.Model):
    """One boolean query. `text` is what the person typed (checked by query.parse on save);
    `spike_state` is hubbub.listening.spikes.State as JSON: the usual volume by hour of the
    week and where an alert stands."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        QueryGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="queries"
    )
    name = models.CharField(_("name"), max_length=100)
    text = models.TextField(_("query"))
    is_active = models.BooleanField(_("active"), default=True)
    alerts_enabled = models.BooleanField(_("spike and crisis alerts"), default=True)
    # The rule that brings matching mentions into the inbox as conversations, on the channel
    # whose search found them (hubbub.listening.conversations.bring_in), as they arrive.
    to_inbox = models.CharField(
        _("bring into the inbox"), max_length=10, choices=ToInbox.choices, blank=True, default=""
    )
    to_inbox_min_reach = models.PositiveIntegerField(
        _("only from authors with at least this many followers"), null=True, blank=True
    )
    spike_state = models.JSONField(default=dict, blank=True)
    # Up to when mentions stored before the query existed were matched against it.
    matched_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "queries"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_query_per_name")
        ]

    def __str__(self) -> str:
        return self.name
