"""The alert destinations page (list and create) and each destination's page (edit, send a
test alert, delete). The rules are in hubbub.notify.actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.notify import actions
from hubbub.notify.forms import DestinationEditForm, DestinationForm
from hubbub.notify.models import EVENTS, Destination, DestinationKind
from hubbub.web.decorators import workspace_view


def _destination(access: Access, destination_id: int) -> Destination:
    return get_object_or_404(Destination, pk=destination_id, workspace=access.workspace)


def _edit_form(destination: Destination, data: Any = None) -> DestinationEditForm:
    config = destination.config
    initial = {
        "name": destination.name,
        "events": destination.events,
        "is_active": destination.is_active,
        "addresses": "\n".join(config.get("addresses", [])),
        "homeserver": config.get("homeserver", ""),
        "room_id": config.get("room_id", ""),
    }  # secrets are never sent back to the browser
    return DestinationEditForm(data, initial=initial, kind=destination.kind)


def _detail(
    request: HttpRequest, destination: Destination, form: DestinationEditForm | None = None
) -> HttpResponse:
    return render(
        request,
        "notify/detail.html",
        {
            "destination": destination,
            "target": actions.target_of(destination),
            "form": form or _edit_form(destination),
            "events": EVENTS,
        },
    )


@workspace_view("alerts.manage")
def destination_list(request: HttpRequest, access: Access) -> HttpResponse:
    form = DestinationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            destination = actions.create_destination(
                access,
                form.cleaned_data["kind"],
                form.cleaned_data["name"],
                form.config(),
                form.cleaned_data["events"],
            )
        except ActionError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request, _("Alert destination created: send a test alert to check it.")
            )
            return redirect(
                "notify:detail", slug=access.workspace.slug, destination_id=destination.pk
            )
    destinations = [
        (d, actions.target_of(d)) for d in Destination.objects.filter(workspace=access.workspace)
    ]
    return render(
        request,
        "notify/list.html",
        {"form": form, "destinations": destinations, "events": EVENTS, "kinds": DestinationKind},
    )


@workspace_view("alerts.manage")
def destination_detail(request: HttpRequest, access: Access, destination_id: int) -> HttpResponse:
    destination = _destination(access, destination_id)
    if request.method != "POST":
        return _detail(request, destination)
    form = _edit_form(destination, request.POST)
    if form.is_valid():
        try:
            actions.update_destination(
                access,
                destination,
                name=form.cleaned_data["name"],
                events=form.cleaned_data["events"],
                config=form.config(),
                is_active=form.cleaned_data["is_active"],
            )
        except ActionError as exc:
            show_error(form, exc)
            destination.refresh_from_db()
        else:
            messages.success(request, _("Alert destination saved."))
            return redirect(
                "notify:detail", slug=access.workspace.slug, destination_id=destination.pk
            )
    return _detail(request, destination, form)


@require_POST
@workspace_view("alerts.manage")
def destination_test(request: HttpRequest, access: Access, destination_id: int) -> HttpResponse:
    destination = _destination(access, destination_id)
    try:
        outcome = actions.send_test(access, destination)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        if outcome.sent:
            messages.success(request, _("Test alert sent: check that it arrived."))
        else:
            messages.error(request, _("Test alert not sent: %(error)s") % {"error": outcome.error})
    return redirect("notify:detail", slug=access.workspace.slug, destination_id=destination.pk)


@require_POST
@workspace_view("alerts.manage")
def destination_delete(request: HttpRequest, access: Access, destination_id: int) -> HttpResponse:
    destination = _destination(access, destination_id)
    name = destination.name
    actions.delete_destination(access, destination)
    messages.success(request, _("Alert destination %(name)s deleted.") % {"name": name})
    return redirect("notify:list", slug=access.workspace.slug)
