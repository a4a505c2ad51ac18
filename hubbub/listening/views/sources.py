"""Listening sources: the list (kind, what each reads, how often, its last read, what it
found, its last error and the problems of its last read), "Read now", and the forms. A
network search reads through one of the workspace's channels whose network can search; a
feed, through its address. Saving goes through hubbub.listening.actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.listening import actions
from hubbub.listening.actions import SourceInput
from hubbub.listening.models import ListeningSource
from hubbub.listening.views.common import attempt, done
from hubbub.listening.views.forms import SourceForm, searchable_channels
from hubbub.web.decorators import workspace_view


def _list(access: Access) -> HttpResponse:
    return redirect("listening:sources", slug=access.workspace.slug)


def _source(access: Access, pk: int) -> ListeningSource:
    return get_object_or_404(
        ListeningSource.objects.select_related("channel"), pk=pk, workspace=access.workspace
    )


@require_GET
@workspace_view("listening.view")
def source_list(request: HttpRequest, access: Access) -> HttpResponse:
    sources = ListeningSource.objects.filter(workspace=access.workspace).select_related("channel")
    return render(
        request,
        "listening/sources.html",
        {"sources": sources, "editable": access.can("listening.configure")},
    )


def _edit(request: HttpRequest, access: Access, source: ListeningSource | None) -> HttpResponse:
    workspace = access.workspace
    if request.method != "POST":
        initial = (
            {
                "kind": source.kind,
                "name": source.name,
                "channel": source.channel_id,
                "terms": source.terms,
                "url": source.url,
                "interval": source.interval,
                "backfill_days": source.backfill_days,
                "is_active": source.is_active,
            }
            if source is not None
            else {"kind": "search", "interval": 300, "backfill_days": 7, "is_active": True}
        )
        form = SourceForm(initial=initial, workspace=workspace)
        status = 200
    else:
        form = SourceForm(request.POST, workspace=workspace)
        status = 400
        if form.is_valid():
            data = SourceInput(
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                channel=form.cleaned_data["channel"],
                terms=form.cleaned_data["terms"],
                url=form.cleaned_data["url"],
                interval=form.cleaned_data["interval"],
                backfill_days=form.cleaned_data["backfill_days"],
                is_active=form.cleaned_data["is_active"],
            )
            try:
                if source is None:
                    saved = actions.create_source(access, data)
                else:
                    saved = actions.update_source(access, source, data)
            except ActionError as exc:
                show_error(form, exc)
            else:
                messages.success(request, _("Source “%(name)s” saved.") % {"name": saved.name})
                return _list(access)
    return render(
        request,
        "listening/source_edit.html",
        {"form": form, "source": source, "has_channels": bool(searchable_channels(workspace))},
        status=status,
    )


@workspace_view("listening.configure")
def source_new(request: HttpRequest, access: Access) -> HttpResponse:
    return _edit(request, access, None)


@workspace_view("listening.configure")
def source_edit(request: HttpRequest, access: Access, source_id: int) -> HttpResponse:
    return _edit(request, access, _source(access, source_id))


@require_POST
@workspace_view("listening.configure")
def source_read(request: HttpRequest, access: Access, source_id: int) -> HttpResponse:
    source = _source(access, source_id)
    read = attempt(request, lambda: actions.read_now(access, source))
    if read is not None:
        if read.last_error:
            messages.error(
                request,
                _("“%(name)s” could not be read: %(error)s")
                % {"name": read.name, "error": read.last_error},
            )
        else:
            messages.success(
                request,
                ngettext(
                    "“%(name)s” read: %(n)s new mention.",
                    "“%(name)s” read: %(n)s new mentions.",
                    read.last_found,
                )
                % {"name": read.name, "n": read.last_found},
            )
    return _list(access)


@require_POST
@workspace_view("listening.configure")
def source_delete(request: HttpRequest, access: Access, source_id: int) -> HttpResponse:
    source = _source(access, source_id)
    name = source.name
    if attempt(request, lambda: done(actions.delete_source, access, source)):
        messages.success(
            request, _("Source “%(name)s” removed; its mentions stay.") % {"name": name}
        )
    return _list(access)
