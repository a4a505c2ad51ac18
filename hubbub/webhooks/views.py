"""The webhooks page (list and create) and each endpoint's page (edit, recent messages,
rotate the secret, send a test, delete). The rules are in hubbub.webhooks.actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.web.decorators import workspace_view
from hubbub.webhooks import actions
from hubbub.webhooks.forms import EndpointEditForm, EndpointForm
from hubbub.webhooks.models import MessageStatus, WebhookEndpoint

RECENT = 50  # messages shown on an endpoint's page


def _endpoint(access: Access, endpoint_id: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=endpoint_id, workspace=access.workspace)


def _edit_form(endpoint: WebhookEndpoint, data: Any = None) -> EndpointEditForm:
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    return EndpointEditForm(data, initial=initial)


def _detail(
    request: HttpRequest,
    endpoint: WebhookEndpoint,
    form: EndpointEditForm | None = None,
    new_secret: str = "",
) -> HttpResponse:
    return render(
        request,
        "webhooks/detail.html",
        {
            "endpoint": endpoint,
            "form": form or _edit_form(endpoint),
            "recent": endpoint.messages.all()[:RECENT],
            "new_secret": new_secret,
            "statuses": MessageStatus,
        },
    )


@workspace_view("webhooks.manage")
def endpoint_list(request: HttpRequest, access: Access) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = actions.create_endpoint(
                access,
                form.cleaned_data["url"],
                form.cleaned_data["description"],
                form.cleaned_data["events"],
            )
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Webhook created."))
            return _detail(request, endpoint, new_secret=secret)  # the secret, shown once
    endpoints = WebhookEndpoint.objects.filter(workspace=access.workspace)
    return render(request, "webhooks/list.html", {"form": form, "endpoints": endpoints})


@workspace_view("webhooks.manage")
def endpoint_detail(request: HttpRequest, access: Access, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(access, endpoint_id)
    if request.method != "POST":
        return _detail(request, endpoint)
    form = _edit_form(endpoint, request.POST)
    if form.is_valid():
        try:
            actions.update_endpoint(
                access,
                endpoint,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                events=form.cleaned_data["events"],
                is_active=form.cleaned_data["is_active"],
            )
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
            endpoint.refresh_from_db()
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("webhooks:detail", slug=access.workspace.slug, endpoint_id=endpoint.pk)
    return _detail(request, endpoint, form)


@require_POST
@workspace_view("webhooks.manage")
def endpoint_rotate(request: HttpRequest, access: Access, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(access, endpoint_id)
    secret = actions.rotate_secret(access, endpoint)
    messages.success(
        request, _("New signing secret made: the old one stopped working. Update your receiver.")
    )
    return _detail(request, endpoint, new_secret=secret)


@require_POST
@workspace_view("webhooks.manage")
def endpoint_test(request: HttpRequest, access: Access, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(access, endpoint_id)
    try:
        message = actions.send_test(access, endpoint)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        if message.status == MessageStatus.SENT:
            messages.success(
                request,
                _("Test event delivered: the endpoint answered %(code)s.")
                % {"code": message.response_status},
            )
        else:
            messages.error(
                request, _("Test event not delivered: %(error)s") % {"error": message.error}
            )
    return redirect("webhooks:detail", slug=access.workspace.slug, endpoint_id=endpoint.pk)


@require_POST
@workspace_view("webhooks.manage")
def endpoint_delete(request: HttpRequest, access: Access, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(access, endpoint_id)
    url = endpoint.url
    actions.delete_endpoint(access, endpoint)
    messages.success(request, _("Webhook %(url)s deleted.") % {"url": url})
    return redirect("webhooks:list", slug=access.workspace.slug)
