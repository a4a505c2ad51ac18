"""A workspace's publishing settings: the crisis pause and the late cutoff.

Kept in this app (one row per workspace, created on first use) so core's Workspace does not
grow a field for every capability.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from hubbub.core.models import Workspace

DEFAULT_LATE_CUTOFF = timedelta(hours=2)


class WorkspacePublishing(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="publishing", primary_key=True
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A held delivery released later than due_at + this waits for a person instead of going out:
    # a post about this morning's event must not appear in the evening unannounced.
    late_cutoff = models.DurationField(default=DEFAULT_LATE_CUTOFF)

    def __str__(self) -> str:
        return f"publishing settings of {self.workspace}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @classmethod
    def of(cls, workspace: Workspace) -> WorkspacePublishing:
        row, _created = cls.objects.get_or_create(workspace=workspace)
        return row
