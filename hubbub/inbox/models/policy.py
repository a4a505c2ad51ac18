"""Response-time targets: one policy per workspace, its holidays and its overrides, and the
record of every breach (hubbub.inbox.sla and hubbub.inbox.business_hours compute with them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace, validate_time_zone
from hubbub.networks.models import Channel


def default_hours() -> dict[str, list[list[str]]]:
    # Keys are ISO weekdays as strings, "1" Monday … "7" Sunday; values are [start, end]
    # intervals in local "HH:MM" (end "24:00" allowed). Missing or empty: closed all day.
    return {str(day): [["09:00", "17:00"]] for day in range(1, 6)}


class ResponsePolicy(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="response_policy"
    )
    # Blank: the workspace's own time zone.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    hours = models.JSONField(_("business hours"), default=default_hours)
    business_hours_only = models.BooleanField(
        _("count business hours only"), default=True
    )  # False: targets run around the clock
    first_response_minutes = models.PositiveIntegerField(_("first response target"), default=60)
    resolution_minutes = models.PositiveIntegerField(_("resolution target"), default=8 * 60)
    warn_before_minutes = models.PositiveIntegerField(_("warn before a breach"), default=15)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"response policy of {self.workspace}"

    @property
    def zone_name(self) -> str:
        return self.time_zone or self.workspace.time_zone


class Holiday(models.Model):
    policy = models.ForeignKey(ResponsePolicy, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "date"], name="one_holiday_per_date")
        ]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class TargetOverride(models.Model):
    """Different targets for conversations that match every condition set here; the first
    matching override (by position) wins, and a blank target keeps the policy's."""

    policy = models.ForeignKey(ResponsePolicy, on_delete=models.CASCADE, related_name="overrides")
    position = models.PositiveIntegerField(default=0)
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE)
    tag = models.ForeignKey("inbox.Tag", null=True, blank=True, on_delete=models.CASCADE)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)  # Priority value
    sentiment = models.CharField(max_length=10, blank=True)  # Sentiment value
    kind = models.CharField(max_length=10, blank=True)  # Kind value
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"override {self.pk} of {self.policy}"


class BreachKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class Breach(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="breaches"
    )
    kind = models.CharField(max_length=20, choices=BreachKind.choices)
    due_at = models.DateTimeField()
    breached_at = models.DateTimeField()
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "kind", "due_at"], name="one_breach_per_due"
            )
        ]
        ordering = ["-breached_at"]
        indexes = [models.Index(fields=["workspace", "-breached_at"])]

    def __str__(self) -> str:
        return f"{self.kind} breach on {self.conversation_id}"
