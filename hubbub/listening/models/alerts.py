"""Spike and crisis alerts raised on a query (hubbub.listening.alerts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.listening.models.queries import Query


class AlertSeverity(models.TextChoices):
    SPIKE = "spike", _("Spike")
    CRISIS = "crisis", _("Crisis")


class ListeningAlert(models.Model):
    """One alert: what was seen in which window, against what was usual, and why (`facts`:
    top new terms, most-shared mentions, the sentiment shift), as sent to people."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="alerts")
    severity = models.CharField(max_length=10, choices=AlertSeverity.choices)
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    mentions = models.PositiveIntegerField()
    expected = models.FloatField()
    negative_share = models.FloatField()
    usual_negative_share = models.FloatField()
    facts = models.JSONField(default=dict, blank=True)
    # When the first mention of the burst arrived here (fetched), for the latency shown.
    first_seen_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    crisis_mode_at = models.DateTimeField(null=True, blank=True)  # crisis pause turned on from it

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["workspace", "raised_at"], name="alert_by_time")]

    def __str__(self) -> str:
        return f"{self.severity} on {self.query}"
