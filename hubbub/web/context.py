"""What every page's layout needs: the person's workspaces and the current one's nav."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from hubbub.core.access import workspaces_of
from hubbub.core.notifications import unread_count
from hubbub.core.permissions import PERMISSIONS
from hubbub.publishing.models import WorkspacePublishing


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    access = getattr(request, "access", None)
    context: dict[str, Any] = {"LANGUAGES": settings.LANGUAGES, "access": access}
    if user is not None and user.is_authenticated:
        context["my_workspaces"] = workspaces_of(user)  # type: ignore[arg-type]
        context["unread_notifications"] = unread_count(user)  # type: ignore[arg-type]
    if access is not None:
        context["workspace"] = access.workspace
        # Templates cannot read dotted keys: "channels.view" is offered as can.channels_view.
        context["can"] = {name.replace(".", "_"): access.can(name) for name in PERMISSIONS}
        # The crisis banner on every page of a paused workspace: one query, None when not.
        context["paused_publishing"] = (
            WorkspacePublishing.objects.filter(workspace=access.workspace, paused_at__isnull=False)
            .select_related("paused_by")
            .first()
        )
    return context
