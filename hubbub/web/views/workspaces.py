from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError, workspaces_of
from hubbub.core.actions.workspaces import create_workspace, delete_workspace, update_workspace
from hubbub.core.audit import ACTIONS
from hubbub.core.models import AuditEntry, Brand
from hubbub.networks.actions import expiry_warning
from hubbub.networks.models import Channel, Health
from hubbub.web.decorators import workspace_view
from hubbub.web.forms import WorkspaceForm


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    workspaces = workspaces_of(user)
    if not workspaces:
        return redirect("web:workspace_new")
    last = next((w for w in workspaces if w.pk == user.last_workspace_id), workspaces[0])
    return redirect("web:workspace", slug=last.slug)


@login_required
def workspace_new(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = create_workspace(request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Workspace %(name)s created.") % {"name": workspace.name})
            return redirect("web:workspace", slug=workspace.slug)
    return render(request, "web/workspace_new.html", {"form": form})


@workspace_view("workspace.view")
def workspace_home(request: HttpRequest, access: Access) -> HttpResponse:
    workspace = access.workspace
    channels = list(Channel.objects.connected().filter(workspace=workspace))
    context = {
        "channels": channels,
        "unhealthy": [c for c in channels if c.health != Health.OK],
        "expiring": [(c, w) for c in channels if (w := expiry_warning(c))],
        "member_count": workspace.memberships.count(),
        "recent": _recent(access),
    }
    return render(request, "web/workspace_home.html", context)


def _recent(access: Access) -> list[AuditEntry]:
    if not access.can("audit.view"):
        return []
    entries = list(AuditEntry.objects.filter(workspace=access.workspace)[:8])
    for entry in entries:  # the action's words, in the reader's language, not its code
        entry.action_label = ACTIONS.get(entry.action, entry.action)  # type: ignore[attr-defined]
    return entries


@workspace_view("workspace.edit")
def workspace_settings(request: HttpRequest, access: Access) -> HttpResponse:
    workspace = access.workspace
    initial = {
        "name": workspace.name,
        "time_zone": workspace.time_zone,
        "language": workspace.language,
    }
    form = WorkspaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_workspace(access, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("web:workspace_settings", slug=workspace.slug)
    return render(
        request, "web/workspace_settings.html", {"form": form, "brand": Brand.of(workspace)}
    )


@require_POST
@workspace_view("workspace.delete")
def workspace_delete(request: HttpRequest, access: Access) -> HttpResponse:
    name = access.workspace.name
    try:
        delete_workspace(access, request.POST.get("confirm", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:workspace_settings", slug=access.workspace.slug)
    messages.success(request, _("Workspace %(name)s deleted.") % {"name": name})
    return redirect("web:home")
