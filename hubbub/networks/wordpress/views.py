"""The connect page (site, user, application password), then the options page (how new
posts are made: status, categories, comments), which also changes them later."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.networks.base import ConnectorError
from hubbub.networks.connect_forms import submit
from hubbub.networks.models import Channel
from hubbub.networks.wordpress.connect import connect_wordpress, site_categories, update_options
from hubbub.networks.wordpress.connector import WordPressConnector
from hubbub.networks.wordpress.forms import ConnectForm, OptionsForm
from hubbub.web.decorators import workspace_view


@require_http_methods(["GET", "POST"])
@workspace_view("channels.connect")
def connect(request: HttpRequest, access: Access) -> HttpResponse:
    form = ConnectForm(request.POST or None)
    channel = submit(request, access, form, connect_wordpress)
    if channel is not None:
        messages.success(request, _("WordPress site %(name)s connected.") % {"name": channel.name})
        if not channel.config.get("can_upload"):
            messages.warning(
                request,
                _(
                    "This WordPress user may not upload files: posts to this site go out "
                    "without their image. Give the user the Author role or above to "
                    "change that."
                ),
            )
        return redirect("wordpress:options", slug=access.workspace.slug, channel_id=channel.pk)
    return render(request, "wordpress/connect.html", {"form": form})


@require_http_methods(["GET", "POST"])
@workspace_view("channels.connect")
def options(request: HttpRequest, access: Access, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(
        Channel.objects.connected(),
        pk=channel_id,
        workspace=access.workspace,
        network=WordPressConnector.name,
    )
    connector = WordPressConnector(channel)
    categories: list[dict[str, Any]] = []
    problem = ""
    try:
        categories = site_categories(connector.config.api_root, connector.auth())
    except ConnectorError as exc:
        problem = str(exc)
        # Unreadable now: keep the chosen categories as they are rather than clearing them.
        categories = [{"id": c, "name": str(c), "parent": 0} for c in connector.config.categories]
    initial = {
        "post_status": connector.config.post_status,
        "categories": connector.config.categories,
        "comment_status": connector.config.comment_status,
    }
    form = OptionsForm(request.POST or None, initial=initial, categories=categories)
    if problem:
        form.fields["categories"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            update_options(access, channel, known=categories, **form.cleaned_data)
        except ActionError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Options for %(name)s saved.") % {"name": channel.name})
            return redirect("networks:list", slug=access.workspace.slug)
    return render(
        request,
        "wordpress/options.html",
        {"form": form, "channel": channel, "problem": problem},
    )
