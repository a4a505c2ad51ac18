"""Per-channel weekly queue slots: "next free slot" picks the first one not already taken."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hubbub.networks.models import Channel


class QueueSlot(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="queue_slots")
    weekday = models.PositiveSmallIntegerField(_("day"))  # 0 = Monday … 6 = Sunday
    time = models.TimeField(_("time"))  # wall-clock time in the workspace's time zone

    class Meta:
        ordering = ["channel", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "weekday", "time"], name="one_slot")
        ]

    def __str__(self) -> str:
        return f"{self.channel} day {self.weekday} at {self.time:%H:%M}"
