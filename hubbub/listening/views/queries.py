"""Queries: the list by group (mentions of the last 7 days, the last alert), the editor with
its live preview (htmx asks listening:preview 300 ms after typing stops: how many of the
newest stored mentions the query matches, the newest five, or the syntax error with a caret
under where it is), and groups. Saving goes through hubbub.listening.actions.

Without JavaScript, the editor's "Preview" button submits the form and the page comes back
with the preview, nothing saved.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.listening import actions
from hubbub.listening.actions import QueryInput
from hubbub.listening.models import ListeningAlert, MentionMatch, Query, QueryGroup
from hubbub.listening.query import QuerySyntaxError
from hubbub.listening.views.common import attempt, done
from hubbub.listening.views.forms import GroupForm, QueryForm
from hubbub.web.decorators import workspace_view

RECENT_DAYS = 7


def _list(access: Access) -> HttpResponse:
    return redirect("listening:queries", slug=access.workspace.slug)


@require_GET
@workspace_view("listening.view")
def query_list(request: HttpRequest, access: Access) -> HttpResponse:
    workspace = access.workspace
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    recent = dict(
        MentionMatch.objects.filter(
            query_id__in=Query.objects.filter(workspace=workspace).values("pk"),
            published_at__gte=since,
        )
        .order_by()
        .values("query_id")
        .annotate(n=Count("pk"))
        .values_list("query_id", "n")
    )
    last_alerts: dict[int, Any] = dict(
        ListeningAlert.objects.filter(workspace=workspace)
        .order_by()
        .values("query_id")
        .annotate(last=Max("raised_at"))
        .values_list("query_id", "last")
    )
    queries = list(Query.objects.filter(workspace=workspace).order_by("name", "pk"))
    for q in queries:
        q.recent = recent.get(q.pk, 0)  # type: ignore[attr-defined]
        q.last_alert = last_alerts.get(q.pk)  # type: ignore[attr-defined]
    groups = list(QueryGroup.objects.filter(workspace=workspace))
    sections = [{"group": g, "queries": [q for q in queries if q.group_id == g.pk]} for g in groups]
    loose = [q for q in queries if q.group_id is None]
    if loose or not groups:
        sections.append({"group": None, "queries": loose})
    return render(
        request,
        "listening/queries.html",
        {
            "sections": sections,
            "group_form": GroupForm(),
            "recent_days": RECENT_DAYS,
            "editable": access.can("listening.configure"),
        },
    )


def _preview_context(access: Access, text: str) -> dict[str, Any]:
    text = text.strip()
    if not text:
        return {"preview": None, "preview_text": ""}
    found = actions.preview(access, text)
    context: dict[str, Any] = {"preview": found, "preview_text": text}
    if found.error is not None:
        context.update(caret_of(text, found.error))
    return context


def caret_of(text: str, error: QuerySyntaxError) -> dict[str, Any]:
    """The line of the query the error is on, and a caret under its character."""
    position = max(0, min(error.position, len(text)))
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    line = text[start : len(text) if end < 0 else end].replace("\t", " ")
    return {
        "error_line": line,
        "error_pad": " " * (position - start),
        "error_char": position + 1,
    }


def _editor(
    request: HttpRequest,
    access: Access,
    form: QueryForm,
    query: Query | None,
    *,
    status: int = 200,
    preview_text: str = "",
) -> HttpResponse:
    return render(
        request,
        "listening/query_edit.html",
        {"form": form, "query": query, **_preview_context(access, preview_text)},
        status=status,
    )


def _edit(request: HttpRequest, access: Access, query: Query | None) -> HttpResponse:
    if request.method != "POST":
        initial = (
            {
                "name": query.name,
                "group": query.group_id,
                "text": query.text,
                "is_active": query.is_active,
                "alerts_enabled": query.alerts_enabled,
                "to_inbox": query.to_inbox,
                "to_inbox_min_reach": query.to_inbox_min_reach,
            }
            if query is not None
            else {"is_active": True, "alerts_enabled": True}
        )
        form = QueryForm(initial=initial, workspace=access.workspace)
        return _editor(request, access, form, query, preview_text=query.text if query else "")
    form = QueryForm(request.POST, workspace=access.workspace)
    typed = request.POST.get("text", "")
    if "preview" in request.POST:  # the button without JavaScript: show, save nothing
        return _editor(request, access, form, query, preview_text=typed)
    if not form.is_valid():
        return _editor(request, access, form, query, status=400, preview_text=typed)
    data = QueryInput(
        name=form.cleaned_data["name"],
        text=form.cleaned_data["text"],
        group=form.cleaned_data["group"],
        is_active=form.cleaned_data["is_active"],
        alerts_enabled=form.cleaned_data["alerts_enabled"],
        to_inbox=form.cleaned_data["to_inbox"] or "",
        to_inbox_min_reach=form.cleaned_data["to_inbox_min_reach"],
    )
    try:
        if query is None:
            saved = actions.create_query(access, data)
        else:
            saved = actions.update_query(access, query, data)
    except ActionError as exc:
        show_error(form, exc)
        return _editor(request, access, form, query, status=400, preview_text=typed)
    messages.success(request, _("Query “%(name)s” saved.") % {"name": saved.name})
    return _list(access)


@workspace_view("listening.configure")
def query_new(request: HttpRequest, access: Access) -> HttpResponse:
    return _edit(request, access, None)


@workspace_view("listening.configure")
def query_edit(request: HttpRequest, access: Access, query_id: int) -> HttpResponse:
    return _edit(request, access, get_object_or_404(Query, pk=query_id, workspace=access.workspace))


@require_GET
@workspace_view("listening.view")
def preview(request: HttpRequest, access: Access) -> HttpResponse:
    """The live preview beside the query field (an htmx fragment)."""
    return render(
        request, "listening/_preview.html", _preview_context(access, request.GET.get("text", ""))
    )


@require_POST
@workspace_view("listening.configure")
def query_delete(request: HttpRequest, access: Access, query_id: int) -> HttpResponse:
    query = get_object_or_404(Query, pk=query_id, workspace=access.workspace)
    name = query.name
    if attempt(request, lambda: done(actions.delete_query, access, query)):
        messages.success(request, _("Query “%(name)s” deleted.") % {"name": name})
    return _list(access)


@require_POST
@workspace_view("listening.configure")
def group_new(request: HttpRequest, access: Access) -> HttpResponse:
    name, kind = request.POST.get("name", ""), request.POST.get("kind", "")
    group = attempt(request, lambda: actions.create_group(access, name, kind))
    if group is not None:
        messages.success(request, _("Group “%(name)s” created.") % {"name": group.name})
    return _list(access)


@require_POST
@workspace_view("listening.configure")
def group_delete(request: HttpRequest, access: Access, group_id: int) -> HttpResponse:
    group = get_object_or_404(QueryGroup, pk=group_id, workspace=access.workspace)
    name = group.name
    if attempt(request, lambda: done(actions.delete_group, access, group)):
        messages.success(request, _("Group “%(name)s” deleted; its queries stay.") % {"name": name})
    return _list(access)
