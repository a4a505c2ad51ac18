"""A workspace's publishing settings: the crisis pause and the late cutoff.

Kept in this app (one row per workspace, created on first use) so core's Workspace does not
grow a field for every capability.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    # Approved hours, in the workspace's time zone (e.g. 07:00-22:00; start > end wraps past
    # midnight). A post scheduled outside them needs a second approver. Both empty: any time.
    approved_hours_start = models.TimeField(_("approved hours from"), null=True, blank=True)
    approved_hours_end = models.TimeField(_("approved hours until"), null=True, blank=True)
    # May the author of a post approve it? Off by default: four eyes.
    self_approval = models.BooleanField(_("authors may approve their own posts"), default=False)
    # Does moving an approved post to another time (e.g. dragging it in the calendar) send it
    # back to approval? Off: an approval is for the content; on: for the content and its time.
    reapprove_on_reschedule = models.BooleanField(
        _("rescheduling an approved post needs approval again"), default=False
    )
    # The secret in the workspace's iCal feed URL; regenerating it cuts off old subscribers.
    ical_token = models.CharField(max_length=64, default=secrets.token_urlsafe, unique=True)

    def __str__(self) -> str:
        return f"publishing settings of {self.workspace}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @classmethod
    def of(cls, workspace: Workspace) -> WorkspacePublishing:
        row, _created = cls.objects.get_or_create(workspace=workspace)
        return row
