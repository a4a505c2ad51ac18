"""Scheduled reports and what each sending did."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ReportSchedule(models.Model):
    """A PDF report e-mailed on a weekday (the 7 days before it) or a day of the month (the
    month before it), at a local hour of the workspace's time zone."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday"), default=0)  # Monday = 0
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), default=1)
    hour = models.PositiveSmallIntegerField(_("hour"), default=8)
    channel = models.ForeignKey(
        "networks.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(
        "publishing.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    compare = models.CharField(_("compared with"), max_length=10, default="previous")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # Outside addresses (a client, a director without an account), one per line.
    addresses = models.TextField(_("other addresses"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def address_list(self) -> list[str]:
        return [line.strip() for line in self.addresses.splitlines() if line.strip()]


class SendingStatus(models.TextChoices):
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ReportSending(models.Model):
    """One occurrence of a schedule. Its unique constraint is what makes a report go out
    once however many workers run the periodic job at the same moment."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="sendings")
    due_at = models.DateTimeField()  # the occurrence (its local day and hour)
    status = models.CharField(max_length=10, choices=SendingStatus.choices, default="sending")
    attempts = models.PositiveSmallIntegerField(default=0)
    recipients = models.TextField(blank=True)  # who it went to, one address a line
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "due_at"], name="one_sending_per_due")
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.due_at:%Y-%m-%d %H:%M}: {self.status}"
