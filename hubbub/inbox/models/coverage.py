"""Who is on duty: a weekly rota, one-off overrides, absences and their handoff, and the
digests sent to each member (hubbub.inbox.coverage and hubbub.inbox.digest)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace


class Shift(models.Model):
    """A weekly rota slot in the workspace's time zone; `end` <= `start` runs past midnight."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # ISO: 1 Monday … 7 Sunday
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        ordering = ["weekday", "start", "id"]

    def __str__(self) -> str:
        return f"{self.user} on {self.weekday} {self.start}-{self.end}"


class CoverageOverride(models.Model):
    """A one-off: `user` is on duty from starts_at to ends_at (UTC), instead of the rota."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} on duty {self.starts_at} - {self.ends_at}"


class Absence(models.Model):
    """A member away (vacation): off the rota, and their open conversations handed off."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    handed_off_at = models.DateTimeField(null=True, blank=True)
    handed_off_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} away {self.starts_at} - {self.ends_at}"


class Digest(models.Model):
    """One overnight digest sent to one member, covering [period_start, period_end)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    summary = models.JSONField(default=dict)  # the counts it reported

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "period_end"], name="one_digest_per_period"
            )
        ]
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"digest for {self.user} until {self.period_end}"
