"""Filtering the audit log, shared by the audit page, its CSV export and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from hubbub.core.access import ActionError
from hubbub.core.audit import ACTIONS
from hubbub.core.models import AuditEntry, Workspace


@dataclass
class AuditFilter:
    action: str = ""
    actor: str = ""  # e-mail, or part of it
    since: date | None = None  # whole days in the workspace's time zone
    until: date | None = None
    text: str = ""  # in the object's label

    def apply(self, workspace: Workspace) -> QuerySet[AuditEntry]:
        entries = AuditEntry.objects.filter(workspace=workspace).select_related("actor")
        if self.action:
            if self.action.endswith(".*"):
                entries = entries.filter(action__startswith=self.action[:-1])
            elif self.action in ACTIONS:
                entries = entries.filter(action=self.action)
            else:
                raise ActionError(
                    _(
                        "'%(action)s' is not an audit action: use one of %(actions)s, "
                        "or an area such as member.*"
                    )
                    % {"action": self.action, "actions": ", ".join(ACTIONS)},
                    field="action",
                )
        if self.actor:
            entries = entries.filter(actor_label__icontains=self.actor)
        tz = workspace.tz
        if self.since:
            entries = entries.filter(created_at__gte=datetime.combine(self.since, time.min, tz))
        if self.until:
            entries = entries.filter(
                created_at__lt=datetime.combine(self.until + timedelta(days=1), time.min, tz)
            )
        if self.since and self.until and self.since > self.until:
            raise ActionError(_("The start date is after the end date."), field="since")
        if self.text:
            entries = entries.filter(
                Q(object_label__icontains=self.text) | Q(action__icontains=self.text)
            )
        return entries
